"""A member's facts on a forum page (forum.readers) are shared through Redis until the forum changes: their
next page asks the database nothing, and anything that changes the facts shows on the very next page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forum import services
from tests.forum.factories import member, reply, start

pytestmark = pytest.mark.django_db


def _topic_page(client, topic) -> str:
    return client.get(topic.get_absolute_url()).text


def test_a_members_topic_page_asks_the_database_nothing_once_their_facts_are_shared(client, with_redis):
    topic = start()
    client.force_login(member())
    _topic_page(client, topic)
    with CaptureQueriesContext(connection) as queries:
        assert "Sign out" in _topic_page(client, topic)
    assert len(queries) == 0, [query["sql"] for query in queries]


@pytest.mark.parametrize("change", ["follows", "reports a post", "is suspended", "is given moderator power"])
def test_what_changes_a_members_facts_shows_on_their_next_page(client, with_redis, change, moderator):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    topic = start(author=member())
    post = reply(topic, author=member(), body="Rude words about someone")
    reader = member()
    client.force_login(reader)
    page = _topic_page(client, topic)  # their facts are now shared
    assert "Stop following" not in page and "You reported this post" not in page
    if change == "follows":
        client.post(reverse("forum:topic_follow", args=[topic.pk]))
        assert "Stop following" in _topic_page(client, topic)
    elif change == "reports a post":
        services.report_post(post=post, reporter=reader, reason="abuse")
        assert "You reported this post" in _topic_page(client, topic)
    elif change == "is suspended":
        services.suspend_member(member=reader, moderator=moderator, reason="Rudeness", days=3)
        assert "Your account is suspended" in _topic_page(client, topic)
    else:
        services.hide_post(post=post, moderator=moderator, reason="rude")
        assert "Rude words" not in _topic_page(client, topic)
        reader.groups.add(*moderator.groups.all())
        TOTP.activate(reader, generate_totp_secret())
        assert "Rude words" in _topic_page(client, topic)  # a moderator reads hidden posts



def test_a_lifted_suspension_shows_on_the_members_next_page(client, with_redis, moderator):
    """A suspended member's facts are never shared: a suspension ends (lifted, or by its date) unseen by signals."""
    topic = start()
    reader = member()
    client.force_login(reader)
    services.suspend_member(member=reader, moderator=moderator, reason="Rudeness", days=3)
    assert "Your account is suspended" in _topic_page(client, topic)
    assert "Your account is suspended" in _topic_page(client, topic)
    services.lift_suspension(member=reader, moderator=moderator)
    assert "Your account is suspended" not in _topic_page(client, topic)


def test_a_members_facts_are_their_own_for_each_topic(client, with_redis):
    followed, other = start(), start(title="Another topic")
    reader = member()
    services.follow_topic(topic=followed, user=reader)
    client.force_login(reader)
    assert "Stop following" in _topic_page(client, followed)
    assert "Stop following" not in _topic_page(client, other)


def test_a_moderators_facts_are_never_shared(client, with_redis, moderator):
    """Their power is read every time: some ways of losing it (the group deleted) send no signal."""
    from django.contrib.auth.models import Group

    topic = start()
    services.hide_post(post=reply(topic, author=member(), body="Rude words about someone"), moderator=moderator,
                       reason="rude")
    client.force_login(moderator)
    assert "Rude words" in _topic_page(client, topic)
    assert "Rude words" in _topic_page(client, topic)
    Group.objects.filter(name="Moderators").delete()
    assert "Rude words" not in _topic_page(client, topic)
