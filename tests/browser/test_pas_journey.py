"""Real Chromium with axe-core, keyboard only: a member adds two PAs, builds a rota, fills a week's
timesheet from it, books holiday and downloads the payroll file. Every page is checked at 1280 px
and 320 px."""

import datetime
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.pas.models import MinimumWageRate
from tests.accounts.fixtures import document_key, document_root  # noqa: F401
from tests.browser.conftest import AXE_TAGS, CHROMIUM, CHROMIUM_ARGS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def gb_page(chromium, live_server):
    """A browser in British English, so a date field is typed day, month, year as a member here would."""
    browser = chromium.browser_type.launch(executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, "--lang=en-GB"])
    context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    browser.close()
    assert not errors, f"JavaScript errors: {errors}"


@pytest.fixture
def check(axe, assert_accessible):
    def run(page):
        assert_accessible(page)  # axe at 1280 px, and no sideways scroll at 320 px
        page.set_viewport_size({"width": 320, "height": 800})
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS},
                                         "resultTypes": ["violations"]})
        page.set_viewport_size({"width": 1280, "height": 800})
        assert results.violations_count == 0, f"320px {page.url}\n{results.generate_report()}"

    return run


def tab_to(page, locator, limit=200):
    """Press Tab until the locator has focus: proves it is reachable by keyboard."""
    target = locator.element_handle()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("el => document.activeElement === el", target):
            return
    raise AssertionError(f"could not reach {locator} with Tab")


def activate(page, locator):
    tab_to(page, locator)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def type_into(page, label, text, exact=True):
    tab_to(page, page.get_by_label(label, exact=exact))
    page.keyboard.type(text)


def type_date(page, label, day):
    """Type a date into a native date field by keyboard, in the order the field shows its parts."""
    field = page.get_by_label(label, exact=True)
    tab_to(page, field)
    # Headless Chromium may show month first whatever the language: find out by typing 01 02 2026,
    # then go back to the first part (Shift+Tab) and type over it.
    page.keyboard.type("01022026")
    month_first = field.input_value() == "2026-01-02"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.type(day.strftime("%m%d%Y" if month_first else "%d%m%Y"))
    assert field.input_value() == day.isoformat()


