"""The rota: weekly and four-weekly patterns, one-off changes, gaps, the printout and a PA's link."""

from datetime import date, time

import pytest
from django.urls import reverse

from accounts.pas import services
from accounts.pas.rota import gaps_between, shifts_between
from tests.accounts.pas.helpers import make_pa, shift
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 12, 7)
TUESDAY = date(2026, 12, 8)


def _rota(user, weeks=1):
    return services.change_rota(owner=user, weeks=weeks, starts_on=date(2026, 11, 30))


def test_a_weekly_pattern_repeats_every_week(user):
    _rota(user)
    sam = make_pa(user)
    shift(user, sam, 1, "09:00", "13:00")
    shifts = shifts_between(user, MONDAY, date(2026, 12, 20))
    assert [(s.date, s.start, s.pa.pk) for s in shifts] == [(TUESDAY, time(9), sam.pk),
                                                              (date(2026, 12, 15), time(9), sam.pk)]


def test_a_four_week_pattern_puts_each_week_on_its_own_dates(user):
    _rota(user, weeks=4)  # week 1 starts Monday 30 November
    sam, alex = make_pa(user, name="Sam"), make_pa(user, name="Alex")
    shift(user, sam, 5, "10:00", "16:00", week=1)  # Saturday of weeks 1 and 3: every other weekend
    shift(user, alex, 5, "10:00", "16:00", week=2)
    shift(user, sam, 5, "10:00", "16:00", week=3)
    shift(user, alex, 5, "10:00", "16:00", week=4)
    saturdays = [s for s in shifts_between(user, date(2026, 11, 30), date(2027, 1, 3))]
    assert [(s.date, s.pa.pk) for s in saturdays] == [
        (date(2026, 12, 5), sam.pk), (date(2026, 12, 12), alex.pk), (date(2026, 12, 19), sam.pk),
        (date(2026, 12, 26), alex.pk), (date(2027, 1, 2), sam.pk)]


def test_gaps_are_shown_plainly_for_cover_hours_no_one_works(client, user):
    _rota(user)
    sam = make_pa(user)
    shift(user, sam, 1, "08:00", "18:00")
    services.add_cover_need(owner=user, weekday=1, start=time(8), end=time(22))
    client.force_login(user)
    page = client.get(reverse("pas:rota") + "?week=2026-12-07").content.decode()
    assert "No one on Tuesday 8 December 18:00–22:00" in page
    assert "1 gap in the rota" in page


def test_an_open_shift_and_a_pa_on_holiday_are_gaps(user):
    _rota(user)
    sam = make_pa(user)
    shift(user, None, 0, "18:00", "22:00")  # no one yet
    shift(user, sam, 1, "09:00", "13:00")
    services.book_holiday(owner=user, pa=sam, first_day=TUESDAY, last_day=TUESDAY, hours=4)
    shifts = shifts_between(user, MONDAY, MONDAY)
    tuesday = shifts_between(user, TUESDAY, TUESDAY)
    assert tuesday[0].pa is None and tuesday[0].off_reason == "holiday" and tuesday[0].rostered.pk == sam.pk
    gaps = [str(gap) for gap in gaps_between(user, MONDAY, TUESDAY, shifts + tuesday)]
    assert gaps == ["No one on Monday 7 December 18:00–22:00", "No one on Tuesday 8 December 09:00–13:00"]


def test_a_night_shift_covers_the_early_hours_of_the_next_day(user):
    _rota(user)
    sam = make_pa(user)
    shift(user, sam, 0, "22:00", "07:00")
    services.add_cover_need(owner=user, weekday=1, start=time(0), end=time(8))
    shifts = shifts_between(user, MONDAY, TUESDAY)
    assert [str(gap) for gap in gaps_between(user, MONDAY, TUESDAY, shifts)] == [
        "No one on Tuesday 8 December 07:00–08:00"]


def test_one_off_changes_cover_cancel_and_add_without_changing_the_pattern(client, user):
    _rota(user)
    sam, alex = make_pa(user, name="Sam"), make_pa(user, name="Alex")
    pattern = shift(user, sam, 1, "09:00", "13:00")
    client.force_login(user)
    response = client.post(reverse("pas:change_add"), {"date": "2026-12-08", "shift": str(pattern.pk),
                                                        "pa": str(alex.pk), "start": "10:00", "end": ""})
    assert response.status_code == 302
    response = client.post(reverse("pas:change_add"), {"date": "2026-12-15", "shift": str(pattern.pk),
                                                        "cancel": "on"})
    response = client.post(reverse("pas:change_add"), {"date": "2026-12-16", "shift": "extra", "pa": str(sam.pk),
                                                        "start": "14:00", "end": "16:00"})
    shifts = shifts_between(user, MONDAY, date(2026, 12, 22))
    assert [(s.date, s.start, s.end, s.pa.pk) for s in shifts] == [
        (TUESDAY, time(10), time(13), alex.pk),
        (date(2026, 12, 16), time(14), time(16), sam.pk),
        (date(2026, 12, 22), time(9), time(13), sam.pk)]


