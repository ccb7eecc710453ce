"""Guidance pages, their published versions, proposed edits and addresses."""

import re

import reversion
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from mycarebudget import shared
from mycarebudget.text import RESERVED_WIKI_SLUGS

BODY_MAX_LENGTH = 60_000
_H2 = re.compile(r'<h2 id="([^"]+)">(.*?)</h2>', re.DOTALL)


class Topic(models.TextChoices):
    GETTING_A_BUDGET = "getting-a-budget", "Getting a budget"
    CARE_AND_SUPPORT_PLAN = "care-and-support-plan", "Your care and support plan"
    MANAGING_THE_MONEY = "managing-the-money", "Managing the money"
    EMPLOYING_A_PA = "employing-a-pa", "Employing a PA"
    CHILDREN = "children-and-young-people", "Children and young people"
    MENTAL_HEALTH = "mental-health-aftercare", "Mental health aftercare"
    REVIEWS = "reviews-and-complaints", "Reviews and complaints"
    BACKGROUND = "background", "Background and evidence"


class PageQuerySet(models.QuerySet):
    def live(self) -> "PageQuerySet":
        return self.filter(retired_at__isnull=True)

    def touch(self) -> int:
        """These pages now show something else (a backlink, their Easy Read partner): their changed_at,
        and with it their stored article's key and Last-Modified, moves on, and the guides' copies go."""
        touched = self.update(changed_at=timezone.now())
        if touched:
            shared.bump("wiki")
        return touched


# The fields that make up a page's content: what a version holds and an edit proposes.
CONTENT_FIELDS = ("title", "slug", "summary", "topic", "body", "sources", "last_checked", "next_review")


@reversion.register(fields=CONTENT_FIELDS)
class Page(models.Model):
    """A guidance page. Its current content is its latest published version."""

    title = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    summary = models.CharField(max_length=300)
    topic = models.CharField(max_length=40, choices=Topic.choices)
    body = models.TextField(max_length=BODY_MAX_LENGTH)
    body_html = models.TextField(blank=True, help_text="render_markdown(body), made when published")
    sources = models.TextField(blank=True, help_text="One per line: Name | https://address")
    last_checked = models.DateField()
    next_review = models.DateField()
    revision = models.PositiveIntegerField(default=0, help_text="The number of the current version")
    published_at = models.DateTimeField(default=timezone.now)
    # Anything that changes what the page shows (a new version, a link target
    # appearing, a new backlink) moves this on: it is the page's Last-Modified.
    changed_at = models.DateTimeField(default=timezone.now)
    # The article as every reader sees it, kept with the page so that a reader's first visit renders only
    # the page around it; made again when anything in its key changes (wiki.services.article).
    article_html = models.TextField(blank=True, editable=False)
    article_key = models.CharField(max_length=80, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    retired_reason = models.CharField(max_length=300, blank=True)
    replaced_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="replaces")
    body_text = models.TextField(blank=True, editable=False, help_text="The body as plain text, for snippets")
    # Old heading ids -> the id of the section they belong to now, so #links survive rewording.
    anchor_aliases = models.JSONField(default=dict, blank=True, editable=False)
    # An Easy Read page points at its standard page; neither is part of a version's content.
    easy_read_of = models.OneToOneField("self", null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="easy_read", help_text="The standard page this Easy Read page"
                                        " retells")
    easy_read_checked_revision = models.PositiveIntegerField(
        null=True, blank=True, help_text="The standard page's version this Easy Read page was last checked against")

    objects = PageQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        permissions = [("moderate_page", "Can approve, reject and restore guide edits")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("wiki:page_detail", args=[self.slug])

    def is_retired(self) -> bool:
        return self.retired_at is not None

    def is_review_overdue(self) -> bool:
        return self.next_review < timezone.localdate()

    def easy_read_page(self) -> "Page | None":
        """This standard page's live Easy Read version, if it has one."""
        try:
            partner = self.easy_read
        except Page.DoesNotExist:
            return None
        return None if partner.is_retired() else partner

    def easy_read_is_out_of_date(self) -> bool:
        """On an Easy Read page: its standard page has a newer version than the one it was checked against."""
        standard = self.easy_read_of
        return standard is not None and standard.revision > (self.easy_read_checked_revision or 0)

    def contents(self) -> list[tuple[str, str]]:
        """(id, text) of the page's main headings, for its contents list and #links."""
        return [(anchor, " ".join(strip_tags(text).split()))
                for anchor, text in _H2.findall(self.body_html)]

    def source_list(self) -> list[tuple[str, str]]:
        return source_pairs(self.sources)


def source_pairs(sources: str) -> list[tuple[str, str]]:
    """Sources (one per line, "Name | address") as (name, address) pairs; address may be empty."""
    pairs = []
    for line in sources.splitlines():
        name, _, url = line.partition("|")
        if name.strip():
            pairs.append((name.strip(), url.strip()))
    return pairs


class PageVersion(models.Model):
    """Attached to each django-reversion revision of a page: its number and stored HTML.

    Markdown is rendered once, when the version is published, and never per request.
    """

    revision = models.OneToOneField("reversion.Revision", on_delete=models.CASCADE, related_name="page_version")
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=120)
    body_html = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    edit_summary = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["page", "number"], name="unique_page_version_number")]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("wiki:page_version", args=[self.page.slug, self.number])

    def content(self) -> dict:
        """The page's content fields as they were in this version."""
        version = self.revision.version_set.get(content_type__model="page", object_id=str(self.page_id))
        return version.field_dict


