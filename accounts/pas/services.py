"""Writes for a member's PA records, and the rules that cross models.

Every function takes the acting member and checks ownership itself (Http404 otherwise), so a
view that forgot to scope its query still could not touch another member's records.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.template.defaultfilters import pluralize
from django.utils import timezone

from accounts import crypto
from accounts.models import Document
from accounts.pas.models import (
    CoverNeed,
    Deadline,
    EmployerSettings,
    HolidayBooking,
    MinimumWageRate,
    PatternShift,
    PayPeriod,
    PersonalAssistant,
    ReminderSent,
    Rota,
    ShiftChange,
    Timesheet,
    TimesheetEntry,
    WagesInBudget,
    new_token,
)
from accounts.pas.rota import monday_of, shift_hours, shifts_between


def check_owner(obj, owner) -> None:
    if not getattr(owner, "is_authenticated", False) or obj.owner_id != owner.pk:
        raise Http404


# PA names and notes: encrypted like document names ----------------------------------------------

def _aad(pa: PersonalAssistant) -> bytes:
    return crypto.document_aad(pa.id, pa.owner_id, 0)


@dataclass(frozen=True)
class PADetails:
    name: str
    notes: str


def read_details(pa: PersonalAssistant, keyring: crypto.Keyring | None = None) -> PADetails:
    """The decrypted name and notes. Only ever shown to the owner."""
    aad = _aad(pa)
    key = crypto.unwrap_key(pa.key_id, pa.wrapped_key, aad=aad, keyring=keyring)
    return PADetails(name=crypto.decrypt_text(key, pa.name_encrypted, aad=aad, field="pa-name"),
                     notes=crypto.decrypt_text(key, pa.notes_encrypted, aad=aad, field="pa-notes"))


def names_for(owner, keyring: crypto.Keyring | None = None) -> dict[uuid.UUID, str]:
    """Every one of the member's PAs' names by id, unwrapping with one keyring."""
    keyring = keyring or crypto.load_keyring()
    return {pa.pk: read_details(pa, keyring).name for pa in PersonalAssistant.objects.owned_by(owner)}


PA_FIELDS = ["role", "payroll_reference", "start_date", "end_date", "hourly_rate", "age_band", "hours_type",
             "weekly_hours", "days_per_week", "bank_holidays", "holiday_year_start_month",
             "holiday_year_start_day", "dbs_certificate_date", "dbs_update_service"]


def _owned_documents(owner, documents) -> list[Document]:
    ids = [document.pk for document in documents or []]
    return list(Document.objects.owned_by(owner).filter(pk__in=ids))


@transaction.atomic
def add_pa(*, owner, name: str, notes: str = "", documents=(), **fields) -> PersonalAssistant:
    """Add a PA. Their name and notes are encrypted with a key of their own."""
    keyring = crypto.load_keyring()
    pa = PersonalAssistant(id=uuid.uuid4(), owner=owner, **{key: fields[key] for key in PA_FIELDS if key in fields})
    key = crypto.new_data_key()
    pa.key_id, pa.wrapped_key = crypto.wrap_key(key, aad=_aad(pa), keyring=keyring)
    pa.name_encrypted = crypto.encrypt_text(key, name, aad=_aad(pa), field="pa-name")
    pa.notes_encrypted = crypto.encrypt_text(key, notes, aad=_aad(pa), field="pa-notes")
    pa.full_clean(exclude=["owner", "documents"])
    pa.save(force_insert=True)
    pa.documents.set(_owned_documents(owner, documents))
    EmployerSettings.objects.get_or_create(owner=owner)
    return pa


@transaction.atomic
def change_pa(*, pa: PersonalAssistant, owner, name: str, notes: str = "", documents=(),
              **fields) -> PersonalAssistant:
    check_owner(pa, owner)
    aad = _aad(pa)
    key = crypto.unwrap_key(pa.key_id, pa.wrapped_key, aad=aad)
    for field in PA_FIELDS:
        if field in fields:
            setattr(pa, field, fields[field])
    pa.name_encrypted = crypto.encrypt_text(key, name, aad=aad, field="pa-name")
    pa.notes_encrypted = crypto.encrypt_text(key, notes, aad=aad, field="pa-notes")
    pa.full_clean(exclude=["owner", "documents"])
    pa.save()
    pa.documents.set(_owned_documents(owner, documents))
    return pa


@transaction.atomic
def delete_pa(*, pa: PersonalAssistant, owner) -> None:
    """Erase a PA with their timesheets and holiday; their rota shifts become open shifts."""
    check_owner(pa, owner)
    pa.delete()


def set_rota_link(*, pa: PersonalAssistant, owner, on: bool) -> PersonalAssistant:
    """Give the PA a new read-only rota address, or withdraw it (the old one stops working)."""
    check_owner(pa, owner)
    pa.rota_token = new_token() if on else None
    pa.save(update_fields=["rota_token"])
    return pa


# The minimum wage -------------------------------------------------------------------------------

def minimum_rate(band: str, on: date) -> MinimumWageRate | None:
    return MinimumWageRate.objects.filter(band=band, starts_on__lte=on).order_by("-starts_on").first()


@dataclass(frozen=True)
class WageWarning:
    on: date
    rate: MinimumWageRate

    def __str__(self) -> str:
        return (f"From {self.rate.starts_on:%-d %B %Y} the legal minimum for {self.rate.get_band_display()} is "
                f"£{self.rate.hourly_rate} an hour.")


def wage_warnings(pa: PersonalAssistant, *, today: date) -> list[WageWarning]:
    """Dates on which the PA's hourly rate is below the legal minimum for their age band: now
    (or their start date, if later), and any rise already in the table for the next 90 days."""
    check_from = max(today, pa.start_date)
    dates = [check_from] + list(MinimumWageRate.objects.filter(
        band=pa.age_band, starts_on__gt=check_from, starts_on__lte=check_from + timedelta(days=90))
        .values_list("starts_on", flat=True))
    warnings = []
    for day in dates:
        if pa.end_date and day > pa.end_date:
            continue
        rate = minimum_rate(pa.age_band, day)
        if rate and pa.hourly_rate < rate.hourly_rate:
            warnings.append(WageWarning(on=day, rate=rate))
    return warnings


# The rota ----------------------------------------------------------------------------------------

def get_or_create_rota(owner) -> Rota:
    rota, _ = Rota.objects.get_or_create(owner=owner, defaults={"starts_on": monday_of(timezone.localdate())})
    return rota


def change_rota(*, owner, weeks: int, starts_on: date) -> Rota:
    rota = get_or_create_rota(owner)
    rota.weeks, rota.starts_on = weeks, monday_of(starts_on)
    rota.full_clean(exclude=["owner"])
    rota.save()
    return rota


def _own_pa(owner, pa: PersonalAssistant | None) -> PersonalAssistant | None:
    if pa is not None:
        check_owner(pa, owner)
    return pa


def _minutes(start, end) -> tuple[int, int]:
    """A shift's span in minutes from its day's midnight; a night shift runs past 1440."""
    first, last = start.hour * 60 + start.minute, end.hour * 60 + end.minute
    return first, last if last > first else last + 24 * 60


def add_pattern_shift(*, owner, pa, week: int, weekday: int, start, end) -> PatternShift:
    """A repeating shift. Refuses one that overlaps the same PA's shift on that day (it would be paid twice)."""
    rota = get_or_create_rota(owner)
    shift = PatternShift(owner=owner, pa=_own_pa(owner, pa), week=min(week, rota.weeks), weekday=weekday,
                         start=start, end=end)
    shift.full_clean(exclude=["owner"])
    if shift.pa_id is not None:
        first, last = _minutes(start, end)
        for other in PatternShift.objects.owned_by(owner).filter(pa_id=shift.pa_id, week=shift.week, weekday=weekday):
            other_first, other_last = _minutes(other.start, other.end)
            if first < other_last and other_first < last:
                raise ValidationError({"start": f"They already have a shift that day from {other.start:%H:%M} to "
                                                f"{other.end:%H:%M}. Change that shift, or choose other times"},
                                      code="overlap")
    shift.save()
    return shift


