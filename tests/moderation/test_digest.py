"""The moderators' email digest: sent when edits or reports wait, at most every 6 hours, and switchable."""

import pytest
from django.core import mail

from forum.services import report_post
from mycarebudget.moderation.models import DigestPreference
from tests.factories import UserFactory
from tests.forum.factories import reply
from wiki import services

pytestmark = pytest.mark.django_db


def _propose(page, author):
    content = {name: getattr(page, name) for name in
               ("title", "slug", "summary", "topic", "body", "sources", "last_checked", "next_review")}
    return services.propose_edit(page=page, author=author, content={**content, "body": page.body + "\nMore.\n"},
                                 edit_summary="More", base_revision=page.revision)


def test_moderators_get_one_digest_when_edits_wait(moderator, user, make_page, settings,
                                                   django_capture_on_commit_callbacks):
    settings.FORUM_MIN_SECONDS_BETWEEN_POSTS = 0
    page = make_page()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _propose(page, user)
    with django_capture_on_commit_callbacks(execute=True):
        _propose(page, UserFactory())
    digests = [m for m in mail.outbox if "waiting for moderation" in m.subject]
    assert [m.to for m in digests] == [[moderator.email]], "one digest, however many edits arrive"
    assert "1 guide edit waiting for review" in digests[0].body and "/moderation/digest/" in digests[0].body


def test_a_report_sends_the_digest_too(moderator, user, django_capture_on_commit_callbacks):
    from tests.forum.factories import start

    topic = start(title="A question", body="Hello")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report_post(post=topic.posts.first(), reporter=user, reason="spam")
    assert any("1 reported post to look at" in m.body for m in mail.outbox)


def test_a_moderator_can_switch_the_digest_off(client, moderator, user, make_page,
                                               django_capture_on_commit_callbacks):
    page = make_page()
    client.force_login(moderator)
    assert client.post("/moderation/digest/", {"is_on": "no"}).status_code == 302
    assert DigestPreference.objects.get(user=moderator).is_on is False
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _propose(page, user)
    assert not [m for m in mail.outbox if "waiting for moderation" in m.subject]


def test_the_digest_switch_is_for_moderators_only(client, user):
    client.force_login(user)
    assert client.post("/moderation/digest/", {"is_on": "no"}).status_code == 403


def test_a_held_post_sends_the_digest_with_a_link_to_approve_it(moderator, settings,
                                                                django_capture_on_commit_callbacks):
    from tests.email_parts import check_parts
    from tests.forum.factories import new_member, start

    settings.SITE_URL = "https://care.example.org"
    topic = start(title="A question", body="Hello")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        held = reply(topic, author=new_member(), body="Cheap PAs at https://spam.example.net")
    assert held.is_held
    [digest] = [m for m in mail.outbox if "waiting for moderation" in m.subject]
    assert digest.to == [moderator.email] and digest.subject == "MyCareBudget: 1 waiting for moderation"
    assert ("- 1 post from new accounts waiting for approval: https://care.example.org/moderation/reports/#held"
            in digest.body)
    html = check_parts(digest)
    assert 'href="https://care.example.org/moderation/reports/#held"' in html
    assert "spam.example.net" not in digest.body + html  # the post itself is not in the email


def test_held_posts_and_reports_share_one_digest_per_period(moderator, user, django_capture_on_commit_callbacks):
    from tests.forum.factories import new_member, start

    topic = start(title="A question", body="Hello")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reply(topic, author=new_member(), body="See https://spam.example.net")
    with django_capture_on_commit_callbacks(execute=True):
        report_post(post=topic.posts.first(), reporter=user, reason="spam")
    with django_capture_on_commit_callbacks(execute=True):
        start(author=new_member(), title="Another", body="www.spam.example.net")
    digests = [m for m in mail.outbox if "waiting for moderation" in m.subject]
    assert len(digests) == 1, "one digest however many things start waiting"


def test_a_held_post_sends_no_digest_to_a_moderator_who_switched_it_off(moderator, django_capture_on_commit_callbacks):
    from tests.forum.factories import new_member, start

    DigestPreference.objects.create(user=moderator, is_on=False)
    topic = start(title="A question", body="Hello")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reply(topic, author=new_member(), body="See https://spam.example.net")
    assert not [m for m in mail.outbox if "waiting for moderation" in m.subject]


def test_an_edit_that_holds_a_post_sends_the_digest(moderator, django_capture_on_commit_callbacks):
    from forum.services import edit_post
    from tests.forum.factories import new_member, start

    author = new_member()
    topic = start(title="A question", body="Hello")
    post = reply(topic, author=author, body="No links yet")
    assert not post.is_held
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        edit_post(post=post, editor=author, body="Now with https://spam.example.net")
    assert [m.to for m in mail.outbox if "waiting for moderation" in m.subject] == [[moderator.email]]
