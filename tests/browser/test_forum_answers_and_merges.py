"""In real Chromium with axe-core: a moderator merges two ideas; the member who asked marks the answer; the
error summary's link to a radio group and "Jump to reply" move focus where they say, with no JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from forum import services
from forum.models import IdeaStatus, Post, Support, Topic
from tests.factories import UserFactory
from tests.forum.factories import ensure_categories, idea, reply, start

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _categories(settings):
    settings.FORUM_MIN_SECONDS_BETWEEN_POSTS = 0
    ensure_categories()


def no_region_violations(page, axe):
    """axe's "region" rule (best practice, so not in the WCAG tags): no content outside a landmark."""
    results = axe.run(page, options={"runOnly": {"type": "rule", "values": ["region"]}})
    assert results.violations_count == 0, results.generate_report()


def focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_a_moderator_merges_two_ideas(page, log_in, moderator, assert_accessible, axe):
    target = idea(author=UserFactory(display_name="Priya Proposer"), title="Print a guide as a checklist")
    duplicate = idea(author=UserFactory(display_name="Dev Duplicate"), title="Printable checklists please")
    both = UserFactory(display_name="Bo Both")
    services.support_idea(topic=target, user=both)
    services.support_idea(topic=duplicate, user=both)
    log_in(page, moderator)

    page.goto(duplicate.get_absolute_url())
    assert_accessible(page)
    page.get_by_role("link", name="Merge into another idea").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Merge into another idea")
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()  # nothing typed: the error must be accessible too
    expect(page).to_have_title(re.compile(r"^Error: "))
    page.get_by_role("link", name="Enter the address or number of the idea to merge it into").click()
    assert focused_id(page) == "id_target"
    assert_accessible(page)
    page.get_by_label("The idea to merge it into").fill(page.url.split("/forum/")[0] + target.get_absolute_url())
    page.get_by_label("Note for both ideas (optional)").fill("Both ask for printable checklists.")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check before you merge the ideas")
    assert_accessible(page)
    page.get_by_role("button", name="Merge the ideas").click()

    assert target.get_absolute_url() in page.url
    expect(page.locator("body")).to_contain_text("is merged into this idea")
    expect(page.locator("#support-count")).to_have_text("3")  # Priya, Dev, and Bo once
    expect(page.get_by_role("heading", name="Another idea was merged into this one")).to_be_visible()
    assert_accessible(page)
    no_region_violations(page, axe)
    page.get_by_role("link", name="Printable checklists please").click()
    expect(page.get_by_text("This idea was merged into")).to_be_visible()
    expect(page.get_by_role("heading", name="Status changed to Duplicate")).to_be_visible()
    assert_accessible(page)
    duplicate.refresh_from_db()
    assert duplicate.status == IdeaStatus.DUPLICATE and duplicate.merged_into_id == target.pk
    assert Support.objects.filter(topic=target).count() == 3


def test_the_member_who_asked_marks_the_answer(page, log_in, assert_accessible):
    asker = UserFactory(display_name="Asha Asker")
    topic = start(author=asker, title="Who pays for PA training?")
    helpful = reply(topic, author=UserFactory(display_name="Hal Helper"), body="Your budget can, if your plan says so.")
    log_in(page, asker)
    page.goto(topic.get_absolute_url())
    assert_accessible(page)
    page.get_by_role("button", name="Mark as the answer (Hal Helper’s reply)").click()
    expect(page.locator("body")).to_contain_text("is marked as the answer")
    assert_accessible(page)
    page.get_by_role("link", name="Go to the answer").click()
    assert page.url.endswith(f"#{helpful.anchor}")
    assert Topic.objects.get(pk=topic.pk).answer_id == helpful.pk
    page.goto("/forum/questions/")
    expect(page.get_by_text("Answered", exact=True)).to_be_visible()
    assert_accessible(page)


def test_an_error_summary_link_focuses_the_first_radio_of_its_group(page, log_in, moderator, assert_accessible):
    topic = start(title="A question to report")
    post = reply(topic, body="Something to report.")
    log_in(page, UserFactory())
    page.goto(f"/forum/posts/{post.pk}/report/")
    page.get_by_role("button", name="Send report").click()
    # Focus moves to the summary, with no JavaScript (autofocus: the browser applies it a moment after loading).
    page.wait_for_function("document.activeElement && document.activeElement.id === 'error-summary'", timeout=5000)
    page.get_by_role("link", name="Choose what is wrong with the post").click()
    assert focused_id(page) == "id_reason_0"
    assert_accessible(page)

    log_in(page, moderator)
    page.goto(f"/forum/members/{post.author_id}/suspend/")
    page.get_by_role("button", name="Suspend").first.click()
    page.get_by_role("link", name="Choose how long the suspension lasts").click()
    assert focused_id(page) == "id_length_0"


def test_jump_to_reply_goes_to_the_reply_box_or_to_signing_in(page, log_in, assert_accessible, axe):
    topic = start(title="A long discussion")
    for number in range(3):
        reply(topic, body=f"Reply number {number}.")
    page.goto(topic.get_absolute_url())
    no_region_violations(page, axe)
    page.get_by_role("link", name="Jump to reply").click()
    assert focused_id(page) == "sign-in-to-reply"
    log_in(page, UserFactory())
    page.goto(topic.get_absolute_url())
    page.get_by_role("link", name="Jump to reply").click()
    assert focused_id(page) == "id_body"
    page.keyboard.type("Typed straight after jumping.")
    assert page.get_by_label("Your reply").input_value() == "Typed straight after jumping."
    assert_accessible(page)


def test_a_moderators_post_buttons_work_by_keyboard_on_a_phone_and_with_javascript_off(
        page, chromium, live_server, log_in, moderator, assert_accessible):
    """The buttons are in each post's shared rendering and post the page's one live form (form="post-actions"),
    which holds this moderator's token: the browser's own form association does it, with no JavaScript."""
    topic = start(title="Holiday pay for PAs")
    hidden = reply(topic, author=UserFactory(display_name="Hana Hidden"), body="Rude words.")
    services.hide_post(post=hidden, moderator=moderator, reason="Unkind")
    held = reply(topic, author=UserFactory(display_name="Hugo Held"), body="See my site.")
    Post.objects.filter(pk=held.pk).update(is_held=True)
    page.set_viewport_size({"width": 320, "height": 640})
    log_in(page, moderator)
    page.goto(topic.get_absolute_url())
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.get_by_role("button", name="Show again Hana Hidden’s post").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert Post.objects.get(pk=hidden.pk).hidden_at is None
    assert_accessible(page)

    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        no_script = context.new_page()
        no_script.set_default_timeout(10_000)
        log_in(no_script, moderator)
        no_script.goto(topic.get_absolute_url())
        with no_script.expect_navigation():
            no_script.get_by_role("button", name="Approve Hugo Held’s post").click()
        assert not Post.objects.get(pk=held.pk).is_held
        assert no_script.get_by_role("button", name="Approve Hugo Held’s post").count() == 0
    finally:
        context.close()
