"""A "Jump to reply" link near the top of a topic goes straight to the reply box, or to signing in."""

import pytest
from django.urls import reverse

from forum import services
from tests.forum.factories import member, reply, start

pytestmark = pytest.mark.django_db

JUMP = '<a href="#{}">Jump to reply</a>'


def test_an_anonymous_reader_jumps_to_sign_in_to_reply(client):
    topic = start()
    html = client.get(topic.get_absolute_url()).text
    assert JUMP.format("sign-in-to-reply") in html
    assert 'id="sign-in-to-reply"' in html
    assert html.index("Jump to reply") < html.index('class="app-thread"')  # before the posts


def test_a_member_jumps_to_the_reply_box(client):
    topic = start()
    for _ in range(3):
        reply(topic)
    client.force_login(member())
    html = client.get(topic.get_absolute_url()).text
    assert JUMP.format("id_body") in html
    assert 'id="id_body"' in html
    assert html.index("Jump to reply") < html.index('class="app-thread"')


def test_no_jump_where_nobody_can_reply(client, moderator):
    topic = start()
    suspended = member()
    services.suspend_member(member=suspended, moderator=moderator, reason="Spam", days=1)
    client.force_login(suspended)
    assert "Jump to reply" not in client.get(topic.get_absolute_url()).text
    services.lock_topic(topic=topic, moderator=moderator)
    client.force_login(member())
    assert "Jump to reply" not in client.get(topic.get_absolute_url()).text
    client.force_login(moderator)  # moderators may still reply to a locked topic
    assert JUMP.format("id_body") in client.get(reverse("forum:topic_detail", args=[topic.pk, topic.slug])).text
