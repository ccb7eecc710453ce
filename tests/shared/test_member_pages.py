"""A member's page shared with every member who would be shown the same (mycarebudget.shared.member_page).

The page is rendered from objects and the facts that tell members apart; only the forms that carry
the reader's token are rendered for each request, at the end of the page.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from forum import services
from tests.forum.factories import idea, member, reply, start

pytestmark = pytest.mark.django_db
LIVE_FORMS = re.compile(r'<form id="page-actions".*', re.S)


def _client(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def _token(html: str) -> str:
    return re.search(r'<form id="page-actions" method="post"><input type="hidden" name="csrfmiddlewaretoken" '
                     r'value="([^"]+)"', html)[1]


def test_members_who_may_do_the_same_share_the_page_and_each_gets_their_own_token(make_page):
    topic = start(title="Holiday pay for a PA")
    reply(topic, body="Public words")
    for url in (topic.get_absolute_url(), "/forum/questions/", make_page().get_absolute_url()):
        alice, bob = _client(member()), _client(member())
        first, second = alice.get(url).text, bob.get(url).text
        assert LIVE_FORMS.sub("", first) == LIVE_FORMS.sub("", second), url
        assert _token(first) != _token(second)
        assert "private" in bob.get(url)["Cache-Control"]


def test_a_shared_pages_buttons_post_with_the_readers_own_token(make_page):
    bob, carol, dan = member(), member(), member()  # (a new member changes the forum's pages: first)
    topic = start()
    _client(carol).get(topic.get_absolute_url())  # another member's visit made the shared copy
    client = _client(bob, enforce_csrf_checks=True)
    html = client.get(topic.get_absolute_url()).text
    follow = reverse("forum:topic_follow", args=[topic.pk])
    assert f'form="page-actions" formaction="{follow}"' in html
    assert client.post(follow, {"csrfmiddlewaretoken": _token(html)}).status_code == 302
    html = client.get(topic.get_absolute_url()).text  # a message waits: rendered for Bob alone
    assert "You are following this topic" in html
    assert "You are following this topic" in client.get(topic.get_absolute_url()).text  # and then shared
    assert "Follow this topic" in _client(dan).get(topic.get_absolute_url()).text
    logout = reverse("account_logout")
    assert f'form="page-actions" formaction="{logout}"' in html
    assert client.post(logout, {"csrfmiddlewaretoken": _token(html)}).status_code == 302
    assert ">Sign in<" in client.get(topic.get_absolute_url()).text


def test_the_reply_box_posts_the_live_reply_form_with_a_fresh_submission_key():
    topic = start()
    client = _client(member())
    keys = set()
    for _ in range(2):
        html = client.get(topic.get_absolute_url()).text
        assert 'name="body"' in html and 'form="reply"' in html[html.index('name="body"') - 300:]
        reply_form = re.search(r'<form id="reply" method="post" action="([^"]+)" novalidate>(.*?)</form>', html)
        assert reply_form[1] == reverse("forum:reply_create", args=[topic.pk])
        keys.add(re.search(r'name="submission_key" value="(\w+)"', reply_form[2])[1])
    assert len(keys) == 2
    response = client.post(reply_form[1], {"body": "Thank you, that helped", "submission_key": keys.pop()})
    assert response.status_code == 302
    assert "Thank you, that helped" in client.get(response.url).text


def test_the_asker_and_a_moderator_see_what_others_do_not(moderator, make_page):
    asker, other = member(), member()
    topic = start(author=asker)
    answer = reply(topic, body="Ask your ICB")
    guide = make_page().get_absolute_url()
    mark = reverse("forum:post_mark_answer", args=[answer.pk])
    assert mark not in _client(other).get(topic.get_absolute_url()).text
    assert mark in _client(asker).get(topic.get_absolute_url()).text
    for url in (topic.get_absolute_url(), guide):
        _client(other).get(url)  # shared first
        assert "Moderation (" in _client(moderator).get(url).text  # rendered for the moderator alone
        assert "Moderation (" not in _client(other).get(url).text
    assert "Moderator tools" in _client(moderator).get(topic.get_absolute_url()).text
    assert "Moderator tools" not in _client(other).get(topic.get_absolute_url()).text


def test_a_change_reaches_members_at_once():
    topic = start()
    client = _client(member())
    client.get(topic.get_absolute_url())
    reply(topic, body="A brand new reply")
    assert "A brand new reply" in client.get(topic.get_absolute_url()).text


def test_a_supporter_sees_their_support_in_the_ideas_list():
    topic = idea(title="Print a guide")
    supporter, other = member(), member()
    services.support_idea(topic=topic, user=supporter)
    supporter_client = _client(supporter)
    supporter_client.get("/forum/ideas/")  # the message about support waits in no session: shared
    assert "You support this idea" in supporter_client.get("/forum/ideas/").text
    assert "You support this idea" not in _client(other).get("/forum/ideas/").text


def test_only_the_author_is_offered_their_own_posts_actions():
    topic = start()
    author, other = member(), member()
    post = reply(topic, author=author, body="My own words")
    services.follow_topic(topic=topic, user=other)  # the author follows it too, having replied
    edit = reverse("forum:post_edit", args=[post.pk])
    _client(other).get(topic.get_absolute_url())  # shared first by a member who wrote nothing here
    assert edit in _client(author).get(topic.get_absolute_url()).text
    assert edit not in _client(other).get(topic.get_absolute_url()).text


def test_a_moderator_without_two_step_is_told_how_to_turn_it_on_and_nobody_else_is():
    from django.contrib.auth.models import Group

    unverified, plain = member(), member()
    unverified.groups.add(Group.objects.get_or_create(name="Moderators")[0])
    topic = start()
    for first in (plain, unverified):
        _client(first).get(topic.get_absolute_url())  # shared first by the other one
        told = "two-step verification" in _client(unverified).get(topic.get_absolute_url()).text
        assert told and "two-step verification" not in _client(plain).get(topic.get_absolute_url()).text
