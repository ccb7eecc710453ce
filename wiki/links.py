"""Links in old versions: to the linked guide by its permanent id, whatever happened to it since.

A version's stored HTML marks the links that were missing when it was published (the
starter guides link to each other before all of them exist). An old version is read
as it was written, but its links are resolved today: to the guide's permanent
address (/wiki/id/<pk>/, which survives renames), or, for a guide that was retired,
plain words saying so and where its content went (as MediaWiki shows a deleted link
target in an old revision).
"""

import re

from django.urls import reverse
from django.utils.html import escape, format_html

from mycarebudget.text import MISSING_LINK_CLASS, linked_wiki_slugs, render_markdown
from wiki.models import Page, SlugRedirect

# render_markdown's own output for an internal link with no missing-page mark (known_pages=None).
_INTERNAL_LINK = re.compile(
    r'<a href="/wiki/(?P<slug>[a-z0-9][a-z0-9-]*)/(?P<fragment>#[^"]*)?"(?P<attrs>[^>]*)>(?P<text>.*?)</a>',
    re.DOTALL)


def link_targets(slugs: set[str]) -> dict[str, Page]:
    """The page each slug belongs to now, by its current or an old address (two queries)."""
    if not slugs:
        return {}
    fields = ("id", "title", "slug", "retired_at", "replaced_by__slug", "replaced_by__title",
              "replaced_by__retired_at")
    found = {page.slug: page for page in Page.objects.filter(slug__in=slugs).select_related("replaced_by")
             .only(*fields)}
    for moved in (SlugRedirect.objects.filter(old_slug__in=slugs - set(found))
                  .select_related("page", "page__replaced_by").only(*("old_slug", *(f"page__{f}" for f in fields)))):
        found[moved.old_slug] = moved.page
    return found


def _resolved(match: re.Match, targets: dict[str, Page]) -> str:
    slug, fragment, attrs, text = match["slug"], match["fragment"] or "", match["attrs"], match["text"]
    page = targets.get(slug)
    if page is None:
        return (f'<a class="{MISSING_LINK_CLASS}" href="/wiki/{slug}/"{attrs}>{text}'
                '<span class="govuk-visually-hidden"> (page not written yet)</span></a>')
    if page.retired_at is None:
        return f'<a href="{reverse("wiki:page_by_id", args=[page.pk])}{escape(fragment)}"{attrs}>{text}</a>'
    successor = page.replaced_by
    if successor is not None and successor.retired_at is None:
        where = format_html(' (a guide since retired; its content is now in <a href="{}">{}</a>)',
                            reverse("wiki:page_by_id", args=[successor.pk]), successor.title)
    else:
        where = " (a guide since retired)"
    return f'<span class="app-retired-link">{text}</span>{where}'


def version_body_html(body: str) -> str:
    """A version's body as it was written, with its guide links resolved as they stand today.

    Returns render_markdown output in which only our own internal links were rewritten
    (every inserted value is escaped), for the ``rendered`` filter.
    """
    from wiki.services import title_slugs_for

    title_slugs = title_slugs_for(body)
    html = str(render_markdown(body, known_pages=None, title_slugs=title_slugs))
    targets = link_targets(linked_wiki_slugs(body, title_slugs))
    return _INTERNAL_LINK.sub(lambda match: _resolved(match, targets), html)
