"""Guide search: PostgreSQL full text (english) with trigram for typos; SQLite FTS5."""

import difflib
import re

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Value
from django.utils.html import strip_tags

from mycarebudget.search import MatchCount, SearchHit, highlight, match_pattern, match_stems, query_terms
from wiki.models import Page, PageSearch, SearchSynonym, Topic

# Title counts most, then the summary, then the body.
# D, C, B, A: a title match outweighs any number of summary matches, so titles come first
# with one ts_rank per row (ranking is most of a common word's cost).
PG_WEIGHTS = [0.1, 0.2, 0.4, 1.0]
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


# Past this many matches a search says "more than 1,000" instead of counting them all:
# counting every page that has a common word costs as much as the rest of the search.
COUNT_CAP = 1000
# Snippets come from a window of the body around the first match, never the whole body.
SNIPPET_BEFORE = 300
SNIPPET_CHARS = 800

# One query finds one page of hits, best first, without ranking every match:
# 1. pages whose title or summary match (the rank_vector GIN index finds them), ranked by
#    ts_rank on their small rank_vector, which puts title matches first;
# 2. then pages that match in the body only, in page order, from the GIN bitmap ("+ 0"
#    keeps the planner off the primary key: walking it, a word no page has unpacks every
#    page's vector). When step 1 fills the page, the LIMIT above the UNION ALL stops
#    before step 2 runs at all.
# The same order as ranking every match (ts_rank is 0 when only the body matches), at
# the cost of ranking only title and summary matches.
_PG_RANKED_IDS = """
    SELECT page_id FROM (
        (SELECT page_id, 0 AS part, ts_rank(%(weights)s::real[], rank_vector, {tsquery}) AS rank
           FROM wiki_pagesearch WHERE rank_vector @@ {tsquery} {negated}
          ORDER BY rank DESC, page_id LIMIT %(end)s)
        UNION ALL
        (SELECT page_id, 1, 0 FROM wiki_pagesearch
          WHERE search_vector @@ {tsquery} AND NOT COALESCE(rank_vector @@ {tsquery}, false)
          ORDER BY page_id + 0 LIMIT %(end)s)
        LIMIT %(end)s) AS hits
    ORDER BY part, rank DESC, page_id OFFSET %(offset)s"""
_PG_COUNT = """
    SELECT count(*) FROM (SELECT 1 FROM wiki_pagesearch WHERE search_vector @@ {tsquery} LIMIT %(cap)s) AS m"""
_PG_TSQUERY = "websearch_to_tsquery('english'::regconfig, %(query)s)"


# Question words and fillers: "how do I employ a PA" is a search for "employ PA".
STOPWORDS = frozenset("""
a about after again all am an and any are as at be been being but by can can't cannot could did do does doing
for from get got had has have having how i i'm if in into is it its me mean means my myself no not of on or our
out over should so some such than that the their them then there these they this those to too under up very
was we were what when where which who whom why will with would you your yours
""".split())


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def concepts(query: str) -> list[list[str]]:
    """The query as concepts, each a list of alternative phrases: its words (question words
    dropped) with their synonyms from SearchSynonym. "how do I employ a PA" gives
    [["employ"], ["pa", "personal assistant", "carer"]]."""
    words = _words(re.sub(r"(?:^|\s)-[a-z0-9]+", " ", query.lower()))
    groups = [synonym.phrases() for synonym in SearchSynonym.objects.all()]
    result: list[list[str]] = []
    position = 0
    while position < len(words):
        for length in (3, 2, 1):
            phrase = " ".join(words[position:position + length])
            group = next((g for g in groups if phrase in g), None) if len(words) - position >= length else None
            if group is not None:
                result.append([phrase] + [other for other in group if other != phrase])
                position += length
                break
        else:
            word = words[position]
            if word not in STOPWORDS and len(word) > 1:
                result.append([word])
            position += 1
    return result[:10]


def excluded_words(query: str) -> list[str]:
    """Words the searcher excluded with a minus sign: "respite -budget"."""
    return re.findall(r"(?:^|\s)-([a-z0-9]+)", query.lower())[:5]


def _pg_tsquery_text(found: list[list[str]]) -> str:
    """to_tsquery text: concepts ORed, alternatives ORed, phrases as <->; words are [a-z0-9]+ only."""
    def phrase(text: str) -> str:
        return "(" + " <-> ".join(text.split()) + ")"
    return " | ".join("(" + " | ".join(phrase(alt) for alt in alternatives) + ")" for alternatives in found)


