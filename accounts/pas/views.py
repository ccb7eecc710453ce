"""Your PAs: HTTP only. Rules live in services, rota, holiday, payroll and employer.

Every private read starts from ``owned_by(request.user)``: anyone else, moderators and staff
included, gets a 404. The two secret-link views (a PA's rota, the calendar feed) find their row
by its token alone and show nothing else.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import crypto
from accounts.models import Document
from accounts.pas import employer, holiday, payroll, services
from accounts.pas.forms import (
    CoverNeedForm,
    DeadlineForm,
    EmployerSettingsForm,
    HolidayForm,
    MinimumWageRateForm,
    PAForm,
    PatternShiftForm,
    PayPeriodForm,
    RotaForm,
    ShiftChangeForm,
    TimesheetEntryFormSet,
    WagesForm,
)
from accounts.pas.models import (
    CoverNeed,
    Deadline,
    EmployerSettings,
    HolidayBooking,
    MinimumWageRate,
    PatternShift,
    PayPeriod,
    PersonalAssistant,
    ShiftChange,
    Timesheet,
    WagesInBudget,
)
from accounts.pas.rota import gaps_between, monday_of, rota_for, shifts_between
from accounts.services import read_details as read_document_details
from mycarebudget.access import MEMBER, MODERATOR, OWNER, TOKEN, access
from mycarebudget.moderation.powers import moderator_required

logger = logging.getLogger(__name__)


def key_required(view):
    """Names are encrypted: without the master key the pages refuse with a clear 503 page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            crypto.load_keyring()
        except crypto.KeyUnavailable as error:
            logger.error("PA records unavailable: %s", error)
            return render(request, "pas/unavailable.html", status=503)
        return view(request, *args, **kwargs)

    return wrapper


def private(methods=("GET", "HEAD")):
    """Signed in, never cached, the master key present, only these methods."""

    def decorate(view):
        return never_cache(login_required(require_http_methods(list(methods))(key_required(view))))

    return decorate


def _today() -> date:
    return timezone.localdate()


def _pas_with_names(user) -> list[tuple[PersonalAssistant, str]]:
    keyring = crypto.load_keyring()
    return [(pa, services.read_details(pa, keyring).name) for pa in PersonalAssistant.objects.owned_by(user)]


def _owned_pa(request, pk) -> PersonalAssistant:
    """Owners only. Anyone else, staff and moderators included, gets a 404."""
    return get_object_or_404(PersonalAssistant.objects.owned_by(request.user), pk=pk)


def _pa_from_choice(request, value) -> PersonalAssistant | None:
    return _owned_pa(request, value) if value else None


def _week(request) -> date:
    try:
        return monday_of(date.fromisoformat(request.GET.get("week", "")))
    except ValueError:
        return monday_of(_today())


def _status(*forms) -> int:
    return 400 if any(form.errors for form in forms if form is not None) else 200


# Your PAs ----------------------------------------------------------------------------------------

@access(MEMBER)
@private()
def pa_list(request):
    today = _today()
    rows = []
    for pa, name in _pas_with_names(request.user):
        rows.append({"pa": pa, "name": name, "warnings": services.wage_warnings(pa, today=today),
                     "holiday": holiday.summary(pa, on=today)})
    upcoming = employer.deadlines_between(request.user, today, today + timedelta(days=31))
    return render(request, "pas/pa_list.html", {"rows": rows, "upcoming": upcoming[:5],
                                                "names": {row["pa"].pk: row["name"] for row in rows}})


def _document_choices(user) -> list[tuple[Document, str]]:
    keyring = crypto.load_keyring()
    return [(document, read_document_details(document, keyring).name)
            for document in Document.objects.owned_by(user).order_by("created_at")]


@access(MEMBER)
@private(("GET", "POST"))
def pa_add(request):
    form = PAForm(request.POST or None, documents=_document_choices(request.user))
    if request.method == "POST" and form.is_valid():
        pa = services.add_pa(owner=request.user, **form.cleaned_data)
        messages.success(request, "The PA has been added")
        return redirect(pa)
    return render(request, "pas/pa_form.html", {"form": form}, status=_status(form))


