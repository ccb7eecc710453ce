"""Every email: in our words, links under SITE_URL, no member-written text passed off as ours."""

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.urls import reverse

from tests.email_parts import check_parts
from tests.factories import PASSWORD, UserFactory
from tests.forum.factories import idea, member, new_member, reply, start

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


CANARY = '<script>alert("canary")</script>'


def send_the_other_emails(moderator, django_capture_on_commit_callbacks):
    """The forum's moderation mail, the moderators' digest, guide mail and the employer reminders,
    with a canary where a member's words go into the email."""
    from datetime import date

    from accounts.pas import employer
    from accounts.pas import services as pas_services
    from forum import services as forum_services
    from tests.wiki.conftest import page_content
    from wiki import services as wiki_services
    from wiki.models import Page, Watch

    newcomer = new_member(display_name="Newcomer Nia")
    topic = start(author=member(), title=f"Help {CANARY} please", body="Hello")
    with django_capture_on_commit_callbacks(execute=True):  # held: the moderators' digest
        held = reply(topic, author=newcomer, body=f"{CANARY} see https://example.net/x")
    with django_capture_on_commit_callbacks(execute=True):
        forum_services.approve_post(post=held, moderator=moderator)
        forum_services.hide_post(post=held, moderator=moderator, reason=f"Off topic {CANARY}")
        forum_services.suspend_member(member=newcomer, moderator=moderator, reason=f"Spam {CANARY}", days=3)
        forum_services.lift_suspension(member=newcomer, moderator=moderator)
    with django_capture_on_commit_callbacks(execute=True):
        version = wiki_services._publish(page=None, content=page_content(), author=moderator, edit_summary="First")
        page = Page.objects.get(pk=version.page_id)
    Watch.objects.create(user=newcomer, page=page)
    editor = member()
    content = {**page_content(), "body": page.body + "\nMore.\n"}
    with django_capture_on_commit_callbacks(execute=True):
        proposal = wiki_services.propose_edit(page=page, author=editor, content=content,
                                              edit_summary=f"Added {CANARY}", base_revision=page.revision)
        wiki_services.approve_edit(proposal=proposal, moderator=moderator, note=f"Thanks {CANARY}")
        second = wiki_services.propose_edit(page=Page.objects.get(pk=page.pk), author=editor,
                                            content={**content, "body": content["body"] + "Again.\n"},
                                            edit_summary="Again", base_revision=page.revision + 1)
        wiki_services.reject_edit(proposal=second, moderator=moderator, reason=f"Not needed {CANARY} see https://example.net/r")
    pas_services.change_employer_settings(owner=newcomer, insurance_renewal=date(2027, 1, 15), reminder_days=14)
    with django_capture_on_commit_callbacks(execute=True):
        employer.send_digests(today=date(2027, 1, 1))


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


def test_every_email_has_a_text_and_an_html_part_linking_only_to_the_site(
        client, django_capture_on_commit_callbacks, moderator):
    send_every_email(client, django_capture_on_commit_callbacks, moderator)
    send_the_other_emails(moderator, django_capture_on_commit_callbacks)
    subjects = {message.subject for message in mail.outbox}
    assert {"MyCareBudget: 1 waiting for moderation", "1 employer date coming up",
            "Guide updated: Employing a personal assistant"} <= subjects, subjects
    for start_of_subject in ("Your post is now public", "A moderator hid your post", "You cannot post on the forum",
                             "You can post on the forum again", "Your edit to", "Guide updated"):
        assert any(subject.startswith(start_of_subject) for subject in subjects), start_of_subject
    assert sum(subject.startswith("Your edit to") for subject in subjects) == 2  # published, not accepted
    for message in mail.outbox:
        html = check_parts(message, member_hosts=("example.net",))
        assert f"<title>{message.subject.replace('<', '&lt;')}" in html.replace("&quot;", '"').replace("&gt;", ">")


def test_member_text_is_escaped_in_the_html_part(client, django_capture_on_commit_callbacks, moderator):
    send_the_other_emails(moderator, django_capture_on_commit_callbacks)
    with_canary = [message for message in mail.outbox if CANARY in message.body or CANARY in message.subject]
    assert len(with_canary) >= 6, [message.subject for message in with_canary]
    for message in with_canary:
        html = check_parts(message, member_hosts=("example.net",))
        assert "<script" not in html and "&lt;script&gt;" in html, message.subject
        assert 'href="https://example.net' not in html  # a member's link is text, never a link


def test_the_html_part_has_the_same_words_as_the_text(client, django_capture_on_commit_callbacks, moderator):
    """The plain text stays the source: each of its lines is in the HTML, and a button shows its address."""
    import html as html_lib
    import re as re_lib

    send_every_email(client, django_capture_on_commit_callbacks, moderator)
    reset = next(m for m in mail.outbox if m.subject == "MyCareBudget: Reset your password" and "choose" in m.body)
    html = check_parts(reset)
    words = html_lib.unescape(re_lib.sub(r"<[^>]+>", " ", html))
    words = " ".join(words.split())
    for line in reset.body.splitlines():
        assert " ".join(line.split()) in words, line
    assert 'class="email-button"' in html
