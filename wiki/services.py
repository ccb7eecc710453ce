"""Every change to the wiki: proposing, publishing, approving, rejecting, restoring, retiring."""

import difflib
import logging
import math
import re
from datetime import timedelta

import reversion
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Count, F, Max, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString

from mycarebudget import shared
from mycarebudget.forms import save_once
from mycarebudget.mail import queue_email
from mycarebudget.moderation import digest
from mycarebudget.moderation.powers import can_moderate, require_moderator
from mycarebudget.moderation.services import log_moderation
from mycarebudget.text import linked_wiki_slugs, render_markdown, stored_html, wiki_link_titles, wiki_slug
from wiki import anchors, easy_read, search, watching
from wiki.merge import MergeConflict, merge_fields
from wiki.models import (
    CONTENT_FIELDS,
    EditProposal,
    MissingAddress,
    Page,
    PageLink,
    PageVersion,
    SearchSynonym,
    SlugRedirect,
    Watch,
    slug_is_reserved,
)

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


def preview(body: str) -> tuple[str, list]:
    """What an edit's text will look like, and the content checks beside it. Anyone may preview."""
    from wiki.checks import GLOSSARY_SLUG, content_checks

    title_slugs = title_slugs_for(body)
    links = linked_wiki_slugs(body, title_slugs)
    known = known_slugs(links)
    html = render_markdown(body, known_pages=known, title_slugs=title_slugs)
    glossary = Page.objects.live().filter(slug=GLOSSARY_SLUG).values_list("body", flat=True).first() or ""
    return html, content_checks(body=body, body_html=str(html), glossary_body=glossary, known_slugs=known,
                                title_slugs=title_slugs)


def title_error(title: str, *, page: Page | None) -> str | None:
    """Why this title cannot be used (another live guide has it), or None."""
    others = Page.objects.live().filter(title__iexact=title.strip())
    if page is not None:
        others = others.exclude(pk=page.pk)
    other = others.only("slug").first()
    if other is not None:
        return f"Another guide already has this title (/wiki/{other.slug}/). Choose a different title"
    return None


def render_page_body(body: str) -> str:
    title_slugs = title_slugs_for(body)
    return render_markdown(body, known_pages=known_slugs(linked_wiki_slugs(body, title_slugs)),
                           title_slugs=title_slugs)


def _publish(*, page: Page | None, content: dict, author, edit_summary: str,
             rendered: dict[str, str] | None = None) -> PageVersion:
    """Make content the page's new current version. Call inside a transaction, with the page locked.

    ``rendered`` maps a body to its HTML, rendered before the lock was taken; a body not in it
    (merged while locked) is rendered here."""
    now = timezone.now()
    is_new = page is None
    page = page or Page()
    old_slug, old_title = page.slug, page.title
    for name in CONTENT_FIELDS:
        setattr(page, name, content[name])
    problem = slug_error(page.slug, page=None if is_new else page)
    if problem:
        raise ValidationError({"slug": problem})
    problem = title_error(page.title, page=None if is_new else page)
    if problem:
        raise ValidationError({"title": problem})
    new_html = (rendered or {}).get(page.body) or render_page_body(page.body)
    page.anchor_aliases = anchors.updated_aliases(page.anchor_aliases or {}, page.body_html, new_html)
    page.body_html = anchors.with_aliases(new_html, page.anchor_aliases)
    page.revision += 1
    page.published_at = page.changed_at = now
    page.full_clean(exclude=["body_html", "body_text", "replaced_by", "anchor_aliases"])
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
    # Renamed, it shows under another name in the "pages that link here" of every page it links to.
    _update_links(page, renamed=(old_slug, old_title) != (page.slug, page.title))
    if is_new or old_slug != page.slug:
        _refresh_pages_linking_to(page)
    transaction.on_commit(lambda: article(Page.objects.defer("body", "body_text").get(pk=page.pk)))  # not at a visit
    search.index_page(page)  # (saving the page bumped the guides' shared copies: wiki.apps)
    easy_read.touch_partner(page)
    version = PageVersion.objects.select_related("page").get(page=page, number=page.revision)
    if not is_new:
        watching.notify_watchers(version)
    return version


