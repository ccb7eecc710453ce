"""Discussion search: PostgreSQL full text (english, GIN index); SQLite FTS5.

Only public posts in public topics are in the index (index_post keeps it in step
whenever a post is saved, edited, hidden, deleted or approved), and every query
also filters on visibility, so a stale index row can never leak a post.
"""

import html
import re

from django.conf import settings
from django.db import connection
from django.db.models import Value

from forum.models import IdeaStatus, Post, Topic
from mycarebudget.search import SearchHit, highlight, query_terms

OVERFETCH = 3  # hits are one per topic: fetch more posts than needed, keep each topic's best


_TAG = re.compile(r"<[^>]*>")


def plain_text(post: Post) -> str:
    """The post's words. body_html is render_markdown's output (well-formed, no comments), so
    dropping tags with a regex is exact and far quicker than strip_tags' parser; the
    result is always escaped when shown."""
    return _plain(post.body_html)


def _plain(body_html: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", body_html)).split())


def _is_indexable(post: Post, topic: Topic) -> bool:
    return post.kind == Post.Kind.MESSAGE and post.is_public() and topic.is_public()


def index_post(post: Post) -> None:
    """Bring the index in step with one post (added if public, removed otherwise)."""
    topic = Topic.objects.only("title", "is_held", "is_hidden").get(pk=post.topic_id)
    indexable = _is_indexable(post, topic)
    title = topic.title if post.is_first else ""
    if settings.IS_POSTGRES:
        from django.contrib.postgres.search import SearchVector

        if not indexable:
            Post.objects.filter(pk=post.pk).update(search_vector=None)
            return
        vector = (SearchVector(Value(title), weight="A", config="english")
                  + SearchVector(Value(plain_text(post)), weight="B", config="english"))
        Post.objects.filter(pk=post.pk).update(search_vector=vector)
        return
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM forum_post_fts WHERE rowid = %s", [post.pk])
        if indexable:
            cursor.execute("INSERT INTO forum_post_fts (rowid, title, body) VALUES (%s, %s, %s)",
                           [post.pk, title, plain_text(post)])


def index_topic(topic: Topic) -> None:
    """Re-index every post of a topic (its title or visibility changed)."""
    for post in Post.objects.filter(topic=topic).only(
            "pk", "topic_id", "kind", "is_first", "body_html", "is_held", "hidden_at", "deleted_at"):
        index_post(post)


def _fts5_query(terms: list[str]) -> str:
    return " AND ".join(f'"{term}"*' for term in terms)


# Raw SQL finds candidates in the index; the ORM then reads the posts shown through
# Post.objects.public() (PostQuerySet.visible_to, the one visibility rule), so a stale index row
# can never leak a post. The index holds only public posts (index_post), which is what lets
# these queries stop at their limit.

# Opening posts whose topic's title matches, most recently active first. The topics come first,
# with their own limit, from the title's GIN expression index (migration 0004, whose expression
# this repeats exactly); joined directly, the planner reads every opening post to find the few
# whose topic matches.
_PG_OPENING_POSTS = """
    SELECT p.id, p.topic_id
      FROM (SELECT id, last_activity_at FROM forum_topic
             WHERE to_tsvector('english'::regconfig, COALESCE(title, ''))
                   @@ websearch_to_tsquery('english'::regconfig, %(query)s)
             ORDER BY last_activity_at DESC, id DESC LIMIT %(topics)s) AS t
      JOIN forum_post p ON p.topic_id = t.id AND p.is_first
     WHERE p.search_vector IS NOT NULL
     ORDER BY t.last_activity_at DESC, p.id DESC LIMIT %(limit)s"""
# Newest first, not by rank: a common word can match most of 100,000 posts, and ranking
# them all costs far more than a search may take. Newest first lets the planner (or FTS5)
# walk the newest posts backwards and stop at the limit.
_PG_NEWEST = """
    SELECT p.id, p.topic_id FROM forum_post p
     WHERE p.search_vector @@ websearch_to_tsquery('english'::regconfig, %(query)s)
     ORDER BY p.id DESC LIMIT %(limit)s"""
# On SQLite the FTS5 title column holds the topic title on opening posts only, so a
# title match is an opening post whose topic matches.
_SQLITE_NEWEST = """
    SELECT f.rowid, p.topic_id FROM forum_post_fts f JOIN forum_post p ON p.id = f.rowid
     WHERE forum_post_fts MATCH %s
     ORDER BY f.rowid DESC LIMIT %s"""
_HIT_FIELDS = ("pk", "topic_id", "is_first", "body_html", "topic__title", "topic__slug", "topic__status",
               "topic__category__name", "topic__category__is_ideas")


def _newest_posts(cursor, query: str, match: str, limit: int) -> list[tuple[int, int]]:
    """(post, topic) ids of the newest indexed posts that match, newest first."""
    if settings.IS_POSTGRES:
        cursor.execute(_PG_NEWEST, {"query": query, "limit": limit})
    else:
        cursor.execute(_SQLITE_NEWEST, [match, limit])
    return cursor.fetchall()


def _hits_by_id(ids: list[int]) -> list[tuple]:
    """The rows of these posts that anyone may read (the visibility rule), in the order given."""
    if not ids:
        return []
    rows = {row[0]: row for row in Post.objects.public().filter(pk__in=ids).values_list(*_HIT_FIELDS)}
    return [rows[pk] for pk in ids if pk in rows]


def _hit_rows(query: str, terms: list[str], limit: int) -> list[tuple]:
    """One row per topic (a hit's columns, _HIT_FIELDS), best first, at most limit.

    Opening posts of topics whose title matches come first, then the newest matching
    posts of other topics. Only the posts shown are read in full.
    """
    match = _fts5_query(terms)
    with connection.cursor() as cursor:
        if settings.IS_POSTGRES:
            cursor.execute(_PG_OPENING_POSTS, {"query": query, "topics": limit * OVERFETCH, "limit": limit})
            openers = cursor.fetchall()
        else:
            openers = _newest_posts(cursor, query, "{title} : (" + match + ")", limit)
        rows = _hits_by_id([pk for pk, _ in openers])
        if len(rows) >= limit:
            return rows[:limit]
        # Hits are one per topic: fetch more posts than needed, keep each topic's newest.
        topics = {row[1] for row in rows}
        chosen = []
        for pk, topic_id in _newest_posts(cursor, query, match, limit * OVERFETCH):
            if topic_id not in topics:
                topics.add(topic_id)
                chosen.append(pk)
    return rows + _hits_by_id(chosen[:limit - len(rows)])


def search_discussions(query: str, *, limit: int = 20) -> list[SearchHit]:
    """Forum hits for the site search, best first, at most one per topic.

    Never returns held, hidden or deleted posts, or posts of held or hidden topics.
    """
    query = query.replace("\x00", "")  # PostgreSQL text cannot hold NUL
    terms = query_terms(query)
    if not terms or limit <= 0:
        return []
    rows = _hit_rows(query, terms, limit)
    statuses = dict(IdeaStatus.choices)
    hits: list[SearchHit] = []
    for position, (pk, topic_id, is_first, body_html, title, slug, status, category, is_ideas) in enumerate(rows):
        meta = f"{category} · {statuses.get(status, status)}" if is_ideas and status else category
        url = Topic(pk=topic_id, slug=slug).get_absolute_url() if is_first else Post(pk=pk).get_absolute_url()
        hits.append(SearchHit(kind="discussion", title=title, url=url,
                              snippet=highlight(_plain(body_html), terms),
                              rank=float(len(rows) - position), meta=meta))
    return hits
