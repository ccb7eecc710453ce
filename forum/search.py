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

from forum.models import Post, Topic
from mycarebudget.search import SearchHit, highlight, query_terms

OVERFETCH = 3  # hits are one per topic: fetch more posts than needed, keep each topic's best


_TAG = re.compile(r"<[^>]*>")


def plain_text(post: Post) -> str:
    """The post's words. body_html is render_markdown's output (well-formed, no comments), so
    dropping tags with a regex is exact and far quicker than strip_tags' parser; the
    result is always escaped when shown."""
    return " ".join(html.unescape(_TAG.sub(" ", post.body_html)).split())


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


def _ranked_post_ids(query: str, terms: list[str], limit: int) -> list[int]:
    """Post ids, best first: opening posts of topics whose title matches, then the newest matching posts.

    On PostgreSQL neither step ranks every match: a common word can match most of
    100,000 posts, and ranking them all costs far more than the 20 ms a search may
    take. Newest-first lets the planner walk the newest posts and stop at the limit.
    """
    if settings.IS_POSTGRES:
        from django.contrib.postgres.search import SearchQuery, SearchVector

        search_query = SearchQuery(query, config="english", search_type="websearch")
        titled_topics = (Topic.objects.public()
                         .annotate(title_vector=SearchVector("title", config="english"))
                         .filter(title_vector=search_query)
                         .order_by("-last_activity_at", "-pk").values("pk")[:limit])
        openers = list(Post.objects.public().filter(is_first=True, topic__in=titled_topics,
                                                    search_vector__isnull=False)
                       .order_by("-topic__last_activity_at", "-pk").values_list("pk", flat=True))
        newest = list(Post.objects.public().filter(search_vector=search_query)
                      .order_by("-pk").values_list("pk", flat=True)[:limit])
        seen = set(openers)
        return openers + [pk for pk in newest if pk not in seen]
    match = _fts5_query(terms)
    # The same order as on PostgreSQL, and for the same reason: newest first lets
    # FTS5 walk its index backwards and stop at the limit instead of scoring every match.
    newest_visible = (
        "SELECT f.rowid FROM forum_post_fts f "
        "JOIN forum_post p ON p.id = f.rowid JOIN forum_topic t ON t.id = p.topic_id "
        "WHERE forum_post_fts MATCH %s "
        "AND p.is_held = 0 AND p.hidden_at IS NULL AND p.deleted_at IS NULL "
        "AND t.is_held = 0 AND t.is_hidden = 0 "
        "ORDER BY f.rowid DESC LIMIT %s")
    with connection.cursor() as cursor:
        cursor.execute(newest_visible, ["{title} : (" + match + ")", limit])
        openers = [row[0] for row in cursor.fetchall()]
        cursor.execute(newest_visible, [match, limit])
        seen = set(openers)
        return openers + [row[0] for row in cursor.fetchall() if row[0] not in seen]


def search_discussions(query: str, *, limit: int = 20) -> list[SearchHit]:
    """Forum hits for the site search, best first, at most one per topic.

    Never returns held, hidden or deleted posts, or posts of held or hidden topics.
    """
    query = query.replace("\x00", "")  # PostgreSQL text cannot hold NUL
    terms = query_terms(query)
    if not terms or limit <= 0:
        return []
    ids = _ranked_post_ids(query, terms, limit * OVERFETCH)
    posts = Post.objects.public().select_related("topic", "topic__category").in_bulk(ids)
    hits: list[SearchHit] = []
    seen_topics: set[int] = set()
    for position, pk in enumerate(ids):
        post = posts.get(pk)
        if post is None or post.topic_id in seen_topics:
            continue
        seen_topics.add(post.topic_id)
        topic = post.topic
        meta = topic.category.name
        if topic.category.is_ideas and topic.status:
            meta = f"{meta} · {topic.get_status_display()}"
        url = topic.get_absolute_url() if post.is_first else post.get_absolute_url()
        hits.append(SearchHit(kind="discussion", title=topic.title, url=url,
                              snippet=highlight(plain_text(post), terms),
                              rank=float(len(ids) - position), meta=meta))
        if len(hits) >= limit:
            break
    return hits
