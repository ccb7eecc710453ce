"""Signed-in devices: where you are signed in, described in words, and signing out everywhere else."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import SignIn
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
         "Version/17.0 Mobile/15E148 Safari/604.1")
LAPTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


def signed_in(user, agent) -> Client:
    browser = Client(HTTP_USER_AGENT=agent)
    assert browser.post(reverse("account_login"), {"login": user.email, "password": PASSWORD}).status_code == 302
    return browser


def test_devices_are_listed_in_words_and_others_signed_out(client, django_capture_on_commit_callbacks):
    user = UserFactory()
    phone, laptop = signed_in(user, PHONE), signed_in(user, LAPTOP)
    stranger = signed_in(UserFactory(), LAPTOP)
    html = laptop.get(reverse("accounts:devices")).content.decode()
    assert "Safari on an iPhone" in html and "Chrome on a Windows computer" in html
    assert "Mozilla/5.0" not in html and html.count("This device") == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = laptop.post(reverse("accounts:devices"), follow=True)
    assert "You have been signed out on 1 other device" in response.content.decode()
    assert phone.get(reverse("accounts:home")).status_code == 302  # signed out
    assert laptop.get(reverse("accounts:home")).status_code == 200  # still in
    assert stranger.get(reverse("accounts:home")).status_code == 200  # someone else's session untouched
    assert SignIn.objects.filter(user=user).exclude(session_key="").count() == 1


def test_devices_page_needs_sign_in(client):
    assert client.get(reverse("accounts:devices")).status_code == 302


def test_addresses_are_kept_as_their_network_only(client):
    user = UserFactory()
    phone = Client(HTTP_USER_AGENT=PHONE, REMOTE_ADDR="203.0.113.57")
    phone.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    laptop = Client(HTTP_USER_AGENT=LAPTOP, REMOTE_ADDR="2001:db8:85a3:1234:5678::9")
    laptop.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert sorted(SignIn.objects.filter(user=user).values_list("ip_address", flat=True)) == [
        "2001:db8:85a3::", "203.0.113.0"]
    html = laptop.get(reverse("accounts:devices")).content.decode()
    assert "Network 203.0.113.x" in html and "Network 2001:db8:85a3:x" in html
    assert "203.0.113.57" not in html and "5678" not in html


def test_where_says_same_network_or_place_not_known():
    user = UserFactory()
    home = Client(HTTP_USER_AGENT=PHONE, REMOTE_ADDR="203.0.113.57")
    home.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    away = Client(HTTP_USER_AGENT=LAPTOP, REMOTE_ADDR="198.51.100.7")
    away.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    # The phone, now on the laptop's network: the laptop's row is "same network", the phone's own
    # sign-in (from home) is not: the comparison is with where this request comes from.
    html = home.get(reverse("accounts:devices"), REMOTE_ADDR="198.51.100.200").content.decode()
    assert html.count("Same network as this device") == 1 and html.count("Place not known") == 1
    rows = html.split("<tbody>")[1].split("</tr>")
    laptop_row = next(row for row in rows if "Windows" in row)
    assert "Same network as this device" in laptop_row


def test_last_used_is_written_at_most_every_few_minutes(django_assert_num_queries):
    import time_machine

    user = UserFactory()
    with time_machine.travel("2026-12-03 10:00 +0000", tick=False):
        phone = signed_in(user, PHONE)
        laptop = signed_in(user, LAPTOP)
    phone_sign_in = SignIn.objects.get(user=user, user_agent=PHONE)
    with time_machine.travel("2026-12-03 10:04 +0000", tick=False):
        phone.get(reverse("accounts:home"))
    phone_sign_in.refresh_from_db()
    assert phone_sign_in.last_used_at.isoformat() == "2026-12-03T10:00:00+00:00"  # within 5 minutes: no write
    with time_machine.travel("2026-12-03 10:06 +0000", tick=False):
        phone.get(reverse("accounts:home"))
    phone_sign_in.refresh_from_db()
    assert phone_sign_in.last_used_at.isoformat() == "2026-12-03T10:06:00+00:00"
    with time_machine.travel("2026-12-03 12:30 +0000", tick=False):
        html = laptop.get(reverse("accounts:devices")).content.decode()
    assert "3 December 2026 at 10:06am" in html  # the phone, in UK time
    assert "Now" in html  # this device


def test_a_request_between_writes_costs_no_query():
    """Guards 'not a write per request': the time of the last mark is read from the session."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = UserFactory()
    phone = signed_in(user, PHONE)
    phone.get(reverse("accounts:home"))
    with CaptureQueriesContext(connection) as queries:
        phone.get(reverse("accounts:home"))
    assert not [query for query in queries.captured_queries if "accounts_signin" in query["sql"]
                and query["sql"].lstrip().upper().startswith("UPDATE")]


def test_anonymous_readers_get_no_session_and_no_write():
    response = Client().get("/wiki/")
    assert response.status_code == 200 and not response.cookies  # no session made for them
    assert not SignIn.objects.exists()


def test_addresses_recorded_in_full_before_are_shortened_by_the_migration():
    import importlib

    from django.apps import apps

    user = UserFactory()
    SignIn.objects.create(user=user, reference="A", ip_address="203.0.113.57")
    SignIn.objects.create(user=user, reference="B", ip_address="2001:db8:85a3:1234::1")
    SignIn.objects.create(user=user, reference="C", ip_address=None)
    importlib.import_module("accounts.migrations.0009_shorten_sign_in_addresses").shorten(apps, None)
    assert dict(SignIn.objects.values_list("reference", "ip_address")) == {
        "A": "203.0.113.0", "B": "2001:db8:85a3::", "C": None}


def test_devices_page_queries_do_not_grow_with_devices():
    """Guards an n+1: one query lists every sign-in, whatever the number of devices."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = UserFactory()
    laptop = signed_in(user, LAPTOP)
    laptop.get(reverse("accounts:devices"))
    signed_in(user, PHONE)
    with CaptureQueriesContext(connection) as two_devices:
        laptop.get(reverse("accounts:devices"))
    for _ in range(9):
        signed_in(user, PHONE)
    with CaptureQueriesContext(connection) as eleven_devices:
        html = laptop.get(reverse("accounts:devices")).content.decode()
    assert html.count("Safari on an iPhone") == 10
    assert len(eleven_devices.captured_queries) == len(two_devices.captured_queries) <= 8
