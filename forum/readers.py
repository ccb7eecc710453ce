"""What one member sees differently on a forum page, read in one query and shared until the forum changes:
whether they may use moderator power (the rule stays mycarebudget.moderation.powers.can_moderate), are
suspended, follow or support the topic, reported a post in it."""

import datetime
from dataclasses import dataclass
from functools import cache

from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.db import connections, router
from django.db.models import Exists
from django.utils import timezone

from forum.models import Follow, Report, Support, Suspension
from mycarebudget import shared
from mycarebudget.moderation.powers import MODERATORS_GROUP, can_moderate, needs_two_step

User = get_user_model()

# Stand-ins for the member, the topic and the time, bound anew for each request (_statement).
MEMBER, TOPIC, NOW = -7301, -7302, datetime.datetime(1901, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Reader:
    can_moderate: bool
    needs_two_step: bool  # a moderator without two-step verification, told how to turn it on
    suspended: bool
    following: bool = False
    supports: bool = False
    reported: bool = False  # a post in this topic


def _facts(with_topic: bool):
    """The one definition of a member's facts, each asked of the member and topic directly (subqueries
    that do not refer to the outer row cost PostgreSQL a third less to plan: bench/results.md)."""
    mine, topic = {"user_id": MEMBER}, {"topic_id": TOPIC}
    facts = {
        "in_moderators": Exists(User.groups.through.objects.filter(**mine, group__name=MODERATORS_GROUP)),
        "two_step": Exists(Authenticator.objects.filter(**mine, type=Authenticator.Type.TOTP)),
        "suspended": Exists(Suspension.objects.active(now=NOW).filter(**mine)),
    }
    if with_topic:
        facts |= {
            "following": Exists(Follow.objects.filter(**mine, **topic, is_following=True)),
            "supports": Exists(Support.objects.filter(**mine, **topic)),
            "reported": Exists(Report.objects.filter(reporter_id=MEMBER, post__topic_id=TOPIC)),
        }
    return User.objects.filter(pk=MEMBER).values(**facts)


@cache
def _statement(alias: str, with_topic: bool) -> tuple[str, list, list, tuple[str, ...]]:
    """The query above compiled once per process: made and compiled for each request it cost 2.2 ms of
    CPU, against 0.12 ms to run it (2026-12-04). Which parameters are the stand-ins is found by value,
    so the SQL is always the ORM's own."""
    query = _facts(with_topic).query
    sql, params = query.get_compiler(using=alias).as_sql()
    now = connections[alias].ops.adapt_datetimefield_value(NOW)
    slots = {MEMBER: "member", TOPIC: "topic", now: "now"}
    bound = [slots.get(param) if isinstance(param, int | str | datetime.datetime) else None for param in params]
    assert "member" in bound and "now" in bound and ("topic" in bound) == with_topic, (sql, params)
    return sql, list(params), bound, tuple(query.annotation_select)


def _read_facts(member_pk: int, topic_pk: int | None) -> dict[str, bool]:
    alias = router.db_for_read(User)
    sql, params, bound, names = _statement(alias, topic_pk is not None)
    values = {"member": member_pk, "topic": topic_pk,
              "now": connections[alias].ops.adapt_datetimefield_value(timezone.now())}
    params = [values[slot] if slot else param for param, slot in zip(params, bound, strict=True)]
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return dict(zip(names, map(bool, cursor.fetchone()), strict=True))


def copy_name(user, topic_pk: int | None) -> str:
    """The name of this member's facts among the forum's copies (shared.read)."""
    return f"reader:{user.pk}:{topic_pk}"


def reader_of(user, *, topic_pk: int | None = None, found: dict | None = None) -> Reader | None:
    """The signed-in member's view of a forum page (None for anonymous readers), in one query; ``found``
    is what ``shared.read`` brought of the forum's copies, if the page read them already.

    An ordinary member's facts are shared through Redis until the forum's version changes, which every
    change to what they are made of bumps (forum.signals): their next page asks the database nothing.
    A moderator's are read every time: some ways of losing the power send no signal (the group deleted).
    A suspension is read again whenever these say "suspended" (forum.views), as it may have ended since."""
    if not user.is_authenticated:
        return None
    row = dict(shared.current(
        "forum", copy_name(user, topic_pk), lambda: _read_facts(user.pk, topic_pk),
        keep=lambda row: shared.workers_share_versions() and not (user.is_superuser or row["in_moderators"]),
        found=found))
    # Cached on the user, where is_moderator and has_two_step look first: no more queries.
    in_moderators = row.pop("in_moderators")  # popped first: a superuser's row has it too
    user._is_moderator = user.is_superuser or in_moderators
    user._has_two_step = row.pop("two_step")
    return Reader(can_moderate=can_moderate(user), needs_two_step=needs_two_step(user), **row)
