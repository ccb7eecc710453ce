"""Display names no one can fake: unique without regard to case or look-alikes, no role names."""

import pytest
from django.db import IntegrityError
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def sign_up(client, display_name):
    return client.post(reverse("account_signup"), {"email": "new@example.com", "display_name": display_name,
                                                   "password1": PASSWORD, "password2": PASSWORD})


@pytest.mark.parametrize("lookalike", ["Priya", "PRIYA", "priya", "Prіya", "Ρriya", "Ｐｒｉｙａ", "Pr1ya",
                                       "Pri-ya", "Príya", " Priya. "])
def test_a_name_that_looks_like_a_members_is_refused(client, lookalike):
    UserFactory(display_name="Priya")
    response = sign_up(client, lookalike)
    assert response.status_code == 200
    assert "That display name is taken, or looks too like one that is" in response.content.decode()
    assert not User.objects.filter(email="new@example.com").exists()


@pytest.mark.parametrize("name", ["Moderator", "Mo (moderator)", "Moderator Team", "Ｍｏｄｅｒａｔｏｒ",
                                  "M0derat0r", "Site Admin", "MyCareBudget", "My Care Budget help", "NHS Priya",
                                  "Priya ICB", "mоderator"])
def test_names_that_pretend_to_a_role_are_refused(client, name):
    response = sign_up(client, name)
    assert "Display names cannot mention a role or organisation" in response.content.decode()
    assert not User.objects.filter(email="new@example.com").exists()


@pytest.mark.parametrize("name", ["Priya S", "Badminton Fan", "Jo from Leeds", "李明", "Zoë"])
def test_ordinary_names_are_accepted(client, name):
    UserFactory(display_name="Priya")
    response = sign_up(client, name)
    assert response.status_code == 302, response.content.decode()
    assert User.objects.get(email="new@example.com").display_name == name


def test_renaming_keeps_your_own_name_but_not_anothers(client):
    UserFactory(display_name="Priya")
    me = UserFactory(display_name="Sam")
    client.force_login(me)
    assert client.post(reverse("accounts:display_name"), {"display_name": "SAM"}).status_code == 302
    response = client.post(reverse("accounts:display_name"), {"display_name": "priya"})
    assert response.status_code == 400 and "looks too like one that is" in response.content.decode()
    me.refresh_from_db()
    assert me.display_name == "SAM"


def test_the_database_refuses_look_alike_names_too():
    """The form's check can race; the unique key cannot."""
    UserFactory(display_name="Priya")
    with pytest.raises(IntegrityError):
        UserFactory(display_name="PRІYA")


def test_deleted_members_free_their_name():
    from accounts.services import delete_account

    gone = UserFactory(display_name="Priya")
    delete_account(user=gone)
    assert UserFactory(display_name="Priya").name_key == "priya"