def test_a_member_runs_a_week_for_two_pas_by_keyboard(gb_page, check, log_in, document_root):  # noqa: F811
    page = gb_page
    # Transactional tests empty the tables between them, so the migration's rates may be gone: put today's back.
    MinimumWageRate.objects.get_or_create(band="21_over", starts_on=datetime.date(2026, 4, 1),
                                          defaults={"hourly_rate": Decimal("12.71")})
    member = UserFactory(display_name="Pat")
    log_in(page, member)
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())

    page.goto("/account/")
    activate(page, page.get_by_role("link", name="Your PAs"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your PAs")
    check(page)
    activate(page, page.get_by_role("link", name="Add a PA"))
    check(page)

    # Nothing filled in: the error summary, then the first PA.
    activate(page, page.get_by_role("button", name="Add this PA"))
    expect(page).to_have_title(re.compile(r"^Error: "))
    check(page)
    type_into(page, "Name", "Sam Jones")
    type_date(page, "Start date", monday - timedelta(days=400))
    type_into(page, "Hourly rate in pounds", "13.50")
    type_into(page, "Contracted hours a week", "20")
    type_into(page, "Payroll reference (optional)", "EMP-1")
    activate(page, page.get_by_role("button", name="Add this PA"))
    assert page.get_by_role("heading", level=1).text_content() == "Sam Jones", page.locator("main").inner_text()[:800]
    check(page)

    # The second PA works irregular hours, and is paid below the minimum: a warning, not a block.
    page.goto("/account/pas/add/")
    type_into(page, "Name", "Alex Smith")
    type_date(page, "Start date", monday - timedelta(days=30))
    type_into(page, "Hourly rate in pounds", "9.00")
    tab_to(page, page.get_by_label("Fixed hours each week"))
    page.keyboard.press("ArrowDown")
    assert page.get_by_label("Irregular hours (holiday builds up at 12.07% of hours worked)").is_checked()
    activate(page, page.get_by_role("button", name="Add this PA"))
    expect(page.get_by_text("£9.00 an hour is below the legal minimum.")).to_be_visible()
    check(page)

    # The rota: Sam on Tuesdays 09:00-13:00, Alex on Wednesdays 17:00-21:00, cover needed Tuesday 08:00-22:00.
    activate(page, page.get_by_role("link", name="Rota", exact=True))
    check(page)
    activate(page, page.get_by_role("link", name="Add a shift"))
    check(page)
    type_into(page, "PA", "Sam")
    type_into(page, "Day", "Tu")
    type_into(page, "Start", "0900")
    type_into(page, "End", "1300")
    activate(page, page.get_by_role("button", name="Add this shift"))
    activate(page, page.get_by_role("link", name="Add a shift"))
    type_into(page, "PA", "Alex")
    type_into(page, "Day", "W")
    type_into(page, "Start", "1700")
    type_into(page, "End", "2100")
    activate(page, page.get_by_role("button", name="Add this shift"))
    activate(page, page.get_by_role("link", name="Add hours you need cover"))
    type_into(page, "Day", "Tu")
    type_into(page, "From", "0800")
    type_into(page, "Until", "2200")
    activate(page, page.get_by_role("button", name="Save these hours"))
    tuesday = monday + timedelta(days=1)
    expect(page.get_by_text(f"No one on Tuesday {tuesday.day} {tuesday:%B} 08:00–09:00")).to_be_visible()
    check(page)
    activate(page, page.get_by_role("link", name="Printable rota (four weeks)"))
    check(page)
    page.go_back()

    # This week's timesheets, filled from the rota, then approved.
    activate(page, page.get_by_role("link", name="Timesheets"))
    activate(page, page.get_by_role("button", name="Copy the rota"))
    expect(page.get_by_text("2 timesheets filled from the rota")).to_be_visible()
    check(page)
    for name in ("Sam Jones", "Alex Smith"):
        activate(page, page.get_by_role("link", name=f"Check and approve {name}'s timesheet"))
        check(page)
        activate(page, page.get_by_role("button", name="Save and approve this timesheet"))
    assert page.get_by_text("Approved").count() >= 2

    # Holiday for Sam next Tuesday: the hours come from the rota.
    page.goto("/account/pas/")
    activate(page, page.get_by_role("link", name="Sam Jones"))
    activate(page, page.get_by_role("link", name="Book holiday for Sam Jones"))
    check(page)
    next_tuesday = tuesday + timedelta(days=7)
    type_date(page, "First day", next_tuesday)
    type_date(page, "Last day", next_tuesday)
    activate(page, page.get_by_role("button", name="Book this holiday"))
    expect(page.get_by_text("4.00 hours of holiday booked")).to_be_visible()
    check(page)

    # The payroll file for a four-week period from this Monday.
    activate(page, page.get_by_role("link", name="Payroll"))
    check(page)
    type_date(page, "First day of the pay period", monday)
    type_date(page, "Last day of the pay period", monday + timedelta(days=27))
    activate(page, page.get_by_role("button", name="Add the pay period"))
    check(page)
    tab_to(page, page.get_by_role("link", name="Download the hours (CSV)"))
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    text = open(info.value.path(), encoding="utf-8").read()
    rows = text.splitlines()
    assert rows[0].startswith("period_start,period_end,payroll_reference,pa_name")
    assert rows[1].split(",")[2:11] == ["EMP-1", "Sam Jones", "Personal assistant", "13.50", "4.00", "0.00", "0.00",
                                        "0", ""]
    assert rows[2].split(",")[3] == "Alex Smith" and rows[2].split(",")[6] == "4.00"
    activate(page, page.get_by_role("button", name="Mark as sent"))
    expect(page.get_by_text("Marked as sent to your payroll provider")).to_be_visible()
    check(page)

    activate(page, page.get_by_role("link", name="Employer calendar"))
    check(page)
