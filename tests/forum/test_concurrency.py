"""Two people at the same moment, on PostgreSQL with real connections (one per thread)."""

import threading

import pytest
from django.db import connection

from forum import services
from forum.models import Post, Support, Topic
from tests.forum.factories import idea, member, start

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TRIALS = 5


def at_the_same_moment(*actions):
    """Run each action in its own thread (and database connection), released together."""
    barrier = threading.Barrier(len(actions))
    errors: list[BaseException] = []
    results: list[object] = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait()
            results[index] = action()
        except BaseException as error:  # noqa: BLE001 -- reported to the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, action)) for index, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, errors


def test_two_replies_at_the_same_moment_are_both_saved_and_counted():
    for trial in range(TRIALS):
        topic = start(title=f"Busy topic {trial}")
        first, second = member(), member()
        _, errors = at_the_same_moment(
            lambda topic=topic, first=first: services.post_reply(topic=topic, author=first,
                                                                 body="First person's words"),
            lambda topic=topic, second=second: services.post_reply(topic=topic, author=second,
                                                                   body="Second person's words"))
        assert errors == []
        replies = Post.objects.filter(topic=topic, is_first=False)
        assert sorted(replies.values_list("body", flat=True)) == ["First person's words", "Second person's words"]
        topic.refresh_from_db()
        assert topic.reply_count == 2
        assert topic.last_activity_at == max(replies.values_list("created_at", flat=True))


def test_many_supporters_at_once_are_all_counted():
    topic = idea()
    supporters = [member() for _ in range(6)]
    _, errors = at_the_same_moment(*[
        (lambda person=person: services.support_idea(topic=topic, user=person)) for person in supporters])
    assert errors == []
    assert Topic.objects.get(pk=topic.pk).support_count == 7 == Support.objects.filter(topic=topic).count()


def test_double_clicked_support_counts_once():
    topic = idea()
    supporter = member()
    _, errors = at_the_same_moment(lambda: services.support_idea(topic=topic, user=supporter),
                                   lambda: services.support_idea(topic=topic, user=supporter))
    assert len(errors) == 1 and isinstance(errors[0], services.AlreadySupported)
    assert Topic.objects.get(pk=topic.pk).support_count == 2


def test_double_submitted_reply_makes_one_post():
    topic = start()
    author = member()
    results, errors = at_the_same_moment(
        *[lambda: services.post_reply(topic=topic, author=author, body="Once", submission_key="c" * 32)] * 2)
    assert errors == []
    assert results[0].pk == results[1].pk
    assert Topic.objects.get(pk=topic.pk).reply_count == 1


def test_reply_racing_a_lock_is_either_saved_or_refused_never_lost(moderator):
    for _ in range(TRIALS):
        topic = start()
        author = member()
        _, errors = at_the_same_moment(
            lambda topic=topic: services.lock_topic(topic=topic, moderator=moderator),
            lambda topic=topic, author=author: services.post_reply(topic=topic, author=author, body="Race"))
        saved = Post.objects.filter(topic=topic, is_first=False).count()
        assert (saved, errors) == (1, []) or (saved == 0 and isinstance(errors[0], services.TopicLocked))
        assert Topic.objects.get(pk=topic.pk).reply_count == saved
