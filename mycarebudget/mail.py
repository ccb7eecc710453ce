"""Email goes through a queue: requests only enqueue it, a worker sends it and retries it.

The queue is Django's tasks framework on the database backend (django-tasks-db), so a queued
email is stored in the same transaction as whatever caused it: if that write rolls back, no
email; if it commits, the email survives restarts. The worker (`manage.py db_worker`, started
by `make run` and `make serve`) sends it. A failure is recorded (mailqueue.FailedEmail, in the
admin) and the email is tried again later, with growing delays (MAIL_RETRY_DELAYS), until it
is delivered or the delays run out.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.tasks import default_task_backend, task
from django.utils import timezone

logger = logging.getLogger(__name__)

# Seconds to wait before each retry: 1 minute growing to 4 hours, ten retries over about 16 hours.
DEFAULT_RETRY_DELAYS = (60, 120, 300, 600, 1800, 3600, 7200, 14400, 14400, 14400)


def retry_delays() -> tuple[float, ...]:
    return tuple(getattr(settings, "MAIL_RETRY_DELAYS", DEFAULT_RETRY_DELAYS))


@task
def send_email(*, to: list[str], subject: str, body: str, headers: dict | None = None,
               attempt: int = 1, failure_id: int | None = None) -> int:
    """Send one email. On failure, record it and queue the next try; give up after the last."""
    from django.core.mail import EmailMessage

    try:
        sent = EmailMessage(subject=subject, body=body, to=to, headers=headers or {}).send()
    except Exception as error:  # noqa: BLE001 -- any failure to send is recorded and retried
        _failed(error, to=to, subject=subject, body=body, headers=headers, attempt=attempt,
                failure_id=failure_id)
        return 0
    if failure_id is not None:
        _delivered(failure_id, attempt)
    return sent


def _failed(error: Exception, *, to, subject, body, headers, attempt: int, failure_id: int | None) -> None:
    from mycarebudget.mailqueue.models import FailedEmail

    delays = retry_delays()
    now = timezone.now()
    retry_at = None
    if attempt <= len(delays) and default_task_backend.supports_defer:
        retry_at = now + timedelta(seconds=delays[attempt - 1])
    # The error's type and text only: SMTP replies name the server, never the message.
    reason = f"{type(error).__name__}: {error}"[:500]
    status = FailedEmail.Status.RETRYING if retry_at else FailedEmail.Status.GAVE_UP
    values = {"recipients": ", ".join(to), "subject": subject[:300], "status": status, "attempts": attempt,
              "last_error": reason, "last_attempt_at": now, "next_attempt_at": retry_at}
    with transaction.atomic():
        updated = FailedEmail.objects.filter(pk=failure_id).update(**values) if failure_id else 0
        failure_id = failure_id if updated else FailedEmail.objects.create(**values).pk
        if retry_at:
            send_email.using(run_after=retry_at).enqueue(to=to, subject=subject, body=body, headers=headers,
                                                         attempt=attempt + 1, failure_id=failure_id)
    log = logger.warning if retry_at else logger.error
    log("email %s failed on try %d (%s); %s", failure_id, attempt, type(error).__name__,
        f"next try at {retry_at:%H:%M:%S}" if retry_at else "given up: see Failed emails in the admin")


def _delivered(failure_id: int, attempt: int) -> None:
    from mycarebudget.mailqueue.models import FailedEmail

    FailedEmail.objects.filter(pk=failure_id).update(
        status=FailedEmail.Status.DELIVERED, attempts=attempt, delivered_at=timezone.now(),
        last_attempt_at=timezone.now(), next_attempt_at=None)
    logger.info("email %s delivered on try %d", failure_id, attempt)


def queue_email(*, to: str | list[str], subject: str, body: str, headers: dict | None = None) -> None:
    """Queue an email; it is sent by the worker, never inside the request.

    With a durable queue (the database backend) the email is stored in the current transaction,
    so it exists exactly when the change that caused it does. Otherwise (the immediate backend
    some tests use) it is handed over once the transaction commits.
    """
    recipients = [to] if isinstance(to, str) else list(to)

    def enqueue():
        try:
            with transaction.atomic():  # a savepoint: a failed insert leaves the caller's transaction usable
                send_email.enqueue(to=recipients, subject=subject, body=body, headers=headers)
        except Exception:  # a broken task backend must not fail the request either
            logger.exception("could not queue an email")

    if default_task_backend.supports_defer:
        enqueue()
    else:
        transaction.on_commit(enqueue)
