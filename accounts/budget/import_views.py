"""Importing a bank statement: upload, say which column is which, preview, confirm. And saved rules."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.uploads import upload_view
from accounts.views import document_key_required
from mycarebudget.access import MEMBER, OWNER, access

from . import services, statements
from .figures import money
from .forms import MappingForm, RuleForm, StatementForm
from .models import Budget, ImportRule, PendingImport
from .uploads import StatementUploadHandler, max_statement_bytes
from .views import budget_required


def _too_large() -> str:
    megabytes = max_statement_bytes() // (1024 * 1024)
    return (f"The selected file is larger than {megabytes} MB. A year of bank statements is usually much smaller: "
            "export a shorter period, or check you chose the CSV file")


@access(MEMBER)
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@upload_view(StatementUploadHandler)
@document_key_required
@budget_required
def import_upload(request, budget):
    posted = request.method == "POST"
    form = StatementForm(request.POST if posted else None, request.FILES if posted else None)
    status = 200
    if request.method == "POST":
        valid = form.is_valid()
        if getattr(request, "statement_too_large", False):
            form.errors.pop("file", None)
            form.add_error("file", _too_large())
            status = 413
        elif valid:
            try:
                text = statements.decode(form.cleaned_data["file"].read())
                statements.read(text)
            except statements.StatementError as error:
                form.add_error("file", str(error))
            else:
                pending = services.keep_statement(budget=budget, owner=request.user, text=text)
                return redirect("budget:import_map", pk=pending.pk)
        if form.errors and status == 200:
            status = 400
    return render(request, "budget/import_upload.html", {"form": form}, status=status)


def _pending(request, pk) -> tuple[PendingImport, Budget, statements.Statement]:
    """Owners only; anyone else gets 404."""
    pending = get_object_or_404(PendingImport.objects.owned_by(request.user).select_related("budget"), pk=pk)
    budget = pending.budget
    return pending, budget, statements.read(services.read_statement(pending, budget))


def _mapping_form(request, statement) -> MappingForm:
    if "date" in request.GET:
        return MappingForm(request.GET, header=statement.header)
    guess = statements.guess_mapping(statement)
    initial = {"date": guess.date, "description": guess.description, "date_format": guess.date_format,
               "mode": "one" if guess.amount is not None else "two", "amount": guess.amount, "out": guess.out,
               "into": guess.into}
    return MappingForm(initial=initial, header=statement.header)


def _mapping(data) -> statements.Mapping:
    one = data["mode"] == "one"
    return statements.Mapping(date=data["date"], description=data["description"], date_format=data["date_format"],
                              amount=data["amount"] if one else None, out=None if one else data["out"],
                              into=None if one else data["into"])


@access(OWNER)
@never_cache
@login_required
@require_safe
@document_key_required
def import_map(request, pk):
    """Step 2: which column is which (our guess first), with the first rows to check against."""
    pending, budget, statement = _pending(request, pk)
    form = _mapping_form(request, statement)
    return render(request, "budget/import_map.html", {
        "pending": pending, "statement": statement, "form": form, "sample": statement.rows[:5]})


def _preview(request, pending, budget, statement, form):
    parsed = statements.apply(statement, _mapping(form.cleaned_data))
    problems = parsed.problems + services.date_problems(budget, parsed.rows)
    rules = services.rules_for(budget)
    repeated = services.duplicates(budget, parsed.rows) if not problems else set()
    names = services.category_names(budget)
    rows = []
    for row in parsed.rows:
        suggested = services.suggest_category(row.description, rules) if row.direction == "out" else None
        rows.append({"row": row, "duplicate": row.number in repeated,
                     "category": str(suggested.pk) if suggested else ""})
    return {"pending": pending, "statement": statement, "form": form, "problems": problems, "rows": rows,
            "categories": names, "money_in": money(sum(r.amount_pence for r in parsed.rows if r.direction == "in")),
            "money_out": money(sum(r.amount_pence for r in parsed.rows if r.direction == "out")),
            "duplicate_count": len(repeated), "query": request.GET.urlencode(),
            "rule_form": RuleForm(categories=names)}


@access(OWNER)
@never_cache
@login_required
@require_safe
@document_key_required
def import_preview(request, pk):
    """Step 3: every row as it will be recorded; problems stop the import before anything is saved."""
    pending, budget, statement = _pending(request, pk)
    form = _mapping_form(request, statement)
    if not form.is_bound or not form.is_valid():
        return render(request, "budget/import_map.html", {
            "pending": pending, "statement": statement, "form": form, "sample": statement.rows[:5]},
            status=400 if form.is_bound else 200)
    context = _preview(request, pending, budget, statement, form)
    return render(request, "budget/import_preview.html", context, status=400 if context["problems"] else 200)


@access(OWNER)
@never_cache
@login_required
@require_POST
@document_key_required
def import_confirm(request, pk):
    """Record the ticked rows in one go. Anything wrong and nothing is recorded."""
    pending, budget, statement = _pending(request, pk)
    form = MappingForm(request.POST, header=statement.header)
    if not form.is_valid():
        return redirect(f"{reverse('budget:import_map', args=[pending.pk])}")
    parsed = statements.apply(statement, _mapping(form.cleaned_data))
    if parsed.problems:
        return redirect(f"{reverse('budget:import_preview', args=[pending.pk])}?{request.POST.urlencode()}")
    chosen = set(request.POST.getlist("row"))
    categories = {category.pk: category for category in budget.categories.all()}
    picks = {}
    for row in parsed.rows:
        value = request.POST.get(f"category-{row.number}", "")
        picks[row.number] = next((c for pk_, c in categories.items() if str(pk_) == value), None)
    rows = [row for row in parsed.rows if str(row.number) in chosen]
    try:
        entries = services.import_rows(budget=budget, owner=request.user, pending=pending, rows=rows,
                                       categories=picks)
    except ValidationError as error:
        context = _preview(request, pending, budget, statement, form)
        context["problems"] = error.messages
        return render(request, "budget/import_preview.html", context, status=400)
    skipped = len(parsed.rows) - len(entries)
    messages.success(request, f"{len(entries)} payment{'s' if len(entries) != 1 else ''} imported"
                              + (f"; {skipped} left out" if skipped else ""))
    if entries:
        first, last = min(e.occurred_on for e in entries), max(e.occurred_on for e in entries)
        return redirect(f"{reverse('budget:entry_list')}?start={first:%Y-%m-%d}&end={last:%Y-%m-%d}")
    return redirect("budget:entry_list")


# Rules -------------------------------------------------------------------------------------------------------

@access(MEMBER)
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@document_key_required
@budget_required
def rules(request, budget):
    names = services.category_names(budget)
    form = RuleForm(request.POST or None, categories=names)
    back = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        back = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["new_category"].strip():
            category = services.add_category(budget=budget, owner=request.user, name=data["new_category"].strip())
        else:
            category = get_object_or_404(budget.categories, pk=data["category"])
        services.add_rule(budget=budget, owner=request.user, contains=data["contains"].strip(), category=category)
        messages.success(request, "Your rule has been saved")
        return redirect(back or "budget:rules")
    names = services.category_names(budget)
    saved = [{"rule": rule, "contains": contains, "category": names.get(rule.category_id, "")}
             for rule, contains in services.rules_for(budget)]
    return render(request, "budget/rules.html", {"form": form, "saved": saved, "next": back},
                  status=400 if form.errors else 200)


@access(OWNER)
@never_cache
@login_required
@require_POST
@document_key_required
def rule_delete(request, pk):
    rule = get_object_or_404(ImportRule.objects.owned_by(request.user).select_related("budget"), pk=pk)
    services.delete_rule(rule=rule, owner=request.user)
    messages.success(request, "The rule has been removed. Entries already filed keep their spending line")
    return redirect("budget:rules")
