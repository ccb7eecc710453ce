"""The site search page: guides (wiki.search) and discussions (forum.search), on one page."""

import re

from django.shortcuts import render
from django.views.decorators.http import require_safe

from forum.search import search_discussions
from mycarebudget.access import PUBLIC, access
from mycarebudget.search import query_terms
from wiki.search import search_pages
from wiki.templatelib.search import search_templates

SEARCH_PER_PAGE = 20
DISCUSSIONS_WITH_GUIDES = 5


@access(PUBLIC)
@require_safe
def site_search(request):
    """Guides and discussions, ranked, with highlighted snippets."""
    # Control characters (NUL above all, which PostgreSQL refuses) are never search words.
    query = " ".join(re.sub(r"[\x00-\x1f\x7f]", " ", request.GET.get("q", "")).split())[:200]
    kind = request.GET.get("type", "all")
    context = {"query": query, "kind": kind, "crumbs": [("Search", "")], "terms": query_terms(query)}
    if not query:
        return render(request, "search/results.html", context)
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    start = (number - 1) * SEARCH_PER_PAGE
    guides, guide_total, fuzzy = ([], 0, False)
    if kind in ("all", "guides"):
        guides, guide_total, fuzzy = search_pages(query, limit=SEARCH_PER_PAGE, offset=start)
    discussions = []
    if kind == "discussions":
        discussions = _search_discussions(query, limit=start + SEARCH_PER_PAGE)[start:]
    elif kind == "all" and number == 1:
        # "Everything" shows the best few discussions above a link to all of them.
        discussions = _search_discussions(query, limit=DISCUSSIONS_WITH_GUIDES)
    # Templates: the few that match, on the first page of "Everything" and under their own choice.
    templates = search_templates(query) if kind in ("all", "templates") and number == 1 else []
    has_next = (guide_total > start + SEARCH_PER_PAGE) if kind != "discussions" else \
        len(discussions) >= SEARCH_PER_PAGE
    context["templates"] = templates
    context.update({"guides": guides, "guide_total": guide_total, "fuzzy": fuzzy, "discussions": discussions,
                    "number": number, "has_next": has_next, "has_previous": number > 1})
    return render(request, "search/results.html", context)


def _search_discussions(query: str, *, limit: int) -> list:
    return search_discussions(query, limit=limit)
