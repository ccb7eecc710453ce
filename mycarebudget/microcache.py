"""A few seconds' shared copy of a public page for anonymous readers ("microcaching").

Busy list pages (forum categories, long topics) are the same for every reader
who is not signed in. Rendering them once every few seconds instead of on
every request is what lets one small machine serve a crowd; a reply shows to
anonymous readers at most MICROCACHE_SECONDS late, and signed-in readers
always get a fresh page. Only a plain 200 that set no cookie and used no CSRF
token is shared.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

KEPT_HEADERS = ("Content-Type", "Content-Language")


def _key(request) -> str:
    return "microcache:" + hashlib.sha256(request.get_full_path().encode()).hexdigest()


def anonymous_microcache(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        seconds = settings.MICROCACHE_SECONDS
        if not seconds or request.user.is_authenticated or "messages" in request.COOKIES:
            return view(request, *args, **kwargs)
        key = _key(request)
        cached = cache.get(key)
        if cached is not None:
            content, headers = cached
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
            return response
        response = view(request, *args, **kwargs)
        shareable = (response.status_code == 200 and not response.streaming and not response.cookies
                     and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
        if shareable:
            headers = [(name, response[name]) for name in KEPT_HEADERS if response.has_header(name)]
            cache.set(key, (response.content, headers), seconds)
        return response

    return wrapper
