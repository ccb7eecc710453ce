"""In-process measurements on a seeded database, for bench/run.py; prints one JSON object.

    DATABASE_URL=... DJANGO_SETTINGS_MODULE=mycarebudget.settings.prod .venv/bin/python bench/measure.py

- The addresses the load runs read (a guide page, the long topic's first and last page, the
  busiest category), and a signed-in session cookie for a seeded member.
- Queries per request for each, through Django's test client, counted with
  CaptureQueriesContext: cold (empty cache) and warm.
- Search: wiki.search.search_pages and forum.search.search_discussions timed in-process,
  p50 and p95 over repeats, for a rare word, common words, a two-word query and a question.
- That history, version and compare pages answer on a seeded page.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mycarebudget.settings.prod")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from mycarebudget import shared  # noqa: E402

SEARCH_REPEATS = int(os.environ.get("MCB_BENCH_SEARCH_REPEATS", "40"))
HTTPS = {"secure": True, "HTTP_X_FORWARDED_PROTO": "https"}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def timings(function, repeats: int) -> dict:
    function()  # warm: plans cached, pages in memory
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(percentile(samples, 0.95), 2),
        "repeats": repeats,
    }


def targets() -> dict:
    from forum.models import Category, Topic
    from wiki.models import Page

    page = Page.objects.filter(slug__startswith="bench-").order_by("pk")[1]
    topic = Topic.objects.filter(title="Our PA payroll questions, all in one place").get()
    per_page = settings.FORUM_POSTS_PER_PAGE
    last_page = (topic.reply_count + 1 + per_page - 1) // per_page
    category = Category.objects.get(slug="questions")
    slugs = list(
        Page.objects.filter(slug__startswith="bench-").order_by("pk").values_list("slug", flat=True)[:1000]
    )
    return {
        "guide_page": page.get_absolute_url(),
        "guide_versions": page.revision,
        "guide_slugs": slugs,
        "topic_page": topic.get_absolute_url(),
        "topic_last_page": f"{topic.get_absolute_url()}?page={last_page}",
        "topic_replies": topic.reply_count,
        "category_page": category.get_absolute_url(),
        "category_topics": Topic.objects.filter(category=category).count(),
        "pages": Page.objects.count(),
        "page_versions": page.versions.model.objects.count(),
        "topics": Topic.objects.count(),
        "posts": topic.posts.model.objects.count(),
    }


def signed_in_client(page: str) -> tuple[Client, str]:
    """A signed-in member, and the cookies their browser sends: the session, and the CSRF
    cookie the first page they open sets (without it every page would set a new one)."""
    from accounts.models import User

    member = User.objects.get(email="user0@bench.example")
    client = Client(**HTTPS)
    client.force_login(member)
    client.get(page, **HTTPS)
    return client, "; ".join(f"{name}={client.cookies[name].value}"
                             for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME))


def count_queries(client: Client, url: str, **headers) -> dict:
    """Queries for the first request after the cache was emptied (cold), and for the next one (warm)."""
    counts = []
    cache.clear()
    shared.forget_worker_copies()
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, **HTTPS, **headers)
        counts.append(len(queries))
    return {
        "cold_queries": counts[0],
        "queries": counts[1],
        "status": response.status_code,
        "bytes": len(response.content),
    }


def query_counts(found: dict, member: Client) -> dict:
    anonymous = Client(**HTTPS)
    etag = anonymous.get(found["guide_page"], **HTTPS)["ETag"]
    return {
        "guide_page": count_queries(anonymous, found["guide_page"]),
        "guide_page_304": count_queries(anonymous, found["guide_page"], HTTP_IF_NONE_MATCH=etag),
        "guide_page_signed_in": count_queries(member, found["guide_page"]),
        "topic_page": count_queries(anonymous, found["topic_page"]),
        "topic_last_page": count_queries(anonymous, found["topic_last_page"]),
        "topic_page_signed_in": count_queries(member, found["topic_page"]),
        "category_page": count_queries(anonymous, found["category_page"]),
        "category_page_signed_in": count_queries(member, found["category_page"]),
        "search_budget": count_queries(anonymous, "/search/?q=budget"),
        **{
            f"guide_{name.split('/')[0]}": count_queries(anonymous, found["guide_page"] + name)
            for name in ("history/", "versions/3/", "compare/2/19/")
        },
    }


def rare_word() -> tuple[str, int]:
    """A place name from the seed's list that names a few pages (its own count is reported)."""
    from bench.seed import PLACES
    from wiki.models import Page

    word = PLACES[8]
    return word, Page.objects.filter(summary__icontains=word).count()


def search_timings() -> dict:
    from forum.search import search_discussions
    from wiki.search import search_pages

    word, pages_with_word = rare_word()
    # An everyday question too (issue 18): question words dropped, synonyms added, several concepts.
    queries = {"rare": word, "budget": "budget", "care": "care", "two_words": "direct payments",
               "question": "how do I employ a PA"}
    results = {}
    for label, query in queries.items():
        guides = timings(lambda query=query: search_pages(query, limit=20), SEARCH_REPEATS)
        discussions = timings(lambda query=query: search_discussions(query, limit=5), SEARCH_REPEATS)
        # What /search/ asks for, in the same order: 20 guides, then the top 5 discussions.
        both = timings(
            lambda query=query: (search_pages(query, limit=20), search_discussions(query, limit=5)),
            SEARCH_REPEATS,
        )
        _, total, _ = search_pages(query, limit=20)
        results[label] = {
            "query": query,
            "guide_matches": total,
            "guides": guides,
            "discussions": discussions,
            "both": both,
        }
    results["rare"]["pages_with_word"] = pages_with_word
    return results


def main() -> None:
    found = targets()
    member, cookie = signed_in_client(found["guide_page"])
    result = {
        "database": connection.vendor,
        "targets": found,
        "session_cookie": cookie,
        "queries": query_counts(found, member),
        "search": search_timings() if "--no-search" not in sys.argv else {},
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
