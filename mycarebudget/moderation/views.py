"""The moderators' pages: the guide edit queue and its reviews, forum reports, and the log.

HTTP only: every decision is made by wiki.services or forum.services, which check the
moderator's power themselves.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Min, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from forum.models import Post, Report, Suspension
from mycarebudget.access import MODERATOR, access
from mycarebudget.moderation.models import DigestPreference, ModerationLogEntry
from mycarebudget.moderation.powers import moderator_required
from wiki import services as wiki_services
from wiki.diff import own_change
from wiki.forms import ApproveForm, RejectForm
from wiki.models import EditProposal

HOME = ("Moderation", "/moderation/")


@access(MODERATOR)
@moderator_required
@require_safe
def queue(request):
    pending = (EditProposal.objects.filter(status=EditProposal.Status.PENDING)
               .select_related("page", "author").order_by("created_at"))
    page_obj = Paginator(pending, 25).get_page(request.GET.get("page"))
    return render(request, "moderation/queue.html", {
        "page_obj": page_obj, "moderation_tab": "edits", "crumbs": [("Moderation", "")]})


@access(MODERATOR)
@moderator_required
@require_safe
def review(request, pk):
    proposal = get_object_or_404(EditProposal.objects.select_related("page", "author", "decided_by"), pk=pk)
    return _review(request, proposal, ApproveForm(), RejectForm())


def _review(request, proposal, approve_form, reject_form, status=200, *, body=None):
    """The edit as approving would publish it now (merged, or with the moderator's own text), with its diff."""
    review = wiki_services.review_of(proposal, body=body) if proposal.is_pending() else own_change(proposal)
    if proposal.is_pending() and not approve_form.is_bound:
        approve_form = ApproveForm(initial={"body": review["merged_body"], "seen_revision": review["seen_revision"]})
    return render(request, "moderation/review.html", {
        "proposal": proposal, "approve_form": approve_form, "reject_form": reject_form,
        "form": reject_form, **review, "moderator_edited": body is not None, "moderation_tab": "edits",
        "crumbs": [("Moderation", reverse("moderation:queue")), (proposal.title, "")],
    }, status=status)


@access(MODERATOR)
@moderator_required
@require_POST
def approve(request, pk):
    proposal = get_object_or_404(EditProposal.objects.select_related("page", "author"), pk=pk)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        return _review(request, proposal, form, RejectForm(), status=400)
    body = form.cleaned_data["body"]
    if request.POST.get("action") == "preview":  # the moderator's text, previewed and diffed; nothing published
        return _review(request, proposal, form, RejectForm(), body=body)
    try:
        version = wiki_services.approve_edit(proposal=proposal, moderator=request.user,
                                             note=form.cleaned_data["note"], body=body,
                                             seen_revision=form.cleaned_data["seen_revision"])
    except wiki_services.AlreadyDecided as error:
        messages.error(request, f"{error}. Nothing more was published")
        return redirect("moderation:review", pk)
    except wiki_services.EditConflict:
        messages.error(request, "Nothing was published. The page changed while you were reviewing, or this "
                                "edit overlaps a later change: check the text below (it is merged into the "
                                "current version), edit it if needed, then preview and publish")
        return redirect("moderation:review", pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("moderation:review", pk)
    messages.success(request, f"Published as version {version.number} of “{version.title}”")
    return redirect("moderation:queue")


@access(MODERATOR)
@moderator_required
@require_POST
def reject(request, pk):
    proposal = get_object_or_404(EditProposal.objects.select_related("page", "author"), pk=pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _review(request, proposal, ApproveForm(), form, status=400)
    try:
        wiki_services.reject_edit(proposal=proposal, moderator=request.user, reason=form.cleaned_data["reason"])
    except wiki_services.AlreadyDecided as error:
        messages.error(request, f"{error}. Your decision was not recorded")
        return redirect("moderation:review", pk)
    messages.success(request, "The edit was not accepted. The author has been told why")
    return redirect("moderation:queue")


@access(MODERATOR)
@moderator_required
@require_safe
def reports(request):
    open_reports = Report.objects.open()
    reported = Post.objects.filter(pk__in=open_reports.values("post_id"))
    # Reports on a moderator's own posts (and who made them) are for the other moderators.
    own = reported.filter(author=request.user)
    reported = (reported.exclude(author=request.user)
                .select_related("author", "topic", "topic__category", "hidden_by")
                .annotate(first_reported_at=Min("reports__created_at",
                                                filter=Q(reports__resolved_at__isnull=True)))
                .prefetch_related(Prefetch("reports", queryset=open_reports.select_related("reporter"),
                                           to_attr="open_reports"))
                .order_by("first_reported_at", "pk"))
    page_obj = Paginator(reported, 20).get_page(request.GET.get("page"))
    held = (Post.objects.filter(is_held=True, deleted_at__isnull=True, hidden_at__isnull=True)
            .select_related("author", "topic", "topic__category").order_by("created_at", "pk"))
    suspensions = Suspension.objects.active().select_related("user", "moderator").order_by("-starts_at")
    return render(request, "moderation/reports.html", {
        "page_obj": page_obj, "reported": page_obj.object_list, "held": held, "suspensions": suspensions,
        "own_reported": own.count(),
        "new_account_hours": int(settings.FORUM_NEW_ACCOUNT_AGE.total_seconds() // 3600),
        "moderation_tab": "reports", "crumbs": [HOME, ("Forum reports", "")],
    })


@access(MODERATOR)
@moderator_required
@require_safe
def log(request):
    entries = ModerationLogEntry.objects.select_related("moderator").order_by("-created_at", "-pk")
    page_obj = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "moderation/log.html", {
        "page_obj": page_obj, "entries": page_obj.object_list,
        "moderation_tab": "log", "crumbs": [HOME, ("Moderation log", "")],
    })


@access(MODERATOR)
@moderator_required
@require_http_methods(["GET", "POST"])
def digest(request):
    """Switch the email digest of waiting edits and reports on or off, for this moderator."""
    preference, _ = DigestPreference.objects.get_or_create(user=request.user)
    if request.method == "POST":
        preference.is_on = request.POST.get("is_on") == "yes"
        preference.save(update_fields=["is_on"])
        messages.success(request, "The email digest is on" if preference.is_on else "The email digest is off")
        return redirect("moderation:digest")
    return render(request, "moderation/digest.html", {
        "preference": preference, "moderation_tab": "digest", "crumbs": [HOME, ("Email digest", "")]})
