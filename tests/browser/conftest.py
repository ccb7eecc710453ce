"""Real-browser journeys: Playwright driving Debian's Chromium, checked with axe-core.

Where no Chromium exists (a newcomer's laptop) these tests skip with a reason;
with CI set, a missing browser fails the run instead.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

# Playwright's sync API runs an event loop in this thread; Django's ORM calls
# made by the test body (not the live server) are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {CHROMIUM} is missing: apt-get install chromium chromium-driver")
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium to run browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


@pytest.fixture
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def assert_accessible(axe):
    """Zero axe violations (WCAG 2.0/2.1/2.2 A and AA) and no sideways scroll at 320px."""

    def check(page):
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS},
                                         "resultTypes": ["violations"]})
        assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"
        width = page.viewport_size["width"]
        page.set_viewport_size({"width": 320, "height": 800})
        scroll, client = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        page.set_viewport_size({"width": width, "height": 800})
        assert scroll <= client, f"{page.url} scrolls sideways at 320px: {scroll} > {client}"

    return check


@pytest.fixture
def sign_in(page):
    from tests.factories import PASSWORD

    def do(user):
        page.goto("/account/login/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()

    return do


@pytest.fixture
def log_in(live_server):
    """Sign a browser context in as a user by session cookie (the sign-in form has its own journey)."""
    from django.conf import settings
    from django.test import Client

    def do(page, user):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value,
                                   "url": live_server.url}])

    return do
