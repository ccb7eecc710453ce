"""Every 429 says how long to wait, in words, and keeps what was typed: the form comes back filled in."""

import re

import pytest
from django.test import RequestFactory
from django.urls import reverse

from mycarebudget.ratelimits import too_many_requests, wait_words
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def limit(settings, **rates):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, **rates}


def assert_form_again(response, *, wait: str, seconds: int):
    html = response.content.decode()
    assert response.status_code == 429 and response["Retry-After"] == str(seconds)
    assert f"Try again in {wait}" in html and "There is a problem" in html and 'role="alert"' in html
    assert re.search(r"<title>Error: ", html)
    assert "<form" in html  # the form itself, not a bare page
    return html


@pytest.mark.parametrize(("amount", "words"), [
    (1, "about 1 minute"), (60, "about 1 minute"), (61, "about 2 minutes"), (15 * 60, "about 15 minutes"),
    (3600, "about 1 hour"), (3601, "about 2 hours")])
def test_the_wait_is_said_in_words_rounded_up(amount, words):
    assert wait_words(amount) == words


def test_sign_up_too_often_shows_the_form_again_with_what_was_typed(client, settings):
    limit(settings, signup="1/h/ip")
    typed = {"email": "sam@example.com", "display_name": "Sam Carer", "password1": PASSWORD, "password2": PASSWORD}
    client.post(reverse("account_signup"), {**typed, "email": "first@example.com"})
    client.logout()
    response = client.post(reverse("account_signup"), typed)
    html = assert_form_again(response, wait="about 1 hour", seconds=3600)
    assert 'value="sam@example.com"' in html and 'value="Sam Carer"' in html
    assert PASSWORD not in html  # passwords are never sent back


def test_reset_too_often_keeps_the_email_address(client, settings):
    limit(settings, reset_password="1/h/key")
    user = UserFactory()
    client.post(reverse("account_reset_password"), {"email": user.email})
    response = client.post(reverse("account_reset_password"), {"email": user.email})
    html = assert_form_again(response, wait="about 1 hour", seconds=3600)
    assert f'value="{user.email}"' in html and "Send me a reset link" in html


def test_sign_in_too_often_keeps_the_email_address(client, settings):
    limit(settings, login="2/m/ip")
    user = UserFactory()
    for _ in range(2):
        client.post(reverse("account_login"), {"login": user.email, "password": "wrong"})
    response = client.post(reverse("account_login"), {"login": user.email, "password": "wrong"})
    html = assert_form_again(response, wait="about 1 minute", seconds=60)
    assert f'value="{user.email}"' in html and 'value="wrong"' not in html


def test_a_page_without_a_form_gives_back_the_text_to_copy():
    request = RequestFactory().post("/somewhere/", {"body": "My long reply <b>about</b> PAs", "password": "secret1"})
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = too_many_requests(request, wait_seconds=120)
    html = response.content.decode()
    assert response.status_code == 429 and response["Retry-After"] == "120"
    assert "Try again in about 2 minutes." in html
    assert "My long reply &lt;b&gt;about&lt;/b&gt; PAs</textarea>" in html and "secret1" not in html


def test_reauthenticate_too_often_says_how_long(client, settings):
    limit(settings, reauthenticate="2/m/user")
    user = UserFactory()
    client.force_login(user)
    for _ in range(2):
        client.post(reverse("account_reauthenticate"), {"password": "wrong"})
    response = client.post(reverse("account_reauthenticate"), {"password": "wrong"})
    assert "Try again in about 1 minute" in response.content.decode()


def test_adding_an_email_too_often_keeps_the_address(client, settings):
    limit(settings, manage_email="1/m/user")
    client.force_login(UserFactory())
    data = {"email": "new@example.com", "action_add": ""}
    client.post(reverse("account_email"), data)
    html = assert_form_again(client.post(reverse("account_email"), data), wait="about 1 minute", seconds=60)
    assert 'value="new@example.com"' in html


def test_a_page_that_cannot_be_rebuilt_still_says_how_long(client, settings):
    """The reset-by-link page sets itself up from the link; its form has only passwords to keep."""
    limit(settings, reset_password_from_key="1/m/ip")
    url = reverse("account_reset_password_from_key", args=["3-abc", "key"])
    client.post(url, {"password1": "x", "password2": "x"})
    response = client.post(url, {"password1": "x", "password2": "x"})
    assert response.status_code == 429 and response["Retry-After"] == "60"
    assert "Try again in about 1 minute." in response.content.decode()
