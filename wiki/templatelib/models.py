"""Templates: reviewed documents and spreadsheets people download or fill in.

A template is written once (Markdown with named fields) and published into files
(.docx/.odt for documents; .xlsx/.ods/.csv for sheets). Files are made when a
version is published and stored with it, never per download.
"""

import reversion
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import DocumentKind

TEMPLATE_TEXT_MAX_LENGTH = 40_000


class Job(models.TextChoices):
    """The index is grouped by the job a template helps with."""

    RECRUITING = "recruiting-a-pa", "Recruiting a PA"
    EMPLOYING = "employing-a-pa", "Employing a PA"
    PAY_AND_HOLIDAY = "pay-and-holiday", "Pay and holiday"
    HEALTH_AND_SAFETY = "health-and-safety", "Health and safety"
    MONEY_AND_RECORDS = "money-and-records", "Money and records"
    PLANNING_AND_REVIEWS = "planning-and-reviews", "Planning and reviews"
    COMPLAINTS_AND_LETTERS = "complaints-and-letters", "Complaints and letters"


class Suits(models.TextChoices):
    """Who a template suits: shown as tags, stored space-separated in Template.suits."""

    DIRECT_PAYMENT = "direct-payment", "Direct payment"
    THIRD_PARTY = "third-party", "Third-party budget"
    NOTIONAL = "notional", "Notional budget"
    CHILD = "child", "Child"
    ADULT = "adult", "Adult"
    WHEELCHAIR = "wheelchair", "Wheelchair budget"


class Shape(models.TextChoices):
    DOCUMENT = "document", "Document"
    SHEET = "sheet", "Spreadsheet"


FORMATS = {
    Shape.DOCUMENT: ("docx", "odt"),
    Shape.SHEET: ("xlsx", "ods", "csv"),
}

# Every field a version holds and a change proposes.
TEMPLATE_CONTENT_FIELDS = ("title", "slug", "summary", "job", "suits", "shape", "layout", "document_kind",
                           "fields", "about", "body", "sources", "last_checked", "next_review")


class TemplateQuerySet(models.QuerySet):
    def live(self) -> "TemplateQuerySet":
        return self.filter(retired_at__isnull=True)


class TemplateContent(models.Model):
    """The content fields shared by a template and a proposed change to one."""

    title = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80)
    summary = models.CharField(max_length=300)
    job = models.CharField(max_length=40, choices=Job.choices)
    suits = models.CharField(max_length=200, blank=True, help_text="Space-separated Suits values")
    shape = models.CharField(max_length=10, choices=Shape.choices, default=Shape.DOCUMENT)
    layout = models.CharField(max_length=40, blank=True, help_text="For sheets: the columns and formulas")
    document_kind = models.CharField(max_length=20, choices=DocumentKind.choices, default=DocumentKind.OTHER,
                                     help_text="The type a filled copy gets in private documents")
    fields = models.TextField(blank=True, help_text="One per line: name | Label | type (text, long, date, money, "
                                                     "number)")
    about = models.TextField(max_length=TEMPLATE_TEXT_MAX_LENGTH,
                             help_text="Markdown: what it is for, who for, when, how to fill it in, what to check")
    body = models.TextField(max_length=TEMPLATE_TEXT_MAX_LENGTH,
                            help_text="Markdown with {{ field_name }} markers: the document itself")
    sources = models.TextField(blank=True, help_text="One per line: Name | https://address")
    last_checked = models.DateField()
    next_review = models.DateField()

    class Meta:
        abstract = True

    def suits_labels(self) -> list[str]:
        return [Suits(value).label for value in self.suits.split() if value in Suits.values]

    def source_list(self) -> list[tuple[str, str]]:
        pairs = []
        for line in self.sources.splitlines():
            name, _, url = line.partition("|")
            if name.strip():
                pairs.append((name.strip(), url.strip()))
        return pairs

    def formats(self) -> tuple[str, ...]:
        return FORMATS[Shape(self.shape)]

    def content(self) -> dict:
        return {name: getattr(self, name) for name in TEMPLATE_CONTENT_FIELDS}


@reversion.register(fields=TEMPLATE_CONTENT_FIELDS)
class Template(TemplateContent):
    """A template. Its current content is its latest published version."""

    slug = models.SlugField(max_length=80, unique=True)
    about_html = models.TextField(blank=True, help_text="render_markdown(about), made when published")
    body_html = models.TextField(blank=True, help_text="The print view, made when published")
    revision = models.PositiveIntegerField(default=0)
    published_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    # A number only: nothing records who downloaded.
    download_count = models.PositiveIntegerField(default=0)

    objects = TemplateQuerySet.as_manager()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("templatelib:template_detail", args=[self.slug])


class TemplateVersion(models.Model):
    """Attached to each django-reversion revision of a template: its number, HTML and files."""

    revision = models.OneToOneField("reversion.Revision", on_delete=models.CASCADE, related_name="template_version")
    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=120)
    about_html = models.TextField()
    body_html = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    edit_summary = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["template", "number"], name="unique_template_version")]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"

    def content(self) -> dict:
        version = self.revision.version_set.get(content_type__model="template", object_id=str(self.template_id))
        return version.field_dict


class TemplateFile(models.Model):
    """A published version's file in one format, made once when the version was published."""

    version = models.ForeignKey(TemplateVersion, on_delete=models.CASCADE, related_name="files")
    format = models.CharField(max_length=8)
    data = models.BinaryField()
    size = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "format"], name="unique_template_file")]

    def __str__(self) -> str:
        return f"{self.version} .{self.format}"


class TemplateSlugRedirect(models.Model):
    """An address a template used to have: it answers forever with a 301."""

    old_slug = models.SlugField(max_length=80, unique=True)
    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="old_slugs")

    def __str__(self) -> str:
        return f"{self.old_slug} → {self.template.slug}"


class TemplateProposal(TemplateContent):
    """A proposed new template or change to one. Nothing public changes until a moderator approves."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        APPROVED = "approved", "Published"
        REJECTED = "rejected", "Not accepted"

    template = models.ForeignKey(Template, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="proposals")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="template_proposals")
    base_revision = models.PositiveIntegerField(default=0)
    edit_summary = models.CharField(max_length=300)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    # The form's hidden key: the same form sent twice is one proposal (services.propose_change).
    submission_key = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["author", "submission_key"], condition=~Q(submission_key=""),
                                    name="template_proposal_unique_submission"),
        ]

    def __str__(self) -> str:
        return f"Change to template {self.title}"

    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING
