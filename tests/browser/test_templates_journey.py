"""A member browses the templates, reads one, fills it in, downloads it and saves it to documents."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Document
from tests.accounts.fixtures import document_key, document_root  # noqa: F401
from wiki.templatelib.starter import load_starter_templates

pytestmark = pytest.mark.django_db(transaction=True)

CONTRACT = "Written statement of employment particulars (PA contract)"


@pytest.mark.parametrize("width", [1280, 320])
def test_browse_read_fill_in_and_save(chromium, live_server, user, log_in, assert_accessible,
                                      document_root, width):  # noqa: F811
    load_starter_templates(only={"written-statement-of-employment-particulars", "pa-timesheet"})
    context = chromium.new_context(base_url=live_server.url, viewport={"width": width, "height": 900},
                                   accept_downloads=True)
    page = context.new_page()
    page.goto("/templates/")
    assert_accessible(page)
    page.get_by_role("link", name=CONTRACT).click()
    expect(page.get_by_role("heading", name=CONTRACT, level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Read or print it in your browser").click()
    expect(page.locator("body")).to_contain_text("This statement sets out the main terms")
    assert_accessible(page)

    log_in(page, user)
    page.goto("/templates/written-statement-of-employment-particulars/")
    page.get_by_role("link", name="Fill it in").click()
    assert_accessible(page)
    page.get_by_label("PA's name").fill("Sam Okafor")
    page.get_by_label("First day of work").fill("2027-01-04")
    page.get_by_label("Hourly rate (£)").fill("twelve")
    page.get_by_role("button", name="Save to my documents").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.get_by_role("link", name="Hourly rate (£) must be a number")).to_be_visible()
    assert page.get_by_label("PA's name").input_value() == "Sam Okafor"
    assert_accessible(page)
    assert not Document.objects.exists()

    page.get_by_label("Hourly rate (£)").fill("12.71")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download my copy").click()
    from docx import Document as WordDocument

    text = "\n".join(p.text for p in WordDocument(download.value.path()).paragraphs)
    assert "Employee: Sam Okafor" in text and "£12.71 an hour" in text

    page.get_by_role("button", name="Save to my documents").click()
    expect(page.locator("body")).to_contain_text("is saved in your documents")
    assert_accessible(page)
    document = Document.objects.get(owner=user)
    assert document.kind == "pa_contract"
    context.close()