def _update_links(page: Page, *, renamed: bool = False) -> None:
    targets = linked_wiki_slugs(page.body, title_slugs_for(page.body))
    before = set(page.outgoing_links.values_list("to_slug", flat=True))
    page.outgoing_links.exclude(to_slug__in=targets).delete()
    PageLink.objects.bulk_create([PageLink(from_page=page, to_slug=slug) for slug in targets - before])
    _touch_linked(page, (targets | before) if renamed else (targets ^ before))


def _touch_linked(page: Page, slugs) -> None:
    """The "pages that link here" lists of the pages at these addresses changed (wiki.services.article)."""
    if slugs:
        Page.objects.filter(slug__in=slugs).exclude(pk=page.pk).touch()


def _refresh_pages_linking_to(page: Page) -> None:
    """Links to a page that has just appeared at this address are no longer missing."""
    addresses = {page.slug, wiki_slug(page.title)}
    for linking in Page.objects.filter(outgoing_links__to_slug__in=addresses).exclude(pk=page.pk).distinct():
        linking.body_html = anchors.with_aliases(render_page_body(linking.body), linking.anchor_aliases)
        linking.changed_at = timezone.now()
        linking.save(update_fields=["body_html", "changed_at"])
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


def _wait_words(seconds: float) -> str:
    if seconds < 60:
        return f"{max(1, math.ceil(seconds))} seconds"
    return f"{math.ceil(seconds / 60)} minutes"


def active_suspension(user):
    """The member's suspension in force, if any (suspensions are the forum's, and cover the guides too)."""
    from forum.services import active_suspension as forum_suspension

    return forum_suspension(user)


def check_may_propose(author) -> None:
    """Refuse suspended members, and members proposing faster than the forum lets them post.

    The same limits as forum posts (settings.FORUM_*), counted in the database so they
    hold across workers. Moderators are not limited.
    """
    from forum.services import is_new_account

    if active_suspension(author) is not None:
        raise ValidationError("Your account is suspended, so you can read the guides but not suggest changes "
                              "to them", code="suspended")
    if can_moderate(author):
        return
    now = timezone.now()
    recent = EditProposal.objects.filter(author=author, created_at__gt=now - timedelta(hours=1))
    stats = recent.aggregate(count=Count("pk"), last=Max("created_at"))
    if stats["last"] is not None:
        gap = (stats["last"] + timedelta(seconds=settings.FORUM_MIN_SECONDS_BETWEEN_POSTS) - now).total_seconds()
        if gap > 0:
            raise ValidationError(f"You are sending changes too quickly. Try again in {_wait_words(gap)}",
                                  code="too_fast")
    limit = settings.FORUM_NEW_ACCOUNT_POSTS_PER_HOUR if is_new_account(author) else settings.FORUM_POSTS_PER_HOUR
    if stats["count"] >= limit:
        oldest = recent.order_by("created_at").values_list("created_at", flat=True)[stats["count"] - limit]
        wait = (oldest + timedelta(hours=1) - now).total_seconds()
        raise ValidationError(f"You have reached the limit of {limit} suggested changes an hour. "
                              f"Try again in {_wait_words(wait)}", code="too_fast")


def _sent_before(author, submission_key: str) -> EditProposal | None:
    """The proposal this form already made, when the same form is sent again."""
    if not submission_key:
        return None
    return EditProposal.objects.filter(author=author, submission_key=submission_key).select_related("page").first()


def _same_change_waiting(page: Page | None, author, content: dict, base_revision: int) -> EditProposal | None:
    """The very same change from this member, still waiting: the form sent again after Back (which
    makes a new key). As Discourse refuses a post identical to the one just made, it is not stored twice."""
    if not author.is_authenticated:
        return None
    waiting = EditProposal.objects.filter(author=author, page=page, base_revision=base_revision,
                                          status=EditProposal.Status.PENDING, body=content["body"])
    return next((proposal for proposal in waiting if proposal.content() == content), None)


