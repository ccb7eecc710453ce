"""The benchmarks' own code: the floor view, and the seeder on small data.

The benchmarks assert nothing about time; these tests check that the floor is absent unless
asked for, that seeded data has the shape the services make (so the figures measure real
pages), and that the pages the benchmarks read keep their query counts whatever the data.
"""

import importlib

import pytest
from django.test import Client
from django.urls import NoReverseMatch, clear_url_caches, reverse

from bench import seed
from tests.accounts.fixtures import document_key, document_root  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def floor_urls(settings):
    """The site's URLs as bench/run.py serves them, with MCB_BENCH_FLOOR set."""
    from mycarebudget import urls

    settings.BENCH_FLOOR = True
    importlib.reload(urls)
    clear_url_caches()
    yield
    settings.BENCH_FLOOR = False
    importlib.reload(urls)
    clear_url_caches()


def test_floor_is_absent_by_default(client, settings):
    assert settings.BENCH_FLOOR is False
    with pytest.raises(NoReverseMatch):
        reverse("bench_floor")
    assert client.get("/_bench/floor/").status_code == 404


def test_floor_serves_20_kb_through_the_site_middleware(client, floor_urls, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("bench_floor"))
    assert response.status_code == 200
    assert len(response.content) == 20 * 1024
    assert response["Content-Security-Policy"] and response["X-Frame-Options"] == "DENY"
    assert client.post(reverse("bench_floor")).status_code == 405


def test_reply_counts_add_up_with_one_long_topic():
    counts = seed.reply_counts(50, 3000, 1200)
    assert counts[0] == 1200
    assert len(counts) + sum(counts) == 3000
    assert min(counts) >= 0


def test_sections_render_the_same_alone_as_in_the_whole_page():
    import random

    from wiki.services import render_page_body

    sections = seed.Sections(random.Random(1))
    sections.edit(random.Random(2), ["A new paragraph about the budget."])
    assert sections.html == str(render_page_body(sections.body))


@pytest.fixture
def seeded_pages(db, django_capture_on_commit_callbacks):
    seed.seed_users(20)
    with django_capture_on_commit_callbacks(execute=True):  # as each page's transaction commits
        seed.seed_pages(3, 6)


def test_seeded_history_has_the_shape_the_services_make(seeded_pages, client):
    from wiki.models import Page
    from wiki.services import render_page_body

    page = Page.objects.get(slug="bench-1")
    assert page.revision == 6
    versions = list(page.versions.order_by("number"))
    assert [version.number for version in versions] == [1, 2, 3, 4, 5, 6]
    for version in versions:
        content = version.content()  # the reversion Version, read as the site reads it
        assert content["slug"] == "bench-1" and content["title"] == version.title
        assert version.body_html == str(render_page_body(content["body"]))
        assert version.revision.comment == version.edit_summary
    assert versions[-1].content()["body"] == page.body
    assert len({version.body_html for version in versions}) == 6
    for url in ["history/", "versions/3/", "compare/2/5/", "compare/5/6/"]:
        assert client.get(f"/wiki/bench-1/{url}").status_code == 200


