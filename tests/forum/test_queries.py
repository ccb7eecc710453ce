"""Query counts do not grow with the number of posts or topics (guards the n+1s on authors,
categories, supports and reports)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forum import services
from forum.models import Post
from tests.forum.factories import idea, member, reply, start

pytestmark = pytest.mark.django_db

# Measured: topic page 3 / 10 / 10 and ideas page 3 / 7 / 7 queries (anonymous / member / moderator);
# one spare for a middleware that reads the session. The equality checks are the n+1 guard.
TOPIC_PAGE_MAX = {"anonymous": 4, "member": 11, "moderator": 11}
CATEGORY_PAGE_MAX = {"anonymous": 4, "member": 8, "moderator": 8}


def count_queries(client, url: str) -> int:
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
    topic = idea(title=f"Idea with {size} replies")
    authors = [member() for _ in range(3)]
    for number in range(size):
        post = reply(topic, author=authors[number % 3], body=f"Reply **{number}**")
        if number % 7 == 3:
            services.report_post(post=post, reporter=authors[(number + 1) % 3], reason="spam")
        if number % 11 == 5:
            services.edit_post(post=post, editor=post.author, body="Edited words")
    return topic


@pytest.mark.parametrize("who", ["anonymous", "member", "moderator"])
def test_topic_page_queries_do_not_grow_with_posts(client, moderator, django_assert_max_num_queries, who):
    small, large = thread_of(5), thread_of(50)
    login_as(client, who, moderator)
    counts = [count_queries(client, topic.get_absolute_url()) for topic in (small, large)]
    counts.append(count_queries(client, large.get_absolute_url() + "?page=3"))
    assert len(set(counts)) == 1, counts
    with django_assert_max_num_queries(TOPIC_PAGE_MAX[who]):
        client.get(large.get_absolute_url() + "?page=2")


def topics_in(category_slug: str, size: int) -> None:
    authors = [member() for _ in range(3)]
    for number in range(size):
        topic = start(author=authors[number % 3], category_slug=category_slug, title=f"Topic number {number}")
        if number % 4 == 0:
            reply(topic)


@pytest.mark.parametrize("who", ["anonymous", "member", "moderator"])
@pytest.mark.parametrize("category_slug", ["questions", "ideas"])
def test_category_page_queries_do_not_grow_with_topics(client, moderator, django_assert_max_num_queries, who,
                                                       category_slug):
    login_as(client, who, moderator)
    topics_in(category_slug, 5)
    small = count_queries(client, f"/forum/{category_slug}/?sort=support")
    topics_in(category_slug, 45)
    large = count_queries(client, f"/forum/{category_slug}/?sort=support")
    assert small == large
    with django_assert_max_num_queries(CATEGORY_PAGE_MAX[who]):
        client.get(f"/forum/{category_slug}/?page=2")


def test_index_and_done_pages_do_not_grow(client, moderator, django_assert_max_num_queries):
    def make(size):
        for number in range(size):
            topic = idea(title=f"Done idea {number}")
            services.change_idea_status(topic=topic, moderator=moderator, status="done", reason="Done")
            start(title=f"Question {number}")

    make(3)
    small = [count_queries(client, "/forum/"), count_queries(client, "/forum/done/")]
    make(25)
    large = [count_queries(client, "/forum/"), count_queries(client, "/forum/done/")]
    assert small == large
    with django_assert_max_num_queries(3):
        client.get("/forum/done/")


def test_reports_queue_and_log_do_not_grow(client, moderator, django_assert_max_num_queries):
    def make(size):
        topic = start()
        for _ in range(size):
            post = reply(topic)
            services.report_post(post=post, reporter=member(), reason="spam")
            services.hide_post(post=reply(topic), moderator=moderator, reason="Rude")

    client.force_login(moderator)
    make(3)
    small = [count_queries(client, "/moderation/reports/"), count_queries(client, "/moderation/log/")]
    make(25)
    large = [count_queries(client, "/moderation/reports/"), count_queries(client, "/moderation/log/")]
    assert small == large
    assert Post.objects.filter(reports__isnull=False).count() == 28
    with django_assert_max_num_queries(10):  # measured 9
        client.get("/moderation/reports/")
