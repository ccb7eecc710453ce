"""Holiday in hours, with examples worked by hand (holiday year 1 April 2026 to 31 March 2027, 365 days).

Bank holidays in that year (England and Wales): Fri 3 Apr, Mon 6 Apr, Mon 4 May, Mon 25 May, Mon 31 Aug,
Fri 25 Dec, Mon 28 Dec 2026, Fri 1 Jan, Fri 26 Mar, Mon 29 Mar 2027.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.pas import holiday, services
from accounts.pas.models import TimesheetEntry
from tests.accounts.pas.helpers import make_pa, shift

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 3)


def test_fixed_hours_full_year_with_bank_holidays_taken_from_the_entitlement(user):
    """20 hours a week: Mon 8, Wed 8, Fri 4. Entitlement 5.6 x 20 = 112 hours.

    Bank holidays on their days: six Mondays (48 h) and four Fridays (16 h) = 64 h.
    Before 3 December: 6 Apr, 4 May, 25 May, 31 Aug (32 h) and 3 Apr (4 h) = 36 h taken.
    After: 28 Dec, 29 Mar (16 h) and 25 Dec, 1 Jan, 26 Mar (12 h) = 28 h booked.
    A week off in August (20 h, taken) and one in February (20 h, booked).
    Taken 36 + 20 = 56; booked 28 + 20 = 48; left 112 - 56 - 48 = 8.
    """
    services.change_rota(owner=user, weeks=1, starts_on=date(2025, 1, 6))
    pa = make_pa(user, start_date=date(2025, 1, 6), weekly_hours=Decimal("20"))
    shift(user, pa, 0, "09:00", "17:00")
    shift(user, pa, 2, "09:00", "17:00")
    shift(user, pa, 4, "09:00", "13:00")
    services.book_holiday(owner=user, pa=pa, first_day=date(2026, 8, 10), last_day=date(2026, 8, 14),
                          hours=Decimal("20"))
    services.book_holiday(owner=user, pa=pa, first_day=date(2027, 2, 15), last_day=date(2027, 2, 19),
                          hours=Decimal("20"))
    summary = holiday.summary(pa, on=TODAY)
    assert (summary.year.first_day, summary.year.last_day) == (date(2026, 4, 1), date(2027, 3, 31))
    assert summary.entitlement == Decimal("112")
    assert summary.bank_holiday_hours == Decimal("64")
    assert (summary.taken, summary.booked, summary.left) == (Decimal("56"), Decimal("48"), Decimal("8"))


def test_bank_holidays_given_on_top_are_not_taken_from_the_entitlement(user):
    services.change_rota(owner=user, weeks=1, starts_on=date(2025, 1, 6))
    pa = make_pa(user, bank_holidays="extra")
    shift(user, pa, 0, "09:00", "17:00")
    summary = holiday.summary(pa, on=TODAY)
    assert summary.bank_holiday_hours == Decimal("48")
    assert (summary.taken, summary.booked, summary.left) == (0, 0, Decimal("112"))


def test_a_part_year_starter_gets_a_pro_rata_share_rounded_up_to_the_quarter_hour(user):
    """Starts 1 October 2026, 30 hours a week. 1 Oct to 31 Mar is 182 of 365 days.
    168 x 182 / 365 = 83.77 hours, rounded up to 84.00."""
    pa = make_pa(user, start_date=date(2026, 10, 1), weekly_hours=Decimal("30"), bank_holidays="worked")
    summary = holiday.summary(pa, on=TODAY)
    assert summary.employed_days == 182
    assert summary.entitlement == Decimal("84")


def test_a_leaver_who_took_more_than_their_share_shows_a_negative_balance(user):
    """20 hours a week, last day 30 September 2026: 183 of 365 days.
    112 x 183 / 365 = 56.15, rounded up to 56.25. They took 60 hours: left -3.75 (for final pay)."""
    pa = make_pa(user, start_date=date(2024, 1, 8), end_date=date(2026, 9, 30), bank_holidays="worked")
    services.book_holiday(owner=user, pa=pa, first_day=date(2026, 7, 1), last_day=date(2026, 7, 21),
                          hours=Decimal("60"))
    summary = holiday.summary(pa, on=date(2026, 9, 30))
    assert summary.employed_days == 183
    assert summary.entitlement == Decimal("56.25")
    assert summary.left == Decimal("-3.75")


def test_six_day_weeks_are_capped_at_28_days(user):
    """48 hours over 6 days: 5.6 weeks would be 268.8 hours, but 28 days of 8 hours is 224."""
    pa = make_pa(user, weekly_hours=Decimal("48"), days_per_week=Decimal("6"), bank_holidays="worked")
    assert holiday.summary(pa, on=TODAY).entitlement == Decimal("224")


def test_irregular_hours_accrue_12_07_percent_of_approved_hours_worked(user):
    """Approved: 10 h worked + 3 h sick, then 12.5 + 13 = 25.5 h worked. Not approved: 8 h (not counted yet).
    35.5 x 12.07% = 4.28485, shown as 4.28. Two hours taken: 2.28 left."""
    pa = make_pa(user, hours_type="irregular", weekly_hours=None)
    first = services.start_timesheet(owner=user, pa=pa, week_start=date(2026, 11, 2))
    services.save_entries(timesheet=first, owner=user, entries=[
        {"date": date(2026, 11, 2), "hours": Decimal("10"), "kind": "worked"},
        {"date": date(2026, 11, 3), "hours": Decimal("3"), "kind": "sick"}])
    second = services.start_timesheet(owner=user, pa=pa, week_start=date(2026, 11, 9))
    services.save_entries(timesheet=second, owner=user, entries=[
        {"date": date(2026, 11, 10), "hours": Decimal("12.5"), "kind": "worked"},
        {"date": date(2026, 11, 12), "hours": Decimal("13"), "kind": "worked"}])
    third = services.start_timesheet(owner=user, pa=pa, week_start=date(2026, 11, 16))
    services.save_entries(timesheet=third, owner=user, entries=[
        {"date": date(2026, 11, 16), "hours": Decimal("8"), "kind": "worked"}])
    services.approve_timesheet(timesheet=first, owner=user)
    services.approve_timesheet(timesheet=second, owner=user)
    services.book_holiday(owner=user, pa=pa, first_day=date(2026, 11, 20), last_day=date(2026, 11, 20),
                          hours=Decimal("2"))
    summary = holiday.summary(pa, on=TODAY)
    assert summary.worked == Decimal("35.5")
    assert summary.entitlement == Decimal("4.28")
    assert summary.left == Decimal("2.28")
    assert TimesheetEntry.objects.count() == 5


def test_a_holiday_year_starting_in_january(user):
    pa = make_pa(user, holiday_year_start_month=1, holiday_year_start_day=1)
    year = holiday.holiday_year(pa, TODAY)
    assert (year.first_day, year.last_day) == (date(2026, 1, 1), date(2026, 12, 31))


def test_booking_holiday_with_blank_hours_uses_the_rota(client, user):
    services.change_rota(owner=user, weeks=1, starts_on=date(2025, 1, 6))
    pa = make_pa(user)
    shift(user, pa, 0, "09:00", "17:00")
    shift(user, pa, 2, "09:00", "15:30")
    client.force_login(user)
    response = client.post(reverse("pas:holiday_book", args=[pa.pk]),
                           {"first_day": "2027-01-11", "last_day": "2027-01-17", "hours": ""}, follow=True)
    assert "14.50 hours of holiday booked" in response.content.decode()
    assert pa.holidays.get().hours == Decimal("14.5")


def test_booking_holiday_with_no_rota_hours_asks_for_the_hours(client, user):
    pa = make_pa(user)
    client.force_login(user)
    response = client.post(reverse("pas:holiday_book", args=[pa.pk]),
                           {"first_day": "2027-01-11", "last_day": "2027-01-10", "hours": ""})
    assert response.status_code == 400
    assert "The last day must be on or after the first day" in response.content.decode()
    response = client.post(reverse("pas:holiday_book", args=[pa.pk]),
                           {"first_day": "2027-01-11", "last_day": "2027-01-11", "hours": ""})
    assert "The rota has no hours for them on those days: enter the hours of holiday" in response.content.decode()
    assert not pa.holidays.exists()


def test_holiday_cannot_hold_more_hours_than_its_days_or_be_booked_twice(client, user):
    """Found by a first user: 500 hours over four days, then the same days again, were both saved."""
    pa = make_pa(user)
    client.force_login(user)
    url = reverse("pas:holiday_book", args=[pa.pk])
    response = client.post(url, {"first_day": "2027-01-11", "last_day": "2027-01-14", "hours": "500"})
    assert response.status_code == 400
    assert "4 days can hold 96 hours at most" in response.content.decode()
    assert client.post(url, {"first_day": "2027-01-11", "last_day": "2027-01-14", "hours": "30"}).status_code == 302
    response = client.post(url, {"first_day": "2027-01-13", "last_day": "2027-01-15", "hours": "8"})
    assert response.status_code == 400
    assert "Holiday is already booked from 11 January 2027 to 14 January 2027" in response.content.decode()
    assert pa.holidays.count() == 1
