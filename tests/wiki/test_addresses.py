"""Links that never break: reworded headings, near-miss addresses, missing addresses made redirects."""

import datetime

import pytest

from wiki.models import MissingAddress, SlugRedirect

pytestmark = pytest.mark.django_db


def test_rename_and_reworded_heading_keep_every_old_link_and_anchor(client, make_page, publish):
    page = make_page()
    old_url = page.get_absolute_url()
    page = publish(page, slug="employing-a-pa", body=page.body.replace("## Before you start", "## Before you begin"))
    response = client.get(old_url)
    assert response.status_code == 301 and response["Location"] == "/wiki/employing-a-pa/"
    html = client.get("/wiki/employing-a-pa/").content.decode()
    assert '<span id="before-you-start" class="app-anchor-alias"></span><h2 id="before-you-begin">' in html
    assert 'id="pay"' in html
    # A second rewording keeps both older ids on the same section.
    publish(page, body=page.body.replace("## Before you begin", "## First steps"))
    html = client.get("/wiki/employing-a-pa/").content.decode()
    for anchor in ("before-you-start", "before-you-begin"):
        assert f'<span id="{anchor}" class="app-anchor-alias"></span>' in html
    assert html.index('id="before-you-start"') < html.index('<h2 id="first-steps">') < html.index('id="pay"')


def test_removed_section_anchor_lands_on_the_section_that_follows(client, make_page, publish):
    page = make_page()
    publish(page, body="## Pay\n\nUse payroll.\n")
    html = client.get(page.get_absolute_url()).content.decode()
    assert '<span id="before-you-start" class="app-anchor-alias"></span><h2 id="pay">' in html


def test_alias_is_dropped_when_a_heading_uses_the_id_again(client, make_page, publish):
    page = make_page()
    page = publish(page, body=page.body.replace("## Before you start", "## Before you begin"))
    publish(page, body=page.body.replace("## Before you begin", "## Before you start"))
    html = client.get(page.get_absolute_url()).content.decode()
    assert html.count('id="before-you-start"') == 1


def test_capitals_in_an_address_redirect_to_the_guide(client, make_page):
    make_page()
    response = client.get("/wiki/Employing-A-Personal-Assistant/")
    assert response.status_code == 301 and response["Location"] == "/wiki/employing-a-personal-assistant/"


def test_missing_address_suggests_the_closest_guides_and_is_counted(client, make_page):
    make_page()
    make_page(title="What a PHB can pay for", slug="what-a-phb-can-pay-for")
    response = client.get("/wiki/employing-personal-assistant/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Did you mean" in html and 'href="/wiki/employing-a-personal-assistant/"' in html
    client.get("/wiki/employing-personal-assistant/")
    assert MissingAddress.objects.get(slug="employing-personal-assistant").hits == 2


def test_moderator_turns_a_missing_address_into_a_permanent_redirect(client, moderator, make_page):
    page = make_page()
    client.get("/wiki/employing-personal-assistant/")
    client.force_login(moderator)
    html = client.get("/moderation/missing-addresses/").content.decode()
    assert "/wiki/employing-personal-assistant/" in html and "Asked for 1 time" in html
    response = client.post("/moderation/missing-addresses/",
                           {"slug": "employing-personal-assistant", "target": page.slug})
    assert response.status_code == 302
    assert SlugRedirect.objects.get(old_slug="employing-personal-assistant").page == page
    assert not MissingAddress.objects.exists()
    client.logout()
    response = client.get("/wiki/employing-personal-assistant/")
    assert response.status_code == 301 and response["Location"] == page.get_absolute_url()


def test_redirecting_to_an_unknown_guide_is_refused_next_to_the_field(client, moderator, make_page):
    make_page()
    client.get("/wiki/employing-personal-assistant/")
    client.force_login(moderator)
    response = client.post("/moderation/missing-addresses/", {"slug": "employing-personal-assistant",
                                                              "target": "no-such-guide"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is no guide with that address or title" in html
    assert 'id="target-employing-personal-assistant-error"' in html
    assert not SlugRedirect.objects.exists()


def test_missing_addresses_and_reviews_are_for_moderators_only(client, user):
    client.force_login(user)
    assert client.get("/moderation/missing-addresses/").status_code == 403
    assert client.post("/moderation/missing-addresses/", {"slug": "x", "target": "y"}).status_code == 403
    assert client.get("/moderation/reviews/").status_code == 403


def test_moderators_see_guides_due_and_overdue(client, moderator, make_page):
    today = datetime.date.today()
    make_page(title="Overdue guide", slug="overdue-guide", last_checked=today - datetime.timedelta(days=400),
              next_review=today - datetime.timedelta(days=3))
    make_page(title="Due soon guide", slug="due-soon-guide", next_review=today + datetime.timedelta(days=10))
    make_page(title="Fresh guide", slug="fresh-guide", next_review=today + datetime.timedelta(days=200))
    client.force_login(moderator)
    html = client.get("/moderation/reviews/").content.decode()
    assert "Overdue (1)" in html and "Due in the next 30 days (1)" in html
    assert html.index("Overdue guide") < html.index("Due soon guide")
    assert "Fresh guide" not in html
