"""bench/results.md from the figures bench/run.py collected (results.json holds the same, in full).

.venv/bin/python bench/report.py [bench/results.json]   # re-render results.md beside it
"""

LABELS = {
    "guide_page": "Guide page, anonymous (one page, cached)",
    "guide_page_304": "Guide page, repeat visit (If-None-Match → 304)",
    "guide_pages_rotating": "Guide pages, anonymous, up to 1,000 pages in turn",
    "guide_page_signed_in": "Guide page, signed in",
    "topic_page": "Forum topic with 1,200 replies, first page",
    "topic_last_page": "Forum topic with 1,200 replies, last page",
    "topic_page_signed_in": "Forum topic with 1,200 replies, signed in",
    "category_page": "Forum category page (busiest category)",
    "category_page_signed_in": "Forum category page, signed in",
    "search_budget": "Search page for “budget” (guides and discussions)",
}
QUERY_KEYS = {
    "guide_page": "guide_page",
    "guide_page_304": "guide_page_304",
    "guide_pages_rotating": "guide_page",
    "guide_page_signed_in": "guide_page_signed_in",
    "topic_page": "topic_page",
    "topic_last_page": "topic_last_page",
    "topic_page_signed_in": "topic_page_signed_in",
    "category_page": "category_page",
    "category_page_signed_in": "category_page_signed_in",
    "search_budget": "search_budget",
}


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def kib(value: int) -> str:
    return f"{value / 1024:.1f} KB"


def query_text(item: dict) -> str:
    """Queries of a repeat request, and of the first one after the cache was emptied when it differs."""
    if item["cold_queries"] == item["queries"]:
        return f"{item['queries']} queries"
    return f"{item['queries']} queries ({item['cold_queries']} with an empty cache)"


def _ratio_cell(database: dict, name: str) -> str:
    run = database["load"][name]
    queries = query_text(database["queries"][QUERY_KEYS[name]])
    return f"{run['ratio']:.2f}× ({run['rps']:.0f} of {run['floor_rps']:.0f} req/s), {queries}"


