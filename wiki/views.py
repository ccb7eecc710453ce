"""Wiki pages over HTTP. The rules live in wiki.services; these only translate."""

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mycarebudget import shared, unsent
from mycarebudget.access import MEMBER, MODERATOR, OWNER, POSTER, PUBLIC, TOKEN, access
from mycarebudget.moderation.powers import can_moderate, moderator_required, needs_two_step
from wiki import easy_read, services, watching
from wiki.diff import field_changes, own_change, removes_anything, word_diff
from wiki.feeds import PageFeed, RecentChangesFeed
from wiki.forms import MissingRedirectForm, PageForm, RetireForm, SynonymsForm
from wiki.links import version_body_html
from wiki.models import (
    EditProposal,
    MissingAddress,
    Page,
    PageVersion,
    SearchSynonym,
    SlugRedirect,
    Topic,
    Watch,
    source_pairs,
)

HISTORY_PER_PAGE = 25
MISSING_SHOWN = 50


def _find_page(slug: str, suffix: str = "") -> Page | HttpResponse:
    """The page at this address, or a 301 from an old address, or 404."""
    page = Page.objects.filter(slug=slug).select_related("replaced_by").first()
    if page is not None:
        return page
    moved = SlugRedirect.objects.filter(old_slug=slug).select_related("page").first()
    if moved is not None:
        return HttpResponsePermanentRedirect(reverse("wiki:page_detail", args=[moved.page.slug]) + suffix)
    if slug != slug.lower():  # addresses are lower case; /wiki/Employing-PAs/ is a near miss, not a 404
        return HttpResponsePermanentRedirect(reverse("wiki:page_detail", args=[slug.lower()]) + suffix)
    raise Http404("No such page")


def _missing(request, slug: str) -> HttpResponse:
    """A /wiki/ address with no guide: say so, suggest the closest guides, and count the miss."""
    services.record_missing_address(slug)
    return render(request, "wiki/page_missing.html", {
        "slug": slug, "search_words": " ".join(slug.split("-")), "suggestions": services.closest_guides(slug),
        "crumbs": _crumbs(None, ("Page not found", ""))}, status=404)


def _gone(request, page: Page) -> HttpResponse:
    return render(request, "wiki/page_gone.html",
                  {"page": page, "can_read_retired": _can_read_retired(request.user)}, status=410)


def _can_read_retired(user) -> bool:
    """Moderators (with two-step verification) keep a retired guide's versions, history and diffs."""
    return can_moderate(user)


def _find_readable_page(request, slug: str, suffix: str) -> Page | HttpResponse:
    """Like _find_page, but a retired guide answers 410 at every address, except to moderators."""
    found = _find_page(slug, suffix)
    if isinstance(found, Page) and found.is_retired() and not _can_read_retired(request.user):
        return _gone(request, found)
    return found


def _crumbs(page: Page | None = None, *extra):
    crumbs = [("Guides", reverse("wiki:page_index"))]
    if page is not None:
        crumbs.append((page.title, page.get_absolute_url()))
    return crumbs + list(extra)


@access(PUBLIC)
@require_safe
def page_index(request):
    pages = Page.objects.live().only("title", "slug", "summary", "topic").order_by("topic", "title")
    by_topic = {topic: list(group) for topic, group in groupby(pages, key=lambda page: page.topic)}
    topics = [(Topic(value).label, value, by_topic[value]) for value in Topic.values if value in by_topic]
    return render(request, "wiki/page_index.html", {"topics": topics, "crumbs": [("Guides", "")]})


@access(PUBLIC)
@require_safe
def page_by_id(request, pk):
    """A permanent link by number, for sites that want one that survives any rename."""
    page = get_object_or_404(Page.objects.only("slug"), pk=pk)
    return redirect("wiki:page_detail", page.slug)


@access(PUBLIC)
@require_safe
def version_by_id(request, pk, number):
    """A permanent link to one version ("Link to this version"), whatever the guide is called now."""
    page = get_object_or_404(Page.objects.only("slug"), pk=pk)
    return redirect("wiki:page_version", page.slug, number)


