"""Shared renderings: what is the same for many readers, rendered once, never from a request or a user.

One idea, one way of forgetting: a rendering carries the version of what it shows (in its key, or
beside it), so a change makes it unused; nothing is deleted, unused copies expire.

- Parts (a post, a topic in a list: ``parts``) are rendered from objects alone (no context processors:
  ``request``, ``user``, ``csrf_token``... render empty), under a digest of the fields they show.
- Copies made from an area's rows (``current``: whole pages, the rows they are made from, the moderators'
  counts) carry the area's version ("forum", "wiki", "moderation", a member's), bumped by every change to it
  and read with it in one round trip; every key carries ``_build`` (the code deployed). Anonymous readers
  share pages (``anonymous_page``, with ETag and 304); members who would be shown the same share theirs
  (``member_page``), with only the forms that carry their token rendered live.
- A worker keeps its last anonymous copies a second in its own memory (the "worker" cache): anonymous
  readers may see another worker's change that late (a CDN may keep them longer), never a member.
"""

import hashlib
import time
from collections.abc import Callable, Iterable
from functools import cache as once
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.session import SessionStorage
from django.core.cache import cache, caches
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import get_template
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag
from django.utils.http import parse_http_date_safe
from django.utils.safestring import SafeString

from mycarebudget.moderation.powers import can_moderate_lately

SERVED = ("mycarebudget", "accounts", "forum", "wiki", "templates", "static")  # what makes the pages (_build)
PART_SECONDS = 24 * 3600  # keys change with what they show; this only lets unused ones go
KEPT_HEADERS = ("Content-Type", "Content-Language", "ETag", "Last-Modified")
VERSION_KEY = "version:{}"  # an area's version (current, bump)


@once
def _build() -> str:
    """A digest of the code and templates this process serves: a deploy makes new keys for every copy,
    which are otherwise kept until their version changes."""
    digest = hashlib.sha256()
    for folder in SERVED:
        for path in sorted((settings.BASE_DIR / folder).rglob("*")):
            if path.suffix in (".py", ".html", ".txt", ".css", ".js", ".svg") and "migrations" not in path.parts:
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def part_key(template_name: str, version: Iterable) -> str:
    digest = hashlib.sha256(repr(tuple(version)).encode()).hexdigest()[:32]
    return f"part:{template_name}:{_build()}:{digest}"


def render_part(template_name: str, context: dict) -> SafeString:
    """Render a shared part from objects alone (no request: context processors never run). The output is
    a SafeString (escaped as it was rendered), and stays one in the cache."""
    return get_template(template_name).render(context)


def parts(template_name: str, items: list[tuple[Iterable, dict]]) -> list[SafeString]:
    """Each item's shared rendering, in order, read with one get_many. Items are (version, context) pairs:
    ``version`` lists every field the template shows (a post's edit count, its author's name...)."""
    keys = [part_key(template_name, version) for version, _ in items]
    found = cache.get_many(keys)
    missing = {}
    for key, (_, context) in zip(keys, items, strict=True):
        if key not in found:
            found[key] = missing[key] = render_part(template_name, context)
    if missing:
        cache.set_many(missing, PART_SECONDS)
    return [found[key] for key in keys]


def current(area: str, name: str, compute: Callable, keep: Callable = bool):
    """What ``compute()`` makes from the area's rows, shared until the area's version changes. The copy carries
    the version it was made under and is read with the version in one ``get_many``: a bump is seen by the very
    next request. A copy made while a bump happened carries the older version, so the next reader makes it
    again. ``keep(value)`` says whether to share it."""
    version_key, key = VERSION_KEY.format(area), f"copy:{area}:{_build()}:{name}"
    found = cache.get_many([version_key, key])
    version = found.get(version_key)
    if version is None:  # the first copy, or the version was lost: start one no copy was made under
        cache.add(version_key, _new_version(), None)
        version = cache.get(version_key)  # another worker's, if it started one first
    copy = found.get(key)
    if copy is not None and copy[0] == version:
        return copy[1]
    value = compute()
    if keep(value):
        cache.set(key, (version, value), copy_seconds())
    return value


def workers_share_versions() -> bool:
    """Whether every worker reads the same versions: Redis (mycarebudget.fallback_cache), while it answers.
    In a worker's own memory, another worker's bump never arrives."""
    return not getattr(cache, "is_primary_down", True)


def _new_version() -> int:
    """A version no copy can carry yet (a lost version, started again at 0, would match old copies)."""
    return time.time_ns()


def copy_seconds() -> int:
    """Until its version changes where every worker reads the same versions; else ANONYMOUS_PAGE_SECONDS."""
    return settings.SHARED_COPY_SECONDS if workers_share_versions() else settings.ANONYMOUS_PAGE_SECONDS


def bump(area: str) -> None:
    """Every copy made from this area's rows is out of date: now, and again after commit
    (a copy made meanwhile from the old rows must not outlive the transaction)."""

    def advance():
        forget_worker_copies()
        try:
            cache.incr(VERSION_KEY.format(area))
        except ValueError:
            cache.set(VERSION_KEY.format(area), _new_version(), None)

    advance()
    transaction.on_commit(advance)


