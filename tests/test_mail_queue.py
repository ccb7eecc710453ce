"""Mail through the real queue: the database task backend, the db_worker command and a real SMTP
server that refuses, is slow, or rejects. The request only queues; the worker sends and retries."""

import io
import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from mycarebudget.mail import queue_email
from mycarebudget.mailqueue.models import FailedEmail
from tests.factories import UserFactory
from tests.smtp_server import SMTPServer, free_port

pytestmark = pytest.mark.django_db(transaction=True)

RETRY = 0.3  # seconds between tries in these tests


@pytest.fixture
def real_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MAIL_RETRY_DELAYS = [RETRY, RETRY]
    return settings


def mail_server(settings, port: int, *, timeout: float = 2) -> None:
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                    "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": timeout}}}


def run_worker() -> None:
    """What `make run` keeps running: take every task that is due, then stop (--batch)."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", "--no-reload",
                 stdout=io.StringIO(), stderr=io.StringIO())


def ask_for_a_password_reset(client, user) -> None:
    """A request that sends an email. That it only queued it is shown by what happened, not by a clock
    (a loaded CI machine made a time bound flaky): nothing was tried and nothing reached the server."""
    response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 302


def test_a_refusing_mail_server_fails_nothing_and_the_mail_arrives_when_it_recovers(client, real_queue):
    port = free_port()  # nothing listens: every connection is refused
    mail_server(real_queue, port)
    user = UserFactory()
    ask_for_a_password_reset(client, user)
    queued = DBTaskResult.objects.get()  # queued, not tried
    assert queued.status == "READY" and queued.args_kwargs["kwargs"].get("attempt", 1) == 1
    assert not FailedEmail.objects.exists()

    run_worker()
    failure = FailedEmail.objects.get()
    assert failure.status == FailedEmail.Status.RETRYING and failure.attempts == 1
    assert "ConnectionRefusedError" in failure.last_error and failure.recipients == user.email

    server = SMTPServer(port)
    try:
        time.sleep(RETRY + 0.1)
        run_worker()
    finally:
        server.stop()
    [(recipients, message)] = server.received
    assert recipients == [user.email] and "password" in message["Subject"].lower()
    # What reaches the mail server: the text and, beside it, the HTML version.
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.get_payload()] == ["text/plain", "text/html"]
    failure.refresh_from_db()
    assert failure.status == FailedEmail.Status.DELIVERED and failure.attempts == 2


def test_a_slow_mail_server_does_not_hold_up_the_request_and_the_mail_is_retried(client, real_queue):
    server = SMTPServer(delay=2.5)  # every reply takes longer than the worker waits
    mail_server(real_queue, server.port, timeout=2)
    try:
        user = UserFactory()
        ask_for_a_password_reset(client, user)
        assert server.received == [] and not FailedEmail.objects.exists()
        assert DBTaskResult.objects.get().status == "READY"  # queued, not tried
        run_worker()
        failure = FailedEmail.objects.get()
        assert failure.status == FailedEmail.Status.RETRYING and "timed out" in failure.last_error
        server.delay = 0  # the server recovers
        time.sleep(RETRY + 0.1)
        run_worker()
        assert [recipients for recipients, _ in server.received] == [[user.email]]
    finally:
        server.stop()
    assert FailedEmail.objects.get().status == FailedEmail.Status.DELIVERED


def test_mail_still_refused_after_every_retry_is_given_up_and_shown_to_staff(client, real_queue):
    server = SMTPServer(refusal="550 mailbox unavailable")
    mail_server(real_queue, server.port)
    try:
        queue_email(to="someone@example.com", subject="New reply to Hiring a PA", body="…")
        for _ in range(3):  # the first try and both retries
            run_worker()
            time.sleep(RETRY + 0.1)
        run_worker()
    finally:
        server.stop()
    failure = FailedEmail.objects.get()
    assert failure.status == FailedEmail.Status.GAVE_UP and failure.attempts == 3
    assert "550" in failure.last_error
    assert not DBTaskResult.objects.filter(status="READY").exists()

    staff = UserFactory(is_staff=True, is_superuser=True)
    TOTP.activate(staff, generate_totp_secret())
    client.force_login(staff)
    page = client.get(reverse("admin:mailqueue_failedemail_changelist"))
    assert page.status_code == 200
    assert "New reply to Hiring a PA" in page.text and "Given up" in page.text


def test_queued_mail_rolls_back_with_the_change_that_caused_it(real_queue):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        queue_email(to="someone@example.com", subject="Never sent", body="…")
        raise RuntimeError("the write failed")
    assert not DBTaskResult.objects.exists()


def test_a_reply_hidden_before_its_email_goes_is_never_quoted_to_followers(settings, real_queue, moderator):
    """A follower's email quotes the reply; a moderator hid it while the email waited (found by a first
    user while the mail server was down): the worker, and any later retry, sends nothing."""
    from forum import services
    from tests.forum.factories import member, reply, start

    settings.FORUM_MIN_SECONDS_BETWEEN_POSTS = 0
    topic = start()
    follower = member()
    services.follow_topic(topic=topic, user=follower)
    kept = reply(topic, body="Words that stay")
    hidden = reply(topic, body="HIDDEN-WORDS a moderator took down")
    services.hide_post(post=hidden, moderator=moderator, reason="Personal details")
    server = SMTPServer()
    try:
        mail_server(settings, server.port)
        run_worker()
        quoted = [message.get_payload(0).get_payload(decode=True).decode() for _, message in server.received]
        assert any("Words that stay" in body for body in quoted) and kept.is_public()
        assert not any("HIDDEN-WORDS" in body for body in quoted)
        # A retry of an email that failed before the post was hidden is given up, not sent.
        hidden_again = reply(topic, body="MORE-HIDDEN words")
        mail_server(settings, free_port(), timeout=0.5)
        run_worker()  # refused: queued again for RETRY seconds later
        services.hide_post(post=hidden_again, moderator=moderator, reason="Personal details")
        mail_server(settings, server.port)
        time.sleep(RETRY + 0.1)
        run_worker()
        assert not any("MORE-HIDDEN" in str(message) for _, message in server.received)
        replies = FailedEmail.objects.filter(subject__startswith="New reply")
        assert replies and {failure.status for failure in replies} == {FailedEmail.Status.GAVE_UP}
    finally:
        server.stop()
