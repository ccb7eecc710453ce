"""Email to followers: read from Django's outbox. Sent by a task after commit; never fails a post."""

import re

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django.urls import reverse

from forum import notifications, services
from forum.models import Follow, Post, Preferences
from tests.forum.factories import idea, member, reply, start

pytestmark = pytest.mark.django_db


class RefusingMailServer(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server refused the connection")


def unsubscribe_link(message) -> str:
    return re.search(r"http://testserver(/forum/unsubscribe/[^/\s]+/)", message.body).group(1)


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "http://testserver"


def test_follower_gets_an_email_about_a_new_reply(client, run_on_commit):
    starter = member(display_name="Starter Sam")
    topic = start(author=starter, title="Paying a PA weekly")
    client.force_login(member(display_name="Helpful Hana"))
    with run_on_commit():
        response = client.post(reverse("forum:reply_create", args=[topic.pk]), {"body": "Use a payroll service."})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    post = Post.objects.get(topic=topic, is_first=False)
    assert message.to == [starter.email]
    assert message.subject == "New reply: Paying a PA weekly"
    assert "The member “Helpful Hana” wrote (their words, not ours):" in message.body
    assert "\n> Use a payroll service.\n" in message.body
    assert f"http://testserver/forum/posts/{post.pk}/" in message.body
    link = unsubscribe_link(message)
    assert message.extra_headers["List-Unsubscribe"] == f"<http://testserver{link}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert starter.email not in link


def test_the_author_of_a_reply_is_not_emailed_about_it(run_on_commit):
    starter = member()
    topic = start(author=starter)
    with run_on_commit():
        reply(topic, author=starter, body="Any ideas, anyone?")
    assert mail.outbox == []


def test_no_email_when_notifications_are_off_or_unfollowed_or_account_gone(run_on_commit):
    topic = start()
    off, unfollowed, gone = member(), member(), member()
    for person in (off, unfollowed, gone):
        reply(topic, author=person)
    services.set_email_notifications(user=off, enabled=False)
    services.unfollow_topic(topic=topic, user=unfollowed)
    gone.is_active = False
    gone.save()
    with run_on_commit():
        reply(topic, body="New words")
    assert sorted(m.to[0] for m in mail.outbox) == [topic.author.email]


def test_held_reply_emails_nobody_until_approved(moderator, run_on_commit):
    from tests.forum.factories import new_member

    topic = start()
    with run_on_commit():
        post = reply(topic, author=new_member(), body="Cheap pills at https://spam.example")
    # No follower is told; the moderators' digest (mycarebudget.moderation.digest) says a post waits.
    assert post.is_held and [(m.to, m.subject) for m in mail.outbox] == [
        ([moderator.email], "MyCareBudget: 1 waiting for moderation")]
    mail.outbox.clear()
    with run_on_commit():
        services.approve_post(post=post, moderator=moderator)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([topic.author.email, post.author.email])
    told = next(m for m in mail.outbox if m.to == [post.author.email])
    assert told.subject == f"Your post is now public: {topic.title}"


def test_author_is_told_why_their_post_was_hidden(moderator, run_on_commit):
    author = member(display_name="Writer Wyn")
    post = reply(start(), author=author, body="My NHS number is 123")
    with run_on_commit():
        services.hide_post(post=post, moderator=moderator, reason="It had an NHS number in it")
    (message,) = mail.outbox
    assert message.to == [author.email] and message.subject.startswith("A moderator hid your post")
    assert "\n> It had an NHS number in it\n" in message.body
    assert f"http://testserver/forum/posts/{post.pk}/" in message.body


def test_member_is_told_of_a_suspension_and_its_end_and_of_its_lifting(moderator, run_on_commit):
    someone = member()
    with run_on_commit():
        suspension = services.suspend_member(member=someone, moderator=moderator, reason="Spam links", days=7)
    (message,) = mail.outbox
    assert message.to == [someone.email] and message.subject == "You cannot post on the forum for now"
    assert "> Spam links" in message.body and suspension.ends_at.strftime("%-d %B %Y") in message.body
    with run_on_commit():
        services.lift_suspension(member=someone, moderator=moderator)
    assert mail.outbox[-1].subject == "You can post on the forum again"


def test_setting_the_status_an_idea_already_has_is_refused(client, moderator, run_on_commit):
    topic = idea()
    client.force_login(moderator)
    url = reverse("forum:idea_status", args=[topic.pk])
    with run_on_commit():
        client.post(url, {"status": "planned", "reason": "Next month."})
        response = client.post(url, {"status": "planned", "reason": "Next month."})
    assert response.status_code == 200
    assert "This idea is already marked Planned" in response.content.decode()
    assert Post.objects.filter(topic=topic, kind=Post.Kind.STATUS).count() == 1
    assert len([m for m in mail.outbox if m.subject.startswith("Idea planned")]) == 1


def test_status_change_emails_supporters_with_who_and_why(client, moderator, run_on_commit):
    proposer, supporter = member(), member()
    topic = idea(author=proposer, title="Bigger text option")
    services.support_idea(topic=topic, user=supporter)
    client.force_login(moderator)
    with run_on_commit():
        client.post(reverse("forum:idea_status", args=[topic.pk]), {"status": "planned", "reason": "Next month."})
    assert sorted(m.to[0] for m in mail.outbox) == sorted([proposer.email, supporter.email])
    message = mail.outbox[0]
    assert message.subject == "Idea planned: Bigger text option"
    assert "is now: Planned" in message.body and "The moderator “Mo Moderator” gave this reason" in message.body
    assert "> Next month." in message.body and "/forum/unsubscribe/" in message.body


def test_unsubscribe_link_works_without_signing_in(run_on_commit):
    follower, replier = member(), member()
    topic = start(author=follower)
    with run_on_commit():
        reply(topic, author=replier)
    link = unsubscribe_link(mail.outbox[0])
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(link)
    assert page.status_code == 200 and "Stop emails about this topic" in page.content.decode()
    assert Follow.objects.get(topic=topic, user=follower).is_following  # a GET changes nothing
    done = browser.post(link, {"scope": "topic"})
    assert done.status_code == 200 and "You are unsubscribed" in done.content.decode()
    assert not Follow.objects.get(topic=topic, user=follower).is_following
    mail.outbox.clear()
    with run_on_commit():
        reply(topic, author=replier)
    assert mail.outbox == []


def test_unsubscribe_from_all_forum_email(run_on_commit):
    follower = member()
    topic = start(author=follower)
    link = notifications.unsubscribe_url(user_id=follower.pk, topic_id=topic.pk).removeprefix("http://testserver")
    Client(enforce_csrf_checks=True).post(link, {"scope": "all"})
    assert Preferences.objects.get(user=follower).email_notifications is False


def test_one_click_unsubscribe_post_from_a_mail_client():
    """RFC 8058: the mail client POSTs List-Unsubscribe=One-Click, with no cookies or token."""
    follower = member()
    topic = start(author=follower)
    link = notifications.unsubscribe_url(user_id=follower.pk, topic_id=topic.pk).removeprefix("http://testserver")
    response = Client(enforce_csrf_checks=True).post(
        link, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert not Follow.objects.get(topic=topic, user=follower).is_following


def test_tampered_unsubscribe_token_is_refused():
    follower = member()
    topic = start(author=follower)
    token = notifications.unsubscribe_token(user_id=follower.pk, topic_id=topic.pk)
    forged = token.replace(token[-5:], "AAAAA")
    response = Client().post(reverse("forum:unsubscribe", args=[forged]), {"scope": "all"})
    assert response.status_code == 404 and "This link does not work" in response.content.decode()
    assert Follow.objects.get(topic=topic, user=follower).is_following
    assert not Preferences.objects.filter(user=follower).exists()


def test_settings_page_turns_email_off(client, run_on_commit):
    person, replier = member(), member()
    topic = start(author=person)
    client.force_login(person)
    assert "Topics you follow" in client.get("/forum/settings/").content.decode()
    response = client.post("/forum/settings/", {"email_notifications": "no"})
    assert response.status_code == 302
    with run_on_commit():
        reply(topic, author=replier)
    assert mail.outbox == []
    client.post("/forum/settings/", {"email_notifications": "yes"})
    with run_on_commit():
        reply(topic, author=replier, body="A second reply")
    assert [m.to[0] for m in mail.outbox] == [person.email]


def test_follow_and_unfollow_buttons(client, run_on_commit):
    topic = start()
    reader = member()
    client.force_login(reader)
    assert "Follow this topic" in client.get(topic.get_absolute_url()).content.decode()
    client.post(reverse("forum:topic_follow", args=[topic.pk]))
    with run_on_commit():
        reply(topic)
    assert reader.email in [m.to[0] for m in mail.outbox]
    client.post(reverse("forum:topic_unfollow", args=[topic.pk]))
    assert not Follow.objects.get(topic=topic, user=reader).is_following


def test_a_failing_mail_server_never_fails_a_post(client, settings, run_on_commit, caplog):
    settings.MAILERS = {"default": {"BACKEND": "tests.forum.test_notifications.RefusingMailServer"}}
    topic = start()
    client.force_login(member())
    with run_on_commit():
        response = client.post(reverse("forum:reply_create", args=[topic.pk]), {"body": "Saved regardless"})
    assert response.status_code == 302
    post = Post.objects.get(topic=topic, is_first=False)
    assert post.body == "Saved regardless"
    assert response["Location"].endswith(f"#post-{post.pk}")
    assert mail.outbox == []
    assert any("failed" in record.getMessage() for record in caplog.records)


def test_list_unsubscribe_headers_are_sent_as_rfc_8058_expects(run_on_commit, settings):
    """One <https://...> link, never RFC 2047-encoded, and the exact One-Click POST header, as they
    leave for the mail server (policy SMTP), however long the signed link is."""
    import email
    import email.policy

    settings.SITE_URL = "https://a-rather-long-address-for-a-community-site.example.org"
    topic = start(author=member(), title="Paying a PA weekly")
    with run_on_commit():
        reply(topic, body="Use a payroll service.")
    raw = mail.outbox[0].message(policy=email.policy.SMTP).as_bytes()
    assert b"=?utf-8?" not in raw.split(b"\r\n\r\n")[0]
    parsed = email.message_from_bytes(raw, policy=email.policy.SMTP)
    unsubscribe = parsed.get_all("List-Unsubscribe")
    assert len(unsubscribe) == 1
    assert re.fullmatch(r"<https://a-rather-long-address-for-a-community-site\.example\.org"
                        r"/forum/unsubscribe/[^\s<>]+/>", str(unsubscribe[0]))
    assert parsed.get_all("List-Unsubscribe-Post") == ["List-Unsubscribe=One-Click"]
