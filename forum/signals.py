"""Any change to what forum pages show makes their shared copies out of date (mycarebudget.shared)."""

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_save

from mycarebudget import shared


def forum_changed(sender, **kwargs) -> None:
    shared.bump("forum")


def member_changed(sender, update_fields=None, **kwargs) -> None:
    # Posts show their author's public name; signing in only touches last_login.
    if update_fields is None or set(update_fields) - {"last_login"}:
        shared.bump("forum")


def connect() -> None:
    shared.bump_on_change("forum", "forum.Category", "forum.Topic", "forum.Post", "forum.Support",
                          # and what members' facts are made of (forum.readers)
                          "forum.Follow", "forum.Report", "forum.Suspension")
    post_save.connect(member_changed, sender=get_user_model(), dispatch_uid="shared-member")
    # Joining or leaving the moderators changes the badge beside a member's name.
    m2m_changed.connect(forum_changed, sender=get_user_model().groups.through, dispatch_uid="shared-groups")
