"""Bounded work on hostile input: Markdown that would take minutes is refused in under a second,
with a clear message and the text kept; huge numbers in addresses are 404s."""

import os
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forum import services
from forum.models import Post
from mycarebudget import render_budget
from mycarebudget.text import render_markdown
from tests.forum.factories import member, start

pytestmark = pytest.mark.django_db

# The renderer's budget is CPU time: on a machine with more runnable processes than cores the
# clock runs slower than that, so time limits below are scaled by how oversubscribed it is.
SLACK = max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))

HOSTILE = {
    "15,000 [ (over 30 s unbounded)": "[" * 15_000,
    "10,000 setext underlines (never finished)": "=\n" * 9_999,
    "500 [ then a long paragraph (24 s)": "[" * 500 + " word" * 3_800,
}


@pytest.fixture
def production_budget(settings, client):
    settings.MARKDOWN_RENDER_SECONDS = 0.3  # as in settings/base.py
    render_markdown("The renderer is started before the clock starts.")
    client.get("/forum/")  # and the URL patterns and templates are loaded
    client.get(reverse("forum:reply_create", args=[start().pk]))


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_reply_is_refused_clearly_in_under_a_second(client, production_budget, text):
    topic = start()
    client.force_login(member())
    started = time.monotonic()
    response = client.post(reverse("forum:reply_create", args=[topic.pk]), {"body": text})
    elapsed = time.monotonic() - started
    assert elapsed < 1 * SLACK, f"took {elapsed:.2f} s (load allowance {SLACK:.1f})"
    assert response.status_code in (200, 400)
    assert "too complicated for us to format" in response.text
    assert text[:200] in response.text  # what they wrote is kept
    assert not Post.objects.filter(topic=topic, is_first=False).exists()


def test_deep_nesting_is_formatted_or_refused_never_a_500(client, production_budget):
    topic = start()
    client.force_login(member())
    for text in ("- " * 700, "> " * 700, "1. " * 700):
        started = time.monotonic()
        response = client.post(reverse("forum:reply_create", args=[topic.pk]), {"body": text + "end"})
        assert time.monotonic() - started < 1.5 * SLACK
        assert response.status_code in (200, 302, 400)


def test_a_hostile_guide_edit_is_refused_clearly(client, production_budget):
    client.force_login(member())
    response = client.post(reverse("wiki:page_new"), {"title": "Hostile", "topic": "money",
                                                         "body": "=\n" * 9_999, "summary": "x"})
    assert "too complicated for us to format" in response.text


def test_the_renderer_is_replaced_after_a_refusal(production_budget):
    with pytest.raises(render_budget.TextTooComplex):
        render_markdown("[" * 15_000)
    assert str(render_markdown("**Still** works")) == "<p><strong>Still</strong> works</p>"


@pytest.mark.postgres
def test_no_row_lock_is_held_while_a_reply_is_rendered(monkeypatch):
    topic, author = start(), member()
    seen = []

    def render_and_look(body, **kwargs):
        seen.append([query["sql"] for query in queries.captured_queries if "FOR UPDATE" in query["sql"]])
        return render_markdown(body, **kwargs)

    monkeypatch.setattr(services, "render_markdown", render_and_look)
    with CaptureQueriesContext(connection) as queries:
        services.post_reply(topic=topic, author=author, body="A reply")
    assert seen == [[]]
    assert any("FOR UPDATE" in query["sql"] for query in queries.captured_queries)  # it did lock, afterwards


@pytest.mark.parametrize("address", [
    "/forum/topics/99999999999999999999-x/",
    "/forum/topics/99999999999999999999/reply/",
    "/forum/posts/99999999999999999999/",
    "/forum/?page=99999999999999999999",
    "/forum/categories/questions/?page=99999999999999999999",
    "/wiki/id/99999999999999999999/",
])
def test_huge_numbers_in_addresses_are_404s(client, address):
    client.raise_request_exception = False
    client.force_login(member())
    started = time.monotonic()
    assert client.get(address).status_code == 404
    assert time.monotonic() - started < 1 * SLACK


def test_a_huge_number_in_a_form_field_is_not_a_500(client):
    topic = start()
    client.force_login(member())
    client.raise_request_exception = False
    response = client.post(reverse("forum:reply_create", args=[topic.pk]),
                           {"body": "Hello", "reply_to": "99999999999999999999"})
    assert response.status_code < 500
