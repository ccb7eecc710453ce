"""Guide search: PostgreSQL full text (english) with trigram for typos; SQLite FTS5."""

import difflib
import functools
import heapq
import math
import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Value
from django.utils.html import strip_tags

from mycarebudget.search import MatchCount, SearchHit, highlight, match_pattern, match_stems, query_terms
from wiki.models import Page, PageSearch, SearchSynonym, Topic

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


# Past this many matches a search says "more than 1,000" instead of counting them all:
# counting every page that has a common word costs as much as the rest of the search.
COUNT_CAP = 1000
# Pages with a concept are counted up to this many, for its weight (concept_weights).
COMMON = 1000
# Snippets come from a window of the body around the first match, never the whole body.
SNIPPET_BEFORE = 300
SNIPPET_CHARS = 800


# Question words and fillers: "how do I employ a PA" is a search for "employ PA".
STOPWORDS = frozenset("""
a about after again all am an and any are as at be been being but by can can't cannot could did do does doing
for from get got had has have having how i i'm if in into is it its me my myself no not of on or our
out over should so some such than that the their them then there these they this those to too under up very
was we were what when where which who whom why will with would you your yours
""".split())
# "easy read" in the query asks for Easy Read pages; otherwise they follow their standard page.
EASY_READ_WORDS = ("easy", "read")


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


@dataclass(frozen=True)
class Concept:
    """One idea in the query: the phrase as typed, and the phrases that mean the same
    (SearchSynonym). start and end are its word positions in the query, stop words counted."""

    typed: str
    synonyms: tuple[str, ...] = ()
    start: int = 0
    end: int = 1

    @property
    def phrases(self) -> tuple[str, ...]:
        return (self.typed, *self.synonyms)


def _synonym_group(phrase: str, groups: list[list[str]]) -> list[str] | None:
    """The synonym group holding this phrase, or its singular ("PAs" is in "pa, personal assistant")."""
    for candidate in (phrase, phrase[:-1] if phrase.endswith("s") and len(phrase) > 2 else None):
        group = next((g for g in groups if candidate in g), None) if candidate else None
        if group is not None:
            return group
    return None


def concepts(query: str) -> list[Concept]:
    """The query as concepts: its words, question words dropped, each with its synonyms.
    "how do I employ a PA" gives employ, and pa (personal assistant, carer)."""
    words = _words(re.sub(r"(?:^|\s)-[a-z0-9]+", " ", query.lower()))
    groups = [synonym.phrases() for synonym in SearchSynonym.objects.all()]
    result: list[Concept] = []
    position = 0
    while position < len(words):
        for length in (3, 2, 1):
            if len(words) - position < length:
                continue
            phrase = " ".join(words[position:position + length])
            group = _synonym_group(phrase, groups)
            if group is not None:
                others = tuple(other for other in group if other != phrase)
                result.append(Concept(phrase, others, position, position + length))
                position += length
                break
        else:
            word = words[position]
            if word not in STOPWORDS and len(word) > 1:
                result.append(Concept(word, (), position, position + 1))
            position += 1
    return result[:10]


def excluded_words(query: str) -> list[str]:
    """Words the searcher excluded with a minus sign: "respite -budget"."""
    return re.findall(r"(?:^|\s)-([a-z0-9]+)", query.lower())[:5]


def phrase_pairs(found: list[Concept]) -> list[str]:
    """Two concepts typed side by side ("support plan", "much money"): a guide that has them
    side by side in its title or summary ranks higher."""
    return [f"{first.typed} {second.typed}" for first, second in zip(found, found[1:], strict=False)
            if first.end == second.start][:4]