def delete_pattern_shift(*, shift: PatternShift, owner) -> None:
    check_owner(shift, owner)
    shift.delete()


def add_cover_need(*, owner, weekday: int, start, end) -> CoverNeed:
    need = CoverNeed(owner=owner, weekday=weekday, start=start, end=end)
    need.full_clean(exclude=["owner"])
    need.save()
    return need


def delete_cover_need(*, need: CoverNeed, owner) -> None:
    check_owner(need, owner)
    need.delete()


def change_one_shift(*, owner, date: date, pattern_shift: PatternShift | None, pa, start=None, end=None,
                     is_cancelled: bool = False) -> ShiftChange:
    """A one-off change on one date. With a pattern shift it replaces that day's occurrence;
    without one it is an extra shift."""
    _own_pa(owner, pa)
    if pattern_shift is not None:
        check_owner(pattern_shift, owner)
        change, _ = ShiftChange.objects.update_or_create(
            owner=owner, pattern_shift=pattern_shift, date=date,
            defaults={"pa": pa, "start": start, "end": end, "is_cancelled": is_cancelled})
        return change
    change = ShiftChange(owner=owner, date=date, pa=pa, start=start, end=end)
    change.full_clean(exclude=["owner"])
    change.save()
    return change


def undo_change(*, change: ShiftChange, owner) -> None:
    check_owner(change, owner)
    change.delete()


