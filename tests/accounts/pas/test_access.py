"""Who may open what: every PA page as the owner, another member, a moderator, staff and anonymous.

Private pages are found through a query scoped to the owner, so everyone else gets the same 404
as for an object that does not exist. The two secret links answer only to a live token.
"""

from datetime import date, time
from decimal import Decimal

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import URLPattern, get_resolver, reverse

from accounts.pas import services
from accounts.pas.models import MinimumWageRate, PersonalAssistant
from mycarebudget.access import MEMBER, MODERATOR, OWNER, TOKEN
from tests.accounts.pas.helpers import make_pa
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SECRET = "Ottoline Marker"


@pytest.fixture
def world(user):
    services.change_rota(owner=user, weeks=1, starts_on=date(2026, 11, 30))
    pa = make_pa(user, name=SECRET)
    shift = services.add_pattern_shift(owner=user, pa=pa, week=1, weekday=1, start=time(9), end=time(13))
    need = services.add_cover_need(owner=user, weekday=1, start=time(8), end=time(20))
    change = services.change_one_shift(owner=user, date=date(2026, 12, 8), pattern_shift=shift, pa=None)
    booking = services.book_holiday(owner=user, pa=pa, first_day=date(2026, 12, 14), last_day=date(2026, 12, 14),
                                    hours=Decimal("4"))
    timesheet = services.start_timesheet(owner=user, pa=pa, week_start=date(2026, 11, 30))
    period = services.add_pay_period(owner=user, first_day=date(2026, 11, 1), last_day=date(2026, 11, 30),
                                     cut_off=None)
    deadline = services.add_deadline(owner=user, kind="audit", due_on=date(2027, 1, 1), repeats=0)
    services.set_rota_link(pa=pa, owner=user, on=True)
    feed = services.set_feed(owner=user, on=True)
    args = {"pa_detail": [pa.pk], "pa_edit": [pa.pk], "pa_delete": [pa.pk], "pa_rota_link": [pa.pk],
            "holiday_book": [pa.pk], "holiday_cancel": [pa.pk, booking.pk], "shift_delete": [shift.pk],
            "cover_delete": [need.pk], "change_delete": [change.pk], "timesheet_edit": [timesheet.pk],
            "payroll_detail": [period.pk], "payroll_csv": [period.pk], "payroll_sent": [period.pk],
            "payroll_delete": [period.pk], "payroll_wages": [period.pk], "deadline_delete": [deadline.pk], "shared_rota": [pa.rota_token],
            "calendar_feed": [feed.feed_token], "wage_rate_delete": [MinimumWageRate.objects.first().pk]}
    return {"owner": user, "pa": pa, "args": args}


def _patterns():
    resolver = get_resolver()
    namespace = resolver.namespace_dict["pas"][1]
    return [pattern for pattern in namespace.url_patterns if isinstance(pattern, URLPattern)]


def _url(name, world):
    return reverse(f"pas:{name}", args=world["args"].get(name, []))


def _visitor(kind):
    if kind == "member":
        return UserFactory()
    if kind == "moderator":
        from django.contrib.auth.models import Group

        member = UserFactory()
        member.groups.add(Group.objects.get_or_create(name="Moderators")[0])
        TOTP.activate(member, generate_totp_secret())
        return member
    if kind == "staff":
        member = UserFactory(is_staff=True, is_superuser=False)
        TOTP.activate(member, generate_totp_secret())
        return member
    return None


def test_every_pas_view_declares_an_access_rule():
    for pattern in _patterns():
        assert getattr(pattern.callback, "access", None) in {MEMBER, OWNER, TOKEN, MODERATOR}, pattern.name


@pytest.mark.parametrize("kind", ["member", "moderator", "staff"])
def test_other_people_get_404_for_every_private_page(client, world, kind):
    visitor = _visitor(kind)
    client.force_login(visitor)
    for pattern in _patterns():
        url = _url(pattern.name, world)
        rule = pattern.callback.access
        if rule == OWNER:
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                assert response.status_code in (404, 405), (kind, method, url, response.status_code)
                assert SECRET.encode() not in response.content
        elif rule == MEMBER:
            response = client.get(url)
            assert response.status_code in (200, 405), (kind, url)
            assert SECRET.encode() not in response.content, (kind, url)
    assert services.read_details(PersonalAssistant.objects.get()).name == SECRET
    assert PersonalAssistant.objects.get().rota_token == world["pa"].rota_token


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    for pattern in _patterns():
        if pattern.callback.access in (OWNER, MEMBER, MODERATOR):
            url = _url(pattern.name, world)
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                assert response.status_code in (302, 405), (method, url)
                if response.status_code == 302:
                    assert response["Location"].startswith("/account/login/"), url


def test_the_owner_opens_every_page(client, world):
    client.force_login(world["owner"])
    for pattern in _patterns():
        if pattern.callback.access in (OWNER, MEMBER) and pattern.name not in (
                "pa_rota_link", "holiday_cancel", "shift_delete", "cover_delete", "change_delete", "payroll_sent",
                "payroll_delete", "deadline_delete", "calendar_feed_link", "pa_delete"):
            response = client.get(_url(pattern.name, world))
            expected = 302 if pattern.name == "payroll_wages" else 200  # no budget yet: sent to set one up
            assert response.status_code == expected, pattern.name


def test_state_changes_refuse_get(client, world):
    client.force_login(world["owner"])
    for name in ("pa_rota_link", "holiday_cancel", "shift_delete", "cover_delete", "change_delete", "payroll_sent",
                 "payroll_delete", "deadline_delete", "calendar_feed_link"):
        assert client.get(_url(name, world)).status_code == 405, name


def test_secret_links_work_for_anyone_until_revoked(client, world):
    for name in ("shared_rota", "calendar_feed"):
        assert client.get(_url(name, world)).status_code == 200
    services.set_rota_link(pa=world["pa"], owner=world["owner"], on=False)
    services.set_feed(owner=world["owner"], on=False)
    for name in ("shared_rota", "calendar_feed"):
        assert client.get(_url(name, world)).status_code == 404, name
    assert client.get(reverse("pas:shared_rota", args=["x" * 43])).status_code == 404


def test_the_rate_table_is_for_moderators_only(client, world):
    client.force_login(world["owner"])
    assert client.get(reverse("pas:wage_rates")).status_code == 403
    client.force_login(_visitor("moderator"))
    assert client.get(reverse("pas:wage_rates")).status_code == 200


def test_csrf_is_required_on_every_form(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world["owner"])
    assert client.post(reverse("pas:pa_delete", args=[world["pa"].pk])).status_code == 403
    assert PersonalAssistant.objects.exists()


def test_a_deleted_accounts_feed_and_rota_link_stop_working(client, world):
    from accounts.services import delete_account

    rota, feed = _url("shared_rota", world), _url("calendar_feed", world)
    erasure = delete_account(user=world["owner"])
    assert any(line.startswith("Your records of 1 PA: rotas") for line in erasure.records), erasure.records
    assert client.get(rota).status_code == 404 and client.get(feed).status_code == 404
