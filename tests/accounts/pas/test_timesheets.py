"""Timesheets: filled from the rota or last week, corrected, sickness and holiday marked, approved."""

from datetime import date, time
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.pas import services
from accounts.pas.models import Timesheet, TimesheetEntry
from tests.accounts.pas.helpers import make_pa, shift

pytestmark = pytest.mark.django_db

WEEK = date(2026, 12, 7)


@pytest.fixture
def rota(user):
    services.change_rota(owner=user, weeks=1, starts_on=WEEK)
    sam, alex = make_pa(user, name="Sam"), make_pa(user, name="Alex", hours_type="irregular", weekly_hours=None)
    shift(user, sam, 0, "09:00", "13:00")
    shift(user, sam, 2, "22:00", "07:00")  # a night shift: 9 hours
    shift(user, alex, 4, "17:00", "21:30")
    services.book_holiday(owner=user, pa=sam, first_day=date(2026, 12, 9), last_day=date(2026, 12, 9),
                          hours=Decimal("9"))
    return sam, alex


def _lines(pa, week=WEEK):
    return [(e.date, e.hours, e.kind) for e in TimesheetEntry.objects.filter(timesheet__pa=pa, timesheet__week_start=week)]


def test_copy_the_rota_fills_each_pas_week_with_holiday_marked(client, user, rota):
    sam, alex = rota
    client.force_login(user)
    response = client.post(reverse("pas:timesheets"), {"week": "2026-12-07", "action": "copy-rota"}, follow=True)
    assert "2 timesheets filled from the rota" in response.content.decode()
    assert _lines(sam) == [(date(2026, 12, 7), Decimal("4.00"), "worked"),
                           (date(2026, 12, 9), Decimal("9.00"), "holiday")]
    assert _lines(alex) == [(date(2026, 12, 11), Decimal("4.50"), "worked")]


def test_copying_again_leaves_filled_timesheets_alone(user, rota):
    services.copy_rota(owner=user, week_start=WEEK)
    assert services.copy_rota(owner=user, week_start=WEEK) == 0
    assert TimesheetEntry.objects.count() == 3


def test_a_bank_holiday_on_a_fixed_hours_pas_day_is_marked_holiday(user):
    services.change_rota(owner=user, weeks=1, starts_on=WEEK)
    sam = make_pa(user)
    shift(user, sam, 4, "09:00", "17:00")  # Christmas Day 2026 is a Friday
    services.copy_rota(owner=user, week_start=date(2026, 12, 21))
    assert _lines(sam, date(2026, 12, 21)) == [(date(2026, 12, 25), Decimal("8.00"), "holiday")]


def test_copy_last_week_moves_the_hours_seven_days_on(client, user, rota):
    sam, _ = rota
    services.copy_rota(owner=user, week_start=WEEK)
    client.force_login(user)
    client.post(reverse("pas:timesheets"), {"week": "2026-12-14", "action": "copy-last-week"})
    assert _lines(sam, date(2026, 12, 14)) == [(date(2026, 12, 14), Decimal("4.00"), "worked"),
                                               (date(2026, 12, 16), Decimal("9.00"), "holiday")]


def test_the_member_corrects_hours_marks_sickness_and_approves(client, user, rota):
    sam, _ = rota
    services.copy_rota(owner=user, week_start=WEEK)
    timesheet = Timesheet.objects.get(pa=sam)
    client.force_login(user)
    url = reverse("pas:timesheet_edit", args=[timesheet.pk])
    data = {"line-TOTAL_FORMS": "4", "line-INITIAL_FORMS": "2", "line-MIN_NUM_FORMS": "0", "line-MAX_NUM_FORMS": "60",
            "line-0-date": "2026-12-07", "line-0-start": "09:00", "line-0-end": "13:30", "line-0-hours": "",
            "line-0-kind": "worked",
            "line-1-date": "2026-12-09", "line-1-start": "22:00", "line-1-end": "07:00", "line-1-hours": "9",
            "line-1-kind": "holiday",
            "line-2-date": "2026-12-10", "line-2-start": "", "line-2-end": "", "line-2-hours": "6",
            "line-2-kind": "sick",
            "line-3-date": "", "line-3-start": "", "line-3-end": "", "line-3-hours": "", "line-3-kind": "worked"}
    assert client.post(url, data).status_code == 302
    assert _lines(sam) == [(date(2026, 12, 7), Decimal("4.50"), "worked"),
                           (date(2026, 12, 9), Decimal("9.00"), "holiday"),
                           (date(2026, 12, 10), Decimal("6.00"), "sick")]
    client.post(url, {"action": "approve"})
    timesheet.refresh_from_db()
    assert timesheet.approved_at is not None
    client.post(url, {"action": "unapprove"})
    # Found by a first user: approving from a separate form dropped what was typed. One button saves, then approves.
    assert client.post(url, {**data, "line-0-hours": "3.5", "action": "save-approve"}).status_code == 302
    timesheet.refresh_from_db()
    assert timesheet.approved_at is not None and _lines(sam)[0][1] == Decimal("3.50")
    data["line-0-hours"] = "40"
    client.post(url, data)
    assert _lines(sam)[0][1] == Decimal("3.50")  # approved: locked
    with pytest.raises(services.TimesheetLocked):
        services.save_entries(timesheet=timesheet, owner=user, entries=[])


def test_a_line_outside_the_week_is_explained_and_nothing_changes(client, user, rota):
    sam, _ = rota
    timesheet = services.start_timesheet(owner=user, pa=sam, week_start=WEEK)
    client.force_login(user)
    data = {"line-TOTAL_FORMS": "1", "line-INITIAL_FORMS": "0", "line-MIN_NUM_FORMS": "0", "line-MAX_NUM_FORMS": "60",
            "line-0-date": "2026-12-20", "line-0-start": "", "line-0-end": "", "line-0-hours": "x",
            "line-0-kind": "worked"}
    response = client.post(reverse("pas:timesheet_edit", args=[timesheet.pk]), data)
    page = response.content.decode()
    assert response.status_code == 400 and "<title>Error: " in page
    assert "Line 1: Enter a date in this week, 7 December to 13 December 2026" in page
    assert 'href="#id_line-0-date"' in page and 'id="id_line-0-date"' in page
    assert not TimesheetEntry.objects.exists()


def test_hours_are_worked_out_from_times_across_midnight():
    assert services.shift_hours(time(22), time(7)) == Decimal("9.00")
    assert services.shift_hours(time(9), time(13, 45)) == Decimal("4.75")
