"""Email goes through a queue: requests only enqueue it, a worker sends it and retries it.

The queue is Django's tasks framework on the database backend (django-tasks-db), so a queued
email is stored in the same transaction as whatever caused it: if that write rolls back, no
email; if it commits, the email survives restarts. The worker (`manage.py db_worker`, started
by `make run` and `make serve`) sends it. A failure is recorded (mailqueue.FailedEmail, in the
admin) and the email is tried again later, with growing delays (MAIL_RETRY_DELAYS), until it
is delivered or the delays run out.

Every email has two parts: the plain text the caller wrote, and an HTML version of that same
text (html_version) in our design, made here in one place for every email the site sends. The
text stays the source: the HTML adds no words, links only to SITE_URL, and escapes everything
else, so member-written text quoted in an email can never become markup or a link.
"""

import logging
import re
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.tasks import default_task_backend, task
from django.template.loader import render_to_string
from django.utils import timezone

logger = logging.getLogger(__name__)

# Seconds to wait before each retry: 1 minute growing to 4 hours, ten retries over about 16 hours.
DEFAULT_RETRY_DELAYS = (60, 120, 300, 600, 1800, 3600, 7200, 14400, 14400, 14400)


def retry_delays() -> tuple[float, ...]:
    return tuple(getattr(settings, "MAIL_RETRY_DELAYS", DEFAULT_RETRY_DELAYS))


@task
def send_email(*, to: list[str], subject: str, body: str, headers: dict | None = None,
               attempt: int = 1, failure_id: int | None = None, quotes_post: int | None = None) -> int:
    """Send one email, as plain text with an HTML alternative. On failure, record it and queue the
    next try; give up after the last. An email quoting a forum post is not sent once the post is no
    longer public (a moderator hid it while the email waited, perhaps for hours of retries)."""
    from django.core.mail import EmailMultiAlternatives

    if quotes_post is not None and not _is_public_post(quotes_post):
        logger.info("email %s not sent: the post it quotes is no longer public", failure_id or "")
        if failure_id is not None:
            _gave_up(failure_id, "Not sent: the post it quotes is no longer public")
        return 0
    try:
        message = EmailMultiAlternatives(subject=subject, body=body, to=to, headers=headers or {})
        message.attach_alternative(html_version(subject=subject, body=body), "text/html")
        sent = message.send()
    except Exception as error:  # noqa: BLE001 -- any failure to send is recorded and retried
        _failed(error, to=to, subject=subject, body=body, headers=headers, attempt=attempt,
                failure_id=failure_id, quotes_post=quotes_post)
        return 0
    if failure_id is not None:
        _delivered(failure_id, attempt)
    return sent


def _is_public_post(pk: int) -> bool:
    from forum.models import Post

    return Post.objects.public().filter(pk=pk).exists()


def _gave_up(failure_id: int, reason: str) -> None:
    from mycarebudget.mailqueue.models import FailedEmail

    FailedEmail.objects.filter(pk=failure_id).update(status=FailedEmail.Status.GAVE_UP, last_error=reason,
                                                     next_attempt_at=None)


def _failed(error: Exception, *, to, subject, body, headers, attempt: int, failure_id: int | None,
            quotes_post: int | None = None) -> None:
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
                                                         attempt=attempt + 1, failure_id=failure_id,
                                                         quotes_post=quotes_post)
    log = logger.warning if retry_at else logger.error
    log("email %s failed on try %d (%s); %s", failure_id, attempt, type(error).__name__,
        f"next try at {retry_at:%H:%M:%S}" if retry_at else "given up: see Failed emails in the admin")


def _delivered(failure_id: int, attempt: int) -> None:
    from mycarebudget.mailqueue.models import FailedEmail

    FailedEmail.objects.filter(pk=failure_id).update(
        status=FailedEmail.Status.DELIVERED, attempts=attempt, delivered_at=timezone.now(),
        last_attempt_at=timezone.now(), next_attempt_at=None)
    logger.info("email %s delivered on try %d", failure_id, attempt)


def queue_email(*, to: str | list[str], subject: str, body: str, headers: dict | None = None,
                quotes_post: int | None = None) -> None:
    """Queue an email; it is sent by the worker, never inside the request.

    With a durable queue (the database backend) the email is stored in the current transaction,
    so it exists exactly when the change that caused it does. Otherwise (the immediate backend
    some tests use) it is handed over once the transaction commits.
    """
    recipients = [to] if isinstance(to, str) else list(to)

    def enqueue():
        try:
            with transaction.atomic():  # a savepoint: a failed insert leaves the caller's transaction usable
                send_email.enqueue(to=recipients, subject=subject, body=body, headers=headers, quotes_post=quotes_post)
        except Exception:  # a broken task backend must not fail the request either
            logger.exception("could not queue an email")

    if default_task_backend.supports_defer:
        enqueue()
    else:
        transaction.on_commit(enqueue)


