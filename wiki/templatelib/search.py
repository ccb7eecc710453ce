"""Templates in the site search. The library holds tens of templates, not thousands, so a
plain query on both databases is enough; words match at the start of a word."""

from django.db.models import Q

from mycarebudget.search import SearchHit, highlight, match_pattern, query_terms
from wiki.templatelib.models import Template

SEARCHED = ("title", "summary", "about", "body")


def search_templates(query: str, *, limit: int = 10) -> list[SearchHit]:
    """Live templates having every word of the query, title matches first."""
    terms = query_terms(query)
    if not terms:
        return []
    queryset = Template.objects.live()
    for term in terms:
        queryset = queryset.filter(Q(*[Q(**{f"{name}__icontains": term}) for name in SEARCHED], _connector=Q.OR))
    hits = []
    for template in queryset.only("title", "slug", "summary", "about", "body", "job", "shape"):
        text = " ".join(getattr(template, name) for name in SEARCHED)
        words = [match_pattern([term]) for term in terms]
        if not all(pattern.search(text) for pattern in words):
            continue  # "rota" inside another word is not a match
        title_hits = sum(bool(pattern.search(template.title)) for pattern in words)
        hits.append(SearchHit(kind="template", title=template.title, url=template.get_absolute_url(),
                              snippet=highlight(template.summary, terms), rank=title_hits,
                              meta=f"{template.get_shape_display()} · {template.get_job_display()}"))
    hits.sort(key=lambda hit: (-hit.rank, hit.title))
    return hits[:limit]
