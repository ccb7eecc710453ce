"""Query counts do not grow with the number of posts or topics (guards the n+1s on authors,
categories, supports and reports)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forum import services
from forum.models import IdeaStatus, Post, Report, Topic
from mycarebudget import shared
from mycarebudget.moderation.models import ModerationLogEntry
from mycarebudget.text import render_markdown
from tests.forum.factories import category, idea, member, start

pytestmark = pytest.mark.django_db

# Measured: topic page 3 / 10 / 10 and ideas page 3 / 7 / 7 queries (anonymous / member / moderator);
# one spare for a middleware that reads the session. The equality checks are the n+1 guard.
TOPIC_PAGE_MAX = {"anonymous": 4, "member": 11, "moderator": 11}
CATEGORY_PAGE_MAX = {"anonymous": 4, "member": 8, "moderator": 8}


def count_queries(client, url: str) -> int:
    """The queries of rendering the page (an anonymous reader's shared copy is made afresh)."""
    shared.bump("forum")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def login_as(client, who: str, moderator) -> None:
    if who == "member":
        client.force_login(member())
    elif who == "moderator":
        client.force_login(moderator)


def thread_of(size: int):
    """An idea with `size` replies by three authors, some reported, edited, hidden or deleted.
    Rows are bulk-made (the services are tested elsewhere) so the test stays fast."""
    topic = idea(title=f"Idea with {size} replies")
    authors = [member() for _ in range(3)]
    now = timezone.now()
    posts = Post.objects.bulk_create([
        Post(topic=topic, author=authors[number % 3], body=f"Reply **{number}**",
             body_html=render_markdown(f"Reply **{number}**"), created_at=now + timedelta(seconds=number),
             edit_count=1 if number % 11 == 5 else 0,
             hidden_at=now if number % 13 == 6 else None, hidden_by=authors[0] if number % 13 == 6 else None,
             deleted_at=now if number % 17 == 8 else None)
        for number in range(size)])
    Report.objects.bulk_create([Report(post=post, reporter=authors[(number + 1) % 3], reason="spam")
                                for number, post in enumerate(posts) if number % 7 == 3])
    Topic.objects.filter(pk=topic.pk).update(reply_count=size)
    return topic


@pytest.mark.parametrize("who", ["anonymous", "member", "moderator"])
def test_topic_page_queries_do_not_grow_with_posts(client, moderator, django_assert_max_num_queries, who):
    small, large = thread_of(5), thread_of(50)
    login_as(client, who, moderator)
    client.get(small.get_absolute_url())  # PostgreSQL: the connection prepares its statements once
    counts = [count_queries(client, topic.get_absolute_url()) for topic in (small, large)]
    counts.append(count_queries(client, large.get_absolute_url() + "?page=3"))
    assert len(set(counts)) == 1, counts
    with django_assert_max_num_queries(TOPIC_PAGE_MAX[who]):
        client.get(large.get_absolute_url() + "?page=2")


def topics_in(category_slug: str, size: int) -> None:
    authors = [member() for _ in range(3)]
    now = timezone.now()
    place = category(category_slug)
    Topic.objects.bulk_create([
        Topic(category=place, author=authors[number % 3], title=f"Topic number {number}",
              slug=f"topic-number-{number}", last_activity_at=now - timedelta(minutes=number),
              reply_count=number % 4, support_count=number % 5,
              status=IdeaStatus.PROPOSED if place.is_ideas else "")
        for number in range(size)])


@pytest.mark.parametrize("who", ["anonymous", "member", "moderator"])
@pytest.mark.parametrize("category_slug", ["questions", "ideas"])
def test_category_page_queries_do_not_grow_with_topics(client, moderator, django_assert_max_num_queries, who,
                                                       category_slug):
    login_as(client, who, moderator)
    client.get(f"/forum/{category_slug}/")  # PostgreSQL: the connection prepares its statements once
    topics_in(category_slug, 5)
    small = count_queries(client, f"/forum/{category_slug}/?sort=support")
    topics_in(category_slug, 45)
    large = count_queries(client, f"/forum/{category_slug}/?sort=support")
    assert small == large
    with django_assert_max_num_queries(CATEGORY_PAGE_MAX[who]):
        client.get(f"/forum/{category_slug}/?page=2")


def test_index_and_done_pages_do_not_grow(client, django_assert_max_num_queries):
    def make(size):
        topics_in("questions", size)
        topics_in("ideas", size)
        Topic.objects.filter(category__slug="ideas").update(status=IdeaStatus.DONE, status_changed_at=timezone.now())

    make(3)
    small = [count_queries(client, "/forum/"), count_queries(client, "/forum/done/")]
    make(25)
    large = [count_queries(client, "/forum/"), count_queries(client, "/forum/done/")]
    assert small == large
    with django_assert_max_num_queries(3):
        client.get("/forum/done/")


def test_reports_queue_and_log_do_not_grow(client, moderator, django_assert_max_num_queries):
    topic = start()

    def make(size):
        reporters = [member() for _ in range(3)]
        now = timezone.now()
        posts = Post.objects.bulk_create([
            Post(topic=topic, author=reporters[number % 3], body="Words", body_html="<p>Words</p>",
                 created_at=now, is_held=number % 2 == 0)
            for number in range(size)])
        Report.objects.bulk_create([Report(post=post, reporter=reporters[(number + 1) % 3], reason="spam")
                                    for number, post in enumerate(posts)])
        for post in posts[:size // 3]:
            services.suspend_member(member=post.author, moderator=moderator, reason="x", days=1)
        ModerationLogEntry.objects.bulk_create([
            ModerationLogEntry(moderator=moderator, action="hid a post", target_label=f"post {post.pk}")
            for post in posts])

    client.force_login(moderator)
    make(3)
    small = [count_queries(client, "/moderation/reports/"), count_queries(client, "/moderation/log/")]
    make(30)
    large = [count_queries(client, "/moderation/reports/"), count_queries(client, "/moderation/log/")]
    assert small == large
    with django_assert_max_num_queries(10):  # measured 9
        client.get("/moderation/reports/")