def _guide(slug: str) -> dict | None:
    """A live guide at this address, as wiki/page_detail.html shows it to everyone (mycarebudget.shared);
    None for any other answer (an old address, no guide, a retired one)."""
    try:
        # Readers see the stored article: the Markdown, its plain text and HTML are for editors and search.
        page = Page.objects.live().defer("body", "body_text", "body_html").get(slug=slug)
    except Page.DoesNotExist:
        return None
    return {"page": page, "review_overdue": page.is_review_overdue(), "article": lambda: services.article(page),
            "crumbs": _crumbs(None, (page.get_topic_display(), reverse("wiki:page_index") + f"#{page.topic}"))}


@access(PUBLIC)
@require_safe
@shared.anonymous_page("wiki")
def page_detail(request, slug):
    """A guide. Its article is rendered once for everyone; readers share the whole page while the
    guides' version stands: anonymous readers with ETag and Last-Modified for 304s, members with
    their token added (mycarebudget.shared)."""
    if request.user.is_authenticated:  # every member reads the same guide page
        response = shared.member_page(request, "wiki", "wiki/page_detail.html", (), lambda: _guide(slug))
    elif guide := _guide(slug):
        response = shared.render_page(request, "wiki/page_detail.html", guide)
        response["Last-Modified"] = http_date(guide["page"].changed_at.timestamp())
    else:
        response = None
    if response is not None:
        return response
    try:
        found = _find_page(slug)
    except Http404:
        return _missing(request, slug)  # suggests the closest guides, and counts the miss for moderators
    return found if isinstance(found, HttpResponse) else _gone(request, found)


@access(PUBLIC)
@require_safe
def page_history(request, slug):
    found = _find_readable_page(request, slug, "history/")
    if isinstance(found, HttpResponse):
        return found
    page = found
    versions = PageVersion.objects.filter(page=page).select_related("author").order_by("-number")
    page_obj = Paginator(versions, HISTORY_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "wiki/page_history.html", {
        "page": page, "page_obj": page_obj,
        "crumbs": _crumbs(page, ("History", "")),
    })


@access(PUBLIC)
@require_safe
def page_version(request, slug, number):
    """One version exactly as published: its title, summary, body, sources and dates.

    Its guide links go to the linked guides by their permanent ids (wiki.links)."""
    found = _find_readable_page(request, slug, f"versions/{number}/")
    if isinstance(found, HttpResponse):
        return found
    page = found
    version = get_object_or_404(PageVersion.objects.select_related("author", "revision"), page=page, number=number)
    content = version.content()
    return render(request, "wiki/page_version.html", {
        "page": page, "version": version, "content": content, "body_html": version_body_html(content["body"]),
        "sources": source_pairs(content.get("sources") or ""), "is_moderator": can_moderate(request.user),
        "topic_label": Topic(content["topic"]).label if content.get("topic") in Topic.values else "",
        "crumbs": _crumbs(page, ("History", reverse("wiki:page_history", args=[page.slug])),
                          (f"Version {number}", "")),
    })


@access(PUBLIC)
@require_safe
def page_compare_choose(request, slug):
    """The history page's compare form (a plain GET form) lands here."""
    try:
        a, b = sorted([int(request.GET["a"]), int(request.GET["b"])])
    except (KeyError, ValueError):
        messages.error(request, "Choose two versions to compare")
        return redirect("wiki:page_history", slug)
    return redirect("wiki:page_compare", slug, a, b)


@access(PUBLIC)
@require_safe
def page_compare(request, slug, a, b):
    found = _find_readable_page(request, slug, f"compare/{a}/{b}/")
    if isinstance(found, HttpResponse):
        return found
    page = found
    versions = {v.number: v for v in PageVersion.objects.filter(page=page, number__in=[a, b])
                .select_related("author", "revision")}
    if a not in versions or b not in versions:
        raise Http404("No such version")
    old, new = versions[a].content(), versions[b].content()
    return render(request, "wiki/page_compare.html", {
        "page": page, "old": versions[a], "new": versions[b],
        "changes": field_changes(old, new), "hunks": word_diff(old["body"], new["body"]),
        "crumbs": _crumbs(page, ("History", reverse("wiki:page_history", args=[page.slug])),
                          (f"Compare {a} and {b}", "")),
    })


