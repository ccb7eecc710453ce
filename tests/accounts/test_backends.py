"""The signed-in member is read with one prepared query, and is exactly the member the ORM reads."""

import pytest
from django.contrib.auth import get_user_model

from accounts.backends import AuthenticationBackend, ModelBackend, load_member
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_member_is_the_same_as_the_orm_reads_field_by_field():
    User = get_user_model()
    made = UserFactory(display_name="Sam")
    loaded, expected = load_member(str(made.pk)), User.objects.get(pk=made.pk)
    for field in User._meta.concrete_fields:
        assert getattr(loaded, field.attname) == getattr(expected, field.attname), field.name
    assert loaded.date_joined.tzinfo is not None
    assert loaded._state.adding is False and loaded._state.db == "default"


@pytest.mark.parametrize("backend", [ModelBackend, AuthenticationBackend])
def test_unknown_malformed_and_inactive_members_are_nobody(backend):
    inactive = UserFactory(is_active=False)
    assert backend().get_user(str(inactive.pk)) is None
    assert backend().get_user("999999") is None
    assert backend().get_user("not a number") is None
    active = UserFactory()
    assert backend().get_user(str(active.pk)) == active


def test_a_changed_password_still_ends_other_sessions(client):
    member = UserFactory()
    client.force_login(member)
    assert client.get("/account/").status_code == 200
    member.set_password("a brand new passphrase")
    member.save()
    assert client.get("/account/").status_code == 302  # sent to sign in


def test_every_signed_in_request_reads_the_member_once(client, django_assert_num_queries):
    client.force_login(UserFactory())
    client.get("/wiki/")
    with django_assert_num_queries(2):  # the session, then the member
        client.get("/accessibility/")
