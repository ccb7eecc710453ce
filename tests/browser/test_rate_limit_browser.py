"""Real Chromium with axe-core: a rate limit keeps what was typed and says how long to wait."""

import re

import pytest
from playwright.sync_api import expect

from tests.accounts.fixtures import document_key, document_root  # noqa: F401
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_up_over_the_limit_keeps_the_form_and_says_how_long(page, settings, assert_accessible):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "1/h/ip"}
    page.goto("/account/signup/")
    page.get_by_role("button", name="Create account").click()  # one try: the error summary
    page.get_by_label("Email", exact=True).fill("sam@example.com")
    page.get_by_label("Display name").fill("Sam Carer")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert "Try again in about 1 hour" in page.get_by_role("alert").text_content()
    assert page.get_by_label("Email", exact=True).input_value() == "sam@example.com"
    assert page.get_by_label("Display name").input_value() == "Sam Carer"
    assert_accessible(page)


def test_devices_page_says_when_and_where(page, sign_in, assert_accessible, document_root):  # noqa: F811
    sign_in(UserFactory())
    page.goto("/account/devices/")
    row = page.locator("tbody tr").first
    assert "Now" in row.text_content() and "Same network as this device" in row.text_content()
    page.set_viewport_size({"width": 320, "height": 800})
    assert_accessible(page)
