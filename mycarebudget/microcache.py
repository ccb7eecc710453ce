"""Shared renderings of busy pages ("microcaching"), for anonymous readers and for members.

Busy pages (a guide, a forum category, a long topic) are the same for every
anonymous reader, and nearly the same for every member. Rendering them once
every few seconds instead of on every request is what lets one small machine
serve a crowd.

- Anonymous readers share a copy for MICROCACHE_SECONDS. Only a plain 200 that
  set no cookie and used no CSRF token is shared.
- Members share a copy rendered for a stand-in member (SHARED_MEMBER) that
  has no name, no posts and no powers. Each part of the page that differs
  between members is written out in every form it can take, between markers:
  ``<!--v:key=value-->...<!--/v-->``. Each request keeps the forms that fit
  its member (``choose``) and puts in its own CSRF token (``personalise``).
  Moderators, suspended members and members with their own held or hidden
  posts on a page get a page of their own instead (the views decide).
- A forum change bumps a generation number (``bump``, after commit), which is
  part of every key, so with a shared cache (Redis) nobody sees a copy more
  than LOCAL_SECONDS older than the change; with the per-process memory cache
  alone another worker may show its copy for up to MICROCACHE_SECONDS.
- With Redis, each worker keeps what it read for LOCAL_SECONDS in its own
  memory too (the "local" cache), so a busy page costs no round trip at all.

Markers cannot come from members: their text is escaped or goes through the
sanitiser, which drops HTML comments, and the token markers are secret.
"""

import hashlib
import re
import uuid
from functools import cache as once
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.session import SessionStorage
from django.core.cache import cache, caches
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_cache_control
from django.utils.crypto import salted_hmac

KEPT_HEADERS = ("Content-Type", "Content-Language")
LOCAL_SECONDS = 1
GENERATION_KEY = "microcache:generation"
VARIANT = re.compile(r"<!--v:([\w-]+)=([\w-]+)-->(.*?)<!--/v-->", re.DOTALL)


class SharedMember:
    """Who a members' shared copy is rendered for: signed in, and nobody in particular."""

    pk = id = None
    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = is_superuser = False
    _is_moderator = False
    display_name = public_name = email = ""

    def __str__(self) -> str:
        return ""


SHARED_MEMBER = SharedMember()


@once
def _marker(name: str) -> str:
    # Derived from the secret key, so every worker agrees on it and no member can type it.
    return f"{name}{salted_hmac('microcache-marker', name, algorithm='sha256').hexdigest()[:24]}"


def csrf_marker() -> str:
    return _marker("csrf")


def submission_marker() -> str:
    return _marker("submission")


def shared_context() -> dict:
    """Template context for a members' shared copy: the stand-in member and token markers."""
    return {"shared_copy": True, "user": SHARED_MEMBER, "csrf_token": csrf_marker(), "messages": ()}


def split(html: str) -> tuple:
    """A rendering cut at its markers, once: plain text, and (key, value, text) for each marked form."""
    parts, start = [], 0
    for match in VARIANT.finditer(html):
        parts += [html[start:match.start()], (match[1], match[2], match[3])]
        start = match.end()
    parts.append(html[start:])
    return tuple(parts)


def choose(html: str | tuple, choices: dict[str, str]) -> str:
    """Keep, of each marked part, the form this reader's choices name ("default" otherwise)."""
    parts = split(html) if isinstance(html, str) else html
    return "".join(part if isinstance(part, str) else part[2] if choices.get(part[0], "default") == part[1] else ""
                   for part in parts)


def personalise(html: str, request) -> str:
    """This request's own CSRF token, and a fresh key for each form that sends one."""
    html = html.replace(csrf_marker(), get_token(request))
    marker = submission_marker()
    while marker in html:
        html = html.replace(marker, uuid.uuid4().hex, 1)
    return html


def has_messages(request) -> bool:
    """Whether a one-off message waits for this reader, in its cookie or (if too long) the session."""
    if "messages" in request.COOKIES:
        return True
    session = getattr(request, "session", None)
    return bool(session is not None and session.session_key and session.get(SessionStorage.session_key))


def enabled(request) -> bool:
    """Shared copies are on, and no one-off message waits for this reader."""
    return bool(settings.MICROCACHE_SECONDS) and not has_messages(request)


def cached(key: str):
    """What the cache holds at ``key``: this worker's memory first (with Redis), then the cache."""
    local = caches["local"] if "local" in settings.CACHES else None
    value = local.get(key) if local is not None else None
    if value is None:
        value = cache.get(key)
        if value is not None and local is not None:
            local.set(key, value, LOCAL_SECONDS)
    return value


def forget(keys: list[str]) -> None:
    cache.delete_many(keys)
    if "local" in settings.CACHES:
        caches["local"].delete_many(keys)


def generation() -> int:
    value = cached(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 0, None)  # stored, so that workers can keep it in memory
        return 0
    return value


def bump() -> None:
    """After the current transaction commits, make every shared copy out of date."""
    def advance():
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:
            cache.set(GENERATION_KEY, 1, None)
        if "local" in settings.CACHES:  # this worker at once; the others within LOCAL_SECONDS
            caches["local"].delete(GENERATION_KEY)

    transaction.on_commit(advance)


def _key(request, audience: str) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"microcache:{audience}:{generation()}:{path}"


def member_copy(request, render) -> dict | None:
    """The members' shared copy of this address, rendering it with ``render()`` if there is none.

    ``render`` returns a dict with "html" (a str with markers) and anything else the view needs to
    personalise it, or None when the page must not be shared. The copy holds the html already
    split at its markers, ready for ``choose``.
    """
    key = _key(request, "member")
    copy = cached(key)
    if copy is None:
        copy = render()
        if copy is not None:
            copy = {**copy, "html": split(copy["html"])}
            cache.set(key, copy, settings.MICROCACHE_SECONDS)
    return copy


def _shared_with_the_edge(response):
    # What every anonymous reader may share, a CDN may share too, for as long as we do.
    patch_cache_control(response, public=True, max_age=settings.MICROCACHE_SECONDS)
    return response


def anonymous_microcache(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated or not enabled(request):
            return view(request, *args, **kwargs)
        key = _key(request, "anonymous")
        copy = cached(key)
        if copy is not None:
            content, headers = copy
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
            return _shared_with_the_edge(response)
        response = view(request, *args, **kwargs)
        shareable = (response.status_code == 200 and not response.streaming and not response.cookies
                     and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
        if shareable:
            headers = [(name, response[name]) for name in KEPT_HEADERS if response.has_header(name)]
            cache.set(key, (response.content, headers), settings.MICROCACHE_SECONDS)
            _shared_with_the_edge(response)
        return response

    return wrapper
