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
