"""Site-wide pages: home, static information pages, health check and errors."""

import json
import logging
import re
import sys

from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from mycarebudget.access import OPEN_POST, PUBLIC, access

logger = logging.getLogger(__name__)
csp_logger = logging.getLogger("mycarebudget.csp")
CSP_REPORT_MAX_BYTES = 10_000
CSP_REPORTS_PER_MINUTE = 60


@access(PUBLIC)
@require_safe
def home(request):
    return render(request, "home.html")


@access(PUBLIC)
@require_safe
def accessibility(request):
    return render(request, "pages/accessibility.html")


@access(PUBLIC)
@require_safe
def privacy(request):
    return render(request, "pages/privacy.html")


@access(PUBLIC)
@never_cache
@require_safe
def healthz(request):
    """200 when the database answers a query, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


@access(OPEN_POST)
@csrf_exempt  # browsers send these themselves, with no token
@require_POST
def csp_report(request):
    """Log Content-Security-Policy violations: a blocked script means someone tried."""
    key = f"csp-reports:{request.META.get('REMOTE_ADDR', '')}"
    cache.add(key, 0, 60)
    if cache.incr(key) > CSP_REPORTS_PER_MINUTE or len(request.body) > CSP_REPORT_MAX_BYTES:
        return HttpResponse(status=204)
    try:
        report = json.loads(request.body).get("csp-report", {})
    except (ValueError, AttributeError):
        return HttpResponse(status=400)
    cache.add("csp-reports:total", 0, None)
    cache.incr("csp-reports:total")
    csp_logger.warning("CSP blocked %s on %s (%s)", str(report.get("blocked-uri", ""))[:200],
                       str(report.get("document-uri", ""))[:200],
                       str(report.get("violated-directive", ""))[:100])
    return HttpResponse(status=204)


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


# POSTed fields never shown back on the "try again" page.
_NOT_SHOWN_BACK = re.compile(r"password|csrf|token|code|secret|key", re.IGNORECASE)


def server_error(request):
    """500, or 503 "try again" when a service we depend on is down rather than a bug.

    Called while the exception is being handled, so it can see what went wrong. No context
    processors that touch the database: it may be what failed.
    """
    from django.template import loader

    from accounts.crypto import KeyUnavailable

    failure = sys.exception()
    if isinstance(failure, KeyUnavailable):
        try:
            return render(request, "accounts/documents_unavailable.html", status=503)
        except Exception:  # noqa: BLE001 -- the plain page below still says it
            logger.exception("could not render the documents-unavailable page")
    if isinstance(failure, (KeyUnavailable, OperationalError, InterfaceError)):
        response = HttpResponse(loader.get_template("503.html").render({"typed": _typed_text(request)}),
                                status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponse(loader.get_template("500.html").render({}), status=500)


def _typed_text(request) -> list[tuple[str, str]]:
    """What the person was sending, so the 503 page can give it back to copy."""
    if request.method != "POST":
        return []
    try:
        fields = list(request.POST.lists())
    except Exception:  # noqa: BLE001 -- an unreadable body is simply not shown
        return []
    return [(name, value) for name, values in fields if not _NOT_SHOWN_BACK.search(name)
            for value in values if value.strip()][:10]


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)
