"""What one member sees differently on a forum page, read in one query.

Every member shares one rendering of a busy page (mycarebudget.microcache); this is the rest:
whether they follow or support the topic, which posts are theirs or reported by them, and
whether they need a page of their own (moderators, suspended members, and members whose held
or hidden posts or topics only they can see).
"""

from dataclasses import dataclass, field
from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone

from forum.models import Category, Follow, Post, Report, Support, Suspension, Topic
from mycarebudget.db import execute_prepared
from mycarebudget.moderation.powers import MODERATORS_GROUP, can_moderate, needs_two_step

User = get_user_model()


@dataclass(frozen=True)
class MemberView:
    user_pk: int
    is_moderator: bool  # may use moderator power (mycarebudget.moderation.powers.can_moderate)
    needs_two_step: bool  # a moderator without two-step verification, told how to turn it on
    suspended: bool
    sees_private: bool  # held or hidden posts or topics of their own, shown only to them
    following: bool = False
    supports: bool = False
    reported: frozenset[int] = field(default_factory=frozenset)
    supported: frozenset[int] = field(default_factory=frozenset)

    @property
    def shares_copy(self) -> bool:
        """Whether the members' shared rendering is this member's page too."""
        return not (self.is_moderator or self.needs_two_step or self.suspended or self.sees_private)

    def topic_choices(self, post_authors: dict[int, int | None]) -> dict[str, str]:
        """The marked parts of a topic page (templates/forum/topic_detail.html) to keep."""
        choices = {"viewer": "member", "follow": "yes" if self.following else "default",
                   "support": "yes" if self.supports else "default"}
        for post_pk, author_pk in post_authors.items():
            if author_pk == self.user_pk:
                choices[f"p{post_pk}"] = "own"
            elif post_pk in self.reported:
                choices[f"p{post_pk}"] = "reported"
        return choices

    def category_choices(self) -> dict[str, str]:
        choices = {"viewer": "member"}
        choices.update((f"s{topic_pk}", "yes") for topic_pk in self.supported)
        return choices


# Raw SQL, written once and prepared on PostgreSQL (mycarebudget/db.py): as ORM queries with seven
# EXISTS these cost about 2 ms of Python on every signed-in request, and planning them about 0.4 ms
# more, several times the database's own work. Every subquery is scoped to the member
# and starts from an index on the member's own rows, so none grows with the size of a topic.
_FLAGS = """
SELECT u.is_superuser,
  EXISTS (SELECT 1 FROM {user_groups} ug JOIN {group} g ON g.id = ug.group_id
          WHERE ug.user_id = u.id AND g.name = %(moderators)s),
  EXISTS (SELECT 1 FROM {suspension} s WHERE s.user_id = u.id AND s.lifted_at IS NULL
          AND s.starts_at <= %(now)s AND (s.ends_at IS NULL OR s.ends_at > %(now)s)),
  {extra}
FROM {user} u WHERE u.id = %(user)s
"""
_TOPIC_FLAGS = """
  EXISTS (SELECT 1 FROM {post} p WHERE p.author_id = u.id AND p.topic_id = %(topic)s
          AND (p.is_held = %(yes)s OR p.hidden_at IS NOT NULL))
  OR EXISTS (SELECT 1 FROM {topic} t WHERE t.id = %(topic)s AND t.author_id = u.id
             AND (t.is_held = %(yes)s OR t.is_hidden = %(yes)s)),
  EXISTS (SELECT 1 FROM {follow} f WHERE f.topic_id = %(topic)s AND f.user_id = u.id
          AND f.is_following = %(yes)s),
  EXISTS (SELECT 1 FROM {support} x WHERE x.topic_id = %(topic)s AND x.user_id = u.id),
  EXISTS (SELECT 1 FROM {report} r WHERE r.reporter_id = u.id
          AND EXISTS (SELECT 1 FROM {post} rp WHERE rp.id = r.post_id AND rp.topic_id = %(topic)s))
"""
_CATEGORY_FLAGS = """
  EXISTS (SELECT 1 FROM {topic} t JOIN {category} c ON c.id = t.category_id
          WHERE c.slug = %(category)s AND t.author_id = u.id AND (t.is_held = %(yes)s OR t.is_hidden = %(yes)s)),
  EXISTS (SELECT 1 FROM {category} c WHERE c.slug = %(category)s AND c.is_ideas = %(yes)s)
"""


@cache
def _sql(extra: str) -> str:
    tables = {name: connection.ops.quote_name(model._meta.db_table) for name, model in (
        ("user", User), ("user_groups", User.groups.through), ("group", Group), ("suspension", Suspension),
        ("post", Post), ("topic", Topic), ("category", Category), ("follow", Follow), ("support", Support),
        ("report", Report))}
    return _FLAGS.format(extra=extra.format(**tables), **tables)


def _flags(user, name: str, extra: str, **params) -> tuple:
    """The member's flags (see _FLAGS) and ``extra``'s, as the prepared statement ``name``."""
    with connection.cursor() as cursor:
        execute_prepared(cursor, name, _sql(extra), {
            "user": user.pk, "moderators": MODERATORS_GROUP, "yes": True,
            "now": connection.ops.adapt_datetimefield_value(timezone.now()), **params})
        return tuple(bool(value) for value in cursor.fetchone())


def _view(user, flags: tuple, **extra) -> MemberView:
    is_superuser, in_moderators, suspended = flags[:3]
    user._is_moderator = is_superuser or in_moderators  # saves is_moderator its query
    return MemberView(user_pk=user.pk, is_moderator=can_moderate(user), needs_two_step=needs_two_step(user),
                      suspended=suspended, **extra)


def of_topic(user, topic_pk: int) -> MemberView:
    """One query; a second only for a member who reported posts in this topic."""
    flags = _flags(user, "mcb_member_topic", _TOPIC_FLAGS, topic=topic_pk)
    sees_private, following, supports, reported_here = flags[3:]
    reported = frozenset()
    if reported_here:
        reported = frozenset(Report.objects.filter(post__topic_id=topic_pk, reporter=user)
                             .values_list("post_id", flat=True))
    return _view(user, flags, sees_private=sees_private, following=following, supports=supports,
                 reported=reported)


def of_category(user, category_slug: str) -> MemberView:
    """One query; a second, in the ideas category, for the ideas this member supports."""
    flags = _flags(user, "mcb_member_category", _CATEGORY_FLAGS, category=category_slug)
    sees_private, ideas = flags[3:]
    supported = frozenset()
    if ideas:
        supported = frozenset(Support.objects.filter(user=user, topic__category__slug=category_slug)
                              .values_list("topic_id", flat=True))
    return _view(user, flags, sees_private=sees_private, supported=supported)
