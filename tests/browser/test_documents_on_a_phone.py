"""Real Chromium at 320 px with axe-core: a carer uploads several files at once, then finds one
by name and one by the date on the document."""

import re

import pytest
from playwright.sync_api import expect

from tests.accounts.fixtures import document_key, document_root, stored_files  # noqa: F401
from tests.accounts.helpers import pdf_bytes
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_carer_uploads_several_files_on_a_phone_and_finds_them(page, log_in, assert_accessible, tmp_path,
                                                               document_root):  # noqa: F811
    page.set_viewport_size({"width": 320, "height": 740})
    log_in(page, UserFactory(display_name="Carer Kim"))
    files = []
    for name in ("March statement.pdf", "April statement.pdf", "PA contract.pdf"):
        path = tmp_path / name
        path.write_bytes(pdf_bytes(name.encode()))
        files.append(str(path))
    page.goto("/account/documents/upload/")
    assert_accessible(page)
    page.locator("#id_file").set_input_files(files)
    page.get_by_label("Budget statement").check()
    page.get_by_label("Date on the document (optional)").fill("2026-03-31")
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.locator("body")).to_contain_text("Your 3 documents have been uploaded and encrypted")
    assert len(stored_files(document_root)) == 3
    assert_accessible(page)

    # The version link and every column stay on screen: the table is a stacked list.
    scroll, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert scroll <= client

    page.get_by_label("Name contains").fill("april")
    page.get_by_role("button", name="Find and sort").click()
    expect(page.get_by_role("status")).to_have_text("1 document found")
    page.get_by_role("link", name="April statement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("April statement")
    assert_accessible(page)
    download = page.get_by_role("link", name=re.compile("Download version 1"))
    box = download.bounding_box()
    assert box and box["x"] + box["width"] <= 320

    page.get_by_role("link", name="Change the name, type, date or note").click()
    page.get_by_label("Date on the document (optional)").fill("2026-04-30")
    page.get_by_role("button", name=re.compile("Save")).click()
    page.goto("/account/documents/")
    page.get_by_label("Year").select_option("2026")
    page.get_by_label("Sort by").select_option("date")
    page.get_by_role("button", name="Find and sort").click()
    first = page.locator("td[data-label='Name'] a").first
    assert first.text_content() == "April statement"
    assert_accessible(page)
