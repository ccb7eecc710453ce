"""Site-wide pages: home, static information pages, health check and errors."""

import json
import logging
import sys

from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from mycarebudget.access import OPEN_POST, PUBLIC, access
from mycarebudget.ratelimits import typed_text

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
    """Each component's state, for a load balancer and an operator.

    503 only when the database is down (nothing works without it); a missing cache, a mail
    backlog or a missing document key make the site "degraded", still 200, and say which.
    """
    checks = {"database": _check_database(), "cache": _check_cache()}
    if checks["database"] == "ok":
        for name, check in (("mail_queue", _check_mail_queue), ("document_key", _check_document_key)):
            try:
                checks[name] = check()
            except DatabaseError as error:  # e.g. a migration not yet applied: say so, do not fail
                checks[name] = f"unavailable: {type(error).__name__}"
    healthy = all(value == "ok" or (isinstance(value, dict) and value.get("state") == "ok")
                  for value in checks.values())
    status = "ok" if healthy else "degraded" if checks["database"] == "ok" else "down"
    return JsonResponse({"status": status, **checks}, status=503 if status == "down" else 200,
                        json_dumps_params={"indent": 1})


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return "unavailable"
    return "ok"


def _check_cache() -> str:
    from django.conf import settings
    from django.core.cache import caches

    if "redis" not in settings.CACHES:
        return "ok"  # each worker's own memory: nothing to be down
    try:
        caches["redis"].get("healthz-probe")
    except Exception:  # noqa: BLE001 -- any failure means the same: serving from the fallback
        return "unavailable: serving from each worker's memory, sessions from the database"
    return "ok"


def _check_mail_queue() -> dict:
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from mycarebudget.mailqueue.models import FailedEmail

    now = timezone.now()
    waiting = DBTaskResult.objects.ready()
    oldest = waiting.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    stuck = oldest is not None and now - oldest > timedelta(minutes=10)
    given_up = FailedEmail.objects.filter(status=FailedEmail.Status.GAVE_UP,
                                          last_attempt_at__gte=now - timedelta(days=1)).count()
    return {"state": "ok" if not stuck and not given_up else "attention",
            "due": waiting.count(), "oldest_due_seconds": int((now - oldest).total_seconds()) if oldest else 0,
            "retrying": FailedEmail.objects.filter(status=FailedEmail.Status.RETRYING).count(),
            "given_up_last_day": given_up}


def _check_document_key() -> str:
    from accounts import crypto, keys

    try:
        missing = keys.missing_key_ids(crypto.load_keyring())
    except crypto.KeyUnavailable:
        missing = keys.missing_key_ids() or {"(none configured)"}
    return "ok" if not missing else f"missing: {', '.join(sorted(missing))}"


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
        response = HttpResponse(loader.get_template("503.html").render({"typed": typed_text(request)}),
                                status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponse(loader.get_template("500.html").render({}), status=500)


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)
