"""Every change to the wiki: proposing, publishing, approving, rejecting, restoring, retiring."""

import logging

import reversion
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from mycarebudget import shared
from mycarebudget.mail import queue_email
from mycarebudget.moderation.powers import can_moderate, require_moderator
from mycarebudget.moderation.services import log_moderation
from mycarebudget.text import linked_wiki_slugs, render_markdown, wiki_link_titles, wiki_slug
from wiki import easy_read, search
from wiki.merge import MergeConflict, merge_fields
from wiki.models import CONTENT_FIELDS, EditProposal, Page, PageLink, PageVersion, SlugRedirect, slug_is_reserved

logger = logging.getLogger(__name__)


class EditConflict(Exception):
    """The page changed after the author opened the editor, and the changes overlap."""

    def __init__(self, page: Page, field: str = "body"):
        super().__init__(f"{page.title} changed while it was being edited")
        self.page = page
        self.field = field


class AlreadyDecided(Exception):
    """Another moderator decided this edit first."""

    def __init__(self, proposal: EditProposal):
        super().__init__(f"This edit was already {proposal.get_status_display().lower()}")
        self.proposal = proposal


def slug_error(slug: str, *, page: Page | None) -> str | None:
    """Why this slug cannot be used for this page, or None if it can."""
    if slug_is_reserved(slug):
        return "That web address is used by the site itself. Choose another"
    taken = Page.objects.filter(slug=slug)
    redirected = SlugRedirect.objects.filter(old_slug=slug)
    if page is not None:
        taken = taken.exclude(pk=page.pk)
        redirected = redirected.exclude(page=page)
    if taken.exists():
        return "Another page already uses that web address. Choose another"
    if redirected.exists():
        return "That web address used to belong to another page, and links to it must keep working. Choose another"
    return None


