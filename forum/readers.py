"""What one member sees differently on a forum page, read in one query.

The page's shared parts (mycarebudget.shared) are the same for everyone; this is the rest: whether
the member may use moderator power, is suspended, follows or supports the topic. The facts come
from one query; the rule for moderator power stays mycarebudget.moderation.powers.can_moderate.
"""

from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef

from forum.models import Follow, Support, Suspension
from mycarebudget.moderation.powers import MODERATORS_GROUP, can_moderate, needs_two_step

User = get_user_model()


@dataclass(frozen=True)
class Reader:
    can_moderate: bool
    needs_two_step: bool  # a moderator without two-step verification, told how to turn it on
    suspended: bool
    following: bool = False
    supports: bool = False


def reader_of(user, *, topic_pk: int | None = None) -> Reader | None:
    """The signed-in member's view of a forum page (None for anonymous readers), in one query."""
    if not user.is_authenticated:
        return None
    mine = {"user_id": OuterRef("pk")}
    facts = {
        "in_moderators": Exists(User.groups.through.objects.filter(**mine, group__name=MODERATORS_GROUP)),
        "two_step": Exists(Authenticator.objects.filter(**mine, type=Authenticator.Type.TOTP)),
        "suspended": Exists(Suspension.objects.active().filter(**mine)),
    }
    if topic_pk is not None:
        facts["following"] = Exists(Follow.objects.filter(**mine, topic_id=topic_pk, is_following=True))
        facts["supports"] = Exists(Support.objects.filter(**mine, topic_id=topic_pk))
    row = User.objects.filter(pk=user.pk).values(**facts).get()
    # Cached on the user, where is_moderator and has_two_step look first: no more queries.
    user._is_moderator = user.is_superuser or row.pop("in_moderators")
    user._has_two_step = row.pop("two_step")
    return Reader(can_moderate=can_moderate(user), needs_two_step=needs_two_step(user), **row)