def test_a_change_on_a_day_the_shift_is_not_on_is_refused(client, user):
    _rota(user)
    pattern = shift(user, make_pa(user), 1, "09:00", "13:00")
    client.force_login(user)
    response = client.post(reverse("pas:change_add"), {"date": "2026-12-09", "shift": str(pattern.pk)})
    assert response.status_code == 400
    assert "That shift is not on the rota on this date" in response.content.decode()


def test_the_printable_rota_shows_four_weeks_with_gaps(client, user):
    _rota(user)
    shift(user, make_pa(user), 1, "09:00", "13:00")
    shift(user, None, 3, "18:00", "22:00")
    client.force_login(user)
    page = client.get(reverse("pas:rota_print") + "?week=2026-12-07").content.decode()
    assert "Rota: 7 December to 3 January 2027" in page
    assert page.count("Sam Jones") == 4
    assert "No one on Thursday 31 December 18:00–22:00" in page
    assert "@media print" not in page  # print rules live in the stylesheet


def test_a_pas_rota_link_shows_only_their_own_shifts(client, user):
    _rota(user)
    sam, alex = make_pa(user, name="Sam Jones"), make_pa(user, name="Alex Smith")
    shift(user, sam, 1, "09:00", "13:00")
    shift(user, alex, 2, "17:00", "21:00")
    shift(user, None, 3, "18:00", "22:00")
    services.set_rota_link(pa=sam, owner=user, on=True)
    client.logout()
    response = client.get(reverse("pas:shared_rota", args=[sam.rota_token]))
    page = response.content.decode()
    assert response.status_code == 200 and "Sam Jones" in page and "09:00–13:00" in page
    assert "Alex" not in page and "17:00" not in page and "18:00" not in page and "No one" not in page
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]


def test_a_revoked_or_replaced_rota_link_stops_working(client, user):
    sam = make_pa(user)
    services.set_rota_link(pa=sam, owner=user, on=True)
    old = sam.rota_token
    services.set_rota_link(pa=sam, owner=user, on=True)
    assert client.get(reverse("pas:shared_rota", args=[old])).status_code == 404
    new = sam.rota_token
    client.force_login(user)
    client.post(reverse("pas:pa_rota_link", args=[sam.pk]), {"action": "off"})
    client.logout()
    assert client.get(reverse("pas:shared_rota", args=[new])).status_code == 404


def test_a_leavers_rota_link_stops_working(client, user):
    sam = make_pa(user, end_date=date(2020, 1, 1), start_date=date(2019, 1, 1))
    services.set_rota_link(pa=sam, owner=user, on=True)
    assert client.get(reverse("pas:shared_rota", args=[sam.rota_token])).status_code == 404


def test_another_members_pa_cannot_be_put_on_my_rota(client, user):
    stranger_pa = make_pa(UserFactory(), name="Not mine")
    client.force_login(user)
    response = client.post(reverse("pas:shift_add"), {"pa": str(stranger_pa.pk), "weekday": "1",
                                                       "start": "09:00", "end": "13:00"})
    assert response.status_code == 400  # not among the choices
    from django.http import Http404
    with pytest.raises(Http404):
        services.add_pattern_shift(owner=user, pa=stranger_pa, week=1, weekday=1, start=time(9), end=time(13))


def test_the_rota_page_queries_do_not_grow_with_shifts(client, user, django_assert_max_num_queries):
    """Guards an n+1 on each shift's PA."""
    _rota(user)
    pas = [make_pa(user, name=f"PA {n}") for n in range(4)]
    for day in range(7):
        for pa in pas:
            shift(user, pa, day, "09:00", "10:00")
    client.force_login(user)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("pas:rota") + "?week=2026-12-07").status_code == 200


def test_a_pa_cannot_have_two_shifts_at_once(client, user):
    """Found by a first user: 09:00-14:00 and 13:00-15:00 on one Monday were both kept, and the hour paid twice."""
    services.change_rota(owner=user, weeks=1, starts_on=date(2025, 1, 6))
    alex = make_pa(user, name="Alex")
    shift(user, alex, 0, "09:00", "14:00")
    client.force_login(user)
    response = client.post(reverse("pas:shift_add"), {"pa": str(alex.pk), "weekday": "0",
                                                       "start": "13:00", "end": "15:00"})
    assert response.status_code == 400
    assert "They already have a shift that day from 09:00 to 14:00" in response.content.decode()
    shift(user, alex, 0, "14:00", "18:00")  # back to back is fine
    shift(user, make_pa(user, name="Sam"), 0, "13:00", "15:00")  # so is someone else at the same time
    assert alex.pattern_shifts.count() == 2
