"""What one member sees differently on a forum page, read in one query.

The page's shared parts (mycarebudget.shared) are the same for everyone; this is the rest: whether
the member may use moderator power, is suspended, follows or supports the topic, reported a post in
it. The facts come from one query; the rule for moderator power stays
mycarebudget.moderation.powers.can_moderate.
"""

from dataclasses import dataclass
from functools import cache

from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Value

from forum.models import Follow, Report, Support, Suspension
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


@cache
def _facts() -> dict:
    """Built once: making these querysets costs more than running them (bench/cpu.py). The member is
    the outer row ("pk"), the topic an annotation on it ("forum_topic")."""
    mine, topic = {"user_id": OuterRef("pk")}, {"topic_id": OuterRef("forum_topic")}
    return {
        "in_moderators": Exists(User.groups.through.objects.filter(**mine, group__name=MODERATORS_GROUP)),
        "two_step": Exists(Authenticator.objects.filter(**mine, type=Authenticator.Type.TOTP)),
        "following": Exists(Follow.objects.filter(**mine, **topic, is_following=True)),
        "supports": Exists(Support.objects.filter(**mine, **topic)),
        "reported": Exists(Report.objects.filter(reporter_id=OuterRef("pk"), post__topic_id=OuterRef("forum_topic"))),
    }


def reader_of(user, *, topic_pk: int | None = None) -> Reader | None:
    """The signed-in member's view of a forum page (None for anonymous readers), in one query."""
    if not user.is_authenticated:
        return None
    facts = _facts()
    if topic_pk is None:
        facts = {name: facts[name] for name in ("in_moderators", "two_step")}
    suspended = Exists(Suspension.objects.active().filter(user_id=OuterRef("pk")))  # active: as of now
    row = (User.objects.filter(pk=user.pk).annotate(forum_topic=Value(topic_pk))
           .values(**facts, suspended=suspended).get())
    # Cached on the user, where is_moderator and has_two_step look first: no more queries.
    in_moderators = row.pop("in_moderators")  # popped first: a superuser's row has it too
    user._is_moderator = user.is_superuser or in_moderators
    user._has_two_step = row.pop("two_step")
    return Reader(can_moderate=can_moderate(user), needs_two_step=needs_two_step(user), **row)
