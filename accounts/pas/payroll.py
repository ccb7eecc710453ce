"""The payroll hand-off: one row per PA per pay period, in a layout documented for bureaus.

Hours only. We never work out pay, tax, National Insurance or pension contributions: the payroll
provider does that. The layout (one header row, then one row per PA, UTF-8, comma separated):

  period_start, period_end   the pay period, YYYY-MM-DD
  payroll_reference          the PA's reference with the payroll provider (blank if none given)
  pa_name                    the PA's name as the employer records it
  role                       their job title
  hourly_rate                their basic hourly rate in pounds, two decimals
  hours_worked               hours worked in the period (timesheet lines marked worked)
  holiday_hours              hours of paid holiday in the period (lines marked holiday)
  sick_hours                 hours the PA was rostered but off sick (lines marked sick)
  sick_days                  how many different days had a sick line
  holiday_accrued_hours      irregular-hours PAs only: 12.07% of hours_worked (blank otherwise)
  hours_type                 fixed or irregular
  start_date                 the PA's first day, if it falls in the period (a starter)
  leaving_date               the PA's last day, if it falls in the period (a leaver)
  timesheets_approved        yes when every timesheet with hours in the period is approved, else no
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from accounts import crypto
from accounts.pas.holiday import irregular_accrual
from accounts.pas.models import PayPeriod, PersonalAssistant, TimesheetEntry
from accounts.pas.services import check_owner, read_details

COLUMNS = ["period_start", "period_end", "payroll_reference", "pa_name", "role", "hourly_rate", "hours_worked",
           "holiday_hours", "sick_hours", "sick_days", "holiday_accrued_hours", "hours_type", "start_date",
           "leaving_date", "timesheets_approved"]


@dataclass
class PayrollRow:
    pa: PersonalAssistant
    name: str
    worked: Decimal
    holiday: Decimal
    sick: Decimal
    sick_days: int
    approved: bool
    entries: list

    @property
    def accrued(self) -> Decimal | None:
        return irregular_accrual(self.worked) if self.pa.is_irregular else None


def rows_for(period: PayPeriod, owner) -> list[PayrollRow]:
    """One row per PA with timesheet lines in the period, in the order they were added."""
    check_owner(period, owner)
    entries = (TimesheetEntry.objects.filter(timesheet__owner=owner, date__range=(period.first_day, period.last_day))
               .select_related("timesheet__pa").order_by("timesheet__pa__created_at", "date", "start"))
    keyring = crypto.load_keyring()
    rows: dict = {}
    sick_dates: dict = {}
    for entry in entries:
        pa = entry.timesheet.pa
        row = rows.get(pa.pk)
        if row is None:
            row = rows[pa.pk] = PayrollRow(pa=pa, name=read_details(pa, keyring).name, worked=Decimal("0"),
                                           holiday=Decimal("0"), sick=Decimal("0"), sick_days=0, approved=True,
                                           entries=[])
            sick_dates[pa.pk] = set()
        row.entries.append(entry)
        row.approved = row.approved and entry.timesheet.approved_at is not None
        if entry.kind == TimesheetEntry.Kind.WORKED:
            row.worked += entry.hours
        elif entry.kind == TimesheetEntry.Kind.HOLIDAY:
            row.holiday += entry.hours
        else:
            row.sick += entry.hours
            sick_dates[pa.pk].add(entry.date)
    for key, row in rows.items():
        row.sick_days = len(sick_dates[key])
    return list(rows.values())


def _cell(value) -> str:
    """Spreadsheet-safe: text starting with = + - @ or a tab is not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _within(day, period: PayPeriod) -> str:
    return day.isoformat() if day and period.first_day <= day <= period.last_day else ""


def csv_text(period: PayPeriod, owner) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows_for(period, owner):
        pa = row.pa
        writer.writerow([_cell(value) for value in [
            period.first_day.isoformat(), period.last_day.isoformat(), pa.payroll_reference, row.name, pa.role,
            f"{pa.hourly_rate:.2f}", f"{row.worked:.2f}", f"{row.holiday:.2f}", f"{row.sick:.2f}", row.sick_days,
            f"{row.accrued:.2f}" if row.accrued is not None else "", pa.hours_type,
            _within(pa.start_date, period), _within(pa.end_date, period), "yes" if row.approved else "no"]])
    return buffer.getvalue()


def csv_filename(period: PayPeriod) -> str:
    return f"payroll-hours-{period.first_day.isoformat()}-to-{period.last_day.isoformat()}.csv"
