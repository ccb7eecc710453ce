"""In real Chromium: a member proposes an idea, another supports it and replies, a moderator
marks it Planned then Done, and it appears on "What we've done". Every page is checked with
axe-core and at 320px wide."""

import re

import pytest
from playwright.sync_api import expect

from forum.models import IdeaStatus, Post, Topic
from tests.factories import UserFactory
from tests.forum.factories import ensure_categories

pytestmark = pytest.mark.django_db(transaction=True)


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def test_idea_from_proposal_to_done(page, sign_in, log_in, moderator, assert_accessible):
    # Shared renderings are on, as in production (mycarebudget/shared.py).
    ensure_categories()
    proposer = UserFactory(display_name="Priya Proposer")
    supporter = UserFactory(display_name="Sam Supporter")

    # A member proposes an idea (signing in through the real sign-in page).
    sign_in(proposer)
    page.goto("/forum/")
    assert_accessible(page)
    page.get_by_role("link", name="Ideas for the site").first.click()
    assert_accessible(page)
    page.get_by_role("link", name="Propose an idea").click()
    assert_accessible(page)
    page.get_by_role("button", name="Post your idea").click()  # empty: the errors must be accessible too
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.get_by_role("link", name="Enter a title")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Your idea in a few words").fill("Let me print a guide as a checklist")
    page.get_by_label("Describe your idea").fill("At my **annual review** a printed checklist would help.")
    page.get_by_role("button", name="Post your idea").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Let me print a guide as a checklist")
    expect(page.locator("body")).to_contain_text("Your idea has been posted")
    assert_accessible(page)
    idea_url = page.url
    sign_out(page)

    # A second member supports it and replies.
    sign_in(supporter)
    page.goto(idea_url)
    page.get_by_role("button", name="Support this idea").click()
    expect(page.locator("body")).to_contain_text("You support this idea")
    expect(page.locator("#support-count")).to_have_text("2")
    assert_accessible(page)
    page.get_by_label("Your reply").fill("Yes please, and one for the **PA induction** too.")
    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_text("one for the PA induction too")).to_be_visible()
    assert_accessible(page)
    page.goto("/forum/ideas/?sort=support")
    expect(page.get_by_role("link", name="Let me print a guide as a checklist")).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    # A moderator marks it Planned, then Done.
    log_in(page, moderator)
    page.goto(idea_url)
    assert_accessible(page)
    for status, reason in [("Planned", "We will build this next month."),
                           ("Done", "Every guide now has a Print as checklist link.")]:
        page.get_by_role("link", name="Change the idea’s status").click()
        assert_accessible(page)
        page.get_by_label(status, exact=True).check()
        page.get_by_label("Why").fill(reason)
        page.get_by_role("button", name="Change status").click()
        expect(page.get_by_role("heading", name=f"Status changed to {status}")).to_be_visible()
        expect(page.locator("body")).to_contain_text(reason)
        assert_accessible(page)
    page.goto("/moderation/reports/")
    assert_accessible(page)
    page.goto("/moderation/log/")
    expect(page.locator("body")).to_contain_text("Changed idea status to Done")
    assert_accessible(page)
    sign_out(page)

    # Anyone can see it on "What we've done" and follow the link to the discussion.
    page.goto("/forum/done/")
    assert_accessible(page)
    page.get_by_role("link", name="Let me print a guide as a checklist").click()
    assert page.url.split("#")[0] == idea_url
    assert_accessible(page)
    topic = Topic.objects.get()
    assert topic.status == IdeaStatus.DONE and topic.support_count == 2 and topic.reply_count == 1
    assert Post.objects.filter(topic=topic, kind=Post.Kind.STATUS).count() == 2
