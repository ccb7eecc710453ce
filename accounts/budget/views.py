"""Your budget's pages. HTTP only: the rules live in services (writes) and figures (sums).

Every private object is fetched through a query scoped to the signed-in member, so anyone else,
moderators and staff included, gets the same 404 as for an id that never existed.
"""

from __future__ import annotations

import datetime
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import services as document_services
from accounts.filetypes import RefusedFile
from accounts.models import Document, DocumentKind
from accounts.sessions import current_sign_in
from accounts.uploads import DocumentUploadHandler, upload_view
from accounts.views import document_key_required
from mycarebudget.access import MEMBER, OWNER, access

from . import figures, services
from .forms import SUGGESTED_LINES, BudgetForm, EntryForm, PeriodForm, PlanFormSet
from .models import Budget, Entry


def budget_required(view):
    """Pages of a budget: a member who has not set one up yet is sent to the start page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        budget = Budget.objects.owned_by(request.user).first()
        if budget is None:
            return redirect("budget:overview")
        return view(request, budget, *args, **kwargs)

    return wrapper


def _owned_entry(request, pk) -> Entry:
    return get_object_or_404(Entry.objects.owned_by(request.user).select_related("budget", "category"), pk=pk)


def document_names(user) -> dict:
    """The member's documents by id, with their decrypted names, newest first."""
    return {document.pk: document_services.read_details(document).name
            for document in Document.objects.owned_by(user)}


def _period(request, budget: Budget) -> tuple[PeriodForm, datetime.date, datetime.date]:
    start, end = figures.budget_year(budget, timezone.localdate())
    form = PeriodForm(request.GET if "start" in request.GET else None,
                      initial={"start": start, "end": end})
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    return form, start, end


def chart(summary: figures.Summary) -> dict:
    """Bar positions for the month-by-month chart (an SVG drawn on the server: no script needed)."""
    height, base, bar, gap = 220, 190, 18, 14
    scale = summary.chart_scale
    bars, labels = [], []
    for index, row in enumerate(summary.months):
        left = gap + index * (2 * bar + gap)
        for offset, (kind, value) in enumerate((("in", row.money_in), ("out", row.money_out))):
            size = round(value * (base - 10) / scale)
            bars.append({"x": left + offset * bar, "y": base - size, "width": bar, "height": size, "kind": kind})
        labels.append({"x": left + bar, "text": row.month.strftime("%b %y")})
    width = gap + len(summary.months) * (2 * bar + gap)
    # Drawn at twice its units, never wider than the page: a few months must not make a giant chart.
    return {"width": width, "display_width": min(width * 2, 720), "height": height, "base": base,
            "label_y": base + 20, "bars": bars, "labels": labels}


# Overview and set-up ---------------------------------------------------------------------------------------

@access(MEMBER)
@never_cache
@login_required
@require_safe
@document_key_required
def overview(request):
    budget = Budget.objects.owned_by(request.user).first()
    if budget is None:
        return render(request, "budget/start.html")
    form, start, end = _period(request, budget)
    names = services.category_names(budget)
    summary = figures.summarise(budget, start, end, names)
    return render(request, "budget/overview.html", {
        "budget": budget, "summary": summary, "period_form": form, "chart": chart(summary),
        "weekly": figures.weekly_pence(budget), "payer": services.read_payer(budget),
    }, status=400 if form.errors else 200)


def _settings_from(data) -> services.BudgetSettings:
    return services.BudgetSettings(
        management=data["management"], payer=data["payer"].strip(), amount_pence=data["amount"],
        frequency=data["frequency"], starts_on=data["starts_on"], opening_balance_pence=data["opening_balance"],
        contingency_weeks=data["contingency_weeks"], employs_pas=data["employs_pas"],
        closed_until=data.get("closed_until"))


def _plan_rows(formset) -> list:
    return [form.cleaned_data for form in formset.forms if form.cleaned_data]


