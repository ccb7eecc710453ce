"""Real Chromium with axe-core: set up a budget, import a statement, attach a receipt, build a pack and
share it; the shared link opened in a fresh browser. Zero violations at 1280 px and at 320 px."""

import io
import re
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.accounts.fixtures import document_key, document_root  # noqa: F401
from tests.accounts.helpers import pdf_bytes
from tests.browser.conftest import AXE_TAGS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
STATEMENTS = Path(__file__).resolve().parents[1] / "data" / "statements"


@pytest.fixture
def check_both_widths(axe, assert_accessible):
    """axe at 1280 px and again at 320 px (where nothing may scroll sideways either)."""

    def check(page):
        page.set_viewport_size({"width": 1280, "height": 800})
        assert_accessible(page)
        page.set_viewport_size({"width": 320, "height": 800})
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS},
                                         "resultTypes": ["violations"]})
        assert results.violations_count == 0, f"{page.url} at 320px\n{results.generate_report()}"
        # Money tables stack into lists at 320 px: every cell is on screen, with no sideways scrolling.
        off_screen = page.evaluate("""() => [...document.querySelectorAll('main .app-money-table td')]
            .filter(cell => cell.getBoundingClientRect().right > window.innerWidth).map(cell => cell.textContent)""")
        assert off_screen == [], f"{page.url} at 320px: {off_screen}"
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url
        page.set_viewport_size({"width": 1280, "height": 800})

    return check


def test_budget_import_receipt_pack_and_share(page, chromium, live_server, log_in, check_both_widths,
                                              document_root, tmp_path):  # noqa: F811
    owner = UserFactory(display_name="Robin")
    log_in(page, owner)
    page.goto("/account/")
    page.get_by_role("link", name="Money in and out, underspend, and your review pack").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your budget")
    check_both_widths(page)
    page.get_by_role("link", name="Set up your budget").click()
    check_both_widths(page)

    # Set up: a mistake first, then the real figures.
    page.get_by_role("button", name="Set up my budget").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    check_both_widths(page)
    page.get_by_label("Direct payment (the money is paid to you)").check()
    page.get_by_label("Who pays your budget?").fill("North Example ICB")
    page.get_by_label("How much is each payment?").fill("1,300")
    page.get_by_label("Every month").check()
    page.get_by_label("Start date", exact=True).fill("2026-04-01")
    page.get_by_label("Contingency your ICB allows, in weeks").fill("4")
    page.get_by_label("Yes", exact=True).check()
    page.locator("#id_plan-0-planned").fill("1000")
    page.locator("#id_plan-1-planned").fill("30")
    page.get_by_role("button", name="Set up my budget").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your budget")

    # Import a Barclays statement: mapping, preview, confirm.
    page.get_by_role("link", name="Import a bank statement").click()
    check_both_widths(page)
    page.get_by_label("Bank statement (CSV file)").set_input_files(str(STATEMENTS / "barclays.csv"))
    page.get_by_role("button", name="Upload and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Which column is which")
    expect(page.locator("body")).to_contain_text("This looks like a Barclays statement")
    check_both_widths(page)
    page.get_by_role("button", name="Preview the import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the import")
    check_both_widths(page)
    page.get_by_label("Spending line for row 5").select_option(label="PA wages")
    page.get_by_role("button", name="Import the ticked rows").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Money in and out")
    expect(page.locator("body")).to_contain_text("5 payments imported")
    check_both_widths(page)

    # Attach a receipt to the wages payment.
    page.get_by_role("link", name="S CARER WAGES").click()
    check_both_widths(page)
    page.get_by_role("link", name="Change this entry").click()
    check_both_widths(page)
    receipt = tmp_path / "wages.pdf"
    receipt.write_bytes(pdf_bytes())
    page.get_by_label("Or upload a receipt (optional)").set_input_files(str(receipt))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("S CARER WAGES")
    expect(page.get_by_role("link", name="Receipt for S CARER WAGES, 28 Apr 2026")).to_be_visible()

    # Where it stands, then the pack.
    page.goto("/account/budget/?start=2026-04-01&end=2026-04-30")
    expect(page.locator("body")).to_contain_text("£1,300.00")
    expect(page.locator("body")).to_contain_text("£1,145.50")  # in; out 45.50+120+950+30
    check_both_widths(page)
    page.get_by_role("link", name="Review or audit pack").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review or audit pack")
    check_both_widths(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the pack (zip)").click()
    archive = zipfile.ZipFile(io.BytesIO(Path(info.value.path()).read_bytes()))
    assert "summary.pdf" in archive.namelist()
    assert "documents/Receipts/Receipt for S CARER WAGES, 28 Apr 2026.pdf" in archive.namelist()

    # Share it with a care co-ordinator, with a passcode.
    page.get_by_role("link", name="Share it with a professional instead").click()
    check_both_widths(page)
    page.get_by_label("Who is it for?").fill("Jo Smith, care co-ordinator")
    page.get_by_label("A review pack for a period").check()
    page.get_by_label("How many days should the link work?").fill("7")
    page.get_by_label("Also ask for a passcode").check()
    page.get_by_role("button", name="Make the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jo Smith, care co-ordinator")
    check_both_widths(page)
    link = page.locator("#share-link").text_content().strip()
    passcode = page.locator("#share-passcode").text_content().strip()

    # The professional, in a fresh browser with no account.
    context = chromium.new_context()
    visitor = context.new_page()
    try:
        visitor.goto(link)
        expect(visitor.get_by_role("heading", level=1)).to_have_text("Enter the passcode")
        check_both_widths(visitor)
        visitor.get_by_label("Passcode").fill("WRONG999")
        visitor.get_by_role("button", name="Continue").click()
        assert visitor.title().startswith("Error: ")
        check_both_widths(visitor)
        visitor.get_by_label("Passcode").fill(passcode)
        visitor.get_by_role("button", name="Continue").click()
        expect(visitor.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Budget review pack"))
        check_both_widths(visitor)
        with visitor.expect_download() as info:
            visitor.get_by_role("link", name="Download the pack (zip)").click()
        assert "summary.html" in zipfile.ZipFile(io.BytesIO(Path(info.value.path()).read_bytes())).namelist()
    finally:
        context.close()

    # The owner sees every opening, and stops the link.
    page.reload()
    for text in ("Entered a wrong passcode", "Opened the link", "Downloaded the review pack"):
        expect(page.locator("body")).to_contain_text(text)
    page.get_by_role("button", name="Stop this link now").click()
    check_both_widths(page)
    fresh = chromium.new_context()
    try:
        gone = fresh.new_page()
        response = gone.goto(link)
        assert response.status == 404
    finally:
        fresh.close()
