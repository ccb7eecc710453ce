"""Every change to the template library: publishing, proposing, approving, rejecting, filling in."""

import datetime
import io

import reversion
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from mycarebudget.forms import save_once
from mycarebudget.mail import queue_email
from mycarebudget.moderation.powers import can_moderate, require_moderator
from mycarebudget.moderation.services import log_moderation
from mycarebudget.text import render_markdown
from wiki.templatelib import formats
from wiki.templatelib.fields import Field, check_markers, fill, parse_fields
from wiki.templatelib.models import (
    TEMPLATE_CONTENT_FIELDS,
    Shape,
    Template,
    TemplateFile,
    TemplateProposal,
    TemplateSlugRedirect,
    TemplateVersion,
)
from wiki.templatelib.sheets import LAYOUTS, fields_used

RESERVED_SLUGS = frozenset({"id", "new", "moderation", "search", "feed", "index"})


class AlreadyDecided(Exception):
    """Another moderator decided this change first."""


class MemberSuspended(PermissionDenied):
    """A suspended member can read templates and fill them in, but not propose changes."""


def suspension_notice(user) -> str | None:
    """Why this member cannot propose changes now, or None."""
    try:
        from forum.services import active_suspension
    except ImportError:  # suspensions are the forum's; without it nobody is suspended
        return None
    suspension = active_suspension(user)
    if suspension is None:
        return None
    return ("Your account is suspended, so you can read and fill in templates but not propose changes to them "
            "until the suspension ends")


class TemplateChanged(Exception):
    """The template changed after the author opened the editor."""


def check_content(content: dict, *, template: Template | None) -> list[Field]:
    """Refuse content that cannot be published; returns its fields. Errors name the field to fix."""
    fields = parse_fields(content["fields"])
    check_markers(content["body"], fields)
    if content["shape"] == Shape.SHEET:
        if content["layout"] not in LAYOUTS:
            raise ValidationError({"layout": "Choose the spreadsheet layout"})
        missing = fields_used(LAYOUTS[content["layout"]]) - {field.name for field in fields}
        if missing:
            raise ValidationError({"fields": "This layout's formulas need these fields: "
                                             + ", ".join(sorted(missing))})
    elif content["layout"]:
        raise ValidationError({"layout": "Only spreadsheets have a layout. Choose “Not a spreadsheet”"})
    problem = slug_error(content["slug"], template=template)
    if problem:
        raise ValidationError({"slug": problem})
    return fields


def slug_error(slug: str, *, template: Template | None) -> str | None:
    if slug in RESERVED_SLUGS:
        return "That web address is used by the site itself. Choose another"
    taken = Template.objects.filter(slug=slug)
    redirected = TemplateSlugRedirect.objects.filter(old_slug=slug)
    if template is not None:
        taken, redirected = taken.exclude(pk=template.pk), redirected.exclude(template=template)
    if taken.exists():
        return "Another template already uses that web address. Choose another"
    if redirected.exists():
        return "That web address used to belong to another template, and links to it must keep working"
    return None


def source_for(template, *, number: int, values: dict | None = None) -> formats.Source:
    """What a template's files are made from (template: a Template or anything with its content)."""
    return formats.Source(
        title=template.title, body=template.body, fields=parse_fields(template.fields), layout=template.layout,
        footer=formats.footer_text(title=template.title, number=number, checked=template.last_checked),
        values=values)