def _targets(results: dict) -> list[str]:
    databases = results["databases"]
    kinds = list(databases)
    header = "| Target | Goal | " + " | ".join(f"Measured, {kind}" for kind in kinds) + " | Anchors |"
    lines = [header, "|" + "---|" * (len(kinds) + 3)]

    def row(label: str, goal: str, cells: list[str], anchors: str) -> None:
        lines.append(f"| {label} | {goal} | " + " | ".join(cells) + f" | {anchors} |")

    def ratio_row(label: str, names: list[str], goal: float, max_queries: int | None, anchors: str) -> None:
        cells = []
        for kind in kinds:
            database = databases[kind]
            parts, ok = [], True
            for name in names:
                run = database["load"][name]
                item = database["queries"][QUERY_KEYS[name]]
                queries = max(item["queries"], item["cold_queries"])
                ok &= run["ratio"] >= goal and (max_queries is None or queries <= max_queries)
                parts.append(f"{LABELS[name]}: {_ratio_cell(database, name)}" if len(names) > 1
                             else _ratio_cell(database, name))
            cells.append(f"{verdict(ok)}: " + "; ".join(parts))
        limit = f", at most {max_queries} queries" if max_queries else ", queries not growing with the data"
        row(label, f"≥ {goal}× floor{limit}", cells, anchors)

    wagtail = "Wagtail article 0.05× (6 queries); django-wiki article 0.03× (14 queries)"
    ratio_row("Anonymous guide page", ["guide_page"], 0.8, 3, wagtail)
    in_turn = min(databases[kinds[0]]["targets"]["pages"], 1000)  # (a quick run seeds fewer guides)
    ratio_row(f"Anonymous guide pages, {in_turn:,} in turn (starting from an empty cache)", ["guide_pages_rotating"],
              0.6, 3, wagtail)
    ratio_row("Anonymous guide page, repeat visit (304)", ["guide_page_304"], 0.8, 3, "")
    ratio_row("Signed-in guide page", ["guide_page_signed_in"], 0.3, None, wagtail)
    ratio_row("Anonymous forum topic (1,200 replies, first and last page) and category",
              ["topic_page", "topic_last_page", "category_page"], 0.8, None, "django-wiki 0.03×")
    ratio_row("Signed-in forum topic and category", ["topic_page_signed_in", "category_page_signed_in"], 0.3, None,
              "")

    search_anchor = "PostgreSQL FTS ranking every match: rare 1-3 ms; common 130 ms at 10,000 pages"
    for label in ("rare", "budget", "care", "two_words"):
        cells = []
        for kind in kinds:
            database = databases[kind]
            found = database["search"][label]
            http = database["search_http"][label]
            both = found["both"]["p95_ms"]
            cells.append(
                f"{verdict(both < 20)}: {both} ms (guides {found['guides']['p95_ms']} ms, discussions "
                f"{found['discussions']['p95_ms']} ms); the whole /search/ page over HTTP "
                f"{http['p95_ms']} ms; "
                f"{found['guide_matches']} guides match"
            )
        query = databases[kinds[0]]["search"][label]["query"]
        row(
            f"Search p95, {label.replace('_', ' ')}: “{query}”",
            "p95 < 20 ms on PostgreSQL for the search (guides and discussions, as /search/ asks); "
            "SQLite FTS5 beside it",
            cells,
            search_anchor,
        )

    cells = []
    for kind in kinds:
        weight = databases[kind]["page_weight"]
        ok = weight["total_gzip_bytes"] < 30 * 1024 and not weight["web_fonts"] and not weight["script_tags"]
        cells.append(
            f"{verdict(ok)}: {kib(weight['total_gzip_bytes'])} gzipped (HTML "
            f"{kib(weight['files']['html']['gzip_bytes'])}), {weight['script_tags']} scripts, "
            f"{weight['web_fonts']} web fonts"
        )
    row(
        "Guide page weight: HTML, CSS and JavaScript",
        "< 30 KB gzipped, no web fonts, no framework JS, works without JavaScript",
        cells,
        "django-wiki article 115 KB gzipped",
    )

    documents = results.get("documents", {})
    if "results" in documents:
        modes = {item["mode"]: item for item in documents["results"]}
        plain, encrypted = modes["plain"], modes["encrypted"]
        up = encrypted["upload_mb_per_s"] / plain["upload_mb_per_s"]
        down = encrypted["download_mb_per_s"] / plain["download_mb_per_s"]
        ok = min(up, down) >= 0.5 and encrypted["peak_rss_rise_mib"] < 32
        cell = (
            f"{verdict(ok)}: upload {up:.2f}× ({encrypted['upload_mb_per_s']} of {plain['upload_mb_per_s']} "
            f"MB/s), download {down:.2f}× ({encrypted['download_mb_per_s']} of {plain['download_mb_per_s']} "
            f"MB/s), peak memory +{encrypted['peak_rss_rise_mib']} MiB"
        )
        lines.append(
            f"| Documents, {documents['size_mb']} MB file, encrypted vs plain storage | ≥ 0.5× "
            f"throughput, peak memory rise < 32 MB | {cell} |"
            + " |" * (len(kinds) - 1)
            + " unencrypted storage on the same disk |"
        )
    else:
        lines.append(
            f"| Documents | ≥ 0.5× | not measured: {documents.get('missing', 'no figures')} |"
            + " |" * len(kinds)
        )
    lines.append(
        "| Scale on paper | what one machine serves; 100,000 budget holders | see "
        "[bench/README.md](README.md#scale-on-paper) |" + " |" * len(kinds)
    )
    return lines


def _load_table(kind: str, database: dict) -> list[str]:
    lines = [
        f"### Every load run, {kind}",
        "",
        "| Page | Path | req/s | floor req/s, same slices | ratio | p50 | p99 | queries | bad responses |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, label in LABELS.items():
        run = database["load"][name]
        queries = query_text(database["queries"][QUERY_KEYS[name]]).replace(" queries", "")
        lines.append(
            f"| {label} | `{run['path']}` | {run['rps']:.0f} | {run['floor_rps']:.0f} | "
            f"{run['ratio']:.2f}× | {run.get('p50_ms', '')} ms | {run.get('p99_ms', '')} ms | {queries} | "
            f"{run['bad_responses'] + run['socket_errors']} |"
        )
    floor = database["load"]["floor"]
    lines += [
        "",
        f"Floor slices (req/s, in order): {', '.join(f'{rps:.0f}' for rps in floor['runs_rps'])}; mean "
        f"{floor['rps']:.0f}, spread {floor['spread'] * 100:.0f}% between the slowest and the fastest: the "
        "machine's noise, which the interleaving cancels.",
        "",
    ]
    lines += [
        "Queries per request (Django test client, CaptureQueriesContext):",
        "",
        "| Request | queries, repeat request | queries, cache emptied first | status | bytes |",
        "|---|---|---|---|---|",
    ]
    for name, item in database["queries"].items():
        lines.append(
            f"| {name} | {item['queries']} | {item['cold_queries']} | {item['status']} | {item['bytes']} |"
        )
    lines += [
        "",
        "Search, in-process (p50 / p95 ms over repeats) and over HTTP:",
        "",
        "| Query | guides matched | search_pages | search_discussions | both, as /search/ calls them "
        "| /search/ over HTTP |",
        "|---|---|---|---|---|---|",
    ]
    for label, found in database["search"].items():
        http = database["search_http"][label]
        lines.append(
            f"| “{found['query']}” | {found['guide_matches']} | {found['guides']['p50_ms']} / "
            f"{found['guides']['p95_ms']} | {found['discussions']['p50_ms']} / "
            f"{found['discussions']['p95_ms']} | {found['both']['p50_ms']} / {found['both']['p95_ms']} | "
            f"{http['p50_ms']} / {http['p95_ms']} |"
        )
    weight = database["page_weight"]
    lines += [
        "",
        f"Page weight of `{weight['path']}`:",
        "",
        "| File | bytes | gzipped | served |",
        "|---|---|---|---|",
    ]
    for name, item in weight["files"].items():
        served = (
            "gzip by whitenoise" if item.get("served_gzip") else "compressed by the proxy (measured gzip -6)"
        )
        lines.append(f"| {name} | {item['bytes']} | {item['gzip_bytes']} | {served} |")
    target = database["targets"]
    lines += [
        "",
        f"Data: {target['pages']} guide pages, {target['page_versions']} versions, "
        f"{target['topics']} topics, "
        f"{target['posts']} posts ({target['category_topics']} topics in the category read, "
        f"{target['topic_replies']} replies in the long topic). Prepared (migrate, seed what was missing, "
        f"collectstatic) in {database['prepare_seconds']} s.",
        "",
    ]
    return lines


# What the profiles of the seeded site point at, for each target a run misses (shown only then).
FIXES = {
    "anonymous_guide": "The anonymous guide page should cost no query and no rendering on a cache hit "
    "(mycarebudget/shared.py, anonymous_page): check that nothing per-request (a cookie, a message, a CSRF "
    "token) keeps it from being shared.",
    "guides_in_turn": "A guide that is not in the cache costs one query and the page around its stored article "
    "(wiki/services.py, article). Check that the articles were made by the code being measured (bench/run.py's "
    "prepare runs manage.py render_articles, as a deploy does) and that each worker's own copies "
    "(the \"worker\" cache in settings/base.py) hold the 1,000 pages.",
    "signed_in_guide": "A signed-in guide page is one shared copy and the forms that carry the member's token, "
    "rendered after it (mycarebudget/shared.py, member_page); the member's row comes from Redis "
    "(accounts/backends.py). What is left is Django's own: the session read, the CSRF token, the middleware "
    "and the Redis round trips. Check that the run used Redis (without it the row and session come from "
    "the database) and that the bench sent the CSRF cookie.",
    "anonymous_forum": "Anonymous topic and category pages should be served from a shared rendering "
    "(mycarebudget/shared.py, anonymous_page) rather than rendered per request.",
    "signed_in_forum": "A signed-in topic page is a shared copy found by the member's facts (forum/readers.py, "
    "kept in Redis until the forum changes); a category page by the shared listing and what the member "
    "supports there: no query, but four Redis round trips (session, member row, facts or listing, page) and "
    "the CSRF token. Next: the session and the member's row in one.",
    "search_guides": "Guide search ranks a bounded set of candidates (wiki/search.py); for a common word "
    "most of the time is reading each candidate's body vector and building the snippets. Keep a short "
    "stored text for snippets, and rank titles and summaries from a smaller index first.",
    "search_discussions": "Discussion search over 100,000 posts takes half or more of the 20 ms at p95 on "
    "its own for some words: rank only title matches and walk the newest matching posts "
    "(`ORDER BY id DESC LIMIT n`, `rowid` in FTS5), so the work stops at the limit instead of ranking "
    "every match.",
}


def _misses(results: dict) -> list[str]:
    found = []
    for database in results["databases"].values():
        load = database["load"]
        if load["guide_page"]["ratio"] < 0.8:
            found.append("anonymous_guide")
        if load["guide_pages_rotating"]["ratio"] < 0.6:
            found.append("guides_in_turn")
        if load["guide_page_signed_in"]["ratio"] < 0.3:
            found.append("signed_in_guide")
        if (
            min(load["topic_page"]["ratio"], load["topic_last_page"]["ratio"], load["category_page"]["ratio"])
            < 0.8
        ):
            found.append("anonymous_forum")
        if min(load["topic_page_signed_in"]["ratio"], load["category_page_signed_in"]["ratio"]) < 0.3:
            found.append("signed_in_forum")
        searches = database["search"].values()
        if any(item["both"]["p95_ms"] >= 20 for item in searches):
            # Whichever part takes more than half the 20 ms on its own is what to fix.
            if any(item["guides"]["p95_ms"] >= 10 for item in searches):
                found.append("search_guides")
            if any(item["discussions"]["p95_ms"] >= 10 for item in searches):
                found.append("search_discussions")
    return list(dict.fromkeys(found))


def write_report(results: dict) -> str:
    machine = results["machine"]
    kinds = list(results["databases"])
    lines = [
        "# Benchmark results",
        "",
        f"Produced by `{results['command']}` (bench/run.py) on {results['started_at']}, "
        f"in {results['seconds']} s, on commit {results.get('source', {}).get('commit', '?')}"
        + (
            " with uncommitted changes to the application"
            if results.get("source", {}).get("uncommitted_changes")
            else " (a clean copy of it)"
            if results.get("source", {}).get("snapshot")
            else ""
        )
        + ".",
        "",
        f"Machine: {machine['cpus']} cores, {machine['platform']}, Python {machine['python']}, "
        f"{machine['gunicorn']}, {machine['wrk']}. Load average at the start: "
        f"{', '.join(f'{value:.1f}' for value in machine['load_average_at_start'])}.",
        "",
        "Server: gunicorn, 2 sync workers, `mycarebudget.settings.prod` (DEBUG off, whitenoise, "
        f"{_cache_words(results)}), every request with `X-Forwarded-Proto: https` as the TLS proxy sends it. "
        f"Load: `{results['wrk']}` from loopback, each page for {results['seconds_per_page']} s in slices "
        "that alternate with slices of the floor (`/_bench/floor/`: 20 KB of fixed HTML from the same "
        "gunicorn, through the same middleware); a page's ratio is its requests per second over the "
        "floor's in the same slices. The benchmarks assert nothing about time; the query counts are "
        "asserted by `make test`.",
        "",
        "## Targets",
        "",
        *_targets(results),
        "",
        "Anchors are the figures in issue 7, measured the same way (2 cores, gunicorn with 2 sync workers, "
        "wrk on loopback): a bare Django view with 20 KB of HTML serves about 4,500 req/s; stock Wagtail and "
        "django-wiki article pages serve 0.05× and 0.03× of that.",
        "",
    ]
    misses = _misses(results)
    if misses:
        lines += ["## What would fix what was missed", ""]
        lines += [f"- {FIXES[miss]}" for miss in misses if miss in FIXES]
        lines.append("")
    lines += ["## Details", ""]
    for kind in kinds:
        lines += _load_table(kind, results["databases"][kind])
    documents = results.get("documents", {})
    if "results" in documents:
        lines += [
            "### Documents",
            "",
            f"bench/documents_bench.py --size-mb {documents['size_mb']} "
            "(one fresh process per mode, best of its repeats):",
            "",
            "| Mode | upload MB/s | download MB/s | peak RSS rise | stored bytes |",
            "|---|---|---|---|---|",
        ]
        for item in documents["results"]:
            lines.append(
                f"| {item['mode']} | {item['upload_mb_per_s']} | {item['download_mb_per_s']} | "
                f"{item['peak_rss_rise_mib']} MiB | {item['stored_bytes']} |"
            )
        lines.append("")
    return "\n".join(lines) + "\n"


def _cache_words(results: dict) -> str:
    caches = {run.get("cache", "locmem") for run in results["databases"].values()}
    if caches == {"redis"}:
        return ("Redis on 127.0.0.1:6379 for the cache and for sessions (`REDIS_URL`, "
                "`cached_db` sessions), as in production")
    if caches == {"locmem"}:
        return "each worker's own memory cache and database sessions (no Redis found)"
    return "Redis where it was found, each worker's memory otherwise"


if __name__ == "__main__":
    # Re-render results.md from a results.json (the figures are not measured again).
    import json
    import sys
    from pathlib import Path

    source = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent / "results.json")
    (source.parent / "results.md").write_text(write_report(json.loads(source.read_text())))
