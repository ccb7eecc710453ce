"""Email goes out through Django's mail API, from a task.

The request that causes an email only enqueues it once its transaction has
committed; a failing mail server fails the task (logged), never the request.
"""

import logging

from django.db import transaction
from django.tasks import task

logger = logging.getLogger(__name__)


@task
def send_email(*, to: list[str], subject: str, body: str, headers: dict | None = None) -> int:
    from django.core.mail import EmailMessage

    message = EmailMessage(subject=subject, body=body, to=to, headers=headers or {})
    return message.send()


def queue_email(*, to: str | list[str], subject: str, body: str, headers: dict | None = None) -> None:
    """Send after the current transaction commits; errors are logged, not raised."""
    recipients = [to] if isinstance(to, str) else list(to)

    def enqueue():
        try:
            result = send_email.enqueue(to=recipients, subject=subject, body=body, headers=headers)
        except Exception:  # a broken task backend must not fail the request either
            logger.exception("could not enqueue email %r", subject)
            return
        if getattr(result, "errors", None):
            logger.warning("email %r failed: %s", subject, result.errors[-1].exception_class_path)

    transaction.on_commit(enqueue)

