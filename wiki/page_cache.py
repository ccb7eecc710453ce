"""The shared copy of each guide, so a reader's request needs no database at all.

Keyed by slug and dropped whenever what the page shows changes (after the
change commits). With Redis (REDIS_URL) every worker sees that within
microcache.LOCAL_SECONDS; with the per-process memory cache alone another
worker may serve its copy for up to PAGE_CACHE_SECONDS, like a CDN's short cache.
"""

from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction

from mycarebudget import microcache

PAGE_CACHE_SECONDS = 30


def key(slug: str) -> str:
    return f"wiki:page:{slug}"


def get(slug: str) -> dict | None:
    return microcache.cached(key(slug))


def put(slug: str, *, html: bytes, member_html: str, etag: str, last_modified: int) -> None:
    """``html`` for anonymous readers; ``member_html`` for members, to personalise per request."""
    cache.set(key(slug), {"html": html, "member_html": member_html, "etag": etag, "last_modified": last_modified},
              PAGE_CACHE_SECONDS)


def forget(slugs: Iterable[str]) -> None:
    """Drop these pages' copies once the current transaction commits."""
    keys = [key(slug) for slug in set(slugs) if slug]
    if keys:
        transaction.on_commit(lambda: microcache.forget(keys))
