"""The employer calendar: deadlines, reminder digests from the outbox with a frozen clock, the feed."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from icalendar import Calendar

from accounts.pas import services
from accounts.pas.employer import deadlines_between
from tests.accounts.pas.helpers import make_pa

pytestmark = pytest.mark.django_db


def _on(day: str):
    return time_machine.travel(f"{day} 07:00 +0000", tick=False)


def test_deadlines_come_from_the_pas_and_the_employer_dates(user):
    make_pa(user, name="Sam Jones", payroll_reference="P1", start_date=date(2025, 3, 10),
            dbs_certificate_date=date(2025, 6, 1), dbs_update_service=True)
    services.change_employer_settings(owner=user, pension_duties_start=date(2025, 3, 10),
                                      insurance_renewal=date(2025, 9, 15))
    services.add_deadline(owner=user, kind="budget_review", due_on=date(2026, 5, 20), repeats=12)
    items = [(item.due_on, item.title) for item in deadlines_between(user, date(2026, 1, 1), date(2028, 12, 31))]
    assert (date(2026, 6, 1), "DBS Update Service check for your PA (payroll reference P1)") in items
    assert (date(2027, 6, 1), "DBS Update Service check for your PA (payroll reference P1)") in items
    assert (date(2026, 3, 10), "Contract and pay review for your PA (payroll reference P1)") in items
    assert (date(2026, 9, 15), "Employers' liability insurance renewal") in items
    assert (date(2028, 3, 10), "Workplace pension re-enrolment") in items  # three years on
    assert (date(2027, 3, 10), "Workplace pension re-enrolment") not in items
    assert (date(2026, 5, 20), "Budget or care plan review") in items
    assert (date(2027, 5, 20), "Budget or care plan review") in items
    declaration = deadlines_between(user, date(2025, 1, 1), date(2025, 12, 31))
    assert (date(2025, 8, 10), "Workplace pension declaration of compliance") in [
        (item.due_on, item.title) for item in declaration]  # within five months of the duties start


def test_a_leavers_dates_stop_after_their_last_day(user):
    make_pa(user, start_date=date(2025, 3, 10), end_date=date(2026, 1, 31), dbs_certificate_date=date(2025, 6, 1))
    assert deadlines_between(user, date(2026, 2, 1), date(2027, 12, 31)) == []


@pytest.fixture
def reminders(user):
    services.change_employer_settings(owner=user, insurance_renewal=date(2027, 1, 15), reminder_days=14)
    return user


def test_the_reminder_comes_the_set_number_of_days_before(reminders, django_capture_on_commit_callbacks):
    with _on("2026-12-31"), django_capture_on_commit_callbacks(execute=True):
        call_command("send_employer_reminders", stdout=StringIO())
    assert mail.outbox == []
    with _on("2027-01-01"), django_capture_on_commit_callbacks(execute=True):
        call_command("send_employer_reminders", stdout=StringIO())
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [reminders.email]
    assert message.subject == "1 employer date coming up"
    assert "- Friday 15 January 2027: Employers' liability insurance renewal" in message.body
    assert "/account/pas/calendar/#reminders" in message.body


def test_one_digest_a_day_at_most_and_never_the_same_date_twice(reminders, django_capture_on_commit_callbacks):
    make_pa(reminders, name="Secret Name", start_date=date(2026, 1, 10))  # contract review 10 January 2027
    with _on("2027-01-01"), django_capture_on_commit_callbacks(execute=True):
        call_command("send_employer_reminders", stdout=StringIO())
        call_command("send_employer_reminders", stdout=StringIO())
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "2 employer dates coming up"
    assert "Secret Name" not in mail.outbox[0].body  # emails never name a PA
    assert "Contract and pay review for one of your PAs" in mail.outbox[0].body
    services.add_deadline(owner=reminders, kind="audit", due_on=date(2027, 1, 12), repeats=0)
    with _on("2027-01-01"), django_capture_on_commit_callbacks(execute=True):
        call_command("send_employer_reminders", stdout=StringIO())
    assert len(mail.outbox) == 1  # already sent one today: the new date waits for tomorrow
    with _on("2027-01-02"), django_capture_on_commit_callbacks(execute=True):
        call_command("send_employer_reminders", stdout=StringIO())
    assert len(mail.outbox) == 2
    assert "Audit of your budget account" in mail.outbox[1].body and "insurance" not in mail.outbox[1].body
    with _on("2027-01-03"), django_capture_on_commit_callbacks(execute=True):
        call_command("send_employer_reminders", stdout=StringIO())
    assert len(mail.outbox) == 2  # nothing new: no email


def test_reminders_switched_off_send_nothing(client, reminders, django_capture_on_commit_callbacks):
    client.force_login(reminders)
    client.post(reverse("pas:calendar"), {"form": "settings", "insurance_renewal": "2027-01-15",
                                          "reminder_days": "14"})  # the box unticked
    with _on("2027-01-01"), django_capture_on_commit_callbacks(execute=True):
        call_command("send_employer_reminders", stdout=StringIO())
    assert mail.outbox == []


def test_a_bad_number_of_days_is_explained(client, user):
    client.force_login(user)
    response = client.post(reverse("pas:calendar"), {"form": "settings", "reminders_on": "on",
                                                     "reminder_days": "400"})
    assert response.status_code == 400 and "Enter a number of days from 1 to 90" in response.content.decode()


def test_the_feed_is_valid_icalendar_without_pa_names(client, user):
    make_pa(user, name="Secret Name", start_date=date(2025, 12, 10), dbs_certificate_date=date(2026, 1, 5),
            hourly_rate=Decimal("13"))
    services.change_employer_settings(owner=user, insurance_renewal=date(2027, 2, 1))
    found = services.set_feed(owner=user, on=True)
    client.logout()
    with _on("2026-12-03"):
        response = client.get(reverse("pas:calendar_feed", args=[found.feed_token]))
    assert response.status_code == 200 and response["Content-Type"] == "text/calendar; charset=utf-8"
    assert b"Secret Name" not in response.content
    calendar = Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    events = {(event["SUMMARY"], event.decoded("DTSTART")) for event in calendar.walk("VEVENT")}
    assert events == {("Contract and pay review for one of your PAs", date(2026, 12, 10)),
                      ("DBS check review for one of your PAs", date(2027, 1, 5)),
                      ("Employers' liability insurance renewal", date(2027, 2, 1)),
                      ("Contract and pay review for one of your PAs", date(2027, 12, 10)),
                      ("DBS check review for one of your PAs", date(2028, 1, 5))}  # a month back, 400 days on
    for event in calendar.walk("VEVENT"):
        assert event["UID"] and event["DTSTAMP"]
    assert response.content.startswith(b"BEGIN:VCALENDAR\r\n")


def test_the_feed_address_is_unguessable_and_revocable(client, user):
    first = services.set_feed(owner=user, on=True).feed_token
    assert len(first) >= 40
    second = services.set_feed(owner=user, on=True).feed_token
    assert client.get(reverse("pas:calendar_feed", args=[first])).status_code == 404
    assert client.get(reverse("pas:calendar_feed", args=[second])).status_code == 200
    client.force_login(user)
    client.post(reverse("pas:calendar_feed_link"), {"action": "off"})
    client.logout()
    assert client.get(reverse("pas:calendar_feed", args=[second])).status_code == 404


def test_two_runs_at_once_send_one_digest(reminders, django_capture_on_commit_callbacks):
    """Each run reads the settings first; the conditional update lets only one of them send."""
    from accounts.pas.employer import send_digest
    from accounts.pas.models import EmployerSettings

    first_run, second_run = EmployerSettings.objects.get(), EmployerSettings.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digest(first_run, today=date(2027, 1, 1)) is True
        services.add_deadline(owner=reminders, kind="audit", due_on=date(2027, 1, 12), repeats=0)
        assert send_digest(second_run, today=date(2027, 1, 1)) is False
    assert len(mail.outbox) == 1