def known_slugs(slugs: set[str]) -> set[str]:
    """Which of these slugs answer: current pages and old addresses that redirect."""
    if not slugs:
        return set()
    current = set(Page.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    return current | set(SlugRedirect.objects.filter(old_slug__in=slugs).values_list("old_slug", flat=True))


def title_slugs_for(body: str) -> dict[str, str]:
    """Lower-cased titles named in [[...]] links, mapped to the slugs of the pages that have them."""
    titles = {title.lower() for title in wiki_link_titles(body)}
    if not titles:
        return {}
    return {title.lower(): slug for title, slug in
            Page.objects.annotate(lower_title=Lower("title")).filter(lower_title__in=titles)
            .values_list("title", "slug")}


def render_page_body(body: str) -> str:
    title_slugs = title_slugs_for(body)
    return render_markdown(body, known_pages=known_slugs(linked_wiki_slugs(body, title_slugs)),
                           title_slugs=title_slugs)


def _publish(*, page: Page | None, content: dict, author, edit_summary: str) -> PageVersion:
    """Make content the page's new current version. Call inside a transaction, with the page locked."""
    now = timezone.now()
    is_new = page is None
    page = page or Page()
    old_slug = page.slug
    for name in CONTENT_FIELDS:
        setattr(page, name, content[name])
    problem = slug_error(page.slug, page=None if is_new else page)
    if problem:
        raise ValidationError({"slug": problem})
    page.body_html = render_page_body(page.body)
    page.revision += 1
    page.published_at = page.changed_at = now
    page.full_clean(exclude=["body_html", "body_text", "replaced_by"])
    with reversion.create_revision(atomic=False):
        page.save()
        reversion.set_user(author)
        reversion.set_comment(edit_summary)
        reversion.set_date_created(now)
        reversion.add_meta(PageVersion, page=page, number=page.revision, title=page.title,
                           body_html=page.body_html, author=author, edit_summary=edit_summary, created_at=now)
    if old_slug and old_slug != page.slug:
        # The old address answers forever; a page moving back to an old address reclaims it.
        SlugRedirect.objects.filter(old_slug=page.slug, page=page).delete()
        SlugRedirect.objects.get_or_create(old_slug=old_slug, defaults={"page": page})
    _update_links(page)
    if is_new or old_slug != page.slug:
        _refresh_pages_linking_to(page)
    search.index_page(page)
    shared.bump("wiki")
    easy_read.touch_partner(page)
    return PageVersion.objects.get(page=page, number=page.revision)


def _update_links(page: Page) -> None:
    targets = linked_wiki_slugs(page.body, title_slugs_for(page.body))
    before = set(page.outgoing_links.values_list("to_slug", flat=True))
    page.outgoing_links.exclude(to_slug__in=targets).delete()
    PageLink.objects.bulk_create([PageLink(from_page=page, to_slug=slug) for slug in targets - before])
    changed = targets ^ before
    if changed:  # their "pages that link here" lists changed
        Page.objects.filter(slug__in=changed).exclude(pk=page.pk).update(changed_at=timezone.now())
        shared.bump("wiki")


def _refresh_pages_linking_to(page: Page) -> None:
    """Links to a page that has just appeared at this address are no longer missing."""
    addresses = {page.slug, wiki_slug(page.title)}
    for linking in Page.objects.filter(outgoing_links__to_slug__in=addresses).exclude(pk=page.pk).distinct():
        linking.body_html = render_page_body(linking.body)
        linking.changed_at = timezone.now()
        linking.save(update_fields=["body_html", "changed_at"])
        shared.bump("wiki")
        _update_links(linking)


def _merge_if_stale(page: Page, base_revision: int, content: dict) -> dict:
    """Merge an edit made against an older version into the current one, or raise EditConflict."""
    if page.revision == base_revision:
        return content
    base_version = PageVersion.objects.filter(page=page, number=base_revision).first()
    if base_version is None:
        raise EditConflict(page)
    current = {name: getattr(page, name) for name in CONTENT_FIELDS}
    try:
        return merge_fields(base_version.content(), current, content)
    except MergeConflict as conflict:
        raise EditConflict(page, field=str(conflict.args[0]) if conflict.args else "body") from None


@transaction.atomic
def propose_edit(*, page: Page | None, author, content: dict, edit_summary: str,
                 base_revision: int) -> EditProposal:
    """Propose a change to a page, or a new page when page is None.

    A moderator's own edit (with two-step verification on) publishes at once; anyone else's waits for review and
    the public keeps seeing the current version. Raises EditConflict when the page
    changed meanwhile in the same places; changes elsewhere are merged.
    """
    if page is not None:
        page = Page.objects.select_for_update().get(pk=page.pk)
        content = _merge_if_stale(page, base_revision, content)
        base_revision = page.revision
    problem = slug_error(content["slug"], page=page)
    if problem:
        raise ValidationError({"slug": problem})
    proposal = EditProposal(page=page, author=author, base_revision=base_revision,
                            edit_summary=edit_summary, **content)
    proposal.preview_html = render_page_body(proposal.body)
    proposal.full_clean(exclude=["preview_html"])
    proposal.save()
    if can_moderate(author):  # publishing without review is a moderator power
        version = _publish(page=page, content=content, author=author, edit_summary=edit_summary)
        proposal.page = version.page
        proposal.status = EditProposal.Status.APPROVED
        proposal.decided_by, proposal.decided_at = author, timezone.now()
        proposal.published_version = version.number
        proposal.save()
    return proposal


@transaction.atomic
def approve_edit(*, proposal: EditProposal, moderator, note: str = "") -> PageVersion:
    """Publish a pending edit. Moderators only; the second of two moderators gets AlreadyDecided."""
    require_moderator(moderator)
    # select_for_update: two moderators may approve at once; one waits here, then sees it decided.
    proposal = EditProposal.objects.select_for_update().get(pk=proposal.pk)
    if not proposal.is_pending():
        raise AlreadyDecided(proposal)
    page = Page.objects.select_for_update().get(pk=proposal.page_id) if proposal.page_id else None
    content = proposal.content()
    if page is not None:
        content = _merge_if_stale(page, proposal.base_revision, content)
    version = _publish(page=page, content=content, author=proposal.author, edit_summary=proposal.edit_summary)
    proposal.page = version.page
    proposal.status = EditProposal.Status.APPROVED
    proposal.decided_by, proposal.decided_at = moderator, timezone.now()
    proposal.decision_reason = note
    proposal.published_version = version.number
    proposal.save()
    log_moderation(moderator=moderator, action="approved an edit", target_label=version.page.title,
                   target_url=version.get_absolute_url(), reason=note)
    _tell_author(proposal)
    return version


@transaction.atomic
def reject_edit(*, proposal: EditProposal, moderator, reason: str) -> EditProposal:
    """Turn down a pending edit with a reason the author will see. Moderators only."""
    require_moderator(moderator)
    if not reason.strip():
        raise ValidationError({"reason": "Tell the author why their edit was not accepted"})
    proposal = EditProposal.objects.select_for_update().get(pk=proposal.pk)
    if not proposal.is_pending():
        raise AlreadyDecided(proposal)
    proposal.status = EditProposal.Status.REJECTED
    proposal.decided_by, proposal.decided_at = moderator, timezone.now()
    proposal.decision_reason = reason.strip()
    proposal.save()
    log_moderation(moderator=moderator, action="did not accept an edit", target_label=proposal.title,
                   target_url=reverse("moderation:review", args=[proposal.pk]), reason=proposal.decision_reason)
    _tell_author(proposal)
    return proposal


@transaction.atomic
def withdraw_edit(*, proposal: EditProposal, author) -> EditProposal:
    """The author takes back their own pending edit."""
    proposal = EditProposal.objects.select_for_update().get(pk=proposal.pk, author=author)
    if not proposal.is_pending():
        raise AlreadyDecided(proposal)
    proposal.status = EditProposal.Status.WITHDRAWN
    proposal.decided_at = timezone.now()
    proposal.save()
    return proposal


@transaction.atomic
def restore_version(*, page: Page, number: int, moderator) -> PageVersion:
    """Publish an earlier version's content as a new version; nothing is lost. Moderators only."""
    require_moderator(moderator)
    page = Page.objects.select_for_update().get(pk=page.pk)
    old = PageVersion.objects.get(page=page, number=number)
    content = old.content()
    version = _publish(page=page, content=content, author=moderator,
                       edit_summary=f"Restored version {number}")
    log_moderation(moderator=moderator, action=f"restored version {number}", target_label=page.title,
                   target_url=version.get_absolute_url())
    return version


@transaction.atomic
def retire_page(*, page: Page, moderator, reason: str, replaced_by: Page | None) -> Page:
    """Take a page down. Its address answers 410 with the reason and where its content went."""
    require_moderator(moderator)
    page = Page.objects.select_for_update().get(pk=page.pk)
    page.retired_at = page.changed_at = timezone.now()
    page.retired_reason = reason
    page.replaced_by = replaced_by
    page.save(update_fields=["retired_at", "retired_reason", "replaced_by", "changed_at"])
    search.index_page(page)
    shared.bump("wiki")
    log_moderation(moderator=moderator, action="retired a page", target_label=page.title,
                   target_url=page.get_absolute_url(), reason=reason)
    return page


def _tell_author(proposal: EditProposal) -> None:
    if not proposal.author.is_active:
        return
    link = settings.SITE_URL + reverse("wiki:my_edits")
    if proposal.status == EditProposal.Status.APPROVED:
        subject = f"Your edit to “{proposal.title}” is published"
        body = (f"Hello {proposal.author.public_name},\n\nThank you. A moderator checked your edit to "
                f"“{proposal.title}” and it is now live.\n")
        if proposal.decision_reason:
            body += f"\nTheir note: {proposal.decision_reason}\n"
    else:
        subject = f"Your edit to “{proposal.title}” was not accepted"
        body = (f"Hello {proposal.author.public_name},\n\nA moderator looked at your edit to "
                f"“{proposal.title}” and did not publish it.\n\nTheir reason: {proposal.decision_reason}\n\n"
                "Your text is kept, so you can change it and send it again.\n")
    body += f"\nSee all your edits: {link}\n\nMyCareBudget\n"
    queue_email(to=proposal.author.email, subject=subject, body=body)


def pending_for_page(page: Page):
    return EditProposal.objects.filter(page=page, status=EditProposal.Status.PENDING)


def backlinks(page: Page):
    """Live pages whose current version links to this page, at its address or an old one."""
    old = SlugRedirect.objects.filter(page=page).values("old_slug")
    return (Page.objects.live().filter(Q(outgoing_links__to_slug=page.slug) | Q(outgoing_links__to_slug__in=old))
            .exclude(pk=page.pk).distinct().only("title", "slug").order_by("title"))