@transaction.atomic
def propose_edit(*, page: Page | None, author, content: dict, edit_summary: str,
                 base_revision: int, submission_key: str = "") -> EditProposal:
    """Propose a change to a page, or a new page when page is None.

    A moderator's own edit (with two-step verification on) publishes at once; anyone else's waits for review and
    the public keeps seeing the current version. Raises EditConflict when the page
    changed meanwhile in the same places; changes elsewhere are merged. Refuses
    suspended members and members sending too fast (ValidationError).

    submission_key: the edit form's hidden key. The same form sent again (a double click, or
    sending again after a slow answer) returns the proposal it made the first time, with no error.
    """
    # Both before the rate limit, which would refuse a form sent again as "too quickly".
    existing = (_sent_before(author, submission_key)
                or _same_change_waiting(page, author, content, base_revision))
    if existing is not None:
        return existing
    try:
        check_may_propose(author)
    except ValidationError:
        # The same form sent twice at once: its twin may have stored it since the look-up above.
        existing = _sent_before(author, submission_key)
        if existing is None:
            raise
        return existing
    # Rendered before the page's row is locked: rendering has a time budget, and no other edit of this
    # page should wait for it. Only a body merged with a later change is rendered again, under the lock.
    rendered = {content["body"]: render_page_body(content["body"])}
    if page is not None:
        page = Page.objects.select_for_update().get(pk=page.pk)
        existing = _sent_before(author, submission_key)  # it held the page lock and committed while we waited
        if existing is not None:
            return existing
        content = _merge_if_stale(page, base_revision, content)
        base_revision = page.revision
    problem = slug_error(content["slug"], page=page)
    if problem:
        raise ValidationError({"slug": problem})
    problem = title_error(content["title"], page=page)
    if problem:
        raise ValidationError({"title": problem})
    proposal = EditProposal(page=page, author=author, base_revision=base_revision,
                            edit_summary=edit_summary, submission_key=submission_key, **content)
    proposal.preview_html = rendered.get(proposal.body) or render_page_body(proposal.body)
    proposal.full_clean(exclude=["preview_html", "submission_key"])
    # The same form twice at once (a new guide has no row to lock): the loser returns the winner's.
    saved = save_once(proposal, lambda: _sent_before(author, submission_key))
    if saved is not proposal:
        return saved
    if not can_moderate(author):
        digest.after_new_item()
    if can_moderate(author):  # publishing without review is a moderator power
        version = _publish(page=page, content=content, author=author, edit_summary=edit_summary,
                           rendered=rendered)
        proposal.page = version.page
        proposal.status = EditProposal.Status.APPROVED
        proposal.decided_by, proposal.decided_at = author, timezone.now()
        proposal.published_version = version.number
        proposal.save()
    return proposal


def content_to_publish(proposal: EditProposal, page: Page | None = None) -> tuple[dict, list[str]]:
    """What approving this edit would publish now, and the fields where it overlaps a later change.

    An edit written against an older version is merged into the current one (changes in
    different places both survive). Where both changed the same place, the current
    version's text is kept for that field and the field is named, so nothing the other
    editor wrote is dropped unseen; a moderator resolves it by editing the text.
    """
    content = proposal.content()
    page = page or proposal.page
    if page is None or page.revision == proposal.base_revision:
        return content, []
    current = {name: getattr(page, name) for name in CONTENT_FIELDS}
    base_version = PageVersion.objects.filter(page=page, number=proposal.base_revision).first()
    if base_version is None:
        return current, ["body"]
    base = base_version.content()
    merged, conflicts = {}, []
    for name in CONTENT_FIELDS:
        try:
            merged.update(merge_fields({name: base.get(name)}, {name: current[name]}, {name: content[name]}))
        except MergeConflict:
            merged[name] = current[name]
            conflicts.append(name)
    return merged, conflicts


def review_of(proposal: EditProposal, *, body: str | None = None) -> dict:
    """Exactly what approving would publish, against the current version: its diff, preview and conflicts.

    body: the moderator's own edit of the merged text, when they resolve a stale or overlapping edit.
    """
    from wiki.diff import field_changes, word_diff

    content, conflicts = content_to_publish(proposal)
    if body is not None:
        content = {**content, "body": body}
        conflicts = [name for name in conflicts if name != "body"]
    current = ({name: getattr(proposal.page, name) for name in CONTENT_FIELDS} if proposal.page_id
               else {name: "" for name in CONTENT_FIELDS})
    return {"changes": field_changes(current, content), "hunks": word_diff(current["body"], content["body"]),
            "is_stale": bool(proposal.page_id and proposal.page.revision != proposal.base_revision),
            "conflicts": conflicts, "merged_body": content["body"],
            "seen_revision": proposal.page.revision if proposal.page_id else 0,
            "preview_html": render_page_body(content["body"]), "publish_title": content["title"],
            "publish_summary": content["summary"], "author_hunks": _author_change(proposal) if conflicts else []}