# --- ranking ---------------------------------------------------------------------------------------------
#
# The same rules on both databases. The database says which concept each page has in which
# field (by its own stemmer: FTS5 porter, PostgreSQL english), how many pages have each
# concept, and how well the body matches (bm25 or ts_rank, only to break ties); the score
# is worked out here, once, by `score`:
# - each concept adds its weight (rarer concepts weigh more: log(1 + pages / pages with it))
#   times 4 in the title, 2 in the summary and 1 in the body; a synonym counts 0.8 of the word
#   typed; title and summary count more when short (BM25's length normalisation, the query's
#   phrases counting as one word), so "What is a personal health budget?" answers "what is a PHB";
# - two words typed side by side that stand side by side in the page add more (2, 1, 1);
# - an Easy Read page comes after its standard page, unless the query says "easy read".
# A phrase needs its words side by side to count in a field; to be a match at all (and in the
# counts) it needs only its words, which the index answers without reading any page.
FIELD_WEIGHTS = {"title": 4.0, "summary": 2.0, "body": 1.0}
PAIR_WEIGHTS = {"title": 2.0, "summary": 1.0, "body": 1.0}
TYPICAL_WORDS = {"title": 4, "summary": 10}
LENGTH_B = 0.5
# A word of four letters or more also finds the longer words it starts ("child" finds "children");
# a shorter one finds itself and its plural ("pa" finds "PAs", never "pay").
PREFIX_FROM = 4
SYNONYM_SHARE = 0.8
BODY_RANK_WEIGHT = 0.5
EASY_READ_PENALTY = 1.5
FIELDS = tuple(FIELD_WEIGHTS)

# A common word is in nearly every guide, and reading every match's body (PostgreSQL's
# vectors are kept out of line; FTS5 expands a prefix per lookup) would cost more than the
# rest of a search, so only a bounded set of candidates is scored, on both databases:
# - the HEAD best pages whose title or summary match, by the title and summary part of the
#   score (`_prescore`; PostgreSQL reads them from rank_vector, small and inline), and
# - the first TAIL pages that match anywhere, those with every concept first, in the order the
#   index hands them back (page order on SQLite, the table's order on PostgreSQL) without
#   reading a page: a body with every concept may beat a title.
# With fewer matches than that (every search of the starter guides, and any site of a few
# hundred guides) the candidates are every match.
HEAD = 40
TAIL = 40


@dataclass
class Candidate:
    """What the database says about one matching page."""

    page_id: int
    easy_read_of: int | None = None  # on an Easy Read page: its standard page
    # (concept index, field) -> 1.0 for the word as typed, SYNONYM_SHARE for a synonym
    found: dict[tuple[int, str], float] = dataclass_field(default_factory=dict)
    pairs: set[tuple[int, str]] = dataclass_field(default_factory=set)  # (pair index, field)
    body_rank: float = 0.0  # the database's own text rank of the body, higher is better
    title: str = ""
    summary: str = ""


def content_words(text: str, found: list[Concept]) -> int:
    """How many words a title or summary has, stop words left out and each of the query's
    phrases counted as one word: a short title that is all about the query beats a long one."""
    text = _phrase_pattern(tuple(phrase for concept in found for phrase in concept.phrases)).sub(
        "x", " ".join(_words(text)))
    return sum(1 for word in text.split() if word not in STOPWORDS)


@functools.lru_cache(maxsize=64)
def _phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern:
    longest_first = sorted({phrase for phrase in phrases if " " in phrase}, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(map(re.escape, longest_first)) + r")\b" if longest_first else r"(?!)")


def _length_factor(words: int, typical: float) -> float:
    """BM25's length normalisation (b = 0.5): 1 for a typical length, more for a shorter text."""
    return 1 / (1 - LENGTH_B + LENGTH_B * max(words, 1) / typical)


def concept_weights(document_counts: list[int], pages: int) -> list[float]:
    """Each concept's weight from how many pages have it, counted up to COMMON + 1 (past that,
    a word is common, and counting every page that has it would cost more than the search)."""
    document_counts = [min(count, COMMON + 1) for count in document_counts]
    return [math.log(1 + max(pages, count, 1) / max(count, 1)) for count in document_counts]


def score(candidate: Candidate, found: list[Concept], weights: list[float], best_body_rank: float,
          wants_easy_read: bool) -> float:
    lengths = {"body": 1.0}
    for where, text in (("title", candidate.title), ("summary", candidate.summary)):
        if any(field == where for _, field in candidate.found):
            lengths[where] = _length_factor(content_words(text, found), TYPICAL_WORDS[where])
    total = sum(weights[index] * FIELD_WEIGHTS[where] * share * lengths[where]
                for (index, where), share in candidate.found.items())
    pair_weight = sum(weights) / len(weights) if weights else 0.0
    total += sum(pair_weight * PAIR_WEIGHTS[where] for _, where in candidate.pairs)
    if best_body_rank > 0:
        total += BODY_RANK_WEIGHT * candidate.body_rank / best_body_rank
    if candidate.easy_read_of and not wants_easy_read:
        total -= EASY_READ_PENALTY
    return total


