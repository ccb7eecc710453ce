"""The review checklist, filing documents against it, and the review or audit pack."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import services as document_services
from accounts.filetypes import RefusedFile
from accounts.models import Document, DocumentEvent, DocumentKind
from accounts.sessions import current_sign_in
from accounts.uploads import DocumentUploadHandler, upload_view
from accounts.views import attachment_header, document_key_required
from mycarebudget.access import MEMBER, OWNER, access

from . import pack as packs
from . import services
from .forms import PeriodForm, RecordForm
from .models import ChecklistItem, Record
from .views import _period, budget_required, document_names

KINDS = {ChecklistItem.CARE_PLAN: DocumentKind.CARE_PLAN, ChecklistItem.CONTRACT: DocumentKind.PA_CONTRACT,
         ChecklistItem.TIMESHEET: DocumentKind.TIMESHEET, ChecklistItem.BANK_STATEMENT: DocumentKind.BUDGET_STATEMENT}


@access(MEMBER)
@never_cache
@login_required
@require_safe
@document_key_required
@budget_required
def checklist(request, budget):
    """What a review usually asks for in the period, what is filed and what is missing."""
    form, start, end = _period(request, budget)
    pack = packs.gather(budget, start, end)
    records = [{"record": record, "name": names} for record, names in _record_names(request, budget, start, end)]
    return render(request, "budget/checklist.html", {"pack": pack, "period_form": form, "records": records},
                  status=400 if form.errors else 200)


def _record_names(request, budget, start, end):
    names = document_names(request.user)
    for record in budget.records.order_by("item", "-relates_to"):
        if packs.record_counts(record, start, end):
            yield record, names.get(record.document_id, "")


@access(MEMBER)
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@upload_view(DocumentUploadHandler)
@document_key_required
@budget_required
def record_add(request, budget):
    item = request.GET.get("item") if request.GET.get("item") in ChecklistItem.values else ""
    posted = request.method == "POST"
    form = RecordForm(request.POST if posted else None, request.FILES if posted else None,
                      initial={"item": item, "relates_to": request.GET.get("date", "")},
                      documents=document_names(request.user))
    if posted:
        valid = form.is_valid()
        if getattr(request, "document_too_large", False):
            form.errors.pop("file", None)
            form.add_error("file", "The selected file is larger than 20 MB. Choose a smaller file")
        elif valid:
            data = form.cleaned_data
            try:
                if data["file"]:
                    label = ChecklistItem(data["item"]).label
                    document = document_services.store_document(
                        owner=request.user, upload=data["file"], kind=KINDS.get(data["item"], DocumentKind.OTHER),
                        name=f"{label} {data['relates_to']:%-d %b %Y}", sign_in=current_sign_in(request))
                else:
                    document = get_object_or_404(Document.objects.owned_by(request.user), pk=data["document"])
            except RefusedFile as refusal:
                form.add_error("file", refusal.message)
            else:
                services.add_record(budget=budget, owner=request.user, document=document, item=data["item"],
                                    relates_to=data["relates_to"])
                messages.success(request, "The document has been added to your checklist")
                return redirect("budget:checklist")
    return render(request, "budget/record_form.html", {"form": form}, status=400 if form.errors else 200)


@access(OWNER)
@never_cache
@login_required
@require_POST
@document_key_required
def record_delete(request, pk):
    record = get_object_or_404(Record.objects.owned_by(request.user).select_related("budget"), pk=pk)
    services.delete_record(record=record, owner=request.user)
    messages.success(request, "The document has been taken off your checklist. It is still in your documents")
    return redirect("budget:checklist")


@access(MEMBER)
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@document_key_required
@budget_required
def pack(request, budget):
    """Choose a period and see what the pack holds; the POST sends the zip, built as it goes."""
    if request.method == "POST":
        form = PeriodForm(request.POST)
        if form.is_valid():
            built = packs.gather(budget, form.cleaned_data["start"], form.cleaned_data["end"])
            sign_in = current_sign_in(request)
            for item in built.documents:
                document_services.log_event(owner=request.user, document_id=item.document.pk,
                                            action=DocumentEvent.Action.EXPORTED, version=item.version.number,
                                            sign_in=sign_in)
            return zip_response(packs.stream(built), built.filename)
        start, end = _period(request, budget)[1:]
    else:
        form, start, end = _period(request, budget)
    built = packs.gather(budget, start, end)
    return render(request, "budget/pack.html", {"pack": built, "period_form": form,
                                                "checklist_url": reverse("budget:checklist")},
                  status=400 if form.errors else 200)


def zip_response(stream, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(stream, content_type="application/zip")
    response["Content-Disposition"] = attachment_header(filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


