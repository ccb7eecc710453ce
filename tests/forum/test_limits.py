"""Posting limits from settings, counted in the database; the message says when to try again."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from forum import services
from forum.models import Post
from tests.forum.factories import member, new_member, reply, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def real_limits(settings):
    settings.FORUM_NEW_ACCOUNT_AGE = timedelta(hours=24)
    settings.FORUM_NEW_ACCOUNT_POSTS_PER_HOUR = 5
    settings.FORUM_POSTS_PER_HOUR = 30
    settings.FORUM_MIN_SECONDS_BETWEEN_POSTS = 15
    return settings


def age_posts(user, minutes: int) -> None:
    Post.objects.filter(author=user).update(created_at=timezone.now() - timedelta(minutes=minutes))


def test_new_account_hits_the_hourly_limit_with_minutes_to_wait_and_keeps_text(client, real_limits):
    topic = start()
    newcomer = new_member()
    real_limits.FORUM_MIN_SECONDS_BETWEEN_POSTS = 0
    for number in range(5):
        reply(topic, author=newcomer, body=f"Post {number}")
    age_posts(newcomer, 20)  # the oldest leaves the hour's window in 40 minutes
    real_limits.FORUM_MIN_SECONDS_BETWEEN_POSTS = 15
    client.force_login(newcomer)
    response = client.post(reverse("forum:reply_create", args=[topic.pk]), {"body": "My sixth post"})
    html = response.content.decode()
    assert response.status_code == 200
    assert ("You have reached the limit of 5 posts an hour for new members. Try again in 40 minutes. "
            "Your text is kept below") in html
    assert "My sixth post" in html and 'id="id_body-error"' in html and "<title>Error: " in html
    assert Post.objects.filter(author=newcomer).count() == 5


def test_topics_count_towards_the_limit_too(client, real_limits):
    newcomer = new_member()
    real_limits.FORUM_MIN_SECONDS_BETWEEN_POSTS = 0
    for number in range(5):
        start(author=newcomer, title=f"Topic number {number}")
    client.force_login(newcomer)
    response = client.post("/forum/questions/new/", {"title": "One topic too many", "body": "Kept text"})
    html = response.content.decode()
    assert "Try again in 60 minutes" in html and "One topic too many" in html and "Kept text" in html


def test_established_members_get_the_higher_limit(real_limits):
    real_limits.FORUM_POSTS_PER_HOUR = 3
    real_limits.FORUM_MIN_SECONDS_BETWEEN_POSTS = 0
    topic = start()
    regular = member()
    for number in range(3):
        reply(topic, author=regular, body=f"Reply {number}")
    with pytest.raises(services.PostingTooFast, match="3 posts an hour for members"):
        reply(topic, author=regular, body="One more")


def test_posting_again_within_seconds_says_how_long_to_wait(client, real_limits):
    topic = start()
    regular = member()
    reply(topic, author=regular)
    client.force_login(regular)
    response = client.post(reverse("forum:reply_create", args=[topic.pk]), {"body": "Too soon"})
    html = response.content.decode()
    assert "You are posting too quickly. Try again in 15 seconds" in html and "Too soon" in html


def test_deleted_posts_still_count(real_limits):
    real_limits.FORUM_NEW_ACCOUNT_POSTS_PER_HOUR = 2
    real_limits.FORUM_MIN_SECONDS_BETWEEN_POSTS = 0
    topic = start()
    newcomer = new_member()
    for _ in range(2):
        services.delete_post(post=reply(topic, author=newcomer), user=newcomer)
    with pytest.raises(services.PostingTooFast):
        reply(topic, author=newcomer)


def test_posts_older_than_an_hour_do_not_count(real_limits):
    real_limits.FORUM_MIN_SECONDS_BETWEEN_POSTS = 0
    real_limits.FORUM_NEW_ACCOUNT_POSTS_PER_HOUR = 2
    topic = start()
    newcomer = new_member()
    reply(topic, author=newcomer)
    reply(topic, author=newcomer)
    age_posts(newcomer, 61)
    reply(topic, author=newcomer)


def test_moderators_are_not_limited(moderator, real_limits):
    topic = start()
    for number in range(7):
        reply(topic, author=moderator, body=f"Reply {number}")
    assert Post.objects.filter(author=moderator).count() == 7


def test_limit_message_for_under_a_minute_says_seconds():
    assert services._wait_words(1.2) == "2 seconds"
    assert services._wait_words(59) == "59 seconds"
    assert services._wait_words(61) == "2 minutes"
    assert services._wait_words(60) == "1 minute"
