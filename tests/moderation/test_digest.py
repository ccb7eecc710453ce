"""The moderators' email digest: sent when edits or reports wait, at most every 6 hours, and switchable."""

import pytest
from django.core import mail

from forum.services import report_post
from mycarebudget.moderation.models import DigestPreference
from tests.factories import UserFactory
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
