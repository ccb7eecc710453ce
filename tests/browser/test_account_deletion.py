"""Real Chromium with axe-core: deleting an account works whichever order the controls are used in.

The member has documents (with an earlier version), forum posts, a guide edit and two-step on.
Afterwards the stored files are gone and the browser is signed out.
"""

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from playwright.sync_api import expect

from accounts.models import Document
from tests.accounts.fixtures import document_key, document_root, stored_files  # noqa: F401
from tests.accounts.helpers import pdf_bytes
from tests.factories import PASSWORD, totp_code
from tests.forum import factories as forum
from tests.wiki.conftest import page_content
from wiki import services as wiki_services

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _no_posting_gap(settings):
    settings.FORUM_MIN_SECONDS_BETWEEN_POSTS = 0


def _busy_member(page, tmp_path, sign_in):
    member = forum.member(display_name="Priya")
    secret = generate_totp_secret()
    TOTP.activate(member, secret)
    topic = forum.start(author=member, title="Paying my PA on holiday")
    forum.reply(topic, author=member, body="Update: sorted now.")
    wiki_services.propose_edit(page=None, author=member, content=page_content(title="Holiday pay"),
                               edit_summary="A new guide", base_revision=0)
    page.context.clear_cookies()
    _sign_in_with_two_step(page, member, secret)
    for name, data in (("Care plan.pdf", pdf_bytes(b"ONE")), ("Timesheet.pdf", pdf_bytes(b"TWO"))):
        path = tmp_path / name
        path.write_bytes(data)
        page.goto("/account/documents/upload/")
        page.get_by_label("File").set_input_files(str(path))
        page.get_by_label("Other").check()
        page.get_by_role("button", name="Upload", exact=True).click()
    return member


def _sign_in_with_two_step(page, member, secret):
    page.goto("/account/login/")
    page.get_by_label("Email").fill(member.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    code = totp_code(secret)
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(code)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert "/2fa/" not in page.url


def _assert_erased(page, member, document_root):  # noqa: F811
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account has been deleted")
    expect(page.locator("body")).to_contain_text("Your 2 documents")
    assert stored_files(document_root) == []
    assert not Document.objects.exists()
    member.refresh_from_db()
    assert not member.is_active
    page.goto("/account/")
    assert "/account/login/" in page.url  # signed out


def test_delete_ticking_the_box_first(page, tmp_path, sign_in, assert_accessible, document_root):  # noqa: F811
    member = _busy_member(page, tmp_path, sign_in)
    assert len(stored_files(document_root)) == 2
    page.goto("/account/delete/")
    assert_accessible(page)
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Delete my account").click()  # no password yet
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert page.url.endswith("/account/delete/")
    assert_accessible(page)
    page.get_by_role("link", name="Enter your password to delete your account").click()
    assert page.evaluate("document.activeElement.id") == "id_password"
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Delete my account").click()
    assert_accessible(page)
    _assert_erased(page, member, document_root)


def test_delete_giving_the_password_first(page, tmp_path, sign_in, assert_accessible, document_root):  # noqa: F811
    member = _busy_member(page, tmp_path, sign_in)
    page.goto("/account/delete/")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()  # box not ticked
    assert page.url.endswith("/account/delete/")
    assert "Tick the box to confirm" in page.get_by_role("alert").text_content()
    assert_accessible(page)
    assert len(stored_files(document_root)) == 2
    page.get_by_label("I understand").check()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    _assert_erased(page, member, document_root)
