"""The foundation: pages, security headers, health check and error pages."""

import re

import pytest
from django.db import DatabaseError
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ["home", "accessibility", "privacy"]


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_page_renders_with_one_h1_and_skip_link(client, name):
    response = client.get(reverse(name))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert 'href="#main-content"' in html and 'id="main-content"' in html
    assert '<html lang="en-GB"' in html


@pytest.mark.parametrize("name", PUBLIC_PAGES + ["healthz"])
def test_security_headers_on_every_page(client, name):
    response = client.get(reverse(name))
    csp = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_templates_have_no_inline_script_or_style(client):
    html = client.get(reverse("home")).content.decode()
    assert "<script>" not in html and "<style" not in html and " style=" not in html


def test_no_nhs_or_govuk_identity(client):
    html = client.get(reverse("home")).content.decode()
    for mark in ("GDS Transport", "govuk-logo", "nhsuk-logo", "crown"):
        assert mark not in html


def test_healthz_ok_when_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert "no-cache" in response["Cache-Control"]


def test_healthz_503_when_database_fails(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def broken(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503


def test_404_page_in_site_design_with_way_back(client):
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in html
    assert 'href="/"' in html and "app-header" in html


def test_404_page_escapes_the_path(client):
    response = client.get("/<script>alert(1)</script>/")
    assert b"<script>alert(1)" not in response.content


def test_500_page_in_site_design(client):
    from mycarebudget.views import server_error

    response = server_error(client.get("/").wsgi_request)
    assert response.status_code == 500
    assert b"Sorry, there is a problem with the service" in response.content
    assert b'href="/"' in response.content


def test_403_page(rf):
    from mycarebudget.views import permission_denied

    response = permission_denied(rf.get("/"))
    assert response.status_code == 403
    assert b"You cannot do that" in response.content


def test_csrf_failure_page_says_nothing_changed(client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("account_logout"))
    assert response.status_code == 403
    assert b"This form has expired" in response.content
    assert b"Nothing was changed" in response.content


def test_custom_user_model_has_public_display_name(user):
    from django.contrib.auth import get_user_model

    assert get_user_model()._meta.label == "accounts.User"
    assert str(user) == user.display_name
    assert user.email not in str(user)


@override_settings(DEBUG=False)
def test_css_is_served_and_has_visible_focus(client):
    from django.contrib.staticfiles import finders

    css = open(finders.find("css/site.css")).read()
    assert ":focus" in css and "--focus" in css
    assert "@font-face" not in css


def test_deploy_check_is_clean_with_production_settings():
    import os
    import subprocess
    import sys

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mycarebudget.settings.prod",
           "DJANGO_SECRET_KEY": "k" * 30 + "production-like-secret-" + "z" * 30,
           "DJANGO_ALLOWED_HOSTS": "mycarebudget.example", "SITE_URL": "https://mycarebudget.example"}
    env.pop("DJANGO_LOCAL_HTTP", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("site_url", [None, "http://mycarebudget.example"])
def test_production_refuses_to_start_without_an_https_site_address(site_url):
    import os
    import subprocess
    import sys

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mycarebudget.settings.prod",
           "DJANGO_SECRET_KEY": "k" * 60, "DJANGO_ALLOWED_HOSTS": "mycarebudget.example"}
    env.pop("DJANGO_LOCAL_HTTP", None)
    env.pop("SITE_URL", None)
    if site_url:
        env["SITE_URL"] = site_url
    result = subprocess.run([sys.executable, "manage.py", "check"], capture_output=True, text=True, env=env)
    assert result.returncode != 0 and "SITE_URL" in result.stderr


def test_redis_cache_when_redis_url_is_set():
    """CI has Redis on 127.0.0.1:6379; REDIS_URL switches the cache, and the sessions' reads, to it."""
    import os

    url = os.environ.get("REDIS_TEST_URL")
    if not url:
        pytest.skip("REDIS_TEST_URL not set (CI sets it)")
    import subprocess
    import sys

    code = ("import django; django.setup(); from django.core.cache import caches; cache = caches['default']; "
            "cache.set('mcb-probe', 'yes', 10); from django.conf import settings; redis = caches['redis']; "
            "print(type(redis).__module__, type(redis).__name__, cache.get('mcb-probe'), "
            "settings.SESSION_ENGINE.rsplit('.', 1)[1])")
    env = {**os.environ, "REDIS_URL": url, "DJANGO_SETTINGS_MODULE": "mycarebudget.settings.test"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    # Through the fallback (mycarebudget/fallback_cache.py) to django-redis, as it comes.
    assert result.stdout.strip() == "django_redis.cache RedisCache yes cached_db", result.stderr
    import redis

    keys = redis.Redis.from_url(url).keys("*mcb-probe")
    assert keys, "the value did not reach Redis"


def test_sessions_stay_in_the_database_without_a_shared_cache(settings):
    # A per-process cache would keep a signed-out session alive in the other workers.
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


def test_csp_reports_violations_to_our_endpoint(client):
    assert "report-uri /csp-report/" in client.get("/")["Content-Security-Policy"]
    report = {"csp-report": {"blocked-uri": "inline", "document-uri": "http://x/wiki/a/",
                             "violated-directive": "script-src-elem"}}
    import json

    response = client.post("/csp-report/", data=json.dumps(report), content_type="application/csp-report")
    assert response.status_code == 204


def test_csp_report_rejects_junk_and_gets(client):
    assert client.post("/csp-report/", data="not json", content_type="application/csp-report").status_code == 400
    assert client.get("/csp-report/").status_code == 405


def test_every_aria_describedby_on_an_error_page_points_at_something(client, user):
    """Field errors: each id a field names exists on the page (no dangling references)."""
    import re

    client.force_login(user)
    html = client.post("/wiki/new/", {"title": "", "body": ""}).content.decode()
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    for described in re.findall(r'aria-describedby="([^"]+)"', html):
        for target in described.split():
            assert target in ids, f"aria-describedby names missing #{target}"
    assert 'aria-invalid="true"' in html


def test_no_template_comment_reaches_a_page(client):
    """Django's {# #} comments end at the line: one spread over two lines is printed on every page."""
    import re
    from pathlib import Path

    html = client.get("/").content.decode()
    assert "{#" not in html and "#}" not in html and html.count("<header") == 1
    for template in Path(__file__).resolve().parent.parent.joinpath("templates").rglob("*.html"):
        for line in template.read_text().splitlines():
            assert not re.search(r"\{#(?!.*#\})", line), f"{template}: a {{# comment must end on its line"


@pytest.mark.django_db
@pytest.mark.parametrize("address, current", [
    ("/wiki/", "/wiki/"), ("/forum/", "/forum/"), ("/search/?q=pay", "/search/"), ("/templates/", "/templates/"),
    ("/account/", "/account/"), ("/", None),
])
def test_the_header_marks_the_section_the_page_is_in(client, address, current):
    """One link in the main navigation says where the reader is (the section comes from the path once)."""
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    html = client.get(address).content.decode()
    nav = html[html.index('aria-label="Main"'):html.index("</nav>")]
    marked = re.findall(r'<a href="([^"]+)" aria-current="page"', nav)
    assert marked == ([current] if current else []), (address, marked)