def _prescore(candidate: Candidate, weights: list[float]) -> float:
    """The title and summary part of `score`, before their lengths: what picks the head."""
    pair_weight = sum(weights) / len(weights) if weights else 0.0
    return (sum(weights[index] * FIELD_WEIGHTS[where] * share for (index, where), share in candidate.found.items())
            + sum(pair_weight * PAIR_WEIGHTS[where] for _, where in candidate.pairs))


def wants_easy_read(query: str) -> bool:
    words = _words(query)
    return all(word in words for word in EASY_READ_WORDS)


def _ranked(candidates: list[Candidate], found: list[Concept], weights: list[float], query: str) -> list[int]:
    best = max((candidate.body_rank for candidate in candidates), default=0.0)
    easy = wants_easy_read(query)
    ranked = [candidate.page_id for candidate in sorted(
        candidates, key=lambda candidate: (-score(candidate, found, weights, best, easy), candidate.page_id))]
    if easy:
        return ranked
    # However well it matches, an Easy Read page comes straight after its standard page.
    for candidate in candidates:
        standard = candidate.easy_read_of
        if standard in ranked and ranked.index(candidate.page_id) < ranked.index(standard):
            ranked.remove(candidate.page_id)
            ranked.insert(ranked.index(standard) + 1, candidate.page_id)
    return ranked


# --- SQLite: FTS5 ------------------------------------------------------------------------------------------


def _fts5_phrase(text: str, *, loose: bool = False) -> str:
    # Prefixes only from four letters: "pa"* would match "pay" and "page" (a short word and its plural).
    if " " not in text:
        return f'"{text}"*' if len(text) >= PREFIX_FROM else f'("{text}" OR "{text}s")'
    return "(" + " AND ".join(_fts5_phrase(word) for word in text.split()) + ")" if loose else f'"{text}"'


def _fts5_any(phrases, *, loose: bool = False) -> str:
    return "(" + " OR ".join(_fts5_phrase(phrase, loose=loose) for phrase in phrases) + ")"