# Timesheets --------------------------------------------------------------------------------------

class TimesheetLocked(Exception):
    """An approved timesheet cannot be changed until its approval is withdrawn."""


def _timesheet(owner, pa: PersonalAssistant, week_start: date) -> Timesheet:
    timesheet, _ = Timesheet.objects.get_or_create(owner=owner, pa=pa, week_start=week_start)
    return timesheet


@transaction.atomic
def copy_rota(*, owner, week_start: date) -> int:
    """Fill the week's timesheets from the rota: worked shifts as worked hours, shifts a PA is off
    for holiday or a bank holiday as holiday hours. Timesheets that already have hours are left as
    they are. Returns how many timesheets were filled."""
    week_start = monday_of(week_start)
    filled: dict = {}
    for shift in shifts_between(owner, week_start, week_start + timedelta(days=6)):
        if shift.pa:
            pa, kind = shift.pa, TimesheetEntry.Kind.WORKED
        elif shift.rostered and shift.off_reason in ("holiday", "bank holiday"):
            pa, kind = shift.rostered, TimesheetEntry.Kind.HOLIDAY
        else:
            continue
        if pa.pk not in filled:
            timesheet = _timesheet(owner, pa, week_start)
            filled[pa.pk] = None if timesheet.entries.exists() else timesheet
        timesheet = filled[pa.pk]
        if timesheet is not None:
            TimesheetEntry.objects.create(timesheet=timesheet, date=shift.date, start=shift.start, end=shift.end,
                                          hours=shift.hours, kind=kind)
    return sum(1 for timesheet in filled.values() if timesheet is not None)


@transaction.atomic
def copy_last_week(*, owner, week_start: date) -> int:
    """Copy last week's hours into this week's empty timesheets, seven days on."""
    week_start = monday_of(week_start)
    count = 0
    for previous in (Timesheet.objects.owned_by(owner).filter(week_start=week_start - timedelta(days=7))
                     .select_related("pa").prefetch_related("entries")):
        if previous.pa.end_date and previous.pa.end_date < week_start:
            continue
        timesheet = _timesheet(owner, previous.pa, week_start)
        if timesheet.entries.exists():
            continue
        TimesheetEntry.objects.bulk_create([
            TimesheetEntry(timesheet=timesheet, date=entry.date + timedelta(days=7), start=entry.start,
                           end=entry.end, hours=entry.hours, kind=entry.kind)
            for entry in previous.entries.all()])
        count += 1
    return count