def _fts5_text(found: list[list[str]]) -> str:
    def phrase(text: str) -> str:
        # Prefixes only from four letters: "pa"* would match "pay" and "page".
        return f'"{text}"*' if " " not in text and len(text) >= 4 else f'"{text}"'
    return " OR ".join("(" + " OR ".join(phrase(alt) for alt in alternatives) + ")" for alternatives in found)


# Every page that has any of the concepts, ranked by how well it matches: a title match
# counts most, then the summary, then the body (ts_rank over weighted vectors; bm25 on SQLite).
_PG_RANKED = """
    SELECT page_id, count(*) OVER () FROM wiki_pagesearch, to_tsquery('english', %(tsquery)s) AS q
     WHERE search_vector @@ q
     ORDER BY ts_rank(%(weights)s::real[], search_vector, q, 1)
              + 2 * ts_rank('{0,0,0.4,1}'::real[], rank_vector, q) DESC, page_id
     LIMIT %(limit)s OFFSET %(offset)s"""
_SQLITE_RANKED = ("SELECT rowid FROM wiki_page_fts WHERE wiki_page_fts MATCH %s "
                  "ORDER BY bm25(wiki_page_fts, 30.0, 6.0, 1.0), rowid LIMIT %s OFFSET %s")


def _search_ids(found: list[list[str]], excluded: list[str], limit: int, offset: int) -> tuple[list[int], int]:
    cap = max(COUNT_CAP, offset + limit)
    if settings.IS_POSTGRES:
        tsquery = f"({_pg_tsquery_text(found)})" + "".join(f" & !{word}" for word in excluded)
        params = {"tsquery": tsquery, "weights": PG_WEIGHTS, "limit": limit, "offset": offset}
        with connection.cursor() as cursor:
            # Ranking visits every match anyway, so the count comes with it (a window over the matches).
            cursor.execute(_PG_RANKED, params)
            rows = cursor.fetchall()
            return [row[0] for row in rows], MatchCount(rows[0][1] if rows else 0, cap=cap)
    match = f"({_fts5_text(found)})" + "".join(f' NOT "{word}"' for word in excluded)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM (SELECT 1 FROM wiki_page_fts WHERE wiki_page_fts MATCH %s LIMIT %s)",
                       [match, cap + 1])
        total = MatchCount(cursor.fetchone()[0], cap=cap)
        cursor.execute(_SQLITE_RANKED, [match, limit, offset])
        return [row[0] for row in cursor.fetchall()], total


def _matches_anything(word: str) -> bool:
    """Whether any guide has this word (a stop word, which no index holds, counts as found)."""
    with connection.cursor() as cursor:
        if settings.IS_POSTGRES:
            cursor.execute("SELECT numnode(q) = 0 OR EXISTS (SELECT 1 FROM wiki_pagesearch WHERE search_vector @@ q) "
                           "FROM to_tsquery('english', %s) AS q", [word])
            return cursor.fetchone()[0]
        cursor.execute("SELECT 1 FROM wiki_page_fts WHERE wiki_page_fts MATCH %s LIMIT 1", [f'"{word}"*'])
        return cursor.fetchone() is not None


def _vocabulary() -> list[str]:
    """Words of live guides' titles and summaries, and the synonyms: what "did you mean" may suggest."""
    words = set()
    for title, summary in Page.objects.live().values_list("title", "summary"):
        words.update(_words(f"{title} {summary}"))
    for synonym in SearchSynonym.objects.all():
        words.update(_words(synonym.words))
    return sorted(word for word in words if len(word) > 2)


def corrected(query: str) -> str | None:
    """The query with each word that matches no guide replaced by the closest known word, or None."""
    words = _words(query)
    vocabulary = None
    changed = False
    for index, word in enumerate(words):
        if len(word) < 4 or word in STOPWORDS or _matches_anything(word):
            continue
        vocabulary = vocabulary if vocabulary is not None else _vocabulary()
        close = difflib.get_close_matches(word, vocabulary, n=1, cutoff=0.75)
        if close:
            words[index], changed = close[0], True
    return " ".join(words) if changed else None