def test_seeded_guide_page_answers_in_one_query_and_then_304(seeded_pages, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):  # its article was stored when it was published
        response = client.get("/wiki/bench-2/")
    assert response.status_code == 200
    with django_assert_max_num_queries(0):
        again = client.get("/wiki/bench-2/", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_seeded_pages_are_found_by_their_rare_place_word(seeded_pages):
    from wiki.search import search_pages

    hits, total, _ = search_pages(seed.PLACES[1])
    assert total == 1 and hits[0].url == "/wiki/bench-1/"


@pytest.fixture
def seeded_forum(db):
    seed.seed_users(30)
    seed.seed_forum(4, 120, 60)


def test_seeded_forum_keeps_counters_and_search_index_in_step(seeded_forum):
    from forum.models import Post, Topic
    from forum.search import search_discussions

    topics = Topic.objects.filter(author__email__endswith=seed.BENCH_EMAIL)
    assert topics.count() == 4 and Post.objects.filter(topic__in=topics).count() == 120
    for topic in topics:
        replies = Post.objects.filter(topic=topic, is_first=False)
        assert topic.reply_count == replies.count()
        assert topic.last_activity_at == max(post.created_at for post in topic.posts.all())
    long_topic = topics.get(title=seed.BIG_TOPIC_TITLE)
    assert long_topic.reply_count == 60
    # A reply that shares its body with an earlier one is found by search too.
    last = Post.objects.filter(topic=long_topic).order_by("-pk").first()
    word = max(last.body.split(), key=len).strip(".,;:()")
    assert any(hit.title == long_topic.title for hit in search_discussions(word, limit=50))


def test_long_topic_pages_cost_the_same_queries_first_and_last(seeded_forum):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from forum.models import Topic

    topic = Topic.objects.get(title=seed.BIG_TOPIC_TITLE)
    client = Client()
    client.get(topic.get_absolute_url())  # warms what every page shares (the moderator list for badges)
    counts = []
    for page in (1, 3):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(topic.get_absolute_url(), {"page": page}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 4


def test_seeded_documents_are_stored_encrypted(db, document_root):  # noqa: F811
    from accounts.models import Document
    from accounts.services import read_details

    seed.seed_users(5)
    assert seed.seed_documents(3) == 3
    assert seed.seed_documents(3) == 0  # a second run adds nothing
    document = Document.objects.order_by("created_at").first()
    assert read_details(document).name.startswith("Timesheet ")
    stored = [path.read_bytes() for path in document_root.rglob("*") if path.is_file()]
    assert len(stored) == 3 and not any(b"Timesheet" in blob for blob in stored)


WRK_OUTPUT = """Running 2s test @ http://127.0.0.1:8000/_bench/floor/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.61ms    1.90ms  24.45ms   88.27%
    Req/Sec     1.13k   118.45     1.31k    70.00%
  Latency Distribution
     50%    3.21ms
     75%    4.05ms
     90%    5.38ms
     99%   11.02ms
  4512 requests in 2.00s, 92.67MB read
  Non-2xx or 3xx responses: 3
Requests/sec:   2255.43
Transfer/sec:     46.31MB
"""


def test_wrk_output_is_read_with_its_errors():
    from bench.run import parse_wrk

    assert parse_wrk(WRK_OUTPUT) == {"rps": 2255.4, "p50_ms": 3.21, "p90_ms": 5.38, "p99_ms": 11.02,
                                     "requests": 4512, "bad_responses": 3, "socket_errors": 0}


def _results(ratio: float, queries: int, search_ms: float) -> dict:
    """The smallest results.json shape bench/report.py reads."""
    from bench.report import LABELS

    run = {"path": "/x/", "rps": 100.0 * ratio, "floor_rps": 100.0, "ratio": ratio, "p50_ms": 1.0,
           "p99_ms": 2.0, "bad_responses": 0, "socket_errors": 0}
    timing = {"p50_ms": search_ms / 2, "p95_ms": search_ms}
    counted = {"queries": queries, "cold_queries": queries + 2, "status": 200, "bytes": 10}
    query_names = ["guide_page", "guide_page_304", "guide_page_signed_in", "topic_page", "topic_last_page",
                   "topic_page_signed_in", "category_page", "category_page_signed_in", "search_budget"]
    database = {
        "load": {**{name: run for name in LABELS}, "floor": {"runs_rps": [90.0, 110.0], "rps": 100.0,
                                                              "spread": 0.2}},
        "queries": {name: counted for name in query_names},
        "search": {label: {"query": label, "guide_matches": 5, "guides": timing, "discussions": timing,
                           "both": timing} for label in ("rare", "budget", "care", "two_words")},
        "search_http": {label: timing for label in ("rare", "budget", "care", "two_words")},
        "page_weight": {"path": "/x/", "total_gzip_bytes": 9000, "script_tags": 0, "web_fonts": 0,
                        "files": {"html": {"bytes": 20000, "gzip_bytes": 4000}}},
        "targets": {"guide_versions": 20, "pages": 1, "page_versions": 20, "topics": 1, "posts": 2,
                    "category_topics": 1, "topic_replies": 1},
        "prepare_seconds": 1,
    }
    return {"command": "make bench", "started_at": "2026-11-23T00:00:00+00:00", "seconds": 1,
            "seconds_per_page": 10, "wrk": "wrk", "source": {"commit": "abc1234", "snapshot": True},
            "machine": {"cpus": 2, "platform": "Linux", "python": "3.12", "gunicorn": "gunicorn", "wrk": "wrk",
                        "load_average_at_start": [0.1, 0.1, 0.1]},
            "databases": {"postgresql": database}, "documents": {"missing": "bench/documents_bench.py"}}


def test_report_says_met_or_missed_from_the_figures_alone():
    from bench.report import write_report

    good = write_report(_results(ratio=0.9, queries=0, search_ms=5))
    assert "| Anonymous guide page | ≥ 0.8× floor, at most 3 queries | met: 0.90×" in good
    assert "0 queries (2 with an empty cache)" in good and "on commit abc1234 (a clean copy of it)" in good
    slow = write_report(_results(ratio=0.5, queries=4, search_ms=25))
    assert "| Anonymous guide page | ≥ 0.8× floor, at most 3 queries | **missed**: 0.50×" in slow
    assert slow.count("**missed**") > good.count("**missed**")
