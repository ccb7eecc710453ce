"""A signed-in member's row is shared by every worker (accounts.backends), and forgotten the moment it changes."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _signed_in(member) -> Client:
    browser = Client()
    assert browser.post(reverse("account_login"), {"login": member.email, "password": PASSWORD}).status_code == 302
    return browser


def _is_signed_in(browser: Client) -> bool:
    return "Sign out" in browser.get("/wiki/").text


def test_a_members_next_page_reads_their_row_from_the_shared_cache(with_redis):
    browser = _signed_in(UserFactory())
    assert _is_signed_in(browser)
    with CaptureQueriesContext(connection) as queries:
        assert _is_signed_in(browser)
    assert not [query for query in queries if "accounts_user" in query["sql"]]


def test_a_new_password_signs_the_members_other_browsers_out_at_once(with_redis, django_capture_on_commit_callbacks):
    member = UserFactory()
    laptop, phone = _signed_in(member), _signed_in(member)
    assert _is_signed_in(phone)  # its row is now in the cache
    new_password = "a different passphrase 99"
    with django_capture_on_commit_callbacks(execute=True):
        response = laptop.post(reverse("account_change_password"),
                               {"oldpassword": PASSWORD, "password1": new_password, "password2": new_password})
    assert response.status_code == 302
    assert _is_signed_in(laptop)  # Django keeps the browser that changed it signed in
    assert not _is_signed_in(phone)


@pytest.mark.parametrize("change", ["deactivated", "deleted"])
def test_an_account_closed_elsewhere_is_signed_out_at_once(with_redis, change):
    member = UserFactory()
    browser = _signed_in(member)
    assert _is_signed_in(browser)
    if change == "deactivated":
        member.is_active = False
        member.save(update_fields=["is_active"])
    else:
        member.delete()
    assert not _is_signed_in(browser)


def test_without_redis_the_row_is_read_every_time(client):
    """Without Redis (the suite's own cache) a worker's memory never hears another worker's change."""
    client.force_login(UserFactory())
    client.get("/wiki/")
    with CaptureQueriesContext(connection) as queries:
        assert "Sign out" in client.get("/wiki/").text
    assert [query for query in queries if "accounts_user" in query["sql"]]


def _shows_moderation_link(browser: Client) -> bool:
    return "Moderation (" in browser.get("/wiki/").text


def test_joining_or_leaving_the_moderators_shows_in_the_header_at_once(with_redis, moderator):
    from django.contrib.auth.models import Group

    newcomer = UserFactory()
    browser = _signed_in(newcomer)
    assert not _shows_moderation_link(browser)  # their row, saying so, is now shared
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    Group.objects.get(name="Moderators").user_set.add(newcomer)  # from the group's side
    assert not _shows_moderation_link(browser)  # not until two-step verification is on
    TOTP.activate(newcomer, generate_totp_secret())
    assert _shows_moderation_link(browser)
    newcomer.groups.clear()  # from the member's side
    assert not _shows_moderation_link(browser)


def test_the_shared_row_never_grants_moderator_power(with_redis, moderator):
    """What the row says of moderator power only points the way: losing the power with no signal at all
    (the group deleted) ends it at the next action."""
    from django.contrib.auth.models import Group

    from tests.forum.factories import start

    topic = start()
    browser = Client()
    browser.force_login(moderator)
    assert _shows_moderation_link(browser)  # the row is now shared, saying they may moderate
    Group.objects.filter(name="Moderators").delete()
    assert browser.post(reverse("forum:topic_lock", args=[topic.pk])).status_code == 403
    topic.refresh_from_db()
    assert not topic.is_locked


def test_a_member_signed_in_with_two_step_verification_is_found_the_same_way(with_redis):
    """allauth finishes a two-step sign-in through the first backend that is its own: ours."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from tests.factories import totp_code

    member, secret = UserFactory(), generate_totp_secret()
    TOTP.activate(member, secret)
    browser = Client()
    browser.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    assert browser.post(reverse("mfa_authenticate"), {"code": totp_code(secret)}).status_code == 302
    assert browser.session["_auth_user_backend"] == "accounts.backends.MemberBackend"
    assert _is_signed_in(browser)
    with CaptureQueriesContext(connection) as queries:
        assert _is_signed_in(browser)
    assert not [query for query in queries if "accounts_user" in query["sql"]]


def test_a_session_begun_under_the_old_backends_is_signed_out_cleanly(client):
    """Sessions from before this backend name Django's or allauth's: their next page is an ordinary
    signed-out page (sign in again), never an error."""
    client.force_login(UserFactory())
    session = client.session
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session.save()
    response = client.get("/wiki/")
    assert response.status_code == 200 and "Sign in" in response.text
