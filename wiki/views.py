"""Wiki pages over HTTP. The rules live in wiki.services; these only translate."""

from itertools import groupby

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import http_date
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mycarebudget import shared
from mycarebudget.access import MEMBER, MODERATOR, OWNER, POSTER, PUBLIC, access
from mycarebudget.moderation.powers import can_moderate, moderator_required, needs_two_step
from wiki import easy_read, services
from wiki.diff import field_changes, line_diff, proposal_diff
from wiki.forms import PageForm, RetireForm
from wiki.models import EditProposal, Page, PageVersion, SlugRedirect, Topic

HISTORY_PER_PAGE = 25


def _find_page(slug: str, suffix: str = "", *, defer: tuple[str, ...] = ()) -> Page | HttpResponse:
    """The page at this address, or a 301 from an old address, or 404."""
    page = Page.objects.filter(slug=slug).select_related("replaced_by").defer(*defer).first()
    if page is not None:
        return page
    moved = SlugRedirect.objects.filter(old_slug=slug).select_related("page").first()
    if moved is None:
        raise Http404("No such page")
    return HttpResponsePermanentRedirect(reverse("wiki:page_detail", args=[moved.page.slug]) + suffix)


def _gone(request, page: Page) -> HttpResponse:
    return render(request, "wiki/page_gone.html", {"page": page}, status=410)


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
@shared.anonymous_page("wiki")
def page_detail(request, slug):
    """A guide. Its article is rendered once for everyone (mycarebudget.shared), the page around it
    for each member; anonymous readers share the whole page, with ETag and Last-Modified for 304s."""
    # Readers see the rendered HTML; the Markdown and its plain text are for editors and search.
    found = _find_page(slug, defer=("body", "body_text", "replaced_by__body", "replaced_by__body_html",
                                    "replaced_by__body_text"))
    if isinstance(found, HttpResponse):
        return found
    page = found
    if page.is_retired():
        return _gone(request, page)
    # changed_at moves whenever the article would show something else (its text, its backlinks).
    (article,) = shared.parts("wiki/_article.html", [(
        (page.pk, page.revision, page.changed_at),
        {"page": page, "backlinks": services.backlinks(page), "site_name": settings.SITE_NAME})])
    response = render(request, "wiki/page_detail.html", {
        "page": page, "article": article,
        "crumbs": _crumbs(None, (page.get_topic_display(), reverse("wiki:page_index") + f"#{page.topic}")),
    })
    # Kept for anonymous readers' 304s; a member's page is made private by shared.anonymous_page.
    response["ETag"] = f'"p{page.pk}-r{page.revision}-{page.changed_at.timestamp():.0f}"'
    response["Last-Modified"] = http_date(page.changed_at.timestamp())
    return response


@access(PUBLIC)
@require_safe
def page_history(request, slug):
    found = _find_page(slug, "history/")
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
    found = _find_page(slug, f"versions/{number}/")
    if isinstance(found, HttpResponse):
        return found
    page = found
    version = get_object_or_404(PageVersion.objects.select_related("author"), page=page, number=number)
    return render(request, "wiki/page_version.html", {
        "page": page, "version": version, "is_moderator": can_moderate(request.user),
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
    found = _find_page(slug, f"compare/{a}/{b}/")
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
        "changes": field_changes(old, new), "hunks": line_diff(old["body"], new["body"]),
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
    form = PageForm(request.POST or None, initial=PageForm.initial_for(page))
    conflict = None
    if form.is_valid():
        base = form.cleaned_data.get("base_revision")
        try:
            proposal = services.propose_edit(
                page=page, author=request.user, content=form.content(),
                edit_summary=form.cleaned_data["edit_summary"],
                base_revision=page.revision if base is None else base)
        except services.EditConflict as error:
            page.refresh_from_db()
            conflict = {"current": page, "hunks": line_diff(page.body, form.cleaned_data["body"])}
            field = error.field if error.field in form.fields else "body"
            form.add_error(field, "This page changed while you were editing it, in the same place as your "
                                  "change. Your text is kept below: compare it with the new version, "
                                  "then send it again")
            # The next send is based on the version the author has now seen.
            form.data = form.data.copy()
            form.data["base_revision"] = page.revision
        except ValidationError as error:
            _attach_errors(form, error)
        else:
            return _after_proposal(request, proposal)
    return render(request, "wiki/page_edit.html", {
        "page": page, "form": form, "conflict": conflict, "is_moderator": can_moderate(request.user),
        "needs_two_step": needs_two_step(request.user),
        "crumbs": _crumbs(page, ("Edit", "")),
    })


@access(POSTER)
@login_required
@require_http_methods(["GET", "POST"])
def page_new(request):
    form = PageForm(request.POST or None)
    if form.is_valid():
        try:
            proposal = services.propose_edit(page=None, author=request.user, content=form.content(),
                                             edit_summary=form.cleaned_data["edit_summary"], base_revision=0)
        except ValidationError as error:
            _attach_errors(form, error)
        else:
            return _after_proposal(request, proposal)
    return render(request, "wiki/page_edit.html", {
        "page": None, "form": form, "is_moderator": can_moderate(request.user),
        "needs_two_step": needs_two_step(request.user),
        "crumbs": _crumbs(None, ("New page", "")),
    })


def _attach_errors(form, error: ValidationError) -> None:
    """A service's refusal, shown beside the field it is about (the summary links to it)."""
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
        "proposal": proposal, **proposal_diff(proposal),
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
