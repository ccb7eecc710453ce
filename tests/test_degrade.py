"""The site degrades instead of falling over: Redis stopped, PostgreSQL restarted, the database down."""

import pytest
from django.db import OperationalError, close_old_connections, connection
from django.test import Client
from django.urls import reverse

from tests.conftest import production_caches
from tests.factories import PASSWORD, UserFactory
from tests.smtp_server import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_stopped(settings):
    """The production cache layout (settings/base.py with REDIS_URL) with nothing listening at REDIS_URL."""
    return production_caches(settings, f"redis://127.0.0.1:{free_port()}/12")


def test_with_redis_stopped_pages_sign_in_and_rate_limits_still_work(redis_stopped):
    from tests.forum.factories import start

    topic = start(title="Paying a PA over the holidays")
    visitor = Client()
    for address in ("/", "/wiki/", "/forum/", topic.get_absolute_url(), reverse("account_login")):
        assert visitor.get(address).status_code == 200, address
    member = UserFactory()
    response = visitor.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    assert response.status_code == 302
    assert visitor.get(reverse("accounts:home")).status_code == 200  # the session, from the database
    guesser = Client()
    for _ in range(6):  # the per-account limit (5 in 5 minutes) still counts, in each worker's memory
        last = guesser.post(reverse("account_login"), {"login": member.email, "password": "wrong guess"})
    assert "Too many attempts" in last.text
    health = visitor.get("/healthz")
    assert health.status_code == 200 and health.json()["status"] == "degraded"
    assert health.json()["cache"].startswith("unavailable")


def test_healthz_reports_every_component(client):
    report = client.get("/healthz").json()
    assert set(report) >= {"status", "database", "cache", "mail_queue", "document_key"}
    assert report["database"] == "ok" and report["mail_queue"]["due"] == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_postgresql_restart_costs_no_error_page():
    """Our connection is cut (what a restart does to it); the next request gets a new one."""
    from django.db import connections

    browser = Client()
    assert browser.get("/forum/").status_code == 200
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    other = connections.create_connection("default")  # another session ends ours
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    other.close()
    # What every real request starts with (the test client skips it): Django's request_started handler.
    close_old_connections()
    assert browser.get("/forum/").status_code == 200


def test_a_database_outage_is_a_503_page_that_keeps_what_was_typed(client, monkeypatch):
    from tests.forum.factories import member, start

    topic = start()
    client.force_login(member())
    client.raise_request_exception = False
    from forum import services

    def database_gone(**kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(services, "post_reply", database_gone)
    response = client.post(reverse("forum:reply_create", args=[topic.pk]),
                           {"body": "My careful reply about timesheets"})
    assert response.status_code == 503
    assert "Sorry, the service is unavailable" in response.text
    assert "My careful reply about timesheets" in response.text
    assert "Traceback" not in response.text and response["Retry-After"] == "30"


def test_shared_copies_live_long_only_while_every_worker_reads_the_same_versions(redis_stopped):
    """With Redis down each worker keeps its own versions, so another worker's change could never reach
    a copy in its memory: there copies live ANONYMOUS_PAGE_SECONDS, as without Redis."""
    import os

    from django.core.cache import cache

    from mycarebudget import shared

    cache.get("anything")  # finds Redis down
    assert shared.copy_seconds() == redis_stopped.ANONYMOUS_PAGE_SECONDS
    url = os.environ.get("REDIS_TEST_URL")
    if url:  # CI: Redis up, every worker reads the same versions, and a copy waits for its version to change
        redis_stopped.CACHES = {**redis_stopped.CACHES, "redis": {**redis_stopped.CACHES["redis"], "LOCATION": url}}
        assert shared.copy_seconds() == redis_stopped.SHARED_COPY_SECONDS
