"""Every email: in our words, links under SITE_URL, no member-written text passed off as ours."""

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory
from tests.forum.factories import idea, member, reply, start

pytestmark = pytest.mark.django_db

SITE = "https://care.example.org"
URL = re.compile(r"(?:https?://|www\.)[^\s>)\]]+")
PHONE_UA = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Mobile Safari/537.36")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    settings.FORUM_MIN_SECONDS_BETWEEN_POSTS = 0


def send_every_email(client, django_capture_on_commit_callbacks, moderator):
    """Each kind of email the site sends, through the real pages where there is one."""
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_signup"), {"email": "new@example.com", "display_name": "Newcomer",
                                                "password1": PASSWORD, "password2": PASSWORD})
    existing = UserFactory(display_name="Call 0800 000 000 to claim your PHB refund")
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_signup"), {"email": existing.email, "display_name": "Someone",
                                                "password1": PASSWORD, "password2": PASSWORD})
        client.post(reverse("account_reset_password"), {"email": existing.email})
        client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    client.force_login(existing)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
        client.post(reverse("account_change_password"), {"oldpassword": PASSWORD, "password1": PASSWORD + "x",
                                                         "password2": PASSWORD + "x"}, HTTP_USER_AGENT=PHONE_UA)
        client.post(reverse("account_email"), {"email": "moved@example.com", "action_add": ""})
        TOTP.activate(existing, generate_totp_secret())
        from allauth.account.adapter import get_adapter
        from allauth.core import context

        with context.request_context(client.get("/").wsgi_request):
            get_adapter().send_notification_mail("mfa/email/totp_activated", existing)
    with django_capture_on_commit_callbacks(execute=True):
        topic = start(author=existing, title="Paying a PA weekly")
        reply(topic, author=member(), body="See https://example.net/help and www.example.net")
        proposal = idea(author=existing)
        from forum import services as forum_services
        forum_services.change_idea_status(topic=proposal, moderator=moderator, status="planned",
                                          reason="Next month.")
    return existing


def test_every_url_in_every_email_starts_with_the_site_address(client, django_capture_on_commit_callbacks, moderator):
    send_every_email(client, django_capture_on_commit_callbacks, moderator)
    subjects = {message.subject for message in mail.outbox}
    assert subjects >= {
        "MyCareBudget: Confirm your email address", "MyCareBudget: You already have an account",
        "MyCareBudget: Reset your password", "MyCareBudget: Your password was changed",
        "MyCareBudget: Confirm your new email address", "MyCareBudget: Two-step verification is on",
        "New reply: Paying a PA weekly", "Idea planned: Print a guide as a checklist"}, subjects
    for message in mail.outbox:
        links = URL.findall(message.body)
        assert links, message.subject
        ours = [link for link in links if "example.net" not in link]  # a member's own links, quoted
        assert ours and all(link.startswith(SITE + "/") for link in ours), (message.subject, links)
        for header in ("List-Unsubscribe",):
            if header in message.extra_headers:
                assert message.extra_headers[header].startswith(f"<{SITE}/")


def test_emails_are_in_our_words(client, django_capture_on_commit_callbacks, moderator):
    send_every_email(client, django_capture_on_commit_callbacks, moderator)
    for message in mail.outbox:
        subject = message.subject.removeprefix("MyCareBudget: ").split(":")[0]  # then a topic's own title
        assert not any(word[0].isupper() for word in subject.split()[1:]), subject  # sentence case
        assert "Mozilla/5.0" not in message.body and "AppleWebKit" not in message.body
        assert "You're receiving" not in message.body and "register an account on ." not in message.body
        assert "0800 000 000" not in message.body, subject  # the display name is never put in account mail
    changed = next(m for m in mail.outbox if m.subject.endswith("Your password was changed"))
    assert "Where: Chrome on an Android phone" in changed.body


def test_member_text_in_forum_email_is_quoted(client, django_capture_on_commit_callbacks, moderator):
    send_every_email(client, django_capture_on_commit_callbacks, moderator)
    message = next(m for m in mail.outbox if m.subject.startswith("New reply"))
    assert "(their words, not ours)" in message.body
    assert "\n> See https://example.net/help" in message.body