def _author_change(proposal: EditProposal) -> list:
    """The author's own change, against the version they edited (what a moderator merges by hand)."""
    from wiki.diff import word_diff

    base = PageVersion.objects.filter(page=proposal.page, number=proposal.base_revision).first()
    return word_diff(base.content()["body"] if base else "", proposal.body)


@transaction.atomic
def approve_edit(*, proposal: EditProposal, moderator, note: str = "", body: str | None = None,
                 seen_revision: int | None = None) -> PageVersion:
    """Publish a pending edit, merged into the current version. Moderators only.

    body: the moderator's edit of the merged text (how a stale or overlapping edit is resolved).
    seen_revision: the version the moderator reviewed against; if the page has changed since,
    EditConflict, so nothing is published that the moderator did not see. An edit that overlaps
    a later change, with no body from the moderator, is EditConflict too. The second of two
    moderators gets AlreadyDecided.
    """
    require_moderator(moderator)
    # What it will most likely publish, rendered before any row is locked (a body that changes
    # meanwhile is rendered again under the lock).
    expected = body if body is not None else content_to_publish(proposal)[0]["body"]
    rendered = {expected: render_page_body(expected)}
    # select_for_update: two moderators may approve at once; one waits here, then sees it decided.
    proposal = EditProposal.objects.select_for_update().get(pk=proposal.pk)
    if not proposal.is_pending():
        raise AlreadyDecided(proposal)
    page = Page.objects.select_for_update().get(pk=proposal.page_id) if proposal.page_id else None
    if page is not None and seen_revision is not None and seen_revision != page.revision:
        raise EditConflict(page)
    content, conflicts = content_to_publish(proposal, page)
    edit_summary = proposal.edit_summary
    if body is not None and body != content["body"]:
        content["body"] = body
        conflicts = [name for name in conflicts if name != "body"]
        edit_summary = f"{edit_summary} (merged by a moderator)"[:300]
    if conflicts and page is not None:
        raise EditConflict(page, field=conflicts[0])
    version = _publish(page=page, content=content, author=proposal.author, edit_summary=edit_summary,
                       rendered=rendered)
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
    content = PageVersion.objects.get(page=page, number=number).content()
    rendered = {content["body"]: render_page_body(content["body"])}  # before the lock, as in propose_edit
    page = Page.objects.select_for_update().get(pk=page.pk)
    version = _publish(page=page, content=content, author=moderator,
                       edit_summary=f"Restored version {number}", rendered=rendered)
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
    _touch_linked(page, set(page.outgoing_links.values_list("to_slug", flat=True)))
    easy_read.touch_partner(page)
    search.index_page(page)
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
                f"“{proposal.title}” and it is now live:\n{settings.SITE_URL}{proposal.page.get_absolute_url()}\n")
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


# Everything wiki/_article.html shows of the page's own row. What it shows of other pages (its backlinks,
# its Easy Read partner) moves changed_at when it changes (_touch_linked, easy_read.touch_partner).
ARTICLE_FIELDS = ("pk", "slug", "title", "summary", "topic", "sources", "last_checked", "next_review", "revision",
                  "published_at", "changed_at", "easy_read_of_id", "easy_read_checked_revision")


def article(page: Page) -> SafeString:
    """The page's article as every reader sees it, kept with the page: made again only when something it
    shows has changed, or the code has (a deploy)."""
    key = shared.part_key("wiki/_article.html", [getattr(page, name) for name in ARTICLE_FIELDS])
    if page.article_key != key:
        html = shared.render_part("wiki/_article.html", {
            "page": page, "backlinks": backlinks(page), "site_name": settings.SITE_NAME})
        try:  # never over a newer change's article (a reader's copy of the row may be older than the row)
            Page.objects.filter(pk=page.pk, changed_at=page.changed_at).update(article_html=html, article_key=key)
        except DatabaseError:  # (a busy database: the reader still gets it, and the next one stores it)
            logger.warning("The article of page %s was not stored", page.pk, exc_info=True)
        page.article_html, page.article_key = html, key
    return stored_html(page.article_html)


