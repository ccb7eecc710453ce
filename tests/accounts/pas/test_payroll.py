"""The payroll hand-off: the CSV checked field by field, the print view, and marking a period sent."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.pas import payroll, services
from accounts.pas.models import PayPeriod
from tests.accounts.pas.helpers import make_pa

pytestmark = pytest.mark.django_db


def _sheet(user, pa, week_start, lines, *, approve=True):
    timesheet = services.start_timesheet(owner=user, pa=pa, week_start=week_start)
    services.save_entries(timesheet=timesheet, owner=user, entries=[
        {"date": day, "hours": Decimal(hours), "kind": kind} for day, hours, kind in lines])
    if approve:
        services.approve_timesheet(timesheet=timesheet, owner=user)


@pytest.fixture
def period(user):
    sam = make_pa(user, name="Sam Jones", payroll_reference="EMP-001", hourly_rate=Decimal("13.5"))
    alex = make_pa(user, name="=HYPERLINK(\"http://evil\")", hours_type="irregular", weekly_hours=None,
                   hourly_rate=Decimal("12.71"), start_date=date(2026, 11, 10), role="Night PA")
    leaver = make_pa(user, name="Jo Leaves", end_date=date(2026, 11, 20), hourly_rate=Decimal("14"))
    _sheet(user, sam, date(2026, 11, 2), [(date(2026, 11, 2), "8", "worked"), (date(2026, 11, 3), "7.5", "worked"),
                                          (date(2026, 11, 4), "8", "holiday"), (date(2026, 11, 5), "4", "sick"),
                                          (date(2026, 11, 6), "4", "sick")])
    _sheet(user, sam, date(2026, 11, 9), [(date(2026, 11, 9), "8", "worked"), (date(2026, 11, 12), "3", "sick")])
    _sheet(user, alex, date(2026, 11, 9), [(date(2026, 11, 10), "10", "worked"), (date(2026, 11, 11), "12.5", "worked")],
           approve=False)
    _sheet(user, leaver, date(2026, 11, 16), [(date(2026, 11, 16), "6", "worked")])
    _sheet(user, sam, date(2026, 11, 30), [(date(2026, 12, 1), "8", "worked")])  # outside the period
    return services.add_pay_period(owner=user, first_day=date(2026, 11, 1), last_day=date(2026, 11, 30),
                                   cut_off=date(2026, 11, 25))


def test_the_csv_has_one_row_per_pa_checked_field_by_field(client, user, period):
    client.force_login(user)
    response = client.get(reverse("pas:payroll_csv", args=[period.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="payroll-hours-2026-11-01-to-2026-11-30.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert rows[0] == ["period_start", "period_end", "payroll_reference", "pa_name", "role", "hourly_rate",
                       "hours_worked", "holiday_hours", "sick_hours", "sick_days", "holiday_accrued_hours",
                       "hours_type", "start_date", "leaving_date", "timesheets_approved"]
    assert rows[1] == ["2026-11-01", "2026-11-30", "EMP-001", "Sam Jones", "Personal assistant", "13.50",
                       "23.50", "8.00", "11.00", "3", "", "fixed", "", "", "yes"]
    # A name that a spreadsheet would run as a formula is written as text. 22.5 x 12.07% = 2.71575.
    assert rows[2] == ["2026-11-01", "2026-11-30", "", "'=HYPERLINK(\"http://evil\")", "Night PA", "12.71",
                       "22.50", "0.00", "0.00", "0", "2.72", "irregular", "2026-11-10", "", "no"]
    assert rows[3] == ["2026-11-01", "2026-11-30", "", "Jo Leaves", "Personal assistant", "14.00",
                       "6.00", "0.00", "0.00", "0", "", "fixed", "", "2026-11-20", "yes"]
    assert len(rows) == 4
    assert response.content.endswith(b"\r\n")


def test_the_file_never_carries_money_tax_or_national_insurance(user, period):
    text = payroll.csv_text(period, user).lower()
    for word in ("gross", "net", "tax", "national insurance", "ni_", "pension", "£"):
        assert word not in text


def test_the_print_view_lists_each_pa_and_warns_about_unapproved_timesheets(client, user, period):
    client.force_login(user)
    page = client.get(reverse("pas:payroll_detail", args=[period.pk])).content.decode()
    assert "Sam Jones (payroll reference EMP-001)" in page
    assert "11.00 hours on 3 days" in page
    assert "Some timesheets in this period are not approved yet" in page
    assert "Last day 20 November 2026" in page
    assert "does not work out pay, tax, National Insurance" in client.get(reverse("pas:payroll")).content.decode()


def test_a_period_is_marked_sent_and_its_cut_off_leaves_the_calendar(client, user, period):
    from accounts.pas.employer import deadlines_between

    assert [item.what for item in deadlines_between(user, date(2026, 11, 20), date(2026, 11, 30))] == [
        "Payroll cut-off"]
    client.force_login(user)
    client.post(reverse("pas:payroll_sent", args=[period.pk]))
    assert PayPeriod.objects.get().sent_at is not None
    assert deadlines_between(user, date(2026, 11, 20), date(2026, 11, 30)) == []
    assert "Sent" in client.get(reverse("pas:payroll")).content.decode()
    client.post(reverse("pas:payroll_sent", args=[period.pk]), {"action": "unsent"})
    assert PayPeriod.objects.get().sent_at is None


def test_a_pay_period_longer_than_two_months_is_refused(client, user):
    client.force_login(user)
    response = client.post(reverse("pas:payroll"), {"first_day": "2026-01-01", "last_day": "2026-06-30"})
    assert response.status_code == 400 and "A pay period can be up to two months long" in response.content.decode()
    assert not PayPeriod.objects.exists()


def test_the_payroll_file_reads_a_fixed_number_of_queries(client, user, period, django_assert_max_num_queries):
    """Guards an n+1 on each line's timesheet and PA."""
    client.force_login(user)
    with django_assert_max_num_queries(8):
        client.get(reverse("pas:payroll_csv", args=[period.pk]))


def test_the_same_pay_period_cannot_be_added_twice(client, user):
    """Found by a first user: 1 to 30 November could be added twice."""
    from django.urls import reverse

    from accounts.pas.models import PayPeriod

    client.force_login(user)
    url = reverse("pas:payroll")
    period = {"first_day": "2026-11-01", "last_day": "2026-11-30", "cut_off": ""}
    assert client.post(url, period).status_code == 302
    response = client.post(url, {**period, "first_day": "2026-11-15"})
    assert response.status_code == 400
    assert "You already have a pay period from 1 November 2026 to 30 November 2026" in response.content.decode()
    assert PayPeriod.objects.count() == 1