def _typo_ids(query: str, terms: list[str], limit: int) -> list[int]:
    """Pages whose title is close to what was typed, for when nothing matched exactly."""
    if settings.IS_POSTGRES:
        from django.contrib.postgres.search import TrigramWordSimilarity

        with transaction.atomic(), connection.cursor() as cursor:
            # The <% operator uses the title's trigram index; its threshold is a setting.
            # The planner tends to prefer reading every title, which costs several times
            # more, so sequential scans are off (and JIT with them, as in _pg_search_ids).
            cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', %s, true), "
                           "set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true)",
                           [str(TRIGRAM_THRESHOLD)])
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


# A snippet's text is the summary then the body, as the page reads; only a window of it
# around the first match leaves the database, however long the page.
_PG_EXCERPTS = """
    SELECT id, title, slug, topic, substr(text, greatest(1, found_at - %(before)s), %(chars)s)
      FROM (SELECT id, title, slug, topic, text, regexp_instr(text, %(pattern)s, 1, 1, 0, 'i') AS found_at
              FROM (SELECT id, title, slug, topic, summary || ' ' || body_text AS text
                      FROM wiki_page WHERE id = ANY(%(ids)s) AND retired_at IS NULL) AS live) AS found"""


def _excerpts(ids: list[int], terms: list[str]) -> dict[int, tuple[str, str, str, str]]:
    """Each live page's title, slug, topic and the text around its first match (see highlight)."""
    if not settings.IS_POSTGRES:
        # SQLite keeps the text in-process, so the window is cut here, by the same rule.
        pattern, rows = match_pattern(terms), {}
        for pk, title, slug, topic, summary, body_text in Page.objects.live().filter(pk__in=ids).values_list(
                "pk", "title", "slug", "topic", "summary", "body_text"):
            text = f"{summary} {body_text}"
            found = pattern.search(text)
            start = max(0, found.start() - SNIPPET_BEFORE) if found else 0
            rows[pk] = (title, slug, topic, text[start:start + SNIPPET_CHARS])
        return rows
    # \m is the start of a word; stems are word characters only (query_terms), so
    # nothing in them is a regular expression operator.
    params = {"ids": ids, "pattern": r"\m(" + "|".join(match_stems(terms)) + ")",
              "before": SNIPPET_BEFORE, "chars": SNIPPET_CHARS}
    with connection.cursor() as cursor:
        cursor.execute(_PG_EXCERPTS, params)
        return {row[0]: row[1:] for row in cursor.fetchall()}


_SAMPLE_SLUG = "sample-slug"


def search_pages(query: str, *, limit: int = 20, offset: int = 0) -> tuple[list[SearchHit], int, bool | str]:
    """Ranked guide hits for one page of results, the total, and whether they are typo matches
    (the corrected query, for "Did you mean", when a word was replaced).

    Every guide with any of the query's concepts (words and their synonyms) is a match,
    ranked by relevance. A word that matches no guide is replaced by the closest known
    word ("persnal" by "personal"), and the hits are then marked fuzzy. The total is a
    MatchCount: exact up to COUNT_CAP matches, a lower bound past it.
    """
    found = concepts(query)
    if not found:
        return [], 0, False
    fixed = corrected(query)
    fuzzy: bool | str = fixed or False
    if fixed:
        found = concepts(fixed)
    ids, total = _search_ids(found, excluded_words(query), limit, offset)
    if total == 0 and offset == 0:
        ids = _typo_ids(query, query_terms(query), limit)
        total, fuzzy = MatchCount(len(ids)), bool(ids)
    terms = [word for alternatives in found for phrase in alternatives for word in phrase.split()]
    pages = _excerpts(ids, terms) if ids else {}
    topics = dict(Topic.choices)
    # Page.get_absolute_url for one sample slug, with each hit's slug put in its place: a
    # reverse() per hit costs more than the rest of a hit (slugs never need quoting).
    before, _, after = Page(slug=_SAMPLE_SLUG).get_absolute_url().rpartition(_SAMPLE_SLUG)
    hits = []
    for position, pk in enumerate(ids):
        if pk not in pages:  # retired since it was indexed
            continue
        title, slug, topic, excerpt = pages[pk]
        hits.append(SearchHit(kind="guide", title=title, url=f"{before}{slug}{after}",
                              snippet=highlight(excerpt, terms),
                              rank=float(len(ids) - position), meta=topics.get(topic, topic)))
    return hits, total, fuzzy
