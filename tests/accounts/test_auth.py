"""Sign-up, sign-in, reset, rate limits and two-step verification, through the test client."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.urls import reverse

from accounts.models import SignIn, User
from tests.factories import PASSWORD, UserFactory, totp_code

pytestmark = pytest.mark.django_db

SIGNUP = {"email": "new@example.com", "display_name": "Sam", "password1": PASSWORD, "password2": PASSWORD}


def without_tokens(html: bytes) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html.decode())


def current_code(user) -> str:
    secret = TOTP(Authenticator.objects.get(user=user, type="totp")).instance.wrap().instance.data["secret"]
    from allauth.mfa.adapter import get_adapter

    return totp_code(get_adapter().decrypt(secret))


def test_sign_up_sends_a_verification_link_that_signs_the_member_in(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="new@example.com")
    assert user.display_name == "Sam"
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/account/confirm-email/\S+/", mail.outbox[0].body).group(0)
    assert "Sam" not in mail.outbox[0].subject
    response = client.post("/" + link.split("/", 3)[-1])
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert client.get(reverse("accounts:home")).status_code == 200


def test_sign_up_refuses_an_email_as_display_name_with_an_accessible_error(client):
    response = client.post(reverse("account_signup"), {**SIGNUP, "display_name": "me@example.com"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Create an account" in html
    assert "do not use your email address" in html
    assert re.search(r'aria-describedby="[^"]*id_display_name-error[^"]*"', html)
    assert 'id="id_display_name-error"' in html and 'href="#id_display_name"' in html
    assert 'value="me@example.com"' in html  # what was typed is kept
    assert not User.objects.filter(email="new@example.com").exists()


@pytest.mark.parametrize("field,message", [("email", "Enter your email address"), ("password1", "Enter a password"),
                                           ("display_name", "Enter a display name")])
def test_sign_up_errors_say_what_to_do(client, field, message):
    response = client.post(reverse("account_signup"), {**SIGNUP, field: ""})
    assert message in response.content.decode()


def test_sign_up_with_a_taken_email_looks_exactly_like_a_new_one(client, django_capture_on_commit_callbacks):
    UserFactory(email="taken@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        taken = client.post(reverse("account_signup"), {**SIGNUP, "email": "taken@example.com"})
    with django_capture_on_commit_callbacks(execute=True):
        fresh = client.post(reverse("account_signup"), {**SIGNUP, "email": "fresh@example.com"})
    assert (taken.status_code, taken["Location"]) == (fresh.status_code, fresh["Location"])
    assert User.objects.filter(email="taken@example.com").count() == 1
    assert "You already have an account" in mail.outbox[0].body


def test_sign_in_failure_is_identical_for_known_and_unknown_emails(client):
    UserFactory(email="known@example.com")
    known = client.post(reverse("account_login"), {"login": "known@example.com", "password": "wrong password 1"})
    unknown = client.post(reverse("account_login"), {"login": "nobody@example.com", "password": "wrong password 1"})
    assert known.status_code == unknown.status_code == 200
    assert without_tokens(known.content).replace("known@", "X@") == without_tokens(unknown.content).replace(
        "nobody@", "X@")
    assert "Either the email address or the password is not right" in known.content.decode()


def test_password_reset_is_identical_for_known_and_unknown_emails(client, django_capture_on_commit_callbacks):
    UserFactory(email="known@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("account_reset_password"), {"email": "known@example.com"})
        unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(mail.outbox) == 2  # one reset link, one "no account here": both queued after commit


def test_sign_in_and_sign_out(client):
    user = UserFactory()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert SignIn.objects.filter(user=user).count() == 1
    assert client.post(reverse("account_logout")).status_code == 302
    assert client.get(reverse("accounts:home")).status_code == 302


def test_failed_sign_ins_are_limited_per_account_from_any_address(client):
    user = UserFactory()
    for attempt in range(5):
        client.post(reverse("account_login"), {"login": user.email, "password": f"wrong {attempt}"},
                    REMOTE_ADDR=f"10.0.0.{attempt + 1}")
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD},
                           REMOTE_ADDR="10.0.0.99")
    assert response.status_code == 200
    assert "Too many attempts to sign in" in response.content.decode()
    other = UserFactory()  # other accounts are not affected
    assert client.post(reverse("account_login"), {"login": other.email, "password": PASSWORD},
                       REMOTE_ADDR="10.0.0.99").status_code == 302


def test_failed_sign_ins_are_limited_per_address_across_accounts(client):
    for number in range(10):
        client.post(reverse("account_login"), {"login": f"guess{number}@example.com", "password": "wrong one"},
                    REMOTE_ADDR="192.0.2.7")
    user = UserFactory()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD},
                           REMOTE_ADDR="192.0.2.7")
    assert "Too many attempts to sign in" in response.content.decode()
    assert client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD},
                       REMOTE_ADDR="192.0.2.8").status_code == 302


def test_changing_email_needs_the_password_again(client, django_capture_on_commit_callbacks):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("account_email"), {"action_add": "", "email": "moved@example.com"})
    assert response.status_code == 302 and reverse("account_reauthenticate") in response["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reauthenticate") + "?next=/account/email/",
                               {"password": PASSWORD})
    assert EmailAddress.objects.filter(user=user, email="moved@example.com", verified=False).exists()
    assert any("moved@example.com" in message.to for message in mail.outbox)


def test_display_name_can_be_changed_but_not_to_an_email(client):
    user = UserFactory()
    client.force_login(user)
    assert client.post(reverse("accounts:display_name"), {"display_name": "a@b.com"}).status_code == 400
    assert client.post(reverse("accounts:display_name"), {"display_name": "  New   Name "}).status_code == 302
    user.refresh_from_db()
    assert user.display_name == "New Name"


def test_totp_secret_is_encrypted_in_the_database():
    user = UserFactory()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    stored = Authenticator.objects.get(user=user).data["secret"]
    assert secret not in stored and stored.startswith("enc1:")


def test_sign_in_with_two_step_verification_asks_for_the_code(client):
    user = UserFactory()
    TOTP.activate(user, generate_totp_secret())
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("accounts:home")).status_code == 302  # not signed in yet
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert "Incorrect code" in wrong.content.decode() or wrong.status_code == 200
    response = client.post(reverse("mfa_authenticate"), {"code": current_code(user)})
    assert response.status_code == 302
    assert client.get(reverse("accounts:home")).status_code == 200


def moderation_view():
    from django.http import HttpResponse

    from mycarebudget.moderation.powers import moderator_required

    return moderator_required(lambda request: HttpResponse("moderation"))


def test_moderators_without_two_step_are_sent_to_set_it_up(rf):
    from django.contrib.auth.models import Group
    from django.contrib.messages.storage.fallback import FallbackStorage

    member = UserFactory()
    member.groups.add(Group.objects.get_or_create(name="Moderators")[0])
    request = rf.get("/moderation/")
    request.user = member
    request.session = {}
    request._messages = FallbackStorage(request)
    response = moderation_view()(request)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")


def test_moderators_with_two_step_get_through(rf, moderator):
    request = rf.get("/moderation/")
    request.user = moderator
    assert moderation_view()(request).content == b"moderation"


def test_staff_need_two_step_for_the_admin(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    TOTP.activate(staff, generate_totp_secret())
    assert client.get("/admin/").status_code == 200


def test_admin_sign_in_goes_through_our_sign_in_page(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_admin_shows_no_two_step_secret(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    client.force_login(staff)
    authenticator = Authenticator.objects.get(user=staff)
    html = client.get(f"/admin/mfa/authenticator/{authenticator.pk}/change/").content.decode()
    assert secret not in html and "enc1:" not in html


@pytest.mark.parametrize("name", ["account_login", "account_signup", "account_reset_password"])
def test_sign_in_pages_use_our_layout(client, name):
    html = client.get(reverse(name)).content.decode()
    assert html.count("<h1") == 1 and 'id="main-content"' in html and "<script" not in html
    assert "placeholder=" not in html


def test_password_reset_link_works_once(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="forgetful@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "forgetful@example.com"})
    link = re.search(r"https?://[^/\s]+(/account/password/reset/key/\S+/)", mail.outbox[-1].body).group(1)
    form_url = client.get(link)["Location"]  # allauth moves the key out of the address first
    new_password = "another long passphrase 77"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)
    again = client.get(link, follow=True).content.decode()
    assert "This link no longer works" in again


def test_changing_password_needs_the_current_one(client, django_capture_on_commit_callbacks):
    user = UserFactory()
    client.force_login(user)
    new_password = "a different passphrase 99"
    wrong = client.post(reverse("account_change_password"),
                        {"oldpassword": "not it at all", "password1": new_password, "password2": new_password})
    assert wrong.status_code == 200
    assert re.findall(r"Error:</span>([^<]*)", wrong.content.decode()) == [" Enter your current password"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_change_password"),
                               {"oldpassword": PASSWORD, "password1": new_password, "password2": new_password})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)
    assert any("password" in message.subject.lower() for message in mail.outbox)  # told by email


def test_two_step_set_up_key_is_shown_in_groups_of_four(client):
    client.force_login(UserFactory())
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    html = client.get(reverse("mfa_activate_totp")).content.decode()
    key = re.search(r'<code class="app-setup-key">([^<]+)</code>', html).group(1)
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{1,4})+", key), key
