"""Guides people can cite, in real Chromium with axe-core at 1280 px and 320 px.

An ICB officer follows an old version's links (by permanent id), a reader mistypes an
address, a member previews an edit with its checks and watches a guide, a moderator
sends a missing address to a guide and reads the reviews list.
"""

import datetime

import pytest
from playwright.sync_api import expect

from wiki import services
from wiki.models import Page, SlugRedirect, Watch

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def guides():
    from django.core.management import call_command

    call_command("load_starter_guidance", verbosity=0)
    return Page.objects.get(slug="employing-personal-assistants")


@pytest.fixture
def accessible_at_both_widths(axe):
    """Zero axe violations at 1280 px and at 320 px, and no sideways scroll at 320 px."""
    from tests.browser.conftest import AXE_TAGS

    def check(page):
        for width in (1280, 320):
            page.set_viewport_size({"width": width, "height": 900})
            results = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS},
                                             "resultTypes": ["violations"]})
            assert results.violations_count == 0, f"{page.url} at {width}px\n{results.generate_report()}"
            scroll, client = page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            assert scroll <= client, f"{page.url} scrolls sideways at {width}px: {scroll} > {client}"
        page.set_viewport_size({"width": 1280, "height": 900})

    return check


def test_old_versions_links_lead_to_the_guides(page, guides, accessible_at_both_widths):
    linking = Page.objects.get(slug="children-ehcp-and-integrated-budgets")
    target = Page.objects.get(slug="ways-to-manage-your-budget")
    page.goto(f"/wiki/{linking.slug}/versions/1/")
    accessible_at_both_widths(page)
    expect(page.locator("body")).not_to_contain_text("not written yet")
    page.get_by_role("link", name="Three ways to manage your budget").first.click()
    page.wait_for_load_state()
    assert page.url.endswith(target.get_absolute_url())
    expect(page.get_by_role("heading", level=1, name="Three ways to manage your budget")).to_be_visible()
    page.goto(f"/wiki/{linking.slug}/")
    page.get_by_role("link", name="Link to this version").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/wiki/{linking.slug}/versions/{linking.revision}/")
    page.goto(f"/wiki/{linking.slug}/history/")
    accessible_at_both_widths(page)


def test_a_mistyped_address_suggests_the_guide_and_a_moderator_redirects_it(
        chromium, live_server, page, guides, moderator, log_in, accessible_at_both_widths):
    page.goto("/wiki/employing-personal-assistant/")
    accessible_at_both_widths(page)
    page.get_by_role("link", name="Becoming an employer of PAs", exact=True).first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/wiki/employing-personal-assistants/")
    page.goto("/wiki/Employing-Personal-Assistants/")
    assert page.url.endswith("/wiki/employing-personal-assistants/")

    reviewer = chromium.new_context(base_url=live_server.url)
    mod_page = reviewer.new_page()
    log_in(mod_page, moderator)
    mod_page.goto("/moderation/missing-addresses/")
    accessible_at_both_widths(mod_page)
    mod_page.get_by_role("button", name="Redirect for good").first.click()
    mod_page.wait_for_load_state()
    assert "now leads to" in mod_page.content()
    assert SlugRedirect.objects.get(old_slug="employing-personal-assistant").page == guides
    services.retire_page(page=Page.objects.get(slug="outside-england"), moderator=moderator, reason="Moved",
                         replaced_by=None)
    Page.objects.filter(slug="glossary").update(next_review=datetime.date(2024, 1, 1))
    mod_page.goto("/moderation/reviews/")
    accessible_at_both_widths(mod_page)
    assert "Glossary" in mod_page.content()
    mod_page.goto("/moderation/synonyms/")
    accessible_at_both_widths(mod_page)
    reviewer.close()


def test_member_previews_with_checks_and_watches_a_guide(page, guides, user, log_in, accessible_at_both_widths):
    log_in(page, user)
    page.goto(guides.get_absolute_url())
    accessible_at_both_widths(page)
    page.get_by_role("link", name="Suggest a change").click()
    body = page.get_by_label("Page text")
    body.fill(body.input_value() + "\n## Holiday pay\n\nAsk your ICB about [[A guide nobody wrote]].\n")
    page.get_by_role("button", name="Preview and check").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Preview: not published yet")).to_be_visible()
    assert "/wiki/a-guide-nobody-wrote/" in page.content()
    accessible_at_both_widths(page)
    page.goto(guides.get_absolute_url())
    page.get_by_role("link", name="Emails about changes to this guide: start or stop").click()
    page.get_by_role("button", name="Watch this guide").click()
    page.wait_for_load_state()
    assert Watch.objects.filter(user=user, page=guides).exists()
    accessible_at_both_widths(page)


def test_search_answers_a_question_and_corrects_a_typo(page, guides, accessible_at_both_widths):
    page.goto("/search/?q=how+do+I+employ+a+PA")
    titles = page.locator(".app-results h3, .app-results a").all_inner_texts()
    # With the starter guides of issue 14, "Employing a PA step by step" answers this as well.
    assert any(wanted in title for title in titles[:6]
               for wanted in ("Becoming an employer of PAs", "Employing a PA step by step"))
    accessible_at_both_widths(page)
    page.goto("/search/?q=persnal+assistant")
    expect(page.locator("body")).to_contain_text("Did you mean")
    accessible_at_both_widths(page)


def test_a_stale_edit_is_merged_by_the_moderator_and_published_exactly_as_previewed(
        chromium, live_server, guides, user, moderator, log_in, accessible_at_both_widths):
    page_obj = guides
    content = {name: getattr(page_obj, name) for name in
               ("title", "slug", "summary", "topic", "body", "sources", "last_checked", "next_review")}
    first_line = page_obj.body.split("\n\n")[1]
    proposal = services.propose_edit(page=page_obj, author=user,
                                     content={**content, "body": page_obj.body.replace(first_line, "Author's words.")},
                                     edit_summary="Plainer opening", base_revision=page_obj.revision)
    services._publish(page=Page.objects.get(pk=page_obj.pk),
                      content={**content, "body": page_obj.body.replace(first_line, "Later words.")},
                      author=moderator, edit_summary="A later change")

    context = chromium.new_context(base_url=live_server.url)
    page = context.new_page()
    log_in(page, moderator)
    page.goto("/moderation/")
    assert "Moderation (1" in page.locator(".app-header").inner_text()
    page.goto(f"/moderation/edits/{proposal.pk}/")
    expect(page.locator("body")).to_contain_text("both changed the same place")
    accessible_at_both_widths(page)
    text = page.get_by_label("Page text to publish")
    merged = text.input_value().replace("Later words.", "Later words, and the author's words.")
    text.fill(merged)
    page.get_by_role("button", name="Preview my changes").click()
    page.wait_for_load_state()
    preview = page.locator(".app-preview__page div.app-prose").inner_text()
    assert "Later words, and the author's words." in preview
    accessible_at_both_widths(page)
    page.get_by_role("button", name="Approve and publish").click()
    page.wait_for_load_state()
    expect(page.locator("body")).to_contain_text("Published as version")
    page.goto(guides.get_absolute_url())
    published = page.locator("article div.app-prose").first.inner_text()
    assert published.strip() == preview.strip()
    context.close()
