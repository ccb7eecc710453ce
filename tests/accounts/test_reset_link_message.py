"""A password reset link that no longer works says why, truthfully: it works once, for 3 days, and
signing in or changing the password stops it (Django's reset token includes last_login and the password)."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def reset_link(client, django_capture_on_commit_callbacks, email: str) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": email})
    return re.search(r"https?://[^/\s]+(/account/password/reset/key/\S+/)", mail.outbox[-1].body).group(1)


def test_a_link_stopped_by_signing_in_elsewhere_says_so(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="forgetful@example.com")
    link = reset_link(client, django_capture_on_commit_callbacks, user.email)
    Client().force_login(user)  # signed in again on another device: last_login changes, so the token does

    html = client.get(link, follow=True).content.decode()

    assert "This link no longer works" in html
    assert "already been used or is too old" not in html
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "works once" in text and "3 days" in text
    assert "stops working when you sign in or change your password" in text
    assert f'href="{reverse("account_reset_password")}"' in html


def test_the_reset_email_says_signing_in_stops_the_link(client, django_capture_on_commit_callbacks):
    user = UserFactory()
    reset_link(client, django_capture_on_commit_callbacks, user.email)
    body = " ".join(mail.outbox[-1].body.split())
    assert "It works once, for 3 days, and stops working if you sign in before you use it" in body


def test_the_answer_to_a_script_gives_the_same_reasons(client, django_capture_on_commit_callbacks):
    """allauth answers a request asking for JSON with its form error, which is our adapter's wording."""
    user = UserFactory()
    link = reset_link(client, django_capture_on_commit_callbacks, user.email)
    Client().force_login(user)

    response = client.get(link, HTTP_ACCEPT="application/json")

    errors = " ".join(response.json()["form"]["errors"])
    assert "already been used" not in errors
    assert "stops working when you sign in or change your password" in errors


def test_the_3_days_in_the_wording_is_django_s_timeout(settings):
    """A guard, not a regression test: the pages and the email say 3 days, so the timeout must be 3 days."""
    assert settings.PASSWORD_RESET_TIMEOUT == 3 * 24 * 60 * 60
