"""Passwords: guessable ones refused in context, with the reason; long passphrases pass."""

import pytest
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def sign_up(client, password, *, display_name="Priya Sharma", email="priya.sharma@example.com"):
    return client.post(reverse("account_signup"), {"email": email, "display_name": display_name,
                                                   "password1": password, "password2": password})


@pytest.mark.parametrize(("password", "reason"), [
    ("mycarebudget1", "the site’s name"),
    ("MyCareBudget2026", "the site’s name"),
    ("Summer2025!", "A word with a year"),
    ("priyasharma1", "your name or your email address"),
    ("Sharma123456", "your name or your email address"),
    ("priya.sharma@example.com", "your name or your email address"),
    ("password123", "most used passwords"),
    ("qwertyuiop12", "too easy to guess"),
])
def test_guessable_passwords_are_refused_with_the_reason(client, password, reason):
    response = sign_up(client, password)
    html = response.content.decode()
    assert response.status_code == 200
    assert "This password is too easy to guess." in html and reason in html, html
    assert not User.objects.filter(email="priya.sharma@example.com").exists()
    assert 'value="Priya Sharma"' in html  # what was typed is kept (passwords never are)


@pytest.mark.parametrize("password", [
    PASSWORD, "tulip kettle orbit sunday", "Mae'r gath yn cysgu ar y soffa glas",
    "Яблоко груша слива вишня персик", "my budget pays for Tuesday swimming with Alex and the dog " * 3,
])
def test_long_passphrases_pass(client, password):
    assert sign_up(client, password).status_code == 302
    assert User.objects.filter(email="priya.sharma@example.com").exists()


def test_changing_to_a_guessable_password_is_refused(client):
    user = UserFactory(display_name="Jo Bloggs", email="jo@example.com")
    client.force_login(user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = client.post(reverse("account_change_password"), {
        "oldpassword": PASSWORD, "password1": "JoBloggs2024", "password2": "JoBloggs2024"})
    assert "This password is too easy to guess." in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