@access(MEMBER)
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@document_key_required
def setup(request):
    """Set up the budget (first time, with the plan lines) or change its settings."""
    budget = Budget.objects.owned_by(request.user).first()
    data = request.POST if request.method == "POST" else None
    initial = {}
    if budget is not None:
        initial = {"management": budget.management, "payer": services.read_payer(budget),
                   "amount": figures.money(budget.amount_pence).removeprefix("£"), "frequency": budget.frequency,
                   "starts_on": budget.starts_on, "contingency_weeks": budget.contingency_weeks,
                   "opening_balance": (figures.money(budget.opening_balance_pence).replace("£", "")
                                       if budget.opening_balance_pence else ""),
                   "employs_pas": "yes" if budget.employs_pas else "no", "closed_until": budget.closed_until}
    form = BudgetForm(data, initial=initial)
    formset = None
    if budget is None:
        formset = PlanFormSet(data, prefix="plan", initial=[{"name": name} for name in SUGGESTED_LINES]
                              + [{}, {}, {}])
    if request.method == "POST" and form.is_valid() and (formset is None or formset.is_valid()):
        try:
            if budget is None:
                lines = [(row["name"].strip(), row["planned"]) for row in _plan_rows(formset)
                         if row.get("planned") is not None]
                services.set_up_budget(owner=request.user, settings=_settings_from(form.cleaned_data), lines=lines)
                messages.success(request, "Your budget has been set up")
            else:
                services.change_budget(budget=budget, owner=request.user, settings=_settings_from(form.cleaned_data))
                messages.success(request, "Your budget's set-up has been saved")
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("budget:overview")
    errors = bool(form.errors or (formset is not None and any(formset.errors)))
    return render(request, "budget/setup.html", {"form": form, "formset": formset, "budget": budget,
                                                 "has_errors": errors}, status=400 if errors else 200)


@access(MEMBER)
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@document_key_required
@budget_required
def plan(request, budget):
    """The spending lines from the care and support plan: rename, re-plan, add or remove."""
    names = services.category_names(budget)
    categories = {category.id: category for category in budget.categories.all()}
    initial = [{"category_id": category.id, "name": names[category.id],
                "planned": figures.money(category.planned_pence).removeprefix("£")}
               for category in categories.values()] + [{}, {}, {}]
    formset = PlanFormSet(request.POST if request.method == "POST" else None, prefix="plan", initial=initial)
    if request.method == "POST" and formset.is_valid():
        changes = []
        for row in _plan_rows(formset):
            category = None
            if row.get("category_id"):
                category = categories.get(row["category_id"])
                if category is None:
                    raise Http404
            elif row.get("planned") is None:
                continue  # an empty new row
            changes.append((category, (row.get("name") or "").strip(), row.get("planned") or 0,
                            row.get("remove", False)))
        services.save_plan(budget=budget, owner=request.user, changes=changes)
        messages.success(request, "Your plan has been saved")
        return redirect("budget:overview")
    errors = any(formset.errors) if request.method == "POST" else False
    return render(request, "budget/plan.html", {"formset": formset, "budget": budget, "has_errors": errors},
                  status=400 if errors else 200)


# Money in and out ------------------------------------------------------------------------------------------

@access(MEMBER)
@never_cache
@login_required
@require_safe
@document_key_required
@budget_required
def entry_list(request, budget):
    form, start, end = _period(request, budget)
    names = services.category_names(budget)
    entries = (budget.entries.filter(occurred_on__gte=start, occurred_on__lte=end)
               .order_by("-occurred_on", "-created_at"))
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    rows = [{"entry": entry, "details": services.read_entry(entry, budget),
             "category": names.get(entry.category_id, "")} for entry in page]
    return render(request, "budget/entry_list.html", {"budget": budget, "rows": rows, "page_obj": page,
                                                      "period_form": form, "start": start, "end": end})


def _entry_form(request, budget, *, initial=None):
    return EntryForm(request.POST or None, request.FILES or None, initial=initial,
                     categories=services.category_names(budget), documents=document_names(request.user))


def _entry_values(request, budget: Budget, form) -> dict:
    data = form.cleaned_data
    category = budget.categories.filter(pk=data["category"]).first() if data["category"] else None
    document = Document.objects.owned_by(request.user).filter(pk=data["document"]).first() \
        if data["document"] else None
    return {"direction": data["direction"], "occurred_on": data["occurred_on"], "amount_pence": data["amount"],
            "payee": data["payee"].strip(), "note": data["note"].strip(), "category": category,
            "document": document}