def start_timesheet(*, owner, pa: PersonalAssistant, week_start: date) -> Timesheet:
    check_owner(pa, owner)
    return _timesheet(owner, pa, monday_of(week_start))


@transaction.atomic
def save_entries(*, timesheet: Timesheet, owner, entries: list[dict]) -> Timesheet:
    """Replace the timesheet's lines. Refused (TimesheetLocked) once approved."""
    check_owner(timesheet, owner)
    timesheet = Timesheet.objects.select_for_update().get(pk=timesheet.pk)
    if timesheet.approved_at:
        raise TimesheetLocked
    timesheet.entries.all().delete()
    rows = []
    for data in entries:
        hours = data.get("hours")
        if hours is None and data.get("start") and data.get("end"):
            hours = shift_hours(data["start"], data["end"])
        row = TimesheetEntry(timesheet=timesheet, date=data["date"], start=data.get("start"), end=data.get("end"),
                             hours=hours if hours is not None else Decimal("0"), kind=data["kind"])
        row.full_clean(exclude=["timesheet"])
        rows.append(row)
    TimesheetEntry.objects.bulk_create(rows)
    return timesheet


def approve_timesheet(*, timesheet: Timesheet, owner, approved: bool = True) -> Timesheet:
    check_owner(timesheet, owner)
    timesheet.approved_at = timezone.now() if approved else None
    timesheet.save(update_fields=["approved_at"])
    return timesheet


# Holiday -----------------------------------------------------------------------------------------

def book_holiday(*, owner, pa: PersonalAssistant, first_day: date, last_day: date, hours: Decimal) -> HolidayBooking:
    """Book holiday. Refuses more hours than the days hold, and days already booked for this PA."""
    check_owner(pa, owner)
    days = (last_day - first_day).days + 1
    if hours > 24 * days:
        raise ValidationError({"hours": f"{days} day{'s' if days != 1 else ''} can hold {24 * days} hours at most. "
                                        "Check the hours"}, code="too_many_hours")
    overlapping = HolidayBooking.objects.owned_by(owner).filter(pa=pa, first_day__lte=last_day,
                                                                 last_day__gte=first_day).first()
    if overlapping is not None:
        raise ValidationError({"first_day": f"Holiday is already booked from {overlapping.first_day:%-d %B %Y} to "
                                            f"{overlapping.last_day:%-d %B %Y}. Cancel that booking first, or "
                                            "choose other days"}, code="overlap")
    booking = HolidayBooking(owner=owner, pa=pa, first_day=first_day, last_day=last_day, hours=hours)
    booking.full_clean(exclude=["owner"])
    booking.save()
    return booking


def rota_hours(*, owner, pa: PersonalAssistant, first_day: date, last_day: date) -> Decimal:
    """The hours the rota has the PA working over those days: the usual size of a holiday booking."""
    check_owner(pa, owner)
    return sum((shift.hours for shift in shifts_between(owner, first_day, last_day, pa=pa)
                if shift.off_reason in ("", "holiday")), Decimal("0"))


def cancel_holiday(*, booking: HolidayBooking, owner) -> None:
    check_owner(booking, owner)
    booking.delete()


# Payroll -----------------------------------------------------------------------------------------