@access(POSTER)
@login_required
@require_http_methods(["GET", "POST"])
def page_edit(request, slug):
    found = _find_page(slug, "edit/")
    if isinstance(found, HttpResponse):
        return found
    page = found
    if page.is_retired():
        return _gone(request, page)
    form = PageForm(request.POST or None, initial={**PageForm.initial_for(page), **unsent.take(request)})
    conflict = None
    preview = _preview(request, form)
    if preview is None and form.is_valid():
        conflict = _unconfirmed_removals(form, page)
    if preview is None and form.is_valid():
        base = form.cleaned_data.get("base_revision")
        try:
            proposal = services.propose_edit(
                page=page, author=request.user, content=form.content(),
                edit_summary=form.cleaned_data["edit_summary"],
                base_revision=page.revision if base is None else base,
                submission_key=form.cleaned_data["submission_key"])
        except services.EditConflict as error:
            page.refresh_from_db()
            hunks = word_diff(page.body, form.cleaned_data["body"])
            conflict = {"current": page, "hunks": hunks, "removes": removes_anything(hunks)}
            field = error.field if error.field in form.fields else "body"
            form.add_error(field, "This page changed while you were editing it, in the same place as your "
                                  "change. Your text is kept below: compare it with the new version, "
                                  "then send it again")
            # The next send is based on the version the author has now seen, and must confirm
            # anything it would take out of that version (see _unconfirmed_removals).
            form.data = form.data.copy()
            form.data["base_revision"] = form.data["after_conflict"] = page.revision
        except ValidationError as error:
            _attach_errors(form, error)
        else:
            return _after_proposal(request, proposal)
    return render(request, "wiki/page_edit.html", {
        "page": page, "form": form, "conflict": conflict, "is_moderator": can_moderate(request.user),
        "preview": preview,
        "suspension": services.active_suspension(request.user),
        "needs_two_step": needs_two_step(request.user),
        "crumbs": _crumbs(page, ("Edit", "")),
    })


@access(POSTER)
@login_required
@require_http_methods(["GET", "POST"])
def page_new(request):
    form = PageForm(request.POST or None, initial=unsent.take(request))
    preview = _preview(request, form)
    if preview is None and form.is_valid():
        try:
            proposal = services.propose_edit(page=None, author=request.user, content=form.content(),
                                             edit_summary=form.cleaned_data["edit_summary"], base_revision=0,
                                             submission_key=form.cleaned_data["submission_key"])
        except ValidationError as error:
            _attach_errors(form, error)
        else:
            return _after_proposal(request, proposal)
    return render(request, "wiki/page_edit.html", {
        "page": None, "form": form, "is_moderator": can_moderate(request.user), "preview": preview,
        "suspension": services.active_suspension(request.user),
        "needs_two_step": needs_two_step(request.user),
        "crumbs": _crumbs(None, ("New page", "")),
    })


def _unconfirmed_removals(form, page: Page) -> dict | None:
    """After a conflict, sending the same text again would replace the other person's change.
    It goes through only when the author confirms what it removes from the current version;
    otherwise the conflict is shown again with those parts struck through."""
    if form.cleaned_data.get("after_conflict") is None or form.cleaned_data.get("confirm_removals"):
        return None
    hunks = word_diff(page.body, form.cleaned_data["body"])
    if not removes_anything(hunks):
        return None
    form.add_error("confirm_removals", "Your text would remove the parts of the current version that are struck "
                                       "through above. Put them back in your text, or tick to confirm you mean "
                                       "to remove them")
    return {"current": page, "hunks": hunks, "removes": True}


def _preview(request, form) -> dict | None:
    """The rendered text and its content checks, when the editor pressed Preview (nothing is saved)."""
    if request.POST.get("action") != "preview":
        return None
    form.is_valid()
    # The summary of the change is asked for when sending, not to look at a preview.
    form.errors.pop("edit_summary", None)
    if "body" not in form.cleaned_data:
        return None
    html, checks = services.preview(form.cleaned_data["body"])
    return {"html": html, "checks": checks, "title": form.cleaned_data.get("title", ""),
            "summary": form.cleaned_data.get("summary", "")}


def _attach_errors(form, error: ValidationError) -> None:
    """A service's refusal, shown beside the field it is about (the summary links to it)."""
    if not hasattr(error, "error_dict"):  # about the whole edit (a suspension, a limit)
        form.add_error(None, error.messages)
        return
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


def _after_proposal(request, proposal: EditProposal):
    if proposal.status == EditProposal.Status.APPROVED:
        messages.success(request, "Your change is published")
        return redirect("wiki:page_detail", proposal.page.slug)
    messages.success(request, "Thank you. Your edit has been sent to a moderator. You can follow it on "
                              "your “My edits” page")
    return redirect("wiki:my_edit_detail", proposal.pk)