@access(OWNER)
@private()
def pa_detail(request, pk):
    pa = _owned_pa(request, pk)
    today = _today()
    details = services.read_details(pa)
    keyring = crypto.load_keyring()
    documents = [(document, read_document_details(document, keyring).name) for document in pa.documents.all()]
    upcoming = shifts_between(request.user, today, today + timedelta(days=13), pa=pa)
    return render(request, "pas/pa_detail.html", {
        "pa": pa, "details": details, "documents": documents, "warnings": services.wage_warnings(pa, today=today),
        "holiday": holiday.summary(pa, on=today), "bookings": pa.holidays.order_by("-first_day")[:20],
        "shifts": upcoming, "rota_link": request.build_absolute_uri(
            reverse("pas:shared_rota", args=[pa.rota_token])) if pa.rota_token else "",
    })


@access(OWNER)
@private(("GET", "POST"))
def pa_edit(request, pk):
    pa = _owned_pa(request, pk)
    details = services.read_details(pa)
    initial = {field: getattr(pa, field) for field in services.PA_FIELDS}
    initial.update(name=details.name, notes=details.notes, documents=[str(d.pk) for d in pa.documents.all()])
    form = PAForm(request.POST or None, initial=initial, documents=_document_choices(request.user))
    if request.method == "POST" and form.is_valid():
        services.change_pa(pa=pa, owner=request.user, **form.cleaned_data)
        messages.success(request, "The PA's details have been saved")
        return redirect(pa)
    return render(request, "pas/pa_form.html", {"form": form, "pa": pa, "details": details}, status=_status(form))


@access(OWNER)
@private(("GET", "POST"))
def pa_delete(request, pk):
    pa = _owned_pa(request, pk)
    if request.method == "POST":
        services.delete_pa(pa=pa, owner=request.user)
        messages.success(request, "The PA and their timesheets and holiday have been deleted")
        return redirect("pas:pa_list")
    return render(request, "pas/pa_delete.html", {"pa": pa, "details": services.read_details(pa)})


@access(OWNER)
@private(("POST",))
def pa_rota_link(request, pk):
    pa = _owned_pa(request, pk)
    turn_on = request.POST.get("action") == "on"
    services.set_rota_link(pa=pa, owner=request.user, on=turn_on)
    messages.success(request, "A new rota link has been made: the old one no longer works" if turn_on
                     else "The rota link has been turned off: it no longer works")
    return redirect(f"{pa.get_absolute_url()}#rota-link")


def _add_errors(form, error: ValidationError) -> None:
    """A service's refusal, beside the field it names."""
    for field, messages_ in error.message_dict.items():
        for message in messages_:
            form.add_error(field if field in form.fields else None, message)


@access(OWNER)
@private(("GET", "POST"))
def holiday_book(request, pk):
    pa = _owned_pa(request, pk)
    form = HolidayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        hours = data["hours"]
        if hours is None:
            hours = services.rota_hours(owner=request.user, pa=pa, first_day=data["first_day"],
                                        last_day=data["last_day"])
        if not hours:
            form.add_error("hours", "The rota has no hours for them on those days: enter the hours of holiday")
        else:
            try:
                services.book_holiday(owner=request.user, pa=pa, first_day=data["first_day"],
                                      last_day=data["last_day"], hours=hours)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, f"{hours} hours of holiday booked")
                return redirect(f"{pa.get_absolute_url()}#holiday")
    return render(request, "pas/holiday_form.html", {"form": form, "pa": pa, "details": services.read_details(pa)},
                  status=_status(form))


@access(OWNER)
@private(("POST",))
def holiday_cancel(request, pk, booking):
    pa = _owned_pa(request, pk)
    found = get_object_or_404(HolidayBooking.objects.owned_by(request.user), pk=booking, pa=pa)
    services.cancel_holiday(booking=found, owner=request.user)
    messages.success(request, "The holiday has been cancelled")
    return redirect(f"{pa.get_absolute_url()}#holiday")


# Rota --------------------------------------------------------------------------------------------

def _rota_context(user, first: date, days: int) -> dict:
    last = first + timedelta(days=days - 1)
    shifts = shifts_between(user, first, last)
    names = services.names_for(user)
    by_day = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        by_day.append({"date": day, "shifts": [shift for shift in shifts if shift.date == day]})
    return {"first": first, "last": last, "days": by_day, "gaps": gaps_between(user, first, last, shifts),
            "names": names}


