"""Members share one rendering of a busy forum page; each still sees exactly their own page.

mycarebudget.microcache renders a topic or category once for a stand-in member, with every part
that differs between members marked; each request keeps its member's parts and puts in its own
CSRF token. These tests switch the shared copies on and check the page each member gets.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from forum import services
from forum.models import Post
from mycarebudget.moderation.powers import MODERATORS_GROUP
from tests.forum.factories import idea, member, reply, start

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def shared_copies_on(settings):
    settings.MICROCACHE_SECONDS = 5
    from django.core.cache import cache

    cache.clear()


def signed_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<!--v:" not in html and "<!--/v-->" not in html, "a marked part was left in the page"
    assert set(response["Cache-Control"].split(", ")) == {"private", "no-cache"}
    return html


def test_each_member_sees_edit_links_on_their_own_posts_only():
    alice, bob = member(display_name="Alice"), member(display_name="Bob")
    topic = start(author=alice)
    bobs = reply(topic, author=bob, body="Bob's answer")
    url = topic.get_absolute_url()

    alices_page = page(signed_in(alice), url)  # renders the shared copy
    bobs_page = page(signed_in(bob), url)  # served from it
    edit_bobs = reverse("forum:post_edit", args=[bobs.pk])
    assert edit_bobs in bobs_page and edit_bobs not in alices_page
    assert reverse("forum:post_report", args=[bobs.pk]) in alices_page
    assert reverse("forum:post_report", args=[bobs.pk]) not in bobs_page
    assert "Sign out" in bobs_page and ">Sign in<" not in bobs_page


def test_a_member_who_reported_a_post_is_told_so():
    author, reporter = member(), member()
    topic = start(author=author)
    post = Post.objects.get(topic=topic, is_first=True)
    services.report_post(post=post, reporter=reporter, reason="spam")
    page(signed_in(member()), topic.get_absolute_url())
    html = page(signed_in(reporter), topic.get_absolute_url())
    assert "You reported this post" in html
    assert reverse("forum:post_report", args=[post.pk]) not in html


def test_following_and_supporting_are_each_members_own():
    proposer, reader = member(), member()
    topic = idea(author=proposer)  # proposing follows and supports
    html_reader = page(signed_in(reader), topic.get_absolute_url())
    html_proposer = page(signed_in(proposer), topic.get_absolute_url())
    assert "Support this idea" in html_reader and "Follow this topic" in html_reader
    assert "You support this idea" in html_proposer and "You are following this topic" in html_proposer
    assert "You support this idea" not in html_reader


def test_the_csrf_token_in_a_shared_copy_is_the_readers_own():
    topic = start()
    page(signed_in(member()), topic.get_absolute_url())
    writer = member()
    client = signed_in(writer, enforce_csrf_checks=True)
    html = page(client, topic.get_absolute_url())
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))
    keys = re.findall(r'name="submission_key" value="([0-9a-f]{32})"', html)
    assert tokens and len(keys) == 1
    response = client.post(reverse("forum:reply_create", args=[topic.pk]),
                           {"csrfmiddlewaretoken": tokens.pop(), "body": "Posted from a shared page",
                            "submission_key": keys[0]})
    assert response.status_code == 302
    assert Post.objects.filter(topic=topic, author=writer, body="Posted from a shared page").exists()


def test_a_new_reply_shows_to_members_at_once(django_capture_on_commit_callbacks):
    topic = start()
    reader = signed_in(member())
    page(reader, topic.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        reply(topic, body="A brand new answer")
    assert "A brand new answer" in page(reader, topic.get_absolute_url())


def test_moderators_get_their_own_page():
    from django.contrib.auth.models import Group

    topic = start()
    page(signed_in(member()), topic.get_absolute_url())
    moderator = member()
    moderator.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(moderator, generate_totp_secret())
    html = page(signed_in(moderator), topic.get_absolute_url())
    assert "Moderator tools" in html


def test_a_member_sees_their_own_held_post_other_members_do_not(settings):
    topic = start()
    newcomer = member()
    held = reply(topic, author=newcomer, body="See https://example.com for help")
    Post.objects.filter(pk=held.pk).update(is_held=True)
    others = page(signed_in(member()), topic.get_absolute_url())
    own = page(signed_in(newcomer), topic.get_absolute_url())
    assert "example.com" not in others
    assert "example.com" in own and "Only you and moderators can see it" in own


def test_marker_text_typed_by_a_member_is_only_text():
    writer = member()
    topic = start(author=writer, title="<!--v:viewer=member--> title",
                  body="<!--v:follow=yes-->You are following this topic.<!--/v--> and <!--/v-->")
    html = page(signed_in(member()), topic.get_absolute_url())
    assert "&lt;!--v:viewer=member--&gt; title" in html
    assert "Follow this topic" in html and '<p class="govuk-body-s">You are following' not in html


def test_ideas_a_member_supports_are_marked_in_the_list():
    supporter = member()
    liked, _ = idea(title="Print a guide"), idea(title="Dark mode")
    services.support_idea(topic=liked, user=supporter)
    url = reverse("forum:category_detail", args=["ideas"])
    page(signed_in(member()), url)
    html = page(signed_in(supporter), url)
    row = html[html.index("Print a guide"):]
    assert "(including you)" in row[:row.index("</li>")]
    row = html[html.index("Dark mode"):]
    assert "(including you)" not in row[:row.index("</li>")]
    assert "(including you)" not in Client().get(url).content.decode()


def test_a_members_own_held_topic_shows_in_their_category_list():
    newcomer = member()
    topic = start(author=newcomer, title="Waiting for a check")
    type(topic).objects.filter(pk=topic.pk).update(is_held=True)
    url = reverse("forum:category_detail", args=["questions"])
    assert "Waiting for a check" not in page(signed_in(member()), url)
    assert "Waiting for a check" in page(signed_in(newcomer), url)


@pytest.mark.parametrize("replies", [3, 30])
def test_signed_in_topic_page_queries_do_not_grow(replies, django_assert_max_num_queries):
    topic = start()
    for number in range(replies):
        reply(topic, body=f"Answer {number}")
    url = topic.get_absolute_url()
    page(signed_in(member()), url)
    client = signed_in(member())
    page(client, url)
    # The session, the member, and one query for what is theirs on the page.
    with django_assert_max_num_queries(3):
        page(client, url)


@pytest.mark.parametrize("topics", [3, 30])
def test_signed_in_category_page_queries_do_not_grow(topics, django_assert_max_num_queries):
    for number in range(topics):
        start(title=f"Question {number}")
    url = reverse("forum:category_detail", args=["questions"])
    client = signed_in(member())
    page(client, url)
    with django_assert_max_num_queries(3):  # the session, the member, what is theirs in the category
        page(client, url)


def test_a_message_kept_in_the_session_is_shown_to_its_member_only(settings):
    # Messages too long for their cookie go to the session, where no cookie announces them.
    settings.MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
    topic = start()
    follower, other = signed_in(member()), signed_in(member())
    follower.post(reverse("forum:topic_follow", args=[topic.pk]))
    assert "We will email you about new replies" in page(follower, topic.get_absolute_url())
    assert "We will email you about new replies" not in page(other, topic.get_absolute_url())


def test_no_marker_or_token_placeholder_reaches_any_reader():
    from mycarebudget.microcache import csrf_marker, submission_marker

    topic = idea()
    url = topic.get_absolute_url()
    for client in (Client(), signed_in(member()), signed_in(member())):
        for address in (url, reverse("forum:category_detail", args=["ideas"])):
            html = client.get(address).content.decode()
            assert csrf_marker() not in html and submission_marker() not in html and "<!--v:" not in html