def _save_entry(request, budget: Budget, form, save) -> Entry | None:
    """Validate, store a new receipt if one came, then save the entry; errors go beside their fields."""
    if request.method != "POST":
        return None
    valid = form.is_valid()
    if getattr(request, "document_too_large", False):
        form.errors.pop("receipt", None)
        form.add_error("receipt", "The selected file is larger than 20 MB. Choose a smaller file")
        return None
    if not valid:
        return None
    values = _entry_values(request, budget, form)
    try:
        services.check_entry_date(budget=budget, occurred_on=values["occurred_on"])
        receipt = form.cleaned_data.get("receipt")
        if receipt:
            values["document"] = document_services.store_document(
                owner=request.user, upload=receipt, kind=DocumentKind.OTHER,
                name=f"Receipt for {values['payee']}, {values['occurred_on']:%-d %b %Y}",
                sign_in=current_sign_in(request))
        return save(values)
    except RefusedFile as refusal:
        form.add_error("receipt", refusal.message)
    except ValidationError as error:
        form.add_error(None, error)
    return None


@access(MEMBER)
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@upload_view(DocumentUploadHandler)
@document_key_required
def entry_add(request):
    budget = Budget.objects.owned_by(request.user).first()
    if budget is None:
        return redirect("budget:setup")
    direction = request.GET.get("direction") if request.GET.get("direction") in Entry.Direction.values else ""
    form = _entry_form(request, budget, initial={"direction": direction, "occurred_on": timezone.localdate()})
    entry = _save_entry(request, budget, form, lambda values: services.add_entry(
        budget=budget, owner=request.user, **values))
    if entry is not None:
        messages.success(request, f"{entry.get_direction_display()} of {figures.money(entry.amount_pence)} "
                                  "has been added")
        return redirect("budget:entry_list")
    return render(request, "budget/entry_form.html", {"form": form, "budget": budget, "entry": None},
                  status=400 if form.errors else 200)


@access(OWNER)
@never_cache
@login_required
@require_safe
@document_key_required
def entry_detail(request, pk):
    entry = _owned_entry(request, pk)
    budget = entry.budget
    details = services.read_entry(entry, budget)
    names = services.category_names(budget)
    history = [{"change": change, "values": services.read_change(change, budget)} for change in entry.changes.all()]
    document_name = None
    if entry.document_id:
        document = Document.objects.owned_by(request.user).filter(pk=entry.document_id).first()
        document_name = document_services.read_details(document).name if document else None
    return render(request, "budget/entry_detail.html", {
        "entry": entry, "details": details, "category": names.get(entry.category_id, ""),
        "history": history, "document_name": document_name, "budget": budget})


@access(OWNER)
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@upload_view(DocumentUploadHandler)
@document_key_required
def entry_edit(request, pk):
    entry = _owned_entry(request, pk)
    if entry.deleted_at:
        raise Http404
    budget = entry.budget
    details = services.read_entry(entry, budget)
    form = _entry_form(request, budget, initial={
        "direction": entry.direction, "occurred_on": entry.occurred_on,
        "amount": figures.money(entry.amount_pence).removeprefix("£"), "payee": details.payee,
        "note": details.note, "category": str(entry.category_id or ""), "document": str(entry.document_id or "")})
    saved = _save_entry(request, budget, form, lambda values: services.change_entry(
        entry=entry, owner=request.user, **values))
    if saved is not None:
        messages.success(request, "Your changes have been saved. The earlier version is kept in its history")
        return redirect(saved)
    return render(request, "budget/entry_form.html", {"form": form, "budget": budget, "entry": entry},
                  status=400 if form.errors else 200)


@access(OWNER)
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@document_key_required
def entry_delete(request, pk):
    entry = _owned_entry(request, pk)
    if entry.deleted_at:
        raise Http404
    budget = entry.budget
    details = services.read_entry(entry, budget)
    error = None
    if request.method == "POST":
        try:
            services.delete_entry(entry=entry, owner=request.user)
        except ValidationError as refusal:
            error = refusal.messages[0]
        else:
            messages.success(request, f"The entry for {details.payee} has been deleted. You can put it back "
                                      "from its history")
            return redirect("budget:entry_list")
    return render(request, "budget/entry_delete.html", {"entry": entry, "details": details, "error": error},
                  status=400 if error else 200)


@access(OWNER)
@never_cache
@login_required
@require_POST
@document_key_required
def entry_restore(request, pk):
    entry = _owned_entry(request, pk)
    try:
        services.restore_entry(entry=entry, owner=request.user)
    except ValidationError as refusal:
        messages.error(request, refusal.messages[0])
    else:
        messages.success(request, "The entry has been put back")
    return redirect(entry)


def entries_url(start: datetime.date, end: datetime.date) -> str:
    return f"{reverse('budget:entry_list')}?start={start:%Y-%m-%d}&end={end:%Y-%m-%d}"