def _publish(*, template: Template | None, content: dict, author, edit_summary: str) -> TemplateVersion:
    """Make content the template's new current version, with its files. Call inside a transaction."""
    now = timezone.now()
    is_new = template is None
    template = template or Template()
    old_slug = template.slug
    fields = check_content(content, template=None if is_new else template)
    for name in TEMPLATE_CONTENT_FIELDS:
        setattr(template, name, content[name])
    template.about_html = render_markdown(template.about)
    template.body_html = render_markdown(fill(template.body, fields))
    template.revision += 1
    template.published_at = now
    template.full_clean(exclude=["about_html", "body_html"])
    with reversion.create_revision(atomic=False):
        template.save()
        reversion.set_user(author)
        reversion.set_comment(edit_summary)
        reversion.set_date_created(now)
        reversion.add_meta(TemplateVersion, template=template, number=template.revision, title=template.title,
                           about_html=template.about_html, body_html=template.body_html, author=author,
                           edit_summary=edit_summary, created_at=now)
    version = TemplateVersion.objects.get(template=template, number=template.revision)
    source = source_for(template, number=version.number)
    for fmt in template.formats():
        data = formats.make(source, fmt)
        TemplateFile.objects.create(version=version, format=fmt, data=data, size=len(data))
    if old_slug and old_slug != template.slug:
        TemplateSlugRedirect.objects.filter(old_slug=template.slug, template=template).delete()
        TemplateSlugRedirect.objects.get_or_create(old_slug=old_slug, defaults={"template": template})
    return version


def publish_template(*, template: Template | None, content: dict, author, edit_summary: str) -> TemplateVersion:
    """Publish straight away: the starter loader and moderators' own changes."""
    with transaction.atomic():
        if template is not None:
            template = Template.objects.select_for_update().get(pk=template.pk)
        return _publish(template=template, content=content, author=author, edit_summary=edit_summary)


def _sent_before(author, submission_key: str) -> TemplateProposal | None:
    """The proposal this form already made, when the same form is sent again."""
    if not submission_key:
        return None
    return (TemplateProposal.objects.filter(author=author, submission_key=submission_key)
            .select_related("template").first())


@transaction.atomic
def propose_change(*, template: Template | None, author, content: dict, edit_summary: str,
                   base_revision: int, submission_key: str = "") -> TemplateProposal:
    """Propose a new template (template=None) or a change. A moderator's own change publishes at once.

    Raises TemplateChanged when the template got a new version after the author started,
    and ValidationError (naming the field) for content that could not be published.
    Suspended members get MemberSuspended. The same form sent twice (submission_key)
    returns the proposal it made the first time.
    """
    notice = suspension_notice(author)
    if notice:
        raise MemberSuspended(notice)
    existing = _sent_before(author, submission_key)
    if existing is not None:
        return existing
    if template is not None:
        template = Template.objects.select_for_update().get(pk=template.pk)
        existing = _sent_before(author, submission_key)  # it held the lock and committed while we waited
        if existing is not None:
            return existing
        if template.revision != base_revision:
            raise TemplateChanged(template)
    check_content(content, template=template)
    proposal = TemplateProposal(template=template, author=author, base_revision=base_revision,
                                edit_summary=edit_summary, submission_key=submission_key, **content)
    proposal.full_clean(exclude=["submission_key"])
    saved = save_once(proposal, lambda: _sent_before(author, submission_key))  # the same form twice at once
    if saved is not proposal:
        return saved
    if can_moderate(author):  # publishing without review is moderator power: it needs two-step
        version = _publish(template=template, content=content, author=author, edit_summary=edit_summary)
        proposal.template = version.template
        proposal.status = TemplateProposal.Status.APPROVED
        proposal.decided_by, proposal.decided_at = author, timezone.now()
        proposal.save()
    return proposal


@transaction.atomic
def approve_change(*, proposal: TemplateProposal, moderator, note: str = "") -> TemplateVersion:
    """Publish a pending change. Moderators only; the second of two gets AlreadyDecided."""
    require_moderator(moderator)
    # select_for_update: two moderators may approve at once; one waits, then sees it decided.
    proposal = TemplateProposal.objects.select_for_update().get(pk=proposal.pk)
    if not proposal.is_pending():
        raise AlreadyDecided(proposal)
    template = Template.objects.select_for_update().get(pk=proposal.template_id) if proposal.template_id else None
    if template is not None and template.revision != proposal.base_revision:
        raise TemplateChanged(template)
    version = _publish(template=template, content=proposal.content(), author=proposal.author,
                       edit_summary=proposal.edit_summary)
    proposal.template = version.template
    proposal.status = TemplateProposal.Status.APPROVED
    proposal.decided_by, proposal.decided_at, proposal.decision_reason = moderator, timezone.now(), note
    proposal.save()
    log_moderation(moderator=moderator, action="approved a template change", target_label=version.title,
                   target_url=version.template.get_absolute_url(), reason=note)
    _tell_author(proposal)
    return version


