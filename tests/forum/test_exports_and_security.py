"""The member's data export, stored XSS through posts, CSRF and function-level checks."""

import json
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from forum import services
from forum.exports import user_data
from forum.models import Post
from mycarebudget.text import ALLOWED_TAGS, render_markdown
from tests.forum.factories import idea, member, opening_post, reply, start

pytestmark = pytest.mark.django_db


def test_export_has_the_members_own_forum_data_and_is_json(moderator):
    person = member()
    other = member()
    topic = start(author=person, title="My own topic", body="First version")
    services.edit_post(post=opening_post(topic), editor=person, body="Second version")
    gone = reply(topic, author=person, body="Deleted words")
    services.delete_post(post=gone, user=person)
    reply(topic, author=other, body="Someone else's words")
    services.support_idea(topic=idea(), user=person)
    services.report_post(post=Post.objects.get(body="Someone else's words"), reporter=person, reason="spam")
    services.report_post(post=opening_post(topic), reporter=other, reason="spam")
    data = user_data(person)
    json.dumps(data)  # serialisable
    assert [t["title"] for t in data["forum/topics.json"]] == ["My own topic"]
    texts = [p["text"] for p in data["forum/posts.json"]]
    assert texts == ["Second version", "Deleted words"]
    assert data["forum/posts.json"][0]["earlier_versions"][0]["text"] == "First version"
    assert data["forum/posts.json"][1]["deleted_at"]
    assert len(data["forum/supports.json"]) == 1 and len(data["forum/reports-you-made.json"]) == 1
    assert "Someone else's words" not in json.dumps(data)
    assert other.email not in json.dumps(data) and other.display_name not in json.dumps(data)


def load_payloads() -> list[str]:
    path = Path(settings.BASE_DIR) / "tests" / "data" / "xss_payloads.txt"
    payloads = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            payloads.append(line.replace("\\\\", "\x00B\x00").replace("\\n", "\n").replace("\x00B\x00", "\\"))
    return payloads


SCRIPTABLE_TAGS = {"script", "img", "svg", "iframe", "object", "embed", "math", "style", "link", "meta", "base"}


class MarkupAudit(HTMLParser):
    """Every tag, attribute and link in a piece of HTML, checked against an allowlist of tags
    (or, for a whole page, against the tags that can run script)."""

    def __init__(self, allowed_tags=None):
        super().__init__(convert_charrefs=True)
        self.allowed_tags = allowed_tags
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if (tag not in self.allowed_tags) if self.allowed_tags is not None else (tag in SCRIPTABLE_TAGS):
            self.problems.append(f"tag {tag}")
        for name, value in attrs:
            if name.startswith("on") or name in ("style", "src", "formaction", "srcdoc"):
                self.problems.append(f"attribute {name}")
            if name == "href":
                scheme = urlsplit("".join((value or "").split())).scheme.lower()
                if scheme not in ("", "http", "https", "mailto"):
                    self.problems.append(f"href {value!r}")


def audit(html: str, allowed_tags=ALLOWED_TAGS) -> list[str]:
    parser = MarkupAudit(allowed_tags)
    parser.feed(html)
    return parser.problems


def test_xss_payloads_in_posts_never_become_markup(client):
    """XS-01 through the forum: every payload as a post, stored and shown on the topic page."""
    payloads = load_payloads()
    assert len(payloads) >= 150
    author = member()
    topic = start(author=author, title="Payload thread")
    # Null characters never reach the database: the form refuses them (see the next test).
    Post.objects.bulk_create([
        Post(topic=topic, author=author, body=payload.replace("\x00", ""),
             body_html=render_markdown(payload.replace("\x00", "")))
        for payload in payloads])
    for post in Post.objects.filter(topic=topic):
        assert audit(post.body_html) == [], post.body
    with override_settings(FORUM_POSTS_PER_PAGE=len(payloads) + 1):
        html = client.get(topic.get_absolute_url()).content.decode()
    thread = html.split('<ol class="app-thread"', 1)[1].split("</ol>", 1)[0]
    assert audit("<ol" + thread, allowed_tags=None) == []


def test_null_characters_are_refused_by_the_form(client):
    topic = start()
    client.force_login(member())
    response = client.post(reverse("forum:reply_create", args=[topic.pk]), {"body": "a\x00b"})
    assert response.status_code == 200 and Post.objects.filter(topic=topic).count() == 1


@pytest.mark.parametrize("title", ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>',
                                   "javascript:alert(1)", "<svg/onload=alert(1)>"])
def test_payloads_in_titles_are_escaped_everywhere(client, title):
    """XS-04: a title is text on the topic page, in lists, breadcrumbs and the page title."""
    topic = start(title=title + " title")
    for url in (topic.get_absolute_url(), "/forum/questions/", "/forum/"):
        main = client.get(url).content.decode().split("<main", 1)[1]
        assert audit(main.split(">", 1)[1], allowed_tags=None) == [], url
        assert "<script>alert" not in main and "<img src=x" not in main and "<svg/onload" not in main


def test_state_changes_need_a_csrf_token():
    """CS-01: a cross-site form post (no token) changes nothing."""
    topic = idea()
    person = member()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(person)
    for url, data in [(reverse("forum:reply_create", args=[topic.pk]), {"body": "Forged"}),
                      (reverse("forum:idea_support", args=[topic.pk]), {}),
                      (reverse("forum:topic_follow", args=[topic.pk]), {}),
                      ("/forum/questions/new/", {"title": "Forged topic", "body": "x"}),
                      ("/forum/settings/", {"email_notifications": "no"})]:
        assert browser.post(url, data).status_code == 403, url
    assert Post.objects.count() == 1 and topic.supports.count() == 1


def test_moderator_forms_need_a_csrf_token_too(moderator):
    post = reply(start())
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(moderator)
    assert browser.post(reverse("forum:post_hide", args=[post.pk]), {"reason": "x"}).status_code == 403
    assert Post.objects.get(pk=post.pk).hidden_at is None


def test_mass_assignment_is_ignored(client):
    """AC-03: extra fields such as author or is_held in a post are ignored."""
    person, victim = member(), member()
    topic = start()
    client.force_login(person)
    client.post(reverse("forum:reply_create", args=[topic.pk]),
                {"body": "Mine", "author": victim.pk, "is_held": "1", "hidden_reason": "x"})
    post = Post.objects.get(topic=topic, is_first=False)
    assert post.author == person and not post.is_held and post.hidden_reason == ""
