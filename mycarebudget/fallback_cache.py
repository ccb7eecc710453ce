"""A cache that keeps the site up when Redis is down, built only from Django's public cache API.

``FallbackCache`` sends every call to the PRIMARY cache alias (Redis). When that raises a
connection error it answers from the FALLBACK alias instead (each worker's memory for the page
cache and rate limits; the dummy cache for sessions, so they are read from the database) and
leaves Redis alone for RETRY_SECONDS before trying it again, so a dead Redis costs one timeout
per worker every few seconds, not one per call.

Keys written or deleted while Redis was away are deleted from it when it answers again, so a
session signed out during the outage is not brought back by Redis's stale copy.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache

logger = logging.getLogger(__name__)
MAX_REMEMBERED_KEYS = 10_000


def _unreachable_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [ConnectionError, TimeoutError, OSError]
    try:
        import redis

        # django-redis raises the client's own errors (its ConnectionInterrupted's cause) from the cache API.
        errors += [redis.exceptions.ConnectionError, redis.exceptions.TimeoutError]
    except ImportError:
        pass
    return tuple(errors)


class FallbackCache(BaseCache):
    def __init__(self, location, params):
        super().__init__(params)
        options = params.get("OPTIONS", {})
        self._primary_alias = options["PRIMARY"]
        self._fallback_alias = options["FALLBACK"]
        self._retry_seconds = options.get("RETRY_SECONDS", 5)
        self._down_until = 0.0
        self._touched_while_down: set = set()
        self._lock = threading.Lock()
        self._errors = _unreachable_errors()

    @property
    def is_primary_down(self) -> bool:
        return time.monotonic() < self._down_until

    def _call(self, method: str, *args, keys=(), **kwargs):
        if not self.is_primary_down:
            try:
                result = getattr(caches[self._primary_alias], method)(*args, **kwargs)
            except self._errors as error:
                if not self.is_primary_down:
                    logger.error("cache %s unreachable (%s): using %s for %ss", self._primary_alias,
                                 type(error).__name__, self._fallback_alias, self._retry_seconds)
                self._down_until = time.monotonic() + self._retry_seconds
            else:
                self._forget_stale_copies()
                return result
        if method not in ("get", "get_many", "has_key"):
            with self._lock:
                if len(self._touched_while_down) < MAX_REMEMBERED_KEYS:
                    self._touched_while_down.update(keys)
        return getattr(caches[self._fallback_alias], method)(*args, **kwargs)

    def _forget_stale_copies(self) -> None:
        if not self._touched_while_down:
            return
        with self._lock:
            stale, self._touched_while_down = self._touched_while_down, set()
        try:
            caches[self._primary_alias].delete_many(list(stale))
        except self._errors:
            with self._lock:
                self._touched_while_down |= stale

    # Django's cache API, key by key.
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version, keys=[key])

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, version, keys=[key])

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version, keys=[key])

    def delete(self, key, version=None):
        return self._call("delete", key, version, keys=[key])

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version, keys=[key])

    def decr(self, key, delta=1, version=None):
        return self._call("decr", key, delta, version, keys=[key])

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version, keys=list(data))

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version, keys=list(keys))

    def clear(self):
        return self._call("clear")

    def close(self, **kwargs):
        for alias in (self._primary_alias, self._fallback_alias):
            caches[alias].close(**kwargs)
