"""Atom feeds of published changes: the whole wiki, and one guide (for sites that cite it).

RFC 4287: every entry has an author and an id that never changes. Ids are tag URIs
built from the guide's permanent id and the version number, so a rename never makes a
feed reader show an old entry as new. Renames and retirements are entries of their own.
Member text (edit summaries, names) goes out as plain text (type="text"): a feed reader
that does not sanitise must never be handed markup we did not write.
"""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Q
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from wiki.models import Page, PageVersion

FEED_LENGTH = 50


@dataclass(frozen=True)
class FeedEntry:
    guid: str
    title: str
    summary: str
    author: str
    link: str
    updated: datetime


class PlainTextAtomFeed(Atom1Feed):
    """Atom whose entry summaries are plain text, never HTML."""

    def add_item_elements(self, handler, item):
        summary = item["description"]
        super().add_item_elements(handler, {**item, "description": None})
        if summary:
            handler.addQuickElement("summary", summary, {"type": "text"})


def _tag(specific: str) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"tag:{host},2026:{specific}"


def _version_entries(versions: list[PageVersion]) -> list[FeedEntry]:
    """One entry per version; a version that changed the title says it renamed the guide."""
    wanted = Q(pk__in=[])
    for version in versions:
        wanted |= Q(page_id=version.page_id, number=version.number - 1)
    previous = {(v.page_id, v.number): v.title
                for v in PageVersion.objects.filter(wanted).only("page_id", "number", "title")} if versions else {}
    entries = []
    for version in versions:
        before = previous.get((version.page_id, version.number - 1))
        if before is not None and before != version.title:
            title = f"Renamed: {before} is now {version.title} (version {version.number})"
        elif version.number == 1:
            title = f"New guide: {version.title}"
        else:
            title = f"{version.title} (version {version.number})"
        entries.append(FeedEntry(
            guid=_tag(f"guide/{version.page_id}/version/{version.number}"), title=title,
            summary=version.edit_summary,
            author=version.author.public_name if version.author else settings.SITE_NAME,
            link=reverse("wiki:version_by_id", args=[version.page_id, version.number]),
            updated=version.created_at))
    return entries


def _retirement_entry(page: Page) -> FeedEntry:
    summary = page.retired_reason or "This guide was retired."
    if page.replaced_by is not None:
        summary += f" Its content is now in “{page.replaced_by.title}”."
    return FeedEntry(guid=_tag(f"guide/{page.pk}/retired"), title=f"Retired: {page.title}", summary=summary,
                     author=settings.SITE_NAME, link=reverse("wiki:page_by_id", args=[page.pk]),
                     updated=page.retired_at)


class _ChangesFeed(Feed):
    feed_type = PlainTextAtomFeed
    author_name = settings.SITE_NAME

    def item_title(self, item: FeedEntry) -> str:
        return item.title

    def item_description(self, item: FeedEntry) -> str:
        return item.summary

    def item_link(self, item: FeedEntry) -> str:
        return item.link

    def item_guid(self, item: FeedEntry) -> str:
        return item.guid

    item_guid_is_permalink = False

    def item_author_name(self, item: FeedEntry) -> str:
        return item.author

    def item_pubdate(self, item: FeedEntry) -> datetime:
        return item.updated

    def item_updateddate(self, item: FeedEntry) -> datetime:
        return item.updated

    @staticmethod
    def _newest(entries: list[FeedEntry]) -> list[FeedEntry]:
        return sorted(entries, key=lambda entry: entry.updated, reverse=True)[:FEED_LENGTH]


class RecentChangesFeed(_ChangesFeed):
    title = "MyCareBudget: recent changes to the guides"
    subtitle = "Every published change to MyCareBudget's guidance pages, renames and retirements included."

    def link(self):
        return reverse("wiki:recent_changes")

    def feed_guid(self):
        return _tag("guides")

    def items(self):
        versions = list(PageVersion.objects.filter(page__retired_at__isnull=True)
                        .select_related("author").order_by("-created_at", "-pk")[:FEED_LENGTH])
        retired = (Page.objects.filter(retired_at__isnull=False).select_related("replaced_by")
                   .only("title", "retired_at", "retired_reason", "replaced_by__title").order_by("-retired_at"))
        return self._newest(_version_entries(versions) + [_retirement_entry(page) for page in retired[:FEED_LENGTH]])


class PageFeed(_ChangesFeed):
    """One guide's versions, renames and retirement, at /wiki/<slug>/feed/."""

    def __init__(self, page: Page):
        super().__init__()
        self.page = page

    def title(self):
        return f"MyCareBudget: changes to “{self.page.title}”"

    def subtitle(self):
        return f"Every published version of the guide “{self.page.title}”."

    def link(self):
        return reverse("wiki:page_by_id", args=[self.page.pk])

    def feed_guid(self):
        return _tag(f"guide/{self.page.pk}")

    def items(self):
        versions = list(PageVersion.objects.filter(page=self.page).select_related("author")
                        .order_by("-number")[:FEED_LENGTH])
        entries = _version_entries(versions)
        if self.page.is_retired():
            entries.append(_retirement_entry(self.page))
        return self._newest(entries)
