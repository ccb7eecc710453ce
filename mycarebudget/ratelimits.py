"""Too many requests: every rate limit answers alike, says how long to wait and keeps what was typed.

Where a form was sent, the same form comes back with what the person typed (never passwords,
codes or tokens) and the wait in its error summary, as GOV.UK forms show an error. Elsewhere the
429 page says how long to wait and gives back any text that was sent, to copy. Every 429 carries
Retry-After. The wait is the longest window of the limit that was hit: the most anyone waits.
"""

import logging
import math
import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.views.generic.edit import FormMixin

logger = logging.getLogger(__name__)

# POSTed fields never shown back (the same rule as the 503 page's).
NOT_SHOWN_BACK = re.compile(r"password|csrf|token|code|secret|key", re.IGNORECASE)

# allauth's pages and the rate-limit action (ACCOUNT_RATE_LIMITS) each one counts.
ALLAUTH_ACTIONS = {
    "account_login": "login",
    "account_signup": "signup",
    "account_reset_password": "reset_password",
    "account_reset_password_from_key": "reset_password_from_key",
    "account_change_password": "change_password",
    "account_set_password": "change_password",
    "account_email": "manage_email",
    "account_reauthenticate": "reauthenticate",
    "account_confirm_email": "confirm_email",
}
DEFAULT_WAIT = 60
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def wait_words(seconds: float) -> str:
    """'about 1 minute', 'about 15 minutes', 'about 2 hours': rounded up, never 'a few'."""
    minutes = max(1, math.ceil(seconds / 60))
    if minutes < 60:
        return f"about {minutes} minute{'s' if minutes != 1 else ''}"
    hours = math.ceil(minutes / 60)
    return f"about {hours} hour{'s' if hours != 1 else ''}"


def wait_message(seconds: float) -> str:
    return f"You have tried this too many times in a short while. Try again in {wait_words(seconds)}"


def allauth_wait_seconds(action: str) -> int:
    """The longest window among the action's limits, read from allauth's documented setting
    ("20/h/ip,5/h/key": amount / period / counted by); what someone limited waits at most."""
    from allauth.account import app_settings

    longest = 0
    for rate in (app_settings.RATE_LIMITS or {}).get(action, "").split(","):
        parts = rate.strip().split("/")
        if len(parts) < 2 or not parts[1] or parts[1][-1] not in _UNITS:
            continue
        amount = parts[1][:-1]
        try:
            longest = max(longest, int(float(amount or 1) * _UNITS[parts[1][-1]]))
        except ValueError:
            continue
    return longest or DEFAULT_WAIT


def typed_text(request: HttpRequest) -> list[tuple[str, str]]:
    """What the person was sending, to give back to copy: never passwords, codes or tokens."""
    if request.method != "POST":
        return []
    try:
        fields = list(request.POST.lists())
    except Exception:  # noqa: BLE001 -- an unreadable body is simply not shown
        return []
    return [(name, value) for name, values in fields if not NOT_SHOWN_BACK.search(name)
            for value in values if value.strip()][:10]


def _with_retry_after(response: HttpResponse, seconds: float) -> HttpResponse:
    response.status_code = 429
    response["Retry-After"] = str(max(1, math.ceil(seconds)))
    return response


def too_many_requests(request: HttpRequest, *, wait_seconds: float) -> HttpResponse:
    """The 429 page: how long to wait, and any text that was sent, to copy."""
    response = render(request, "429.html", {"wait": wait_words(wait_seconds), "typed": typed_text(request)})
    return _with_retry_after(response, wait_seconds)


def form_again(request: HttpRequest, *, template_name: str, form, context: dict | None = None,
               wait_seconds: float) -> HttpResponse:
    """The page the form was on, answered as a 429. The wait goes in its error summary, unless
    the form already has an error that says it (``form.errors``)."""
    context = {**(context or {}), "form": form}
    if not form.errors:
        context["wait_message"] = wait_message(wait_seconds)
    return _with_retry_after(render(request, template_name, context), wait_seconds)


def _allauth_form_again(request: HttpRequest, match, wait_seconds: float) -> HttpResponse | None:
    """Rebuild the allauth page that was posted, its form unbound but filled in with what was
    typed: unbound, so nothing is checked again (checking a sign-in would count another try)."""
    view_class = getattr(match.func, "view_class", None)
    if request.method != "POST" or view_class is None or not issubclass(view_class, FormMixin):
        return None
    view = view_class(**getattr(match.func, "view_initkwargs", {}))
    view.setup(request, *match.args, **match.kwargs)
    kwargs = view.get_form_kwargs()
    kwargs.pop("data", None)
    kwargs.pop("files", None)
    kept = {name: value for name, value in request.POST.items() if not NOT_SHOWN_BACK.search(name)}
    kwargs["initial"] = {**kwargs.get("initial", {}), **kept}
    form = view.get_form_class()(**kwargs)
    return form_again(request, template_name=view.get_template_names()[0], form=form,
                      context=view.get_context_data(form=form), wait_seconds=wait_seconds)


def handler429(request: HttpRequest, exception=None) -> HttpResponse:
    """allauth's rate limits answer here (it calls ROOT_URLCONF.handler429)."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        match = None
    action = ALLAUTH_ACTIONS.get(match.url_name) if match else None
    wait = allauth_wait_seconds(action) if action else DEFAULT_WAIT
    if match is not None:
        try:
            response = _allauth_form_again(request, match, wait)
        except Exception as error:  # noqa: BLE001 -- a page that cannot be rebuilt gets the plain 429 below
            # Expected for views that set themselves up in dispatch (the reset-by-link page, whose
            # form has only passwords, which are never given back anyway).
            logger.info("429 on %s: the plain page, not the form (%s)", match.url_name, type(error).__name__)
            response = None
        if response is not None:
            return response
    return too_many_requests(request, wait_seconds=wait)
