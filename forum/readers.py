"""What one member sees differently on a forum page, read in one query and shared until the forum changes:
whether they may use moderator power (the rule stays mycarebudget.moderation.powers.can_moderate), are
suspended, follow or support the topic, wrote or reported a post in it."""

from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.db.models import Exists

from forum.models import Follow, Post, Report, Support, Suspension
from mycarebudget import shared
from mycarebudget.moderation.powers import MODERATORS_GROUP, can_moderate, needs_two_step

User = get_user_model()


@dataclass(frozen=True)
class Reader:
    can_moderate: bool
    needs_two_step: bool  # a moderator without two-step verification, told how to turn it on
    suspended: bool
    following: bool = False
    supports: bool = False
    reported: bool = False  # a post in this topic
    wrote: bool = False  # a post in this topic
    unlisted: bool = False  # wrote a post in this topic that not everyone reads (held, hidden, deleted)


def _read_facts(member_pk: int, topic_pk: int | None) -> dict[str, bool]:
    """The one definition of a member's facts, each asked of the member and topic directly (subqueries
    that do not refer to the outer row cost PostgreSQL a third less to plan: bench/results.md)."""
    mine, topic = {"user_id": member_pk}, {"topic_id": topic_pk}
    facts = {
        "in_moderators": Exists(User.groups.through.objects.filter(**mine, group__name=MODERATORS_GROUP)),
        "two_step": Exists(Authenticator.objects.filter(**mine, type=Authenticator.Type.TOTP)),
        "suspended": Exists(Suspension.objects.active().filter(**mine)),
    }
    if topic_pk is not None:
        written = Post.objects.filter(author_id=member_pk, **topic)
        facts |= {
            "wrote": Exists(written),
            "unlisted": Exists(written.exclude(pk__in=Post.objects.filter(**topic).public().values("pk"))),
            "following": Exists(Follow.objects.filter(**mine, **topic, is_following=True)),
            "supports": Exists(Support.objects.filter(**mine, **topic)),
            "reported": Exists(Report.objects.filter(reporter_id=member_pk, post__topic_id=topic_pk)),
        }
    return {name: bool(value) for name, value in User.objects.filter(pk=member_pk).values(**facts).get().items()}


def reader_of(user, *, topic_pk: int | None = None) -> Reader | None:
    """The signed-in member's view of a forum page (None for anonymous readers), in one query.
    An ordinary member's facts are shared through Redis until the forum's version changes, which every
    change to what they are made of bumps (forum.signals): their next page asks the database nothing.
    A moderator's are read every time: some ways of losing the power send no signal (the group deleted).
    A suspension is read again whenever these say "suspended" (forum.views), as it may have ended since."""
    if not user.is_authenticated:
        return None
    row = dict(shared.current(
        "forum", f"reader:{user.pk}:{topic_pk}", lambda: _read_facts(user.pk, topic_pk),
        keep=lambda row: shared.workers_share_versions() and not (user.is_superuser or row["in_moderators"])))
    # Cached on the user, where is_moderator and has_two_step look first: no more queries.
    in_moderators = row.pop("in_moderators")  # popped first: a superuser's row has it too
    user._is_moderator = user.is_superuser or in_moderators
    user._has_two_step = row.pop("two_step")
    return Reader(can_moderate=can_moderate(user), needs_two_step=needs_two_step(user), **row)