# The HTML version of a plain-text email ------------------------------------------------------------

_URL = re.compile(r"https?://[^\s<>\"]+")
_TRAILING = ".,;:!?)\u201d\u2019"  # punctuation after an address is not part of it
# "Read it and reply:" above a link becomes the button's words; a longer sentence stays a paragraph.
BUTTON_WORDS = 45


def _is_ours(url: str) -> bool:
    return url == settings.SITE_URL or url.startswith(settings.SITE_URL + "/")


def _lone_url(line: str) -> str | None:
    line = line.strip()
    return line if _URL.fullmatch(line) and _is_ours(line) else None


def _parts(line: str) -> list[dict]:
    """A line as text and links. "Label: <our address>" becomes a link named by its label (the
    label's own sentence only); any other address of ours is a link showing itself; anyone
    else's address stays plain text."""
    match = re.fullmatch(r"(?P<before>.*[.!?] )?(?P<label>[^:.!?]{1,80}): (?P<url>https?://\S+)", line.strip())
    if match and _is_ours(match["url"]) and not _URL.search(line[:match.start("url")]):
        before = [{"text": match["before"]}] if match["before"] else []
        return [*before, {"text": match["label"], "href": match["url"]}]
    parts, start = [], 0
    for found in _URL.finditer(line):
        url = found.group().rstrip(_TRAILING)
        if not _is_ours(url):
            continue
        parts += [{"text": line[start:found.start()]}, {"text": url, "href": url}]
        start = found.start() + len(url)
    return [*parts, {"text": line[start:]}]


def _block(lines: list[str]) -> list[dict]:
    """One paragraph of the text (lines between blank lines) as the blocks the template draws."""
    if all(line.startswith(">") for line in lines):  # member-written text, quoted: never a link
        return [{"kind": "quote", "lines": [[{"text": line[1:].removeprefix(" ")}] for line in lines]}]
    if all(line.startswith("- ") for line in lines):
        return [{"kind": "list", "lines": [_parts(line[2:]) for line in lines]}]
    url = _lone_url(lines[-1]) if len(lines) > 1 and lines[-2].rstrip().endswith(":") else None
    if url is None:
        return [{"kind": "paragraph", "lines": [_parts(line) for line in lines]}]
    intro = lines[:-1]
    short = (len(intro) == 1 and len(intro[0].strip()) <= BUTTON_WORDS and not _URL.search(intro[0])
             and "," not in intro[0])
    blocks = [] if short else [{"kind": "paragraph", "lines": [_parts(line) for line in intro]}]
    label = intro[0].strip().removesuffix(":") if short else _button_words(" ".join(intro))
    return [*blocks, {"kind": "button", "label": label, "href": url}]


def _button_words(intro: str) -> str:
    """What a button does, from the sentence above it: "To choose a new password, open this
    link" gives "Choose a new password"; a short last sentence without a comma ("Change it now")
    is used as it is; otherwise "Open the link", with the sentence above saying why."""
    sentences = [sentence.strip() for sentence in re.split(r"(?<=[.!?])\s+", intro.strip().removesuffix(":"))]
    for sentence in sentences:
        purpose = re.match(r"To ([^,]{3,40}),", sentence)
        if purpose:
            return purpose[1][0].upper() + purpose[1][1:]
    last = sentences[-1].rstrip(".")
    if len(last) <= BUTTON_WORDS + 5 and "," not in last and not _URL.search(last):
        return last
    return "Open the link"


def html_version(*, subject: str, body: str) -> str:
    """The HTML part of an email: the same words as ``body`` in our one-column design.

    Paragraphs, lists, quoted member text ("> ") and links are recognised in the text; a link
    on its own line after a line ending in ":" becomes a button with its address shown under it.
    Everything is escaped by the template; only addresses under SITE_URL become links.
    """
    text = body.replace("\r\n", "\n").strip("\n")
    blocks = []
    for paragraph in re.split(r"\n[ \t]*\n", text):
        lines = [line.rstrip() for line in paragraph.split("\n") if line.strip()]
        if lines:
            blocks += _block(lines)
    return render_to_string("email/base.html", {
        "subject": subject, "blocks": blocks, "site_name": settings.SITE_NAME, "site_url": settings.SITE_URL})