@access(MEMBER)
@private()
def rota(request):
    first = _week(request)
    rota = rota_for(request.user)
    context = _rota_context(request.user, first, 7)
    pattern = list(PatternShift.objects.owned_by(request.user))
    context.update(rota=rota, week_number=rota.week_of(first) if rota else 1, pattern=pattern,
                   needs=CoverNeed.objects.owned_by(request.user),
                   changes=ShiftChange.objects.owned_by(request.user).filter(
                       date__range=(first, first + timedelta(days=6))).select_related("pattern_shift"),
                   previous=first - timedelta(days=7), next=first + timedelta(days=7),
                   has_pas=PersonalAssistant.objects.owned_by(request.user).exists())
    return render(request, "pas/rota.html", context)


@access(MEMBER)
@private(("GET", "POST"))
def rota_settings(request):
    rota = rota_for(request.user)
    initial = {"weeks": rota.weeks, "starts_on": rota.starts_on} if rota else {"weeks": 1,
                                                                               "starts_on": monday_of(_today())}
    form = RotaForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.change_rota(owner=request.user, **form.cleaned_data)
        messages.success(request, "Your rota pattern has been saved")
        return redirect("pas:rota")
    return render(request, "pas/rota_settings.html", {"form": form}, status=_status(form))


@access(MEMBER)
@private(("GET", "POST"))
def shift_add(request):
    rota = services.get_or_create_rota(request.user) if request.method == "POST" else rota_for(request.user)
    weeks = rota.weeks if rota else 1
    form = PatternShiftForm(request.POST or None, pas=_pas_with_names(request.user), weeks=weeks,
                            initial={"pa": request.GET.get("pa", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_pattern_shift(owner=request.user, pa=_pa_from_choice(request, data["pa"]),
                                       week=data.get("week", 1), weekday=data["weekday"], start=data["start"],
                                       end=data["end"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "The shift has been added to your rota")
            return redirect("pas:rota")
    return render(request, "pas/shift_form.html", {"form": form}, status=_status(form))


@access(OWNER)
@private(("POST",))
def shift_delete(request, pk):
    shift = get_object_or_404(PatternShift.objects.owned_by(request.user), pk=pk)
    services.delete_pattern_shift(shift=shift, owner=request.user)
    messages.success(request, "The shift has been taken off your rota")
    return redirect("pas:rota")


@access(MEMBER)
@private(("GET", "POST"))
def cover_add(request):
    form = CoverNeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.add_cover_need(owner=request.user, **form.cleaned_data)
        messages.success(request, "The hours you need cover have been saved")
        return redirect("pas:rota")
    return render(request, "pas/cover_form.html", {"form": form}, status=_status(form))


@access(OWNER)
@private(("POST",))
def cover_delete(request, pk):
    need = get_object_or_404(CoverNeed.objects.owned_by(request.user), pk=pk)
    services.delete_cover_need(need=need, owner=request.user)
    messages.success(request, "Those cover hours have been removed")
    return redirect("pas:rota")


def _shift_choices(user, names) -> list[tuple[str, str]]:
    choices = []
    for shift in PatternShift.objects.owned_by(user):
        who = names.get(shift.pa_id, "open shift")
        week = f"week {shift.week}, " if (rota_for(user) and rota_for(user).weeks > 1) else ""
        choices.append((str(shift.pk), f"{week}{shift.get_weekday_display()} {shift.start:%H:%M}–{shift.end:%H:%M} "
                                       f"({who})"))
    return choices


@access(MEMBER)
@private(("GET", "POST"))
def change_add(request):
    pas = _pas_with_names(request.user)
    names = {pa.pk: name for pa, name in pas}
    form = ShiftChangeForm(request.POST or None, pas=pas, shifts=_shift_choices(request.user, names),
                           initial={"date": request.GET.get("date", ""), "shift": request.GET.get("shift", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        pattern_shift = None
        if data["shift"] != "extra":
            pattern_shift = get_object_or_404(PatternShift.objects.owned_by(request.user), pk=data["shift"])
            rota = rota_for(request.user)
            if pattern_shift.weekday != data["date"].weekday() or (rota and rota.week_of(data["date"])
                                                                     != pattern_shift.week):
                form.add_error("date", "That shift is not on the rota on this date: choose its day, "
                                       "or choose an extra shift")
        if not form.errors:
            services.change_one_shift(owner=request.user, date=data["date"], pattern_shift=pattern_shift,
                                      pa=_pa_from_choice(request, data["pa"]), start=data["start"],
                                      end=data["end"], is_cancelled=data["cancel"])
            messages.success(request, "The change has been saved for that date")
            return redirect(f"{reverse('pas:rota')}?week={monday_of(data['date']).isoformat()}")
    return render(request, "pas/change_form.html", {"form": form}, status=_status(form))


@access(OWNER)
@private(("POST",))
def change_delete(request, pk):
    change = get_object_or_404(ShiftChange.objects.owned_by(request.user), pk=pk)
    week = monday_of(change.date)
    services.undo_change(change=change, owner=request.user)
    messages.success(request, "The one-off change has been undone")
    return redirect(f"{reverse('pas:rota')}?week={week.isoformat()}")


@access(MEMBER)
@private()
def rota_print(request):
    first = _week(request)
    try:
        weeks = min(max(int(request.GET.get("weeks", 4)), 1), 8)
    except ValueError:
        weeks = 4
    return render(request, "pas/rota_print.html", _rota_context(request.user, first, 7 * weeks))


@access(TOKEN)
@never_cache
@require_safe
@key_required
def shared_rota(request, token):
    """A PA's own shifts for the next four weeks, read-only. No one else's shifts, names or gaps."""
    pa = get_object_or_404(PersonalAssistant, rota_token=token)
    if not token or pa.has_left(_today()):
        raise Http404
    first = monday_of(_today())
    shifts = shifts_between(pa.owner, first, first + timedelta(days=27), pa=pa)
    response = render(request, "pas/shared_rota.html", {
        "name": services.read_details(pa).name, "shifts": shifts, "first": first})
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


# Timesheets --------------------------------------------------------------------------------------

@access(MEMBER)
@private(("GET", "POST"))
def timesheet_week(request):
    week = _week(request)
    if request.method == "POST":
        week = monday_of(date.fromisoformat(request.POST.get("week", week.isoformat())))
        action = request.POST.get("action")
        if action == "copy-rota":
            count = services.copy_rota(owner=request.user, week_start=week)
            messages.success(request, f"{count} timesheet{'s' if count != 1 else ''} filled from the rota"
                             if count else "Nothing to copy: every PA on the rota already has hours this week")
        elif action == "copy-last-week":
            count = services.copy_last_week(owner=request.user, week_start=week)
            messages.success(request, f"{count} timesheet{'s' if count != 1 else ''} copied from last week"
                             if count else "Nothing to copy: last week has no timesheets for empty weeks here")
        elif action == "start":
            pa = _owned_pa(request, request.POST.get("pa", ""))
            timesheet = services.start_timesheet(owner=request.user, pa=pa, week_start=week)
            return redirect("pas:timesheet_edit", pk=timesheet.pk)
        return redirect(f"{reverse('pas:timesheets')}?week={week.isoformat()}")
    names = services.names_for(request.user)
    timesheets = list(Timesheet.objects.owned_by(request.user).filter(week_start=week)
                      .prefetch_related("entries"))
    with_sheet = {timesheet.pa_id for timesheet in timesheets}
    return render(request, "pas/timesheets.html", {
        "week": week, "week_end": week + timedelta(days=6), "previous": week - timedelta(days=7),
        "next": week + timedelta(days=7), "names": names,
        "timesheets": [{"timesheet": t, "name": names.get(t.pa_id, ""), "entries": list(t.entries.all()),
                        "total": sum((e.hours for e in t.entries.all()), 0)} for t in timesheets],
        "without": [(pk, name) for pk, name in names.items() if pk not in with_sheet],
    })


@access(OWNER)
@private(("GET", "POST"))
def timesheet_edit(request, pk):
    timesheet = get_object_or_404(Timesheet.objects.owned_by(request.user).select_related("pa"), pk=pk)
    name = services.read_details(timesheet.pa).name
    initial = [{"date": e.date, "start": e.start, "end": e.end, "hours": e.hours, "kind": e.kind}
               for e in timesheet.entries.all()]
    formset = TimesheetEntryFormSet(request.POST or None, initial=initial, prefix="line")
    formset.week_start = timesheet.week_start
    if request.method == "POST" and request.POST.get("action") in ("approve", "unapprove"):
        services.approve_timesheet(timesheet=timesheet, owner=request.user,
                                   approved=request.POST["action"] == "approve")
        messages.success(request, "Timesheet approved" if request.POST["action"] == "approve"
                         else "Approval withdrawn: you can change the hours again")
        return redirect(f"{reverse('pas:timesheets')}?week={timesheet.week_start.isoformat()}")
    if request.method == "POST" and not timesheet.approved_at and formset.is_valid():
        lines = [form.cleaned_data for form in formset.forms
                 if form.has_changed() or form.initial] if formset.forms else []
        lines = [line for line in lines if line and not line.get("delete")]
        try:
            services.save_entries(timesheet=timesheet, owner=request.user, entries=lines)
        except services.TimesheetLocked:
            messages.error(request, "This timesheet is approved: withdraw the approval to change it")
        else:
            if request.POST.get("action") == "save-approve":  # one button, so no typed change is left behind
                services.approve_timesheet(timesheet=timesheet, owner=request.user, approved=True)
                messages.success(request, "The hours are saved and the timesheet is approved")
                return redirect(f"{reverse('pas:timesheets')}?week={timesheet.week_start.isoformat()}")
            messages.success(request, "The timesheet has been saved")
            return redirect("pas:timesheet_edit", pk=timesheet.pk)
    return render(request, "pas/timesheet_edit.html", {
        "timesheet": timesheet, "name": name, "formset": formset,
        "has_errors": request.method == "POST" and formset.is_bound and not formset.is_valid(),
        "total": sum((e.hours for e in timesheet.entries.all()), 0),
    }, status=400 if request.method == "POST" and formset.is_bound and not formset.is_valid() else 200)


# Payroll -----------------------------------------------------------------------------------------

@access(MEMBER)
@private(("GET", "POST"))
def payroll_list(request):
    form = PayPeriodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            period = services.add_pay_period(owner=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "The pay period has been added")
            return redirect(period)
    return render(request, "pas/payroll_list.html", {
        "form": form, "periods": PayPeriod.objects.owned_by(request.user)}, status=_status(form))


@access(OWNER)
@private()
def payroll_detail(request, pk):
    period = get_object_or_404(PayPeriod.objects.owned_by(request.user), pk=pk)
    rows = payroll.rows_for(period, request.user)
    from accounts.budget.services import budget_for

    return render(request, "pas/payroll_detail.html", {
        "period": period, "rows": rows, "columns": payroll.COLUMNS,
        "all_approved": all(row.approved for row in rows), "has_budget": budget_for(request.user) is not None,
        "wages_recorded": WagesInBudget.objects.owned_by(request.user).filter(period=period).count()})


@access(OWNER)
@private(("GET", "POST"))
def payroll_wages(request, pk):
    """Wages paid for the period, typed by the member, become spending in their budget."""

    from accounts.budget import services as budget_services

    period = get_object_or_404(PayPeriod.objects.owned_by(request.user), pk=pk)
    budget = budget_services.budget_for(request.user)
    if budget is None:
        messages.error(request, "Set up your budget first, then record wages in it")
        return redirect("budget:overview")
    recorded = set(WagesInBudget.objects.filter(period=period).values_list("pa_id", flat=True))
    rows = [(row.pa, row.name, row.pa.pk in recorded) for row in payroll.rows_for(period, request.user)]
    categories = sorted(budget_services.category_names(budget).items(), key=lambda item: item[1])
    form = WagesForm(request.POST or None, rows=rows, categories=[(str(pk), name) for pk, name in categories],
                     initial={"paid_on": period.last_day})
    if request.method == "POST" and form.is_valid():
        category = budget.categories.filter(pk=form.cleaned_data["category"]).first() if form.cleaned_data[
            "category"] else None
        try:
            count = services.record_wages(period=period, owner=request.user, paid_on=form.cleaned_data["paid_on"],
                                          amounts=form.cleaned_data["amounts"], category=category)
        except ValidationError as error:
            form.add_error("paid_on", error.message_dict.get("occurred_on", error.messages)[0])
        else:
            messages.success(request, f"Wages for {count} PA{'s' if count != 1 else ''} recorded as spending "
                                      "in your budget")
            return redirect(period)
    return render(request, "pas/payroll_wages.html", {"form": form, "period": period, "rows": rows},
                  status=_status(form))


@access(OWNER)
@private()
def payroll_csv(request, pk):
    period = get_object_or_404(PayPeriod.objects.owned_by(request.user), pk=pk)
    response = HttpResponse(payroll.csv_text(period, request.user), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{payroll.csv_filename(period)}"'
    return response


@access(OWNER)
@private(("POST",))
def payroll_sent(request, pk):
    period = get_object_or_404(PayPeriod.objects.owned_by(request.user), pk=pk)
    sent = request.POST.get("action") != "unsent"
    services.mark_sent(period=period, owner=request.user, sent=sent)
    messages.success(request, "Marked as sent to your payroll provider" if sent else "Marked as not sent")
    return redirect(period)


@access(OWNER)
@private(("POST",))
def payroll_delete(request, pk):
    period = get_object_or_404(PayPeriod.objects.owned_by(request.user), pk=pk)
    services.delete_pay_period(period=period, owner=request.user)
    messages.success(request, "The pay period has been deleted (timesheets are kept)")
    return redirect("pas:payroll")


# Employer calendar -------------------------------------------------------------------------------

@access(MEMBER)
@private(("GET", "POST"))
def calendar(request):
    found = services.employer_settings(request.user)
    pas = _pas_with_names(request.user)
    settings_form = EmployerSettingsForm(request.POST if request.POST.get("form") == "settings" else None,
                                         instance=found)
    deadline_form = DeadlineForm(request.POST if request.POST.get("form") == "deadline" else None, pas=pas)
    if request.method == "POST":
        if request.POST.get("form") == "settings" and settings_form.is_valid():
            services.change_employer_settings(owner=request.user, **settings_form.cleaned_data)
            messages.success(request, "Your employer dates and reminders have been saved")
            return redirect("pas:calendar")
        if request.POST.get("form") == "deadline" and deadline_form.is_valid():
            data = deadline_form.cleaned_data
            services.add_deadline(owner=request.user, kind=data["kind"], due_on=data["due_on"],
                                  repeats=data["repeats"], pa=_pa_from_choice(request, data["pa"]))
            messages.success(request, "The date has been added to your calendar")
            return redirect("pas:calendar")
    today = _today()
    names = {pa.pk: name for pa, name in pas}
    found.refresh_from_db()
    return render(request, "pas/calendar.html", {
        "items": employer.deadlines_between(request.user, today, today + timedelta(days=365)),
        "names": names, "settings": found, "settings_form": settings_form, "deadline_form": deadline_form,
        "form": settings_form if settings_form.errors else deadline_form,
        "deadlines": Deadline.objects.owned_by(request.user),
        "feed_url": request.build_absolute_uri(reverse("pas:calendar_feed", args=[found.feed_token]))
        if found.feed_token else "",
    }, status=_status(settings_form, deadline_form))


@access(OWNER)
@private(("POST",))
def deadline_delete(request, pk):
    deadline = get_object_or_404(Deadline.objects.owned_by(request.user), pk=pk)
    services.delete_deadline(deadline=deadline, owner=request.user)
    messages.success(request, "The date has been removed from your calendar")
    return redirect("pas:calendar")


@access(MEMBER)
@private(("POST",))
def calendar_feed_link(request):
    turn_on = request.POST.get("action") == "on"
    services.set_feed(owner=request.user, on=turn_on)
    messages.success(request, "A new calendar address has been made: the old one no longer works" if turn_on
                     else "Your calendar address has been turned off: it no longer works")
    return redirect(f"{reverse('pas:calendar')}#feed")


@access(TOKEN)
@never_cache
@require_safe
def calendar_feed(request, token):
    found = get_object_or_404(EmployerSettings.objects.select_related("owner"), feed_token=token)
    if not found.owner.is_active:
        raise Http404
    response = HttpResponse(employer.ical_feed(found.owner, today=_today()),
                            content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="mycarebudget-employer-dates.ics"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# Minimum wage rates (moderators) -----------------------------------------------------------------

@access(MODERATOR)
@never_cache
@require_http_methods(["GET", "POST"])
@moderator_required
def wage_rates(request):
    form = MinimumWageRateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "The rate has been added")
        return redirect("pas:wage_rates")
    return render(request, "pas/wage_rates.html", {"form": form, "rates": MinimumWageRate.objects.all()},
                  status=_status(form))


@access(MODERATOR)
@require_POST
@moderator_required
def wage_rate_delete(request, pk):
    get_object_or_404(MinimumWageRate, pk=pk).delete()
    messages.success(request, "The rate has been removed")
    return redirect("pas:wage_rates")
