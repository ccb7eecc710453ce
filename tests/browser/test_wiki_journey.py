"""A new member proposes an edit, a moderator approves it, and readers see it."""

import re

import pytest
from playwright.sync_api import expect

from wiki.models import Page

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def guide():
    from django.core.management import call_command

    call_command("load_starter_guidance", verbosity=0)
    return Page.objects.get(slug="employing-personal-assistants")


def test_propose_approve_and_read(chromium, live_server, guide, user, moderator, log_in, assert_accessible):
    member = chromium.new_context(base_url=live_server.url)
    page = member.new_page()
    log_in(page, user)
    page.goto(guide.get_absolute_url())
    assert_accessible(page)
    page.get_by_role("link", name="Suggest a change").click()
    assert_accessible(page)
    body = page.get_by_label("Page text")
    body.fill(body.input_value() + "\n## Holiday pay\n\nYour PA builds up paid holiday from their first day.\n")
    page.get_by_label("Summary of your change").fill("Added holiday pay")
    page.get_by_role("button", name="Send for review").click()
    expect(page.locator("body")).to_contain_text("sent to a moderator")
    assert_accessible(page)
    page.goto("/wiki/my-edits/")
    expect(page.locator("body")).to_contain_text("Waiting for review")
    assert_accessible(page)
    member.close()

    reviewer = chromium.new_context(base_url=live_server.url)
    page = reviewer.new_page()
    log_in(page, moderator)
    page.goto("/moderation/")
    assert_accessible(page)
    page.get_by_role("link", name=guide.title).click()
    expect(page.locator("body")).to_contain_text("Your PA builds up paid holiday")
    assert_accessible(page)
    page.get_by_role("button", name="Approve and publish").click()
    expect(page.locator("body")).to_contain_text("Published as version 2")
    reviewer.close()

    reader = chromium.new_context(base_url=live_server.url)
    page = reader.new_page()
    page.goto(guide.get_absolute_url())
    expect(page.get_by_role("heading", name="Holiday pay")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="History").click()
    expect(page.locator("body")).to_contain_text("Added holiday pay")
    expect(page.locator("body")).to_contain_text("Version 2")
    assert_accessible(page)
    page.get_by_role("button", name="Compare the chosen versions").click()
    expect(page.locator("body")).to_contain_text("Your PA builds up paid holiday")
    assert_accessible(page)
    reader.close()


def test_error_summary_links_to_the_field(chromium, live_server, guide, user, log_in, assert_accessible):
    context = chromium.new_context(base_url=live_server.url)
    page = context.new_page()
    log_in(page, user)
    page.goto(f"/wiki/{guide.slug}/edit/")
    page.get_by_label("Title").fill("")
    page.get_by_role("button", name="Send for review").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert_accessible(page)
    page.get_by_role("link", name="Enter a title").click()
    assert page.evaluate("document.activeElement.id") == "id_title"
    context.close()


@pytest.mark.parametrize("path", ["/wiki/", "/wiki/recent/", "/search/?q=employing",
                                  "/search/?q=zzzz", "/wiki/glossary/"])
def test_wiki_pages_are_accessible(page, guide, assert_accessible, path):
    page.goto(path)
    assert_accessible(page)