@access(MODERATOR)
@moderator_required
@require_http_methods(["GET", "POST"])
def page_retire(request, slug):
    page = get_object_or_404(Page.objects.live(), slug=slug)
    form = RetireForm(request.POST or None)
    form.fields["replaced_by"].queryset = Page.objects.live().exclude(pk=page.pk).only("title")
    if form.is_valid():
        services.retire_page(page=page, moderator=request.user, reason=form.cleaned_data["reason"],
                             replaced_by=form.cleaned_data["replaced_by"])
        messages.success(request, f"“{page.title}” is retired. Its address now explains why")
        return redirect("wiki:page_index")
    return render(request, "wiki/page_retire.html", {"page": page, "form": form,
                                                      "crumbs": _crumbs(page, ("Retire", ""))})


@access(MODERATOR)
@moderator_required
@require_POST
def page_restore(request, slug, number):
    page = get_object_or_404(Page.objects.live(), slug=slug)
    get_object_or_404(PageVersion, page=page, number=number)
    version = services.restore_version(page=page, number=number, moderator=request.user)
    messages.success(request, f"Version {number} is restored as version {version.number}")
    return redirect("wiki:page_detail", version.page.slug)


@access(PUBLIC)
@require_safe
def recent_feed(request):
    return RecentChangesFeed()(request)


@access(PUBLIC)
@require_safe
def page_feed(request, slug):
    """One guide's changes, for a site that cites it. A retired guide's feed is 410 except to moderators."""
    found = _find_readable_page(request, slug, "feed/")
    if isinstance(found, HttpResponse):
        return found
    return PageFeed(found)(request)


@access(PUBLIC)
@require_safe
def recent_changes(request):
    versions = (PageVersion.objects.filter(page__retired_at__isnull=True)
                .select_related("page", "author").order_by("-created_at", "-pk"))
    page_obj = Paginator(versions, 50).get_page(request.GET.get("page"))
    return render(request, "wiki/recent_changes.html", {
        "page_obj": page_obj, "crumbs": _crumbs(None, ("Recent changes", ""))})


@access(MEMBER)
@login_required
@require_safe
def my_edits(request):
    proposals = EditProposal.objects.filter(author=request.user).select_related("page").order_by("-created_at")
    page_obj = Paginator(proposals, 25).get_page(request.GET.get("page"))
    return render(request, "wiki/my_edits.html", {"page_obj": page_obj,
                                                  "crumbs": _crumbs(None, ("My edits", ""))})


@access(OWNER)
@login_required
@require_safe
def my_edit_detail(request, pk):
    """The author's own edit. Anyone else's gets a 404."""
    proposal = get_object_or_404(EditProposal.objects.select_related("page"), pk=pk, author=request.user)
    return render(request, "wiki/my_edit_detail.html", {
        "proposal": proposal, **own_change(proposal),
        "crumbs": _crumbs(None, ("My edits", reverse("wiki:my_edits")), (proposal.title, ""))})


@access(OWNER)
@login_required
@require_POST
def my_edit_withdraw(request, pk):
    proposal = get_object_or_404(EditProposal, pk=pk, author=request.user)
    try:
        services.withdraw_edit(proposal=proposal, author=request.user)
    except services.AlreadyDecided:
        messages.error(request, "A moderator has already decided this edit")
    else:
        messages.success(request, "Your edit is withdrawn")
    return redirect("wiki:my_edits")


@access(MODERATOR)
@moderator_required
@require_http_methods(["GET", "POST"])
def missing_addresses(request):
    """The /wiki/ addresses most asked for that have no guide; each can become a permanent redirect."""
    form = None
    if request.method == "POST":
        form = MissingRedirectForm(request.POST)
        if form.is_valid():
            try:
                services.redirect_missing_address(slug=form.cleaned_data["slug"], page=form.cleaned_data["target"],
                                                  moderator=request.user)
            except ValidationError as error:
                _attach_errors(form, error)
            else:
                messages.success(request, f"/wiki/{form.cleaned_data['slug']}/ now leads to "
                                          f"“{form.cleaned_data['target'].title}”")
                return redirect("wiki:missing_addresses")
    missing = list(MissingAddress.objects.all()[:MISSING_SHOWN])
    rows = [{"missing": row, "suggestions": services.closest_guides(row.slug),
             "form": form if form is not None and form.data.get("slug") == row.slug else None} for row in missing]
    return render(request, "wiki/missing_addresses.html", {
        "rows": rows, "form": form, "moderation_tab": "missing",
        "crumbs": [("Moderation", reverse("moderation:queue")), ("Missing addresses", "")]},
        status=400 if form is not None else 200)


