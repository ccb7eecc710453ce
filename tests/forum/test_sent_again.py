"""The same reply or topic sent again (the browser's Back, then Post once more) is one post, not two."""

from datetime import timedelta

import pytest
from django.utils import timezone

from forum import services
from forum.models import Post, Topic
from tests.forum.factories import category, member, start

pytestmark = pytest.mark.django_db


def test_the_same_reply_sent_again_under_a_new_key_is_the_same_post(client):
    topic, alice = start(), member()
    client.force_login(alice)
    url = f"/forum/topics/{topic.pk}/reply/"
    first = client.post(url, {"body": "Holiday pay is 5.6 weeks", "submission_key": "a" * 32})
    again = client.post(url, {"body": "Holiday pay is 5.6 weeks", "submission_key": "b" * 32})
    assert first.url == again.url  # both land on the one post
    assert Post.objects.filter(author=alice, topic=topic).count() == 1
    assert "You had already posted this reply" in client.get(again.url).text


def test_the_same_words_later_or_elsewhere_are_a_new_post():
    topic, other, alice = start(), start(title="Another question"), member()
    first = services.post_reply(topic=topic, author=alice, body="Thank you")
    assert services.post_reply(topic=other, author=alice, body="Thank you") != first  # another topic
    Post.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(minutes=11))
    assert services.post_reply(topic=topic, author=alice, body="Thank you") != first  # long after


def test_a_topic_sent_again_is_one_topic():
    alice = member()
    kwargs = {"category": category("questions"), "author": alice, "body": "How is it worked out?"}
    first = services.start_topic(title="Holiday pay", submission_key="a" * 32, **kwargs)
    assert services.start_topic(title="Holiday pay", submission_key="b" * 32, **kwargs) == first
    assert services.start_topic(title="Sick pay", submission_key="c" * 32, **kwargs) != first  # another title
    assert Topic.objects.filter(author=alice).count() == 2