def add_pay_period(*, owner, first_day: date, last_day: date, cut_off: date | None) -> PayPeriod:
    """A new pay period; refuses one that overlaps a period already added."""
    overlapping = PayPeriod.objects.owned_by(owner).filter(first_day__lte=last_day, last_day__gte=first_day).first()
    if overlapping is not None:
        raise ValidationError({"first_day": f"You already have a pay period from {overlapping.first_day:%-d %B %Y} "
                                            f"to {overlapping.last_day:%-d %B %Y}. Open it, or choose other days"},
                              code="overlap")
    period = PayPeriod(owner=owner, first_day=first_day, last_day=last_day, cut_off=cut_off)
    period.full_clean(exclude=["owner"])
    period.save()
    return period


def mark_sent(*, period: PayPeriod, owner, sent: bool = True) -> PayPeriod:
    check_owner(period, owner)
    period.sent_at = timezone.now() if sent else None
    period.save(update_fields=["sent_at"])
    return period


def delete_pay_period(*, period: PayPeriod, owner) -> None:
    check_owner(period, owner)
    period.delete()


# Employer calendar -------------------------------------------------------------------------------

def employer_settings(owner) -> EmployerSettings:
    found, _ = EmployerSettings.objects.get_or_create(owner=owner)
    return found


def change_employer_settings(*, owner, **fields) -> EmployerSettings:
    found = employer_settings(owner)
    for name in ("pension_duties_start", "insurance_renewal", "reminders_on", "reminder_days"):
        if name in fields:
            setattr(found, name, fields[name])
    found.full_clean(exclude=["owner"])
    found.save()
    return found


def set_feed(*, owner, on: bool) -> EmployerSettings:
    """A new private calendar address (the old one stops working), or none."""
    found = employer_settings(owner)
    found.feed_token = new_token() if on else None
    found.save(update_fields=["feed_token"])
    return found


def add_deadline(*, owner, kind: str, due_on: date, repeats: int, pa=None) -> Deadline:
    deadline = Deadline(owner=owner, kind=kind, due_on=due_on, repeats=repeats, pa=_own_pa(owner, pa))
    deadline.full_clean(exclude=["owner"])
    deadline.save()
    return deadline


def delete_deadline(*, deadline: Deadline, owner) -> None:
    check_owner(deadline, owner)
    deadline.delete()


# Erasure -----------------------------------------------------------------------------------------

def erase_user_data(user) -> str:
    """Called when a member deletes their account: every PA record goes, keys and all.
    Says what went, for the member ("" if they kept no PA records)."""
    pas = PersonalAssistant.objects.filter(owner=user).count()
    for model in (WagesInBudget, ReminderSent, Deadline, PayPeriod, HolidayBooking, Timesheet, ShiftChange,
                  PatternShift, CoverNeed, PersonalAssistant, Rota, EmployerSettings):
        model.objects.filter(owner=user).delete()
    if not pas:
        return ""
    return f"Your records of {pas} PA{pluralize(pas)}: rotas, timesheets, holiday and pay"


# Wages in the budget -----------------------------------------------------------------------------

@transaction.atomic
def record_wages(*, period: PayPeriod, owner, paid_on: date, amounts: dict, category=None) -> int:
    """Put wages the member paid for this period into their budget as spending, one entry per PA.

    The member types the amounts (from payslips or the payroll provider): nothing here works out pay.
    A PA already recorded for the period is skipped. Raises Http404 without a budget, and the
    budget's ValidationError for a closed period or a date before the budget began.
    """
    from accounts.budget import services as budget_services

    check_owner(period, owner)
    done = set(WagesInBudget.objects.filter(period=period).values_list("pa_id", flat=True))
    count = 0
    for pa, pence in amounts.items():
        check_owner(pa, owner)
        if pa.pk in done or not pence:
            continue
        entry = budget_services.add_spending(
            owner=owner, occurred_on=paid_on, amount_pence=pence, payee=read_details(pa).name, category=category,
            note=f"Wages for {period.first_day:%-d %B} to {period.last_day:%-d %B %Y}")
        WagesInBudget.objects.create(owner=owner, period=period, pa=pa, entry_id=entry.pk)
        count += 1
    return count
