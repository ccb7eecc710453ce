"""Reading the rota: which shifts fall on which dates, who works them, and where the gaps are.

Pure reads for one member. The pattern repeats; one-off changes, booked holiday, bank holidays
and start and leaving dates are applied on top, so the page, the printout, the PA's own link and
"copy the rota" into a timesheet all agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from accounts.pas.bankholidays import is_bank_holiday
from accounts.pas.models import CoverNeed, HolidayBooking, PatternShift, PersonalAssistant, Rota, ShiftChange


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def shift_hours(start: time, end: time) -> Decimal:
    """Length in hours; an end at or before the start is the next morning."""
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    if minutes <= 0:
        minutes += 24 * 60
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"))


@dataclass
class Shift:
    date: date
    start: time
    end: time
    pa: PersonalAssistant | None  # who works it; None is a gap
    rostered: PersonalAssistant | None  # who the pattern or change put on it
    off_reason: str = ""  # "holiday", "bank holiday", "not employed" when rostered is off
    is_change: bool = False
    pattern_shift_id: int | None = None
    change_id: int | None = None

    @property
    def hours(self) -> Decimal:
        return shift_hours(self.start, self.end)

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.date, self.start)

    @property
    def ends_at(self) -> datetime:
        end = datetime.combine(self.date, self.end)
        return end if end > self.starts_at else end + timedelta(days=1)


def rota_for(owner) -> Rota | None:
    return Rota.objects.owned_by(owner).first()


def _off_reason(pa: PersonalAssistant, day: date, holidays: list[HolidayBooking]) -> str:
    if not pa.employed_on(day):
        return "not employed"
    if any(booking.pa_id == pa.pk and booking.covers(day) for booking in holidays):
        return "holiday"
    if (is_bank_holiday(day) and not pa.is_irregular
            and pa.bank_holidays != PersonalAssistant.BankHolidays.WORKED):
        return "bank holiday"
    return ""


def shifts_between(owner, first: date, last: date, *, pa: PersonalAssistant | None = None) -> list[Shift]:
    """Every shift starting from `first` to `last` inclusive, in time order. Four queries."""
    rota = rota_for(owner)
    pattern = list(PatternShift.objects.owned_by(owner).select_related("pa")) if rota else []
    changes = list(ShiftChange.objects.owned_by(owner).filter(date__range=(first, last)).select_related("pa"))
    holidays = list(HolidayBooking.objects.owned_by(owner).filter(first_day__lte=last, last_day__gte=first))
    by_occurrence = {(change.pattern_shift_id, change.date): change for change in changes if change.pattern_shift_id}
    shifts: list[Shift] = []
    day = first
    while day <= last:
        week = rota.week_of(day) if rota else 1
        for pattern_shift in pattern:
            if pattern_shift.weekday != day.weekday() or pattern_shift.week != week or (
                    pattern_shift.week > rota.weeks):
                continue
            change = by_occurrence.get((pattern_shift.pk, day))
            if change and change.is_cancelled:
                continue
            source = change or pattern_shift
            shifts.append(Shift(date=day, start=(change and change.start) or pattern_shift.start,
                                end=(change and change.end) or pattern_shift.end,
                                pa=source.pa, rostered=source.pa, is_change=bool(change),
                                pattern_shift_id=pattern_shift.pk, change_id=change.pk if change else None))
        day += timedelta(days=1)
    for change in changes:
        if change.pattern_shift_id is None and not change.is_cancelled and change.start and change.end:
            shifts.append(Shift(date=change.date, start=change.start, end=change.end, pa=change.pa,
                                rostered=change.pa, is_change=True, change_id=change.pk))
    for shift in shifts:
        if shift.rostered:
            shift.off_reason = _off_reason(shift.rostered, shift.date, holidays)
            if shift.off_reason:
                shift.pa = None
    shifts.sort(key=lambda shift: (shift.starts_at, shift.ends_at))
    if pa is not None:
        shifts = [shift for shift in shifts if shift.rostered and shift.rostered.pk == pa.pk]
    return shifts


@dataclass(frozen=True)
class Gap:
    starts_at: datetime
    ends_at: datetime

    def __str__(self) -> str:
        end_day = "" if self.ends_at.date() == self.starts_at.date() or self.ends_at.time() == time(0) else (
            f" {self.ends_at:%A}")
        return (f"No one on {self.starts_at:%A} {self.starts_at.day} {self.starts_at:%B} "
                f"{self.starts_at:%H:%M}–{self.ends_at:%H:%M}{end_day}")


def _merge(intervals: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[list[datetime]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def gaps_between(owner, first: date, last: date, shifts: list[Shift]) -> list[Gap]:
    """Times someone is needed (cover hours, or a rota shift) with no PA working."""
    needed = [(shift.starts_at, shift.ends_at) for shift in shifts]
    needs = list(CoverNeed.objects.owned_by(owner))
    day = first
    while day <= last:
        for need in needs:
            if need.weekday == day.weekday():
                start = datetime.combine(day, need.start)
                end = datetime.combine(day, need.end)
                needed.append((start, end if end > start else end + timedelta(days=1)))
        day += timedelta(days=1)
    staffed = _merge([(shift.starts_at, shift.ends_at) for shift in shifts if shift.pa])
    gaps = []
    for start, end in _merge(needed):
        cursor = start
        for staffed_start, staffed_end in staffed:
            if staffed_end <= cursor or staffed_start >= end:
                continue
            if staffed_start > cursor:
                gaps.append(Gap(cursor, staffed_start))
            cursor = max(cursor, staffed_end)
        if cursor < end:
            gaps.append(Gap(cursor, end))
    return gaps
