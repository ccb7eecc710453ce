"""Sharing with a professional: the owner's pages, and the read-only link a care co-ordinator opens.

A link that is wrong, expired or revoked gets exactly the 404 page of an address that never
existed. Every opening, wrong passcode and download goes into the owner's log for that link.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import services as document_services
from accounts.models import Document
from accounts.sessions import client_ip
from accounts.views import attachment_header, document_key_required
from mycarebudget.access import MEMBER, OWNER, TOKEN, access
from mycarebudget.ratelimits import form_again, too_many_requests, wait_words

from . import pack as packs
from . import services
from .forms import PasscodeForm, ShareForm
from .models import Share, ShareOpening
from .pack_views import zip_response
from .views import _period, budget_required, document_names

SESSION_KEY = "budget_shares_unlocked"
LINK_REQUESTS_PER_MINUTE = 30  # per address, over every shared link
WRONG_PASSCODES = 5  # per link, per 15 minutes
PASSCODE_WINDOW = 15 * 60


def _count(key: str, seconds: int) -> int:
    """Add one to a counter kept in the cache (Redis in production, shared by every worker)."""
    cache.add(key, 0, seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, seconds)
        return 1


# The owner's pages -----------------------------------------------------------------------------------------------

@access(MEMBER)
@never_cache
@login_required
@require_safe
@document_key_required
@budget_required
def share_list(request, budget):
    from django.utils import timezone

    now = timezone.now()
    shares = budget.shares.prefetch_related("openings", "documents")
    rows = [{"share": share, "recipient": services.read_recipient(share, budget), "live": share.is_live(now),
             "openings": len(share.openings.all())} for share in shares]
    return render(request, "budget/share_list.html", {"rows": rows})


@access(MEMBER)
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@document_key_required
@budget_required
def share_add(request, budget):
    documents = document_names(request.user)
    start, end = _period(request, budget)[1:]
    form = ShareForm(request.POST if request.method == "POST" else None, documents=documents,
                     initial={"start": start, "end": end, "contents": "pack" if "start" in request.GET else ""})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = list(Document.objects.owned_by(request.user).filter(pk__in=data["documents"])) \
            if data["contents"] == Share.Contents.DOCUMENTS else []
        try:
            share, token, passcode = services.create_share(
                budget=budget, owner=request.user, recipient=data["recipient"].strip(), contents=data["contents"],
                days=data["days"], period_from=data["start"] if data["contents"] == "pack" else None,
                period_to=data["end"] if data["contents"] == "pack" else None, documents=chosen,
                with_passcode=data["passcode"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # Shown once, on the next page: only a hash of the link is kept.
            request.session["budget_new_share"] = {"id": str(share.pk), "token": token, "passcode": passcode}
            return redirect(share)
    return render(request, "budget/share_form.html", {"form": form}, status=400 if form.errors else 200)


def _owned_share(request, pk) -> Share:
    return get_object_or_404(Share.objects.owned_by(request.user).select_related("budget"), pk=pk)


@access(OWNER)
@never_cache
@login_required
@require_safe
@document_key_required
def share_detail(request, pk):
    from django.utils import timezone

    share = _owned_share(request, pk)
    budget = share.budget
    fresh = request.session.pop("budget_new_share", None)
    if fresh and fresh.get("id") != str(share.pk):
        fresh = None
    link = request.build_absolute_uri(f"/account/budget/shared/{fresh['token']}/") if fresh else ""
    names = document_names(request.user)
    return render(request, "budget/share_detail.html", {
        "share": share, "recipient": services.read_recipient(share, budget), "live": share.is_live(timezone.now()),
        "link": link, "passcode": fresh["passcode"] if fresh else "",
        "documents": [names.get(document.pk, "") for document in share.documents.all()],
        "openings": share.openings.all()})


@access(OWNER)
@never_cache
@login_required
@require_POST
@document_key_required
def share_revoke(request, pk):
    share = _owned_share(request, pk)
    services.revoke_share(share=share, owner=request.user)
    messages.success(request, "The link has been stopped. Anyone who opens it now sees ‘Page not found’")
    return redirect(share)


# The shared link ---------------------------------------------------------------------------------------------

def shared_link(view):
    """Rate-limited by address; finds a live share or answers 404 exactly like a missing page."""

    @wraps(view)
    def wrapper(request, token, *args, **kwargs):
        if _count(f"budget-share-ip:{client_ip(request)}", 60) > LINK_REQUESTS_PER_MINUTE:
            return too_many_requests(request, wait_seconds=60)
        share = services.find_live_share(token)
        if share is None:
            raise Http404
        response = view(request, share, token, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        # Referrer-Policy stays the site's same-origin: the link never leaves for another site, and
        # no-referrer would make the browser send "Origin: null", which fails the passcode form's CSRF check.
        return response

    return wrapper


def _unlocked(request, share: Share) -> bool:
    return not share.passcode_hash or str(share.pk) in request.session.get(SESSION_KEY, [])


@access(TOKEN)
@never_cache
@require_http_methods(["GET", "POST"])
@document_key_required
@shared_link
def shared(request, share, token):
    """What the professional sees: who it is for, until when, and the pack or documents to download."""
    budget = share.budget
    form = PasscodeForm(request.POST if request.method == "POST" else None)
    if not _unlocked(request, share):
        if request.method == "POST" and form.is_valid():
            key = f"budget-share-passcode:{share.pk}"
            if (cache.get(key) or 0) >= WRONG_PASSCODES:
                form.add_error("passcode", f"Too many wrong passcodes. Try again in {wait_words(PASSCODE_WINDOW)}")
                return form_again(request, template_name="budget/shared_passcode.html", form=form,
                                  wait_seconds=PASSCODE_WINDOW)
            if services.check_passcode(share, form.cleaned_data["passcode"]):
                request.session[SESSION_KEY] = [*request.session.get(SESSION_KEY, []), str(share.pk)]
                request.session.cycle_key()
                return redirect(request.path)
            _count(key, PASSCODE_WINDOW)
            services.record_opening(share=share, action=ShareOpening.Action.WRONG_PASSCODE,
                                    user_agent=request.headers.get("User-Agent", ""))
            form.add_error("passcode", "The passcode is not right. Check it with the person who shared this")
        return render(request, "budget/shared_passcode.html", {"form": form}, status=400 if form.errors else 200)
    services.record_opening(share=share, action=ShareOpening.Action.OPENED,
                            user_agent=request.headers.get("User-Agent", ""))
    built = _pack_for(share)
    return render(request, "budget/shared.html", {
        "share": share, "pack": built, "recipient": services.read_recipient(share, budget), "token": token,
        "owner_name": budget.owner.public_name})


def _pack_for(share: Share) -> packs.Pack:
    budget = share.budget
    if share.contents == Share.Contents.PACK:
        return packs.gather(budget, share.period_from, share.period_to)
    documents = list(share.documents.filter(owner=budget.owner))
    return packs.gather(budget, budget.starts_on, budget.starts_on, only_documents=documents)


@access(TOKEN)
@never_cache
@require_safe
@document_key_required
@shared_link
def shared_download(request, share, token):
    if not _unlocked(request, share):
        raise Http404
    built = _pack_for(share)
    services.record_opening(share=share, action=ShareOpening.Action.DOWNLOADED_PACK,
                            user_agent=request.headers.get("User-Agent", ""))
    name = built.filename if share.contents == Share.Contents.PACK else "shared-documents.zip"
    return zip_response(packs.stream(built, include_summary=share.contents == Share.Contents.PACK), name)


@access(TOKEN)
@never_cache
@require_safe
@document_key_required
@shared_link
def shared_document(request, share, token, document_id):
    if not _unlocked(request, share):
        raise Http404
    built = _pack_for(share)
    item = next((item for item in built.documents if item.document.pk == document_id), None)
    if item is None:
        raise Http404
    services.record_opening(share=share, action=ShareOpening.Action.DOWNLOADED_DOCUMENT,
                            user_agent=request.headers.get("User-Agent", ""))
    chunks = document_services.open_version(document=item.document, version=item.version, owner=share.budget.owner)
    response = StreamingHttpResponse(chunks, content_type=item.version.content_type)
    response["Content-Length"] = str(item.version.size)
    response["Content-Disposition"] = attachment_header(item.path.rsplit("/", 1)[-1])
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
