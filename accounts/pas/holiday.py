"""Holiday in hours, per PA and holiday year. Reads only; the rules are in this one place.

- Fixed hours: 5.6 weeks of their weekly hours (capped at 28 days for six- and seven-day weeks),
  pro rata to the part of the holiday year they are employed (a starter or a leaver), rounded
  up to the next quarter hour (never down: GOV.UK says entitlement may be rounded up, not down).
- Irregular hours: 12.07% of the hours worked in the holiday year (from approved timesheets),
  for holiday years starting on or after 1 April 2024.
- Taken is booked holiday that has started; booked is holiday still to come. For fixed-hours PAs
  whose bank holidays are part of their 5.6 weeks, the rota hours that fall on a bank holiday
  are taken from the entitlement too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum

from accounts.pas.models import HolidayBooking, PersonalAssistant, TimesheetEntry
from accounts.pas.rota import shifts_between

WEEKS = Decimal("5.6")
IRREGULAR_RATE = Decimal("0.1207")
IRREGULAR_FROM = date(2024, 4, 1)
MAX_DAYS = Decimal("28")


@dataclass(frozen=True)
class HolidayYear:
    first_day: date
    last_day: date

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1


@dataclass(frozen=True)
class HolidaySummary:
    year: HolidayYear
    entitlement: Decimal  # hours for the year (accrued so far, for irregular hours)
    worked: Decimal | None  # hours worked in the year, for irregular hours
    taken: Decimal
    booked: Decimal
    bank_holiday_hours: Decimal  # already inside taken and booked when bank holidays are included
    employed_days: int
    note: str

    @property
    def left(self) -> Decimal:
        return self.entitlement - self.taken - self.booked


def _safe_date(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, 28))


def holiday_year(pa: PersonalAssistant, on: date) -> HolidayYear:
    start = _safe_date(on.year, pa.holiday_year_start_month, pa.holiday_year_start_day)
    if start > on:
        start = _safe_date(on.year - 1, pa.holiday_year_start_month, pa.holiday_year_start_day)
    following = _safe_date(start.year + 1, pa.holiday_year_start_month, pa.holiday_year_start_day)
    return HolidayYear(start, following - timedelta(days=1))


def round_up_quarter(hours: Decimal) -> Decimal:
    return Decimal(math.ceil(hours * 4)) / 4


def employed_days(pa: PersonalAssistant, year: HolidayYear) -> int:
    first = max(year.first_day, pa.start_date)
    last = min(year.last_day, pa.end_date) if pa.end_date else year.last_day
    return max((last - first).days + 1, 0)


def fixed_entitlement(pa: PersonalAssistant, year: HolidayYear) -> Decimal:
    weekly = pa.weekly_hours or Decimal("0")
    full = WEEKS * weekly
    if pa.days_per_week and pa.days_per_week > 5:
        full = min(full, MAX_DAYS * weekly / pa.days_per_week)
    return round_up_quarter(full * employed_days(pa, year) / year.days)


def hours_worked(pa: PersonalAssistant, first: date, last: date, *, approved_only: bool = True) -> Decimal:
    entries = TimesheetEntry.objects.filter(timesheet__pa=pa, kind=TimesheetEntry.Kind.WORKED,
                                            date__range=(first, last))
    if approved_only:
        entries = entries.filter(timesheet__approved_at__isnull=False)
    return entries.aggregate(total=Sum("hours"))["total"] or Decimal("0")


def irregular_accrual(worked: Decimal) -> Decimal:
    return (worked * IRREGULAR_RATE).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def summary(pa: PersonalAssistant, *, on: date, year: HolidayYear | None = None) -> HolidaySummary:
    """Entitlement, taken, booked and left for the holiday year containing `on`."""
    year = year or holiday_year(pa, on)
    note = ""
    worked = None
    if pa.is_irregular:
        worked = hours_worked(pa, year.first_day, year.last_day)
        entitlement = irregular_accrual(worked)
        if year.first_day < IRREGULAR_FROM:
            note = ("The 12.07% method applies to holiday years starting on or after 1 April 2024; "
                    "for this year ask your payroll provider.")
    else:
        entitlement = fixed_entitlement(pa, year)
    bookings = HolidayBooking.objects.filter(pa=pa, first_day__range=(year.first_day, year.last_day))
    taken = bookings.filter(first_day__lte=on).aggregate(total=Sum("hours"))["total"] or Decimal("0")
    booked = bookings.filter(first_day__gt=on).aggregate(total=Sum("hours"))["total"] or Decimal("0")
    bank_hours = Decimal("0")
    if not pa.is_irregular and pa.bank_holidays == PersonalAssistant.BankHolidays.INCLUDED:
        for shift in shifts_between(pa.owner, year.first_day, year.last_day, pa=pa):
            if shift.off_reason == "bank holiday":
                bank_hours += shift.hours
                if shift.date <= on:
                    taken += shift.hours
                else:
                    booked += shift.hours
    elif not pa.is_irregular and pa.bank_holidays == PersonalAssistant.BankHolidays.EXTRA:
        bank_hours = sum((shift.hours for shift in shifts_between(pa.owner, year.first_day, year.last_day, pa=pa)
                          if shift.off_reason == "bank holiday"), Decimal("0"))
    return HolidaySummary(year=year, entitlement=entitlement, worked=worked, taken=taken, booked=booked,
                          bank_holiday_hours=bank_hours, employed_days=employed_days(pa, year), note=note)
