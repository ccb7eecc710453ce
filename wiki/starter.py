"""The starter guides shipped in wiki/starter/*.md, and loading them without overwriting anyone.

`load_starter_guidance` (run by `make run`) publishes starter guides whose address is
unused, and brings a starter page up to date with its file through the publishing
service, as a new version with an edit summary. It does that only while the page's
current version is still the loader's own; once the community has edited the page,
the correction goes to the moderation queue as a proposed edit instead.
"""

import datetime
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from wiki import easy_read, services
from wiki.models import CONTENT_FIELDS, EditProposal, Page, PageVersion, SlugRedirect

STARTER_DIR = Path(__file__).resolve().parent / "starter"
STARTER_SUMMARY = "Starter guidance"
# The account that proposes corrections to pages the community has edited. It cannot sign in.
STARTER_EMAIL = "starter-guidance@mycarebudget.invalid"
STARTER_NAME = "MyCareBudget starter guidance"
_HEADER_KEYS = {"title", "slug", "topic", "summary", "last_checked", "next_review", "edit_summary", "easy_read_of"}


@dataclass
class StarterPage:
    content: dict
    edit_summary: str = ""
    easy_read_of: str = ""

    @property
    def slug(self) -> str:
        return self.content["slug"]


@dataclass
class LoadResult:
    created: list[str]
    corrected: list[str]
    proposed: list[str]


def parse_starter_file(path: Path) -> StarterPage:
    """A header of `key: value` lines (source repeats), a line `---`, then the Markdown body."""
    header, separator, body = path.read_text(encoding="utf-8").partition("\n---\n")
    if not separator:
        raise ValueError(f"{path.name}: no --- line between the header and the body")
    fields: dict = {"sources": []}
    for line in header.splitlines():
        key, _, value = line.partition(": ")
        if key == "source":
            fields["sources"].append(value.strip())
        elif key in _HEADER_KEYS:
            fields[key] = value.strip()
        elif line.strip():
            raise ValueError(f"{path.name}: unexpected header line {line!r}")
    fields["sources"] = "\n".join(fields["sources"])
    fields["last_checked"] = datetime.date.fromisoformat(fields["last_checked"])
    fields["next_review"] = datetime.date.fromisoformat(fields["next_review"])
    fields["body"] = body.strip() + "\n"
    edit_summary = fields.pop("edit_summary", "")
    easy_read_of = fields.pop("easy_read_of", "")
    return StarterPage(content=fields, edit_summary=edit_summary, easy_read_of=easy_read_of)


def starter_pages() -> list[StarterPage]:
    return [parse_starter_file(path) for path in sorted(STARTER_DIR.glob("*.md"))]


def starter_user():
    """The inactive account that starter corrections are proposed in the name of."""
    user, _ = get_user_model().objects.get_or_create(
        email=STARTER_EMAIL, defaults={"display_name": STARTER_NAME, "is_active": False})
    if user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _differs(page: Page, content: dict) -> bool:
    return any(getattr(page, name) != content[name] for name in CONTENT_FIELDS)


def is_loader_version(version: PageVersion | None) -> bool:
    """Whether this version was published by the loader, so no person has edited the page since."""
    if version is None or not version.edit_summary.startswith(STARTER_SUMMARY):
        return False
    return version.author_id is None or version.author.email == STARTER_EMAIL


def _correct(page: Page, starter: StarterPage) -> str | None:
    """Bring one existing starter page up to date with its file: 'corrected', 'proposed' or None."""
    page = Page.objects.select_for_update().get(pk=page.pk)
    content = {**starter.content, "slug": page.slug}  # a renamed page keeps its new address
    if page.is_retired() or not _differs(page, content):
        return None
    summary = f"{STARTER_SUMMARY} corrected: {starter.edit_summary or 'brought up to date'}"
    current = page.versions.select_related("author").first()
    if is_loader_version(current):
        services._publish(page=page, content=content, author=None, edit_summary=summary)
        return "corrected"
    author = starter_user()
    if EditProposal.objects.filter(page=page, author=author, body=content["body"], title=content["title"],
                                   sources=content["sources"]).exists():
        return None  # already proposed once: a moderator decides, and a rejection stands
    proposal = EditProposal(page=page, author=author, base_revision=page.revision, edit_summary=summary, **content)
    proposal.preview_html = services.render_page_body(proposal.body)
    proposal.full_clean(exclude=["preview_html"])
    proposal.save()
    return "proposed"


def _link_easy_read(pages: list[StarterPage]) -> None:
    """Link each starter Easy Read page to its standard page; a pair both as shipped counts as checked."""
    files = {starter.slug: starter for starter in pages}
    for starter in pages:
        if not starter.easy_read_of:
            continue
        page = Page.objects.filter(slug=starter.slug).select_related("easy_read_of").first()
        standard = Page.objects.filter(slug=starter.easy_read_of).first()
        if page is None or standard is None:
            continue
        if page.easy_read_of_id is None and not Page.objects.filter(easy_read_of=standard).exists():
            page.easy_read_of = standard
            page.save(update_fields=["easy_read_of"])
            easy_read.touch_partner(page)  # the standard page's article links to it now
        if page.easy_read_of_id != standard.pk:
            continue  # the community has paired them differently
        shipped = files.get(standard.slug)
        as_shipped = (not _differs(page, starter.content) and shipped is not None
                      and not _differs(standard, shipped.content))
        if as_shipped and page.easy_read_checked_revision != standard.revision:
            page.easy_read_of = standard
            easy_read.mark_checked(page)


def load_starter_guidance() -> LoadResult:
    """Publish new starter pages and bring existing ones up to date, never overwriting a community edit.

    A page whose address was renamed away keeps its new address; a retired page is left alone.
    """
    result = LoadResult(created=[], corrected=[], proposed=[])
    pages = starter_pages()
    existing = {page.slug: page for page in Page.objects.all()}
    existing.update({redirect.old_slug: redirect.page
                     for redirect in SlugRedirect.objects.select_related("page")})
    for starter in pages:
        page = existing.get(starter.slug)
        with transaction.atomic():
            if page is None:
                services._publish(page=None, content=starter.content, author=None, edit_summary=STARTER_SUMMARY)
                result.created.append(starter.slug)
                continue
            outcome = _correct(page, starter)
        if outcome:
            getattr(result, outcome).append(starter.slug)
    with transaction.atomic():
        if result.created:
            # Links between starter pages were written before their targets existed.
            for page in Page.objects.filter(slug__in=result.created):
                services._refresh_pages_linking_to(page)
        _link_easy_read(pages)
    return result