def bump_on_change(area: str, *models: str) -> None:
    """Any saved or deleted row of these models ("app.Model") bumps the area (from AppConfig.ready):
    the admin's changes too, and any new code that saves them."""

    def changed(sender, **kwargs) -> None:
        bump(area)

    for model in models:
        post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"shared-save-{area}-{model}")
        post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"shared-delete-{area}-{model}")


def forget_worker_copies() -> None:
    """This worker's own anonymous copies are out of date (a bump here, or the cache was emptied)."""
    caches["worker"].clear()


def has_messages(request) -> bool:
    """Whether a one-off message waits for this reader (then the page is theirs alone)."""
    if request.COOKIES.get("messages"):  # (a deleted one may linger, empty, in a test client)
        return True
    session = getattr(request, "session", None)
    return bool(session is not None and session.session_key and session.get(SessionStorage.session_key))


def anonymous_page(area: str) -> Callable:
    """Share this view's page among anonymous readers, with an ETag of its content (and the view's
    Last-Modified, if it sets one) for 304s. The view renders it with ``render_page`` (made without the
    request); only a plain 200 that set no cookie and used no CSRF token is shared, and only while no
    message waits for the reader. Members always get their page rendered for them."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.user.is_authenticated or has_messages(request):
                return private(view(request, *args, **kwargs))  # this reader's own page
            def page():
                response = view(request, *args, **kwargs)
                if (response.status_code != 200 or response.streaming or response.cookies
                        or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")):
                    return response
                set_response_etag(response)  # for 304s
                return response.content, {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}

            name = "page:" + hashlib.sha256(request.get_full_path().encode()).hexdigest()
            if (copy := caches["worker"].get(name)) is None:
                copy = current(area, name, page, keep=lambda copy: isinstance(copy, tuple))
                if not isinstance(copy, tuple):
                    return copy  # a response nobody else may be given
                caches["worker"].set(name, copy)  # for its TIMEOUT (settings)
            content, headers = copy
            last_modified = headers.get("Last-Modified")
            response = get_conditional_response(
                request, etag=headers.get("ETag"),
                last_modified=parse_http_date_safe(last_modified) if last_modified else None)
            if response is None:
                response = HttpResponse(content)
            for name, value in headers.items():
                response[name] = value
            # What every anonymous reader may share, a CDN may share too, for as long as we do.
            patch_cache_control(response, public=True, max_age=settings.ANONYMOUS_PAGE_SECONDS)
            return response

        return wrapper

    return decorator


def page_context(request, signed_in: bool) -> dict:
    """What base.html needs to know of the request: for a page rendered without it, and for the
    context processor (mycarebudget.context_processors.site) of one rendered with it."""
    section = request.path.split("/", 2)[1]  # the part of the site ("wiki", "forum"...), which the header marks
    return {"signed_in": signed_in, "site_name": settings.SITE_NAME, "section": section}


def render_page(request, template_name: str, context: dict, status: int = 200) -> HttpResponse:
    """A page that readers may share (``anonymous_page``). An anonymous reader's is rendered like a part,
    from the context alone: nothing of the request (its session, its cookies) can reach a shared copy.
    A member's, or a page with a message waiting, is rendered for its reader, and private."""
    if request.user.is_authenticated or has_messages(request):
        return private(render(request, template_name, context, status=status))
    context = {**context, **page_context(request, signed_in=False)}
    return HttpResponse(render_part(template_name, context), status=status)


def member_page(request, area: str, template_name: str, facts: Iterable, context: Callable[[], dict | None],
                live: dict | None = None) -> HttpResponse | None:
    """A signed-in member's page, shared with every member who would be shown exactly the same.

    ``facts`` lists all that tells members' pages apart (what they may do, what they follow, which
    posts are theirs); the page is rendered from ``context()`` and those facts alone, like a part. Its
    buttons and fields point at forms (form="page-actions", form="reply") rendered live after it with
    the reader's token (includes/live_forms.html, with ``live``). A moderator (whose header links to the
    queue), or a member with a message waiting, gets theirs alone. None when ``context()`` finds no page."""
    live = live or {}
    if has_messages(request) or can_moderate_lately(request.user):
        found = context()
        return None if found is None else render_page(request, template_name, {**found, **live})

    def shared_page():
        found = context()
        return None if found is None else render_part(template_name, {**found, **page_context(request, signed_in=True)})

    name = "member:" + hashlib.sha256(repr((request.get_full_path(), template_name, *facts)).encode()).hexdigest()
    page = current(area, name, shared_page)
    if page is None:
        return None
    forms = render_part("includes/live_forms.html", {**live, "csrf_token": get_token(request)})
    return private(HttpResponse(page + forms))


def private(response: HttpResponse) -> HttpResponse:
    """A reader's own page: never kept by a CDN, never answered with a shared copy's 304."""
    patch_cache_control(response, private=True, no_cache=True)
    for name in ("ETag", "Last-Modified"):
        response.headers.pop(name, None)
    return response
