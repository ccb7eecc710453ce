"""A form sent after its member was signed out is kept for them, not lost (mycarebudget/unsent.py)."""

import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from forum.models import Follow, Post
from mycarebudget import unsent
from tests.forum.factories import member, start

pytestmark = pytest.mark.django_db


def _sign_out_elsewhere(client) -> None:
    session = client.session
    session.pop(SESSION_KEY)
    session.save()


def test_a_reply_sent_after_signing_out_waits_in_the_reply_form(client):
    topic, alice = start(), member()
    client.force_login(alice)
    page = topic.get_absolute_url()
    client.get(page)
    _sign_out_elsewhere(client)
    reply_url = reverse("forum:reply_create", args=[topic.pk])
    response = client.post(reply_url, {"body": "My long reply about holiday pay"}, HTTP_REFERER="http://testserver" + page)
    assert response.status_code == 302 and response.url == f"{reverse('account_login')}?next={reply_url}"
    assert not Post.objects.filter(body="My long reply about holiday pay").exists()
    assert "You were signed out, so it was not sent" in client.get(response.url).text
    client.force_login(alice)
    html = client.get(reply_url).text
    assert "My long reply about holiday pay</textarea>" in html
    assert "My long reply" not in client.get(reply_url).text  # given back once


def test_a_button_pressed_after_signing_out_comes_back_to_its_page(client):
    topic, alice = start(), member()
    client.force_login(alice)
    page = topic.get_absolute_url()
    _sign_out_elsewhere(client)
    response = client.post(reverse("forum:topic_follow", args=[topic.pk]), HTTP_REFERER="http://testserver" + page)
    assert response.url == f"{reverse('account_login')}?next={page}"
    assert not Follow.objects.filter(user=alice, topic=topic).exists()
    assert "You were signed out, so that was not done" in client.get(response.url).text
    response = client.post(reverse("forum:topic_follow", args=[topic.pk]), HTTP_REFERER="https://elsewhere.example/x")
    assert response.url == f"{reverse('account_login')}?next=/"  # never back to another site


def test_what_was_typed_waits_a_short_while_only(client, monkeypatch):
    topic, alice = start(), member()
    reply_url = reverse("forum:reply_create", args=[topic.pk])
    client.post(reply_url, {"body": "Typed a while ago"})
    client.force_login(alice)
    later = time.time() + unsent.KEEP_SECONDS + 1
    monkeypatch.setattr(unsent.time, "time", lambda: later)
    assert "Typed a while ago" not in client.get(reply_url).text


def test_passwords_and_tokens_are_never_kept(client):
    topic = start()
    client.post(reverse("forum:reply_create", args=[topic.pk]),
                {"body": "Words", "password": "secret-pass", "submission_key": "a" * 32})
    assert client.session[unsent.SESSION_KEY]["fields"] == {"body": "Words"}


def test_a_private_records_details_are_never_kept(client):
    client.post(reverse("budget:entry_add"), {"description": "Payment to my PA, Jo Smith", "amount": "120.00"},
                HTTP_REFERER="http://testserver" + reverse("budget:entry_add"))
    assert unsent.SESSION_KEY not in client.session
