"""A form sent after its member was signed out (in another tab, or when their session ended) is not lost.

Django's login_required would send them to sign in and then to the address the form posted to,
which answers a button (follow, support...) with 405 and a reply with an empty form. Instead nothing
is done, they are told so, and after signing in they are back where they were: on the form's own
page with what they typed in it again (``take``), or, for a button, on the page it was on. Only what
they were about to publish is kept (a post, a guide edit: POSTER and AUTHOR views), never a private
record, and only for KEEP_SECONDS, for whoever signs in next in that browser: the person who just
pressed the button.
"""

import time
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.utils.http import url_has_allowed_host_and_scheme

from mycarebudget.access import AUTHOR, OPEN_POST, POSTER, PUBLIC, TOKEN

SESSION_KEY = "unsent"
KEEP_SECONDS = 15 * 60
NOT_KEPT = {"csrfmiddlewaretoken", "submission_key", "password", "password1", "password2", "code"}
MAX_LENGTH = 100_000


def take(request) -> dict:
    """What this member typed into the form on this page before they were signed out (once), or {}."""
    if request.method != "GET" or SESSION_KEY not in request.session:
        return {}
    unsent = request.session.pop(SESSION_KEY)
    if unsent["path"] != request.path or time.time() - unsent["at"] > KEEP_SECONDS:
        return {}
    return unsent["fields"]


class SignedOutFormMiddleware:
    """A POST to a members' view from someone no longer signed in: keep it, say so, sign in, come back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        rule = getattr(view_func, "access", PUBLIC)
        if request.method != "POST" or request.user.is_authenticated or rule in (PUBLIC, TOKEN, OPEN_POST):
            return None
        fields = {name: value for name, value in request.POST.items()
                  if name not in NOT_KEPT and value.strip() and len(value) <= MAX_LENGTH}
        if fields and rule in (POSTER, AUTHOR):  # words for the forum or the guides: shown again in their form
            request.session[SESSION_KEY] = {"path": request.path, "fields": fields, "at": time.time()}
            back = request.path
            messages.info(request, "You were signed out, so it was not sent. Sign in and what you typed "
                                   "will be there to send again.")
        else:  # a button: back to the page it was on
            referer = request.META.get("HTTP_REFERER", "")
            same_site = url_has_allowed_host_and_scheme(referer, {request.get_host()}, request.is_secure())
            back = urlsplit(referer)._replace(scheme="", netloc="").geturl() if referer and same_site else "/"
            messages.info(request, "You were signed out, so that was not done. Sign in and try again.")
        return redirect_to_login(back)
