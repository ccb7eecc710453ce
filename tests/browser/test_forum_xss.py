"""Stored XSS in the forum, in a real browser with the CSP switched off (so this tests the
sanitiser and escaping alone): every payload as a post, as a held post in a moderator's queue,
as an earlier version in the edit history, and as a topic title in the lists."""

import pytest
from django.utils import timezone

from forum.models import Post, PostRevision, Topic
from mycarebudget.text import render_markdown
from tests.factories import UserFactory
from tests.forum.factories import category, ensure_categories
from tests.wiki.test_text import PAYLOADS

pytestmark = pytest.mark.django_db(transaction=True)
# PostgreSQL text cannot hold NUL, and every form refuses it before it gets there.
STORABLE = [payload.replace("\x00", "") for payload in PAYLOADS]
TITLES = 60


def _watch(page):
    fired: list[str] = []
    page.on("dialog", lambda dialog: (fired.append(dialog.message), dialog.dismiss()))
    return fired


def test_no_forum_payload_runs(chromium, live_server, log_in, moderator, settings):
    settings.FORUM_POSTS_PER_PAGE = len(STORABLE) + 1
    settings.FORUM_TOPICS_PER_PAGE = TITLES + 1
    ensure_categories()
    author = UserFactory()
    now = timezone.now()
    thread = Topic.objects.create(category=category("questions"), author=author, title="Payload thread")
    posts = Post.objects.bulk_create([
        Post(topic=thread, author=author, body=payload, body_html=render_markdown(payload), created_at=now,
             is_first=index == 0, is_held=index % 2 == 1)
        for index, payload in enumerate(STORABLE)])
    PostRevision.objects.bulk_create([PostRevision(post=posts[0], body=payload, created_at=now)
                                      for payload in STORABLE])
    Post.objects.filter(pk=posts[0].pk).update(edit_count=len(STORABLE))
    Topic.objects.bulk_create([
        Topic(category=category("questions"), author=author, title=payload.strip()[:150] or "x", slug="payload")
        for payload in STORABLE[:TITLES]])

    context = chromium.new_context(base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    fired = _watch(page)
    log_in(page, moderator)
    held = len(STORABLE) // 2
    for path, selector, expected in [
            (thread.get_absolute_url(), "article.app-post", len(STORABLE)),
            ("/moderation/reports/", ".app-report", held),
            (f"/forum/posts/{posts[0].pk}/history/", "pre.app-revision", len(STORABLE) + 1),
            ("/forum/questions/", ".app-topic-list__item", TITLES + 1),
            ("/forum/", "h1", 1)]:
        page.goto(path)
        page.wait_for_load_state("load")
        assert page.locator(selector).count() == expected, path  # every payload really is on the page
    context.close()
    assert fired == []
    assert len(STORABLE) >= 150