def _sqlite_candidates(found: list[Concept], pairs: list[str], excluded: list[str], want: int, cap: int):
    """The same candidates, found the same way, as _pg_candidates, in two statements.

    Never `rowid IN (...)` beside MATCH: FTS5 then expands a prefix ("care"*) once per rowid,
    which costs far more than reading each list once and keeping the candidates' rows here."""
    excluding = "".join(f' NOT "{word}"' for word in excluded)
    match = "(" + " OR ".join(_fts5_any(concept.phrases, loose=True) for concept in found) + ")"
    every = "(" + " AND ".join(_fts5_any(concept.phrases, loose=True) for concept in found) + ")"
    strict = " OR ".join(_fts5_any(concept.phrases) for concept in found)
    count = "(SELECT count(*) FROM (SELECT 1 FROM wiki_page_fts WHERE wiki_page_fts MATCH %s LIMIT %s))"
    counted = [(_fts5_any(concept.phrases, loose=True), COMMON + 1) for concept in found]
    counted.append((match + excluding, cap + 1))
    # What each page has where: (statement, is a pair, index, share), read once per statement
    # (FTS5 keeps one list per word for every column): bm25 with one column weighted is not
    # zero exactly where a phrase of the statement is in that column. Then the tail's
    # statements (the first TAIL matches in page order, every concept first) and the body's rank.
    statements: list[tuple[str, bool, int, float]] = []
    for index, concept in enumerate(found):
        for share, phrases in _shares(concept):
            statements.append((_fts5_any(phrases), False, index, share))
    for index, pair in enumerate(pairs):
        statements.append((f'"{pair}"', True, index, 1.0))
    in_field = ", ".join(f"bm25(wiki_page_fts, {', '.join('1.0' if other == where else '0.0' for other in FIELDS)})"
                         for where in FIELDS)
    selects = [f"SELECT {number}, rowid, {in_field} FROM wiki_page_fts WHERE wiki_page_fts MATCH %s"  # noqa: S608
               for number in range(len(statements))]
    params = [text for text, *_ in statements]
    for expression in ([every] if len(found) > 1 else []) + [match]:
        selects.append("SELECT -1, rowid, 0, 0, 0 FROM (SELECT rowid FROM wiki_page_fts WHERE wiki_page_fts MATCH %s "
                       "LIMIT %s)")
        params += [expression + excluding, TAIL]
    selects.append("SELECT -2, rowid, 0, 0, bm25(wiki_page_fts, 0.0, 0.0, 1.0) FROM wiki_page_fts "
                   "WHERE wiki_page_fts MATCH %s")
    params.append(f"{{body}} : ({strict})")
    with connection.cursor() as cursor:
        counting = "SELECT (SELECT count(*) FROM wiki_page_fts_docsize), " + ", ".join([count] * len(counted))  # noqa: S608
        cursor.execute(counting, [value for pair in counted for value in pair])
        pages, *counts, total = cursor.fetchone()
        weights = concept_weights(counts, pages)
        if not total:
            return [], weights, 0
        cursor.execute(" UNION ALL ".join(selects), params)  # noqa: S608 - numbers and placeholders
        rows = cursor.fetchall()
    excluded_ids = set()
    if excluded:
        with connection.cursor() as cursor:
            cursor.execute("SELECT rowid FROM wiki_page_fts WHERE wiki_page_fts MATCH %s",
                           [" OR ".join(f'"{word}"' for word in excluded)])
            excluded_ids = {rowid for (rowid,) in cursor.fetchall()}
    pages_found: dict[int, Candidate] = {}
    tail, ranks = [], {}
    for number, rowid, *in_fields in rows:
        if rowid in excluded_ids:
            continue
        if number == -1:
            tail.append(rowid)
        elif number == -2:
            ranks[rowid] = -in_fields[-1]
        else:
            _, is_pair, index, share = statements[number]
            candidate = pages_found.setdefault(rowid, Candidate(rowid))
            for where, rank in zip(FIELDS, in_fields, strict=True):
                if rank:
                    _note(candidate, is_pair, (index, where), share)
    # The head: the best title and summary matches, by the title and summary part of the score.
    head = heapq.nsmallest(max(HEAD, want + HEAD // 2),
                           (candidate for candidate in pages_found.values()
                            if any(where != "body" for _, where in [*candidate.found, *candidate.pairs])),
                           key=lambda candidate: (-_prescore(candidate, weights), candidate.page_id))
    chosen = list(dict.fromkeys([candidate.page_id for candidate in head] + tail))
    candidates = {rowid: pages_found.get(rowid) or Candidate(rowid) for rowid in chosen}
    for rowid, candidate in candidates.items():
        candidate.body_rank = ranks.get(rowid, 0.0)
    for pk, title, summary, partner in Page.objects.filter(pk__in=chosen).values_list(
            "pk", "title", "summary", "easy_read_of"):
        candidate = candidates[pk]
        candidate.title, candidate.summary, candidate.easy_read_of = title, summary, partner
    return list(candidates.values()), weights, total


def _shares(concept: Concept) -> list[tuple[float, list[str]]]:
    """What a field having the word as typed counts, and having any of its phrases."""
    typed = (1.0, [concept.typed])
    return [typed, (SYNONYM_SHARE, list(concept.phrases))] if concept.synonyms else [typed]


def _note(candidate: Candidate, is_pair: bool, key: tuple[int, str], share: float) -> None:
    if is_pair:
        candidate.pairs.add(key)
    else:
        candidate.found[key] = max(share, candidate.found.get(key, 0.0))


# --- PostgreSQL: full text ---------------------------------------------------------------------------------


def _pg_phrase(text: str, *, label: str = "", loose: bool = False) -> str:
    words = text.split()
    if len(words) == 1:
        if len(text) >= PREFIX_FROM:
            return f"{text}:*{label}"
        return f"({text}:{label} | {text}s:{label})" if label else f"({text} | {text}s)"
    return "(" + (" & " if loose else " <-> ").join(f"{word}:{label}" if label else word for word in words) + ")"


def _pg_any(phrases, *, label: str = "", loose: bool = False) -> str:
    return "(" + " | ".join(_pg_phrase(phrase, label=label, loose=loose) for phrase in phrases) + ")"


def _pg_shares(vector: str, concept: Concept, label: str, name: str, params: dict) -> str:
    """SQL for 1 where the vector has the concept as typed, SYNONYM_SHARE where it has a synonym, else 0."""
    params[f"{name}_any"] = _pg_any(concept.phrases, label=label)
    if not concept.synonyms:
        return f"({vector} @@ to_tsquery('english', %({name}_any)s))::int"
    params[f"{name}_typed"] = _pg_any([concept.typed], label=label)
    return (f"CASE WHEN {vector} @@ to_tsquery('english', %({name}_typed)s) THEN 1.0 "
            f"WHEN {vector} @@ to_tsquery('english', %({name}_any)s) THEN {SYNONYM_SHARE} ELSE 0 END")


def _pg_stats(found: list[Concept], excluding: str, params: dict) -> str:
    """SQL for one row: live pages, pages with each concept (up to COMMON + 1), matches (up to the
    cap), and each concept's weight worked out as concept_weights does. The GIN index answers
    each count without reading a vector."""
    counts, weights = [], []
    for index, concept in enumerate(found):
        params[f"count{index}"] = _pg_any(concept.phrases, loose=True)
        counts.append(f"(SELECT count(*) FROM (SELECT 1 FROM wiki_pagesearch "  # noqa: S608 - names we made
                      f"WHERE search_vector @@ to_tsquery('english', %(count{index})s) LIMIT %(common)s) AS c)"
                      f" AS c{index}")
        weights.append(f"ln(1 + greatest(pages, c{index}, 1)::float8 / greatest(c{index}, 1)) AS w{index}")
    # One concept and nothing excluded: the matches are the pages with that concept. A concept
    # past the cap puts the matches past it too, and then they need no counting.
    alone = len(found) == 1 and not excluding and params["cap"] <= params["common"]
    most = f"greatest({', '.join(f'c{index}' for index in range(len(found)))})"
    total = "c0" if alone else f"""CASE WHEN {most} >= %(cap)s AND %(cap)s <= %(common)s THEN {most} ELSE (
        SELECT count(*) FROM (
        SELECT 1 FROM wiki_pagesearch WHERE search_vector @@ to_tsquery('english', %(any)s) {excluding}
         LIMIT %(cap)s) AS m) END"""  # noqa: S608
    # OFFSET 0: each count runs once, not once for each place that uses it.
    return f"""SELECT *, {", ".join(weights)}, {total} AS total FROM (
        SELECT (SELECT count(*) FROM wiki_pagesearch) AS pages, {", ".join(counts)} OFFSET 0) AS counted"""  # noqa: S608


def _pg_candidates(found: list[Concept], pairs: list[str], excluded: list[str], want: int, cap: int):
    params: dict = {"any": " | ".join(_pg_any(concept.phrases, loose=True) for concept in found),
                    "every": " & ".join(_pg_any(concept.phrases, loose=True) for concept in found),
                    "strict": " | ".join(_pg_any(concept.phrases) for concept in found),
                    "head": max(HEAD, want + HEAD // 2), "tail": TAIL, "cap": cap + 1, "common": COMMON + 1}
    excluding = ""
    if excluded:
        params["excluded"] = " | ".join(excluded)
        excluding = "AND NOT search_vector @@ to_tsquery('english', %(excluded)s)"
    heads, prescore = [], []
    for index, concept in enumerate(found):
        for where, label in (("title", "A"), ("summary", "B")):
            heads.append((f"{where}{index}", _pg_shares("rank_vector", concept, label, f"{where}{index}", params)))
            prescore.append(f"w{index} * {FIELD_WEIGHTS[where]!r} * {where}{index}")
    pair_weight = f"({' + '.join(f'w{index}' for index in range(len(found)))}) / {len(found)}"
    for index, pair in enumerate(pairs):
        for where, label in (("title", "A"), ("summary", "B")):
            params[f"pair_{where}{index}"] = _pg_phrase(pair, label=label)
            heads.append((f"pair_{where}{index}",
                          f"(rank_vector @@ to_tsquery('english', %(pair_{where}{index})s))::int"))
            prescore.append(f"{pair_weight} * {PAIR_WEIGHTS[where]!r} * pair_{where}{index}")
    # Only names and numbers made here go into the SQL text; the query's words are parameters.
    with transaction.atomic():
        with connection.cursor() as cursor:
            # The planner does not count the cost of reading a vector out of line, so it likes to
            # read every page's vector rather than ask the GIN indexes: sequential scans are off
            # (and JIT with them) for this transaction only.
            cursor.execute("SELECT set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true)")
        bodies = [_pg_shares("body_vector", concept, "", f"body{index}", params) for index, concept in enumerate(found)]
        for index, pair in enumerate(pairs):
            params[f"pair_body{index}"] = _pg_phrase(pair)
            bodies.append(f"(body_vector @@ to_tsquery('english', %(pair_body{index})s))::int")
        columns = [name for name, _ in heads]
        # The first TAIL matches the index hands back (in the table's order), those with every
        # concept first, are ranked too: a page whose body has every concept may beat the head.
        first = """(SELECT page_id, {part} AS part FROM wiki_pagesearch
                      WHERE search_vector @@ to_tsquery('english', %({query})s) {excluding} LIMIT %(tail)s)"""
        tail = first.format(part=1, query="any", excluding=excluding)
        if len(found) > 1:
            tail = f"{first.format(part=0, query='every', excluding=excluding)} UNION ALL {tail}"
        # Each candidate's body vector is read once: ts_filter makes it a value of its own, and
        # OFFSET 0 keeps the planner from folding it back into each concept's test.
        with connection.cursor() as cursor:
            cursor.execute(f"""
                WITH stats AS MATERIALIZED ({_pg_stats(found, excluding, params)}),
                head AS (
                    SELECT page_id FROM (
                        SELECT page_id, {", ".join(f"{sql} AS {name}" for name, sql in heads)}
                          FROM wiki_pagesearch
                         WHERE rank_vector @@ to_tsquery('english', %(any)s) {excluding} OFFSET 0) AS matched,
                         stats
                     ORDER BY {" + ".join(prescore)} DESC, page_id LIMIT %(head)s),
                candidates AS (
                    SELECT page_id FROM head UNION SELECT page_id FROM ({tail}) AS body_only)
                SELECT stats.pages, {", ".join(f"stats.c{index}" for index in range(len(found)))}, stats.total,
                       candidates.page_id, {", ".join(sql for _, sql in heads)},
                       page.easy_read_of_id, page.title, page.summary, {", ".join(bodies)},
                       ts_rank(body_vector, to_tsquery('english', %(strict)s), 1)
                  FROM stats, candidates,
                       LATERAL (SELECT rank_vector, ts_filter(search_vector, '{{c}}') AS body_vector
                                  FROM wiki_pagesearch
                                 WHERE wiki_pagesearch.page_id = candidates.page_id OFFSET 0) AS vectors,
                       LATERAL (SELECT easy_read_of_id, title, summary FROM wiki_page
                                 WHERE wiki_page.id = candidates.page_id OFFSET 0) AS page""", params)  # noqa: S608
            rows = cursor.fetchall()
    # What each head column says: (is a pair, (index, field)).
    meanings = [(bool(kind), (int(index), where)) for kind, where, index in
                (re.fullmatch(r"(pair_)?([a-z]+)(\d+)", name).groups() for name in columns)]
    if not rows:
        return [], [], 0
    pages, *counts = rows[0][:len(found) + 1]
    total = rows[0][len(found) + 1]
    weights = concept_weights(counts, pages)
    candidates = []
    for row in rows:
        page_id, *values = row[len(found) + 2:]
        head_values = values[:len(columns)]
        easy_read_of, title, summary, *body_values, body_rank = values[len(columns):]
        candidate = Candidate(page_id, easy_read_of=easy_read_of, body_rank=float(body_rank), title=title,
                              summary=summary)
        for (is_pair, key), value in zip(meanings, head_values, strict=True):
            if value and is_pair:
                candidate.pairs.add(key)
            elif value:
                candidate.found[key] = float(value)
        for index, value in enumerate(body_values[:len(found)]):
            if value:
                candidate.found[index, "body"] = float(value)
        for index, value in enumerate(body_values[len(found):]):
            if value:
                candidate.pairs.add((index, "body"))
        candidates.append(candidate)
    return candidates, weights, total


def _search_ids(found: list[Concept], excluded: list[str], query: str, limit: int,
                offset: int) -> tuple[list[int], int]:
    cap = max(COUNT_CAP, offset + limit)
    pairs = phrase_pairs(found)
    if settings.IS_POSTGRES:
        candidates, weights, total = _pg_candidates(found, pairs, excluded, offset + limit, cap)
    else:
        candidates, weights, total = _sqlite_candidates(found, pairs, excluded, offset + limit, cap)
    ranked = _ranked(candidates, found, weights, query)
    return ranked[offset:offset + limit], MatchCount(max(total, len(ranked)), cap=cap)


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
    ids, total = _search_ids(found, excluded_words(query), query, limit, offset)
    if total == 0 and offset == 0:
        ids = _typo_ids(query, query_terms(query), limit)
        total, fuzzy = MatchCount(len(ids)), bool(ids)
    terms = [word for concept in found for phrase in concept.phrases for word in phrase.split()]
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
