"""Real Chromium with axe-core: sign up, confirm the email, upload, download and delete a document."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.accounts.fixtures import document_key, document_root, stored_files  # noqa: F401
from tests.accounts.helpers import pdf_bytes
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_up_verify_upload_download_delete(page, assert_accessible, document_root, tmp_path):  # noqa: F811
    page.goto("/account/signup/")
    assert_accessible(page)
    page.get_by_role("button", name="Create account").click()  # nothing filled in: the error summary
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert_accessible(page)
    page.get_by_label("Email", exact=True).fill("sam@example.com")
    page.get_by_label("Display name").fill("Sam")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert_accessible(page)

    link = re.search(r"https?://[^/\s]+(/account/confirm-email/\S+/)", mail.outbox[-1].body).group(1)
    page.goto(link)
    assert_accessible(page)
    page.get_by_role("button", name="Confirm my email address").click()

    page.goto("/account/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    assert_accessible(page)
    page.get_by_role("link", name="Your documents").last.click()
    assert_accessible(page)
    page.get_by_role("link", name="Upload a document").click()
    assert_accessible(page)

    plan = tmp_path / "My care plan.pdf"
    plan.write_bytes(pdf_bytes())
    page.get_by_label("File").set_input_files(str(plan))
    page.get_by_label("Care and support plan").check()
    page.get_by_label("Note (optional)").fill("From the ICB")
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My care plan")
    assert_accessible(page)
    assert len(stored_files(document_root)) == 1

    with page.expect_download() as info:
        page.get_by_role("link", name="Download My care plan").click()
    download = info.value
    assert download.suggested_filename == "My care plan.pdf"
    assert open(download.path(), "rb").read() == pdf_bytes()

    page.get_by_role("link", name="Delete this document").click()
    assert_accessible(page)
    page.get_by_role("button", name="Yes, delete it").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your documents")
    expect(page.locator("body")).to_contain_text("have been deleted")
    assert_accessible(page)
    assert stored_files(document_root) == []


def test_upload_refusal_is_accessible(page, sign_in, assert_accessible, tmp_path, document_root):  # noqa: F811
    sign_in(UserFactory())
    page.goto("/account/documents/upload/")
    fake = tmp_path / "letter.pdf"
    fake.write_bytes(b"<!DOCTYPE html><html><script>alert(1)</script></html>")
    page.get_by_label("File").set_input_files(str(fake))
    page.get_by_label("Letter").check()
    page.get_by_role("button", name="Upload", exact=True).click()
    assert "a web page (HTML)" in page.get_by_role("alert").text_content()
    assert_accessible(page)
    assert stored_files(document_root) == []


@pytest.mark.parametrize("path", ["/account/login/", "/account/password/reset/", "/account/email/",
                                  "/account/password/change/", "/account/2fa/", "/account/2fa/totp/activate/",
                                  "/account/documents/activity/", "/account/data/", "/account/delete/",
                                  "/account/display-name/", "/account/devices/", "/account/documents/"])
def test_account_pages_are_accessible(page, sign_in, assert_accessible, path, document_root):  # noqa: F811
    if path != "/account/login/" and path != "/account/password/reset/":
        sign_in(UserFactory())
    page.goto(path)
    if "reauthenticate" in page.url:  # two-step set-up asks for the password first
        assert_accessible(page)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Continue").click()
    assert_accessible(page)
