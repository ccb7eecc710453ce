"""The employer calendar: deadlines worked out from the member's records and the dates they add,
a daily reminder digest by email, and a private iCalendar feed.

Reminder emails and the feed never carry a PA's name (email is read on shared screens and the
feed is fetched by calendar services): a PA is named by their payroll reference, if any.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.pas.models import Deadline, EmployerSettings, PayPeriod, PersonalAssistant, ReminderSent
from mycarebudget.mail import queue_email

logger = logging.getLogger(__name__)

REENROL_YEARS = 3
DECLARATION_MONTHS = 5


@dataclass(frozen=True)
class Item:
    key: str  # stable per source; with due_on it names one occurrence
    due_on: date
    what: str
    detail: str
    pa_id: object = None
    who: str = ""  # how emails and the feed name the PA: never their name

    @property
    def title(self) -> str:
        return f"{self.what} for {self.who}" if self.who else self.what

    @property
    def uid(self) -> str:
        return f"{self.key.replace(':', '-')}-{self.due_on:%Y%m%d}@mycarebudget"


def _clamp_add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def _repeating(first: date, every_months: int, start: date, end: date):
    """Occurrences of a date repeating every N months (0 = once) that fall in [start, end]."""
    if every_months == 0:
        if start <= first <= end:
            yield first
        return
    count = 0
    day = first
    while day <= end:
        if day >= start:
            yield day
        count += 1
        day = _clamp_add_months(first, every_months * count)


def _who(pa: PersonalAssistant) -> str:
    return f"your PA (payroll reference {pa.payroll_reference})" if pa.payroll_reference else "one of your PAs"


def deadlines_between(owner, start: date, end: date) -> list[Item]:
    """Every employer deadline for the member from `start` to `end`, in date order."""
    items: list[Item] = []
    found = EmployerSettings.objects.owned_by(owner).first()
    if found and found.insurance_renewal:
        for day in _repeating(found.insurance_renewal, 12, start, end):
            items.append(Item("insurance", day, "Employers' liability insurance renewal",
                              "Renew before this date: cover must be at least £5 million, and the certificate "
                              "shown or given to your PAs."))
    if found and found.pension_duties_start:
        declaration = _clamp_add_months(found.pension_duties_start, DECLARATION_MONTHS)
        for day in _repeating(declaration, 0, start, end):
            items.append(Item("pension-declaration", day, "Workplace pension declaration of compliance",
                              "Due within 5 months of your duties start date, to The Pensions Regulator."))
        first_reenrol = _clamp_add_months(found.pension_duties_start, 12 * REENROL_YEARS)
        for day in _repeating(first_reenrol, 12 * REENROL_YEARS, start, end):
            items.append(Item("pension-reenrolment", day, "Workplace pension re-enrolment",
                              "Every 3 years: re-assess your PAs, re-enrol those who opted out and are eligible, "
                              "then re-declare to The Pensions Regulator."))
    for pa in PersonalAssistant.objects.owned_by(owner):
        if pa.end_date and pa.end_date < start:
            continue
        last = min(end, pa.end_date) if pa.end_date else end
        if pa.dbs_certificate_date:
            first_check = _clamp_add_months(pa.dbs_certificate_date, 12)
            title = "DBS Update Service check" if pa.dbs_update_service else "DBS check review"
            for day in _repeating(first_check, 12, start, last):
                items.append(Item(f"dbs:{pa.pk}", day, title,
                                  "With the PA's consent, check their certificate online (Update Service), or "
                                  "agree a new check if they are not subscribed.", pa.pk, _who(pa)))
        for day in _repeating(_clamp_add_months(pa.start_date, 12), 12, start, last):
            items.append(Item(f"contract:{pa.pk}", day, "Contract and pay review",
                              "A year since their last review: check their hours, pay against the minimum "
                              "wage, and their written terms.", pa.pk, _who(pa)))
    for period in PayPeriod.objects.owned_by(owner).filter(cut_off__range=(start, end), sent_at__isnull=True):
        items.append(Item(f"payroll:{period.pk}", period.cut_off, "Payroll cut-off",
                          f"Send the hours for {period.first_day:%-d %B} to {period.last_day:%-d %B %Y} "
                          "to your payroll provider."))
    for deadline in Deadline.objects.owned_by(owner).select_related("pa"):
        who = _who(deadline.pa) if deadline.pa else ""
        for day in _repeating(deadline.due_on, deadline.repeats, start, end):
            items.append(Item(f"deadline:{deadline.pk}", day, deadline.get_kind_display(), "", deadline.pa_id, who))
    items.sort(key=lambda item: (item.due_on, item.title))
    return items


# Reminders ---------------------------------------------------------------------------------------

def _digest_body(items: list[Item], days: int) -> str:
    lines = ["Hello,", "", f"These employer dates are coming up in the next {days} days:", ""]
    for item in items:
        lines.append(f"- {item.due_on:%A %-d %B %Y}: {item.title}")
    lines += ["", f"See them all: {settings.SITE_URL}{reverse('pas:calendar')}",
              f"Change how many days ahead we remind you, or turn these emails off: "
              f"{settings.SITE_URL}{reverse('pas:calendar')}#reminders", "",
              "MyCareBudget is a record-keeping aid, not a payroll service.", ""]
    return "\n".join(lines)


def send_digest(found: EmployerSettings, *, today: date) -> bool:
    """At most one digest per member per day, listing deadlines within their chosen days that
    they have not been reminded of yet. Returns whether one was queued."""
    if not found.reminders_on or not found.owner.is_active:
        return False
    items = [item for item in deadlines_between(found.owner, today, today + timedelta(days=found.reminder_days))
             if not ReminderSent.objects.filter(owner=found.owner, key=item.key, due_on=item.due_on).exists()]
    if not items:
        return False
    with transaction.atomic():
        # The claim is one conditional UPDATE: two runs on the same day cannot both send.
        claimed = EmployerSettings.objects.filter(pk=found.pk).exclude(last_digest_on=today).update(
            last_digest_on=today)
        if not claimed:
            return False
        ReminderSent.objects.bulk_create([ReminderSent(owner=found.owner, key=item.key, due_on=item.due_on,
                                                       sent_on=today) for item in items], ignore_conflicts=True)
        count = len(items)
        queue_email(to=found.owner.email,
                    subject=f"{count} employer date{'s' if count != 1 else ''} coming up",
                    body=_digest_body(items, found.reminder_days))
    return True


def send_digests(*, today: date) -> int:
    """Run once a day (manage.py send_employer_reminders). Returns how many digests were queued."""
    sent = 0
    for found in (EmployerSettings.objects.filter(reminders_on=True).exclude(last_digest_on=today)
                  .select_related("owner")):
        try:
            sent += send_digest(found, today=today)
        except Exception:  # one member's bad data must not stop everyone else's reminders
            logger.exception("employer reminder digest failed for settings %s", found.pk)
    return sent


# The calendar feed -------------------------------------------------------------------------------

def ical_feed(owner, *, today: date) -> bytes:
    """A year ahead (and a month back) of deadlines as all-day events."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//MyCareBudget//Employer calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "MyCareBudget employer dates")
    stamp = timezone.now().astimezone(UTC)
    for item in deadlines_between(owner, today - timedelta(days=31), today + timedelta(days=400)):
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", item.due_on)
        event.add("dtend", item.due_on + timedelta(days=1))
        event.add("summary", item.title)
        if item.detail:
            event.add("description", item.detail)
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()
