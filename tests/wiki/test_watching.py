"""Watching a guide: an email through the mail queue for each new version, one-click unsubscribe."""

import re

import pytest
from django.core import mail
from django.test import Client

from wiki.models import Page, Watch

pytestmark = pytest.mark.django_db


def _unsubscribe_path(message) -> str:
    return re.search(r"Stop emails about this guide: \S*(/wiki/watching/unsubscribe/[^/\s]+/)", message.body)[1]


def test_watcher_gets_an_email_when_a_new_version_is_published(client, user, make_page, publish, moderator):
    page = make_page()
    client.force_login(user)
    assert client.post(f"/wiki/{page.slug}/watch/", {"action": "watch"}).status_code == 302
    assert "You are watching this guide" in client.get(f"/wiki/{page.slug}/watch/").content.decode()
    mail.outbox.clear()
    publish(page, author=moderator, body="New.\n", edit_summary="Added <b>holiday</b> pay\nCall 0800 000 000")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email] and message.subject == "Guide updated: Employing a personal assistant"
    assert "> Added <b>holiday</b> pay\n> Call 0800 000 000" in message.body  # quoted: their words, not ours
    assert f"/wiki/id/{page.pk}/versions/2/" in message.body and f"/wiki/{page.slug}/compare/1/2/" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")


def test_the_author_of_the_version_is_not_emailed(user, make_page, publish):
    page = make_page()
    Watch.objects.create(user=user, page=page)
    mail.outbox.clear()
    publish(page, author=user, body="Mine.\n")
    assert mail.outbox == []


def test_one_click_unsubscribe_from_a_mail_client_needs_no_session_or_csrf(user, make_page, publish):
    page = make_page()
    Watch.objects.create(user=user, page=page)
    publish(page, body="New.\n")
    path = _unsubscribe_path(mail.outbox[-1])
    browser = Client(enforce_csrf_checks=True)
    assert browser.get(path).status_code == 200 and Watch.objects.exists()  # link scanners only GET
    response = browser.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "You are unsubscribed" in response.content.decode()
    assert not Watch.objects.exists()
    mail.outbox.clear()
    publish(Page.objects.get(pk=page.pk), body="Again.\n")
    assert mail.outbox == []


def test_a_forged_unsubscribe_token_is_404(client, db):
    assert client.post("/wiki/watching/unsubscribe/not-a-token/").status_code == 404


def test_stop_watching(client, user, make_page):
    page = make_page()
    Watch.objects.create(user=user, page=page)
    client.force_login(user)
    client.post(f"/wiki/{page.slug}/watch/", {"action": "unwatch"})
    assert not Watch.objects.exists()


def test_watching_needs_sign_in(client, make_page):
    page = make_page()
    response = client.post(f"/wiki/{page.slug}/watch/", {"action": "watch"})
    assert response.status_code == 302 and "login" in response["Location"]
    assert not Watch.objects.exists()
