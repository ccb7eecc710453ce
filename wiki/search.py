"""Guide search: PostgreSQL full text (english) with trigram for typos; SQLite FTS5."""

import difflib
import re

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Value, Window
from django.utils.html import strip_tags

from mycarebudget.search import SearchHit, highlight, query_terms
from wiki.models import Page, PageSearch

# Title counts most, then the summary, then the body.
# D, C, B, A: a title match outweighs any number of summary matches, so titles come first
# with one ts_rank per row (ranking is most of a common word's cost).
PG_WEIGHTS = [0.01, 0.02, 0.1, 1.0]
TRIGRAM_THRESHOLD = 0.45


_BLOCK_END = re.compile(r"<(?:br|/p|/li|/h[1-6]|/td|/th|/blockquote|/pre)\b[^>]*>", re.IGNORECASE)


def plain_text(page: Page) -> str:
    """The body as sentences: list items and headings end like sentences, so snippets read well."""
    lines = [" ".join(line.split()) for line in strip_tags(_BLOCK_END.sub("\n", page.body_html)).split("\n")]
    return " ".join(line if line[-1] in ".!?:;" else line + "." for line in lines if line)


def index_page(page: Page) -> None:
    """Bring the search index in step with the page's current version."""
    page.body_text = plain_text(page)
    Page.objects.filter(pk=page.pk).update(body_text=page.body_text)
    if settings.IS_POSTGRES:
        from django.contrib.postgres.search import SearchVector

        if page.is_retired():
            PageSearch.objects.filter(page=page).delete()
            return
        title = SearchVector(Value(page.title), weight="A", config="english")
        summary = SearchVector(Value(page.summary), weight="B", config="english")
        entry, _ = PageSearch.objects.get_or_create(page=page)
        PageSearch.objects.filter(pk=entry.pk).update(
            search_vector=title + summary + SearchVector(Value(page.body_text), weight="C", config="english"),
            rank_vector=title + summary)
        return
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM wiki_page_fts WHERE rowid = %s", [page.pk])
        if not page.is_retired():
            cursor.execute("INSERT INTO wiki_page_fts (rowid, title, summary, body) VALUES (%s, %s, %s, %s)",
                           [page.pk, page.title, page.summary, plain_text(page)])


def _fts5_query(terms: list[str]) -> str:
    return " AND ".join(f'"{term}"*' for term in terms)


def _search_ids(query: str, terms: list[str], limit: int, offset: int) -> tuple[list[int], int]:
    if settings.IS_POSTGRES:
        from django.contrib.postgres.search import SearchQuery, SearchRank

        search_query = SearchQuery(query, config="english", search_type="websearch")
        matches = PageSearch.objects.filter(search_vector=search_query)
        ranked = (matches.annotate(rank=SearchRank(F("rank_vector"), search_query, weights=PG_WEIGHTS),
                                   total=Window(Count("*")))
                  .order_by("-rank", "page_id").values_list("page_id", "total")[offset:offset + limit])
        with transaction.atomic(), connection.cursor() as cursor:
            # A common word matches nearly every page, and then the planner picks a
            # sequential scan that unpacks every page's full vector; the GIN bitmap
            # answers the match without touching them, and ranking reads only the
            # small rank_vector.
            cursor.execute("SET LOCAL enable_seqscan = off")
            rows = list(ranked)
        total = rows[0][1] if rows else (matches.count() if offset else 0)
        return [pk for pk, _ in rows], total
    match = _fts5_query(terms)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM wiki_page_fts WHERE wiki_page_fts MATCH %s", [match])
        total = cursor.fetchone()[0]
        # Pages whose title matches come first, then the best matches by bm25.
        cursor.execute(
            "SELECT rowid FROM wiki_page_fts WHERE wiki_page_fts MATCH %s "
            "ORDER BY rowid IN (SELECT rowid FROM wiki_page_fts WHERE wiki_page_fts MATCH %s) DESC, "
            "bm25(wiki_page_fts, 10.0, 4.0, 1.0) LIMIT %s OFFSET %s",
            [match, f"title : ({match})", limit, offset])
        return [row[0] for row in cursor.fetchall()], total


def _typo_ids(query: str, terms: list[str], limit: int) -> list[int]:
    """Pages whose title is close to what was typed, for when nothing matched exactly."""
    if settings.IS_POSTGRES:
        from django.contrib.postgres.search import TrigramWordSimilarity

        with transaction.atomic(), connection.cursor() as cursor:
            # The <% operator uses the title's trigram index; its threshold is a setting.
            cursor.execute("SET LOCAL pg_trgm.word_similarity_threshold = %s", [TRIGRAM_THRESHOLD])
            return list(Page.objects.live().filter(title__trigram_word_similar=query)
                        .annotate(similarity=TrigramWordSimilarity(query, "title"))
                        .order_by("-similarity", "pk").values_list("pk", flat=True)[:limit])
    titles = dict(Page.objects.live().values_list("pk", "title"))
    words = {word: pk for pk, title in titles.items() for word in re.findall(r"\w+", title.lower())}
    found: list[int] = []
    for term in terms:
        for close in difflib.get_close_matches(term, list(words), n=limit, cutoff=0.8):
            if words[close] not in found:
                found.append(words[close])
    return found[:limit]


def search_pages(query: str, *, limit: int = 20, offset: int = 0) -> tuple[list[SearchHit], int, bool]:
    """Ranked guide hits for one page of results, the total, and whether they are typo matches."""
    terms = query_terms(query)
    if not terms:
        return [], 0, False
    ids, total = _search_ids(query, terms, limit, offset)
    fuzzy = False
    if total == 0:
        ids = _typo_ids(query, terms, limit) if offset == 0 else []
        total, fuzzy = len(ids), bool(ids)
    pages = Page.objects.only("title", "slug", "summary", "topic", "body_text", "retired_at").in_bulk(ids)
    hits = []
    for position, pk in enumerate(ids):
        page = pages.get(pk)
        if page is None or page.is_retired():
            continue
        text = f"{page.summary} {page.body_text}"
        hits.append(SearchHit(kind="guide", title=page.title, url=page.get_absolute_url(),
                              snippet=highlight(text, terms), rank=float(len(ids) - position),
                              meta=page.get_topic_display()))
    return hits, total, fuzzy