@transaction.atomic
def reject_change(*, proposal: TemplateProposal, moderator, reason: str) -> TemplateProposal:
    """Turn down a pending change with a reason the author is sent. Moderators only."""
    require_moderator(moderator)
    if not reason.strip():
        raise ValidationError({"reason": "Tell the author why their change was not accepted"})
    proposal = TemplateProposal.objects.select_for_update().get(pk=proposal.pk)
    if not proposal.is_pending():
        raise AlreadyDecided(proposal)
    proposal.status = TemplateProposal.Status.REJECTED
    proposal.decided_by, proposal.decided_at = moderator, timezone.now()
    proposal.decision_reason = reason.strip()
    proposal.save()
    log_moderation(moderator=moderator, action="did not accept a template change", target_label=proposal.title,
                   target_url=reverse("templatelib:moderation_review", args=[proposal.pk]),
                   reason=proposal.decision_reason)
    _tell_author(proposal)
    return proposal


def _tell_author(proposal: TemplateProposal) -> None:
    if not proposal.author.is_active:
        return
    if proposal.status == TemplateProposal.Status.APPROVED:
        subject = f"Your change to the template “{proposal.title}” is published"
        body = f"A moderator checked your change to “{proposal.title}” and it is now live.\n"
    else:
        subject = f"Your change to the template “{proposal.title}” was not accepted"
        body = (f"A moderator looked at your change to “{proposal.title}” and did not publish it.\n\n"
                f"Their reason: {proposal.decision_reason}\n")
    link = settings.SITE_URL + reverse("templatelib:template_index")
    queue_email(to=proposal.author.email, subject=subject,
                body=f"Hello {proposal.author.public_name},\n\n{body}\nThe template library: {link}\n\nMyCareBudget\n")


def count_download(template: Template) -> None:
    """One more download. A number only: nothing records who."""
    Template.objects.filter(pk=template.pk).update(download_count=F("download_count") + 1)


def stored_file(template: Template, fmt: str) -> TemplateFile | None:
    """The current version's stored file in this format."""
    return (TemplateFile.objects.filter(version__template=template, version__number=template.revision, format=fmt)
            .only("data", "size", "format").first())


def filled_file(*, template: Template, fmt: str, values: dict) -> tuple[str, bytes]:
    """A member's filled copy, made for this request only: (filename, bytes). Nothing is kept."""
    if fmt not in template.formats():
        raise ValueError(fmt)
    data = formats.make(source_for(template, number=template.revision, values=values), fmt)
    return f"{template.slug}-filled-in-{datetime.date.today():%Y-%m-%d}.{fmt}", data


# Saving to private documents takes these formats: the document store accepts them (not .xlsx).
SAVE_FORMATS = {Shape.DOCUMENT: "docx", Shape.SHEET: "ods"}


def save_filled_to_documents(*, template: Template, owner, values: dict, sign_in=None):
    """Make the member's filled copy and keep it in their private documents, encrypted, typed.

    Goes through accounts.services.store_document like any upload, so the same checks,
    encryption and quota apply. Returns the Document.
    """
    from accounts.services import store_document

    fmt = SAVE_FORMATS[Shape(template.shape)]
    filename, data = filled_file(template=template, fmt=fmt, values=values)
    upload = SimpleUploadedFile(filename, data, content_type=formats.CONTENT_TYPES[fmt])
    upload.file = io.BytesIO(data)
    return store_document(owner=owner, upload=upload, kind=template.document_kind,
                          name=f"{template.title} ({datetime.date.today():%-d %B %Y})", sign_in=sign_in)


def suggested_slug(title: str) -> str:
    return slugify(title)[:80]


def stored_files(template: Template):
    """The current version's files, without their bytes."""
    return (TemplateFile.objects.filter(version__template=template, version__number=template.revision)
            .only("format", "size"))