class PageSearch(models.Model):
    """A live page's PostgreSQL search vectors, in a narrow table of their own.

    A common word matches nearly every page, so a search reads thousands of rows:
    kept apart from the wide page rows, they fit in a few blocks. search_vector
    matches title, summary and body; rank_vector (title and summary) ranks cheaply.
    Retired pages have no row.
    """

    page = models.OneToOneField(Page, primary_key=True, on_delete=models.CASCADE, related_name="search_entry")
    search_vector = SearchVectorField(null=True)
    rank_vector = SearchVectorField(null=True)

    def __str__(self) -> str:
        return f"Search entry for page {self.page_id}"


class SearchSynonym(models.Model):
    """Words and phrases that mean the same to a searcher ("PA, personal assistant"). Moderators edit them."""

    words = models.CharField(max_length=300, unique=True, help_text="Comma-separated, lower case")

    class Meta:
        ordering = ["words"]

    def __str__(self) -> str:
        return self.words

    def phrases(self) -> list[str]:
        return [" ".join(phrase.lower().split()) for phrase in self.words.split(",") if phrase.strip()]


class SlugRedirect(models.Model):
    """An address a page used to have. It answers forever, with a 301 to the page."""

    old_slug = models.SlugField(max_length=80, unique=True)
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="old_slugs")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.old_slug} → {self.page.slug}"


class Watch(models.Model):
    """A member who wants an email when a guide gets a new version."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guide_watches")
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="watches")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "page"], name="unique_guide_watch")]

    def __str__(self) -> str:
        return f"{self.user_id} watches {self.page_id}"


class MissingAddress(models.Model):
    """A /wiki/ address people asked for that has no guide, and how often: for moderators to redirect."""

    slug = models.CharField(max_length=80, unique=True)
    hits = models.PositiveIntegerField(default=0)
    first_requested_at = models.DateTimeField(default=timezone.now)
    last_requested_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-hits", "slug"]

    def __str__(self) -> str:
        return f"/wiki/{self.slug}/ ({self.hits})"


class PageLink(models.Model):
    """A link from one page's current version to a wiki address."""

    from_page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="outgoing_links")
    to_slug = models.SlugField(max_length=80, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["from_page", "to_slug"], name="unique_page_link")]

    def __str__(self) -> str:
        return f"{self.from_page_id} → {self.to_slug}"


class EditProposal(models.Model):
    """A proposed change to a page (or a new page). Nothing public changes until it is approved."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        APPROVED = "approved", "Published"
        REJECTED = "rejected", "Not accepted"
        WITHDRAWN = "withdrawn", "Withdrawn"

    page = models.ForeignKey(Page, null=True, blank=True, on_delete=models.CASCADE, related_name="proposals")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wiki_proposals")
    base_revision = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80)
    summary = models.CharField(max_length=300)
    topic = models.CharField(max_length=40, choices=Topic.choices)
    body = models.TextField(max_length=BODY_MAX_LENGTH)
    sources = models.TextField(blank=True)
    last_checked = models.DateField()
    next_review = models.DateField()
    edit_summary = models.CharField(max_length=300)
    preview_html = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    published_version = models.PositiveIntegerField(null=True, blank=True)
    # The edit form's hidden key: the same form sent twice is one proposal (wiki.services.propose_edit).
    submission_key = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["author", "submission_key"], condition=~Q(submission_key=""),
                                    name="wiki_proposal_unique_submission"),
        ]

    def __str__(self) -> str:
        return f"Edit to {self.title} by {self.author}"

    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    def is_new_page(self) -> bool:
        return self.page_id is None

    def content(self) -> dict:
        return {name: getattr(self, name) for name in CONTENT_FIELDS}


def slug_is_reserved(slug: str) -> bool:
    return slug in RESERVED_WIKI_SLUGS

# Templates are a kind of wiki page; their models live in wiki/templatelib/.
from wiki.templatelib.models import (  # noqa: E402,F401,I001
    Template, TemplateFile, TemplateProposal, TemplateSlugRedirect, TemplateVersion)