def backlinks(page: Page):
    """Live pages whose current version links to this page, at its address or an old one."""
    old = SlugRedirect.objects.filter(page=page).values("old_slug")
    return (Page.objects.live().filter(Q(outgoing_links__to_slug=page.slug) | Q(outgoing_links__to_slug__in=old))
            .exclude(pk=page.pk).distinct().only("title", "slug").order_by("title"))


# --- addresses people ask for that have no guide ---------------------------------------------

MISSING_SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


def record_missing_address(slug: str) -> None:
    """Count a request for a /wiki/ address with no guide (one UPDATE, or an INSERT the first time)."""
    if not MISSING_SLUG_PATTERN.match(slug):
        return
    now = timezone.now()
    if not MissingAddress.objects.filter(slug=slug).update(hits=F("hits") + 1, last_requested_at=now):
        MissingAddress.objects.get_or_create(slug=slug, defaults={"hits": 1, "first_requested_at": now,
                                                                  "last_requested_at": now})


def closest_guides(slug: str, *, limit: int = 3) -> list[Page]:
    """The live guides a mistyped address most likely meant: close addresses first, then a search of its words."""
    slugs = list(Page.objects.live().values_list("slug", flat=True))
    close = difflib.get_close_matches(slug.lower(), slugs, n=limit, cutoff=0.6)
    pages = {page.slug: page for page in Page.objects.live().filter(slug__in=close).only("title", "slug", "summary")}
    found = [pages[s] for s in close if s in pages]
    if len(found) < limit:
        hits, _, _ = search.search_pages(" ".join(slug.split("-")), limit=limit)
        by_url = {page.get_absolute_url() for page in found}
        extra = [hit.url.strip("/").rpartition("/")[2] for hit in hits if hit.url not in by_url]
        more = {page.slug: page for page in Page.objects.live().filter(slug__in=extra).only("title", "slug", "summary")}
        found += [more[s] for s in extra if s in more][: limit - len(found)]
    return found


@transaction.atomic
def redirect_missing_address(*, slug: str, page: Page, moderator) -> SlugRedirect:
    """Make a requested address with no guide a permanent redirect to a guide. Moderators only."""
    require_moderator(moderator)
    if slug_is_reserved(slug) or Page.objects.filter(slug=slug).exists():
        raise ValidationError({"target": "That address now belongs to a guide, so it cannot redirect"})
    if SlugRedirect.objects.filter(old_slug=slug).exists():
        raise ValidationError({"target": "That address already redirects to a guide"})
    redirect = SlugRedirect.objects.create(old_slug=slug, page=page)
    MissingAddress.objects.filter(slug=slug).delete()
    log_moderation(moderator=moderator, action="redirected a missing address", target_label=f"/wiki/{slug}/",
                   target_url=page.get_absolute_url())
    return redirect


def guides_due_for_review(*, within_days: int = 30):
    """Live guides whose next review is past or within the coming days, the most overdue first."""
    horizon = timezone.localdate() + timedelta(days=within_days)
    return Page.objects.live().filter(next_review__lte=horizon).only(
        "title", "slug", "next_review", "last_checked").order_by("next_review", "title")


@transaction.atomic
def replace_synonyms(*, groups: list[str], moderator) -> None:
    """Make these the search synonym groups (one string of comma-separated phrases each). Moderators only."""
    require_moderator(moderator)
    SearchSynonym.objects.exclude(words__in=groups).delete()
    for words in groups:
        SearchSynonym.objects.get_or_create(words=words)
    log_moderation(moderator=moderator, action="changed the search synonyms", target_label="Search synonyms",
                   target_url=reverse("wiki:search_synonyms"))


def watch_page(*, page: Page, user) -> None:
    """Email this member when the guide gets a new version. Signed-in members; a retired guide cannot be watched."""
    if not user.is_authenticated or page.is_retired():
        raise PermissionDenied
    Watch.objects.get_or_create(user=user, page=page)


def unwatch_page(*, page: Page, user) -> None:
    Watch.objects.filter(user=user, page=page).delete()