@access(MODERATOR)
@moderator_required
@require_safe
def reviews_due(request):
    """Guides past their next-review date, and those due within 30 days."""
    today = timezone.localdate()
    pages = list(services.guides_due_for_review())
    return render(request, "wiki/reviews_due.html", {
        "overdue": [page for page in pages if page.next_review < today],
        "due_soon": [page for page in pages if page.next_review >= today], "moderation_tab": "reviews",
        "crumbs": [("Moderation", reverse("moderation:queue")), ("Reviews due", "")]})


@access(MODERATOR)
@moderator_required
@require_http_methods(["GET", "POST"])
def search_synonyms(request):
    """The words search treats as the same, one group per line; moderators keep the list."""
    form = SynonymsForm(request.POST or None, initial={"groups": "\n".join(
        SearchSynonym.objects.values_list("words", flat=True))})
    if form.is_valid():
        services.replace_synonyms(groups=form.cleaned_data["groups"], moderator=request.user)
        messages.success(request, "The search synonyms are saved")
        return redirect("wiki:search_synonyms")
    return render(request, "wiki/search_synonyms.html", {
        "form": form, "moderation_tab": "synonyms",
        "crumbs": [("Moderation", reverse("moderation:queue")), ("Search synonyms", "")]},
        status=400 if form.errors else 200)


@access(MEMBER)
@login_required
@require_http_methods(["GET", "POST"])
def page_watch(request, slug):
    """Watch a guide (an email for each new version) or stop watching it. The guide's own page is
    the same for every reader, so the member's choice lives on this page."""
    found = _find_readable_page(request, slug, "watch/")
    if isinstance(found, HttpResponse):
        return found
    page = found
    if page.is_retired():
        return _gone(request, page)
    if request.method == "POST":
        if request.POST.get("action") == "unwatch":
            services.unwatch_page(page=page, user=request.user)
            messages.success(request, f"You will not get emails about “{page.title}” any more")
        else:
            services.watch_page(page=page, user=request.user)
            messages.success(request, f"You will get an email when “{page.title}” changes")
        return redirect("wiki:page_watch", page.slug)
    watched = (Watch.objects.filter(user=request.user, page__retired_at__isnull=True)
               .select_related("page").only("page__title", "page__slug").order_by("page__title"))
    return render(request, "wiki/page_watch.html", {
        "page": page, "is_watching": any(watch.page_id == page.pk for watch in watched), "watched": watched,
        "crumbs": _crumbs(page, ("Get emails about changes", ""))})


@access(TOKEN)
@csrf_exempt  # the signed token is the credential; mail clients POST here without a session (RFC 8058)
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET shows a confirmation (link scanners only ever GET); POST stops the emails, no sign-in needed."""
    ids = watching.read_unsubscribe_token(token)
    watch = Watch.objects.filter(user_id=ids[0], page_id=ids[1]).select_related("page").first() if ids else None
    page = watch.page if watch else (Page.objects.filter(pk=ids[1]).first() if ids else None)
    if page is None:
        return render(request, "wiki/unsubscribe.html", {"invalid": True}, status=404)
    done = False
    if request.method == "POST":
        Watch.objects.filter(user_id=ids[0], page_id=ids[1]).delete()
        done = True
    return render(request, "wiki/unsubscribe.html", {
        "title": page.title if not page.is_retired() else "a retired guide", "done": done or watch is None,
        "token": token})


@access(MODERATOR)
@moderator_required
@require_http_methods(["GET", "POST"])
def easy_read_check(request, slug):
    """A moderator confirms an Easy Read page still says what its standard page now says."""
    easy = get_object_or_404(Page.objects.live().select_related("easy_read_of"), slug=slug,
                             easy_read_of__isnull=False)
    if request.method == "POST":
        easy_read.confirm_easy_read(easy_read=easy, moderator=request.user)
        messages.success(request, "The Easy Read version is marked as up to date")
        return redirect(easy)
    return render(request, "wiki/easy_read_check.html", {
        "easy": easy, "standard": easy.easy_read_of, "out_of_date": easy.easy_read_is_out_of_date(),
        "crumbs": _crumbs(easy, ("Check the Easy Read version", ""))})
