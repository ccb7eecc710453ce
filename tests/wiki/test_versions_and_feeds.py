"""Guides people can cite: exact versions, addresses that survive, feeds, retired guides."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings

from wiki import services
from wiki.models import Page

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def test_version_page_shows_that_versions_title_summary_sources_and_dates(client, make_page, publish):
    page = make_page()
    publish(page, title="Employing a PA", summary="A newer summary.", sources="New source | https://example.org/",
            last_checked=datetime.date(2026, 11, 20), next_review=datetime.date(2027, 6, 1))
    html = client.get(f"/wiki/{page.slug}/versions/1/").content.decode()
    assert '<h1 class="govuk-heading-xl">Employing a personal assistant</h1>' in html
    assert "What it means to employ someone with your budget." in html and "A newer summary." not in html
    assert 'href="https://www.england.nhs.uk/"' in html and "example.org" not in html
    assert "1 November 2026" in html and "1 May 2027" in html and "1 June 2027" not in html


def test_old_versions_links_go_to_the_guide_by_its_permanent_id(client, make_page):
    linking = make_page(title="Start here", slug="start-here", body="Read [[Three ways to manage]] first.\n")
    assert "app-missing-link" in Page.objects.get(pk=linking.pk).versions.get(number=1).body_html
    target = make_page(title="Three ways to manage", slug="ways-to-manage")
    html = client.get("/wiki/start-here/versions/1/").content.decode()
    assert f'<a href="/wiki/id/{target.pk}/">Three ways to manage</a>' in html
    assert "not written yet" not in html
    assert client.get(f"/wiki/id/{target.pk}/", follow=True).status_code == 200


def test_old_versions_link_to_a_retired_guide_says_where_its_content_went(client, make_page, moderator):
    linking = make_page(title="Start here", slug="start-here", body="Read [[Old guide]] first.\n")
    old = make_page(title="Old guide", slug="old-guide")
    new = make_page(title="New guide", slug="new-guide")
    services.retire_page(page=old, moderator=moderator, reason="Merged", replaced_by=new)
    html = client.get(f"/wiki/{linking.slug}/versions/1/").content.decode()
    assert '<span class="app-retired-link">Old guide</span>' in html
    assert f'its content is now in <a href="/wiki/id/{new.pk}/">New guide</a>' in html


def test_link_to_this_version_survives_a_rename(client, make_page, publish):
    page = make_page()
    publish(page, slug="employing-a-pa", title="Employing a PA")
    response = client.get(f"/wiki/id/{page.pk}/versions/1/")
    assert response.status_code == 302 and response["Location"] == "/wiki/employing-a-pa/versions/1/"
    html = client.get("/wiki/employing-a-pa/").content.decode()
    assert f'href="/wiki/id/{page.pk}/versions/2/">Link to this version' in html
    assert f'href="/wiki/id/{page.pk}/">Link to this guide' in html


@pytest.mark.parametrize("suffix", ["", "history/", "versions/1/", "compare/1/2/", "feed/"])
def test_every_address_of_a_retired_guide_is_410_to_readers_but_open_to_moderators(
        client, user, moderator, make_page, publish, suffix):
    page = make_page()
    publish(page, body="Second version.\n")
    services.retire_page(page=page, moderator=moderator, reason="Out of date", replaced_by=None)
    url = f"/wiki/{page.slug}/{suffix}"
    assert client.get(url).status_code == 410
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 410 and b"Second version" not in response.content
    client.force_login(moderator)
    assert client.get(url).status_code == (410 if suffix == "" else 200)


def _feed(client, url):
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)  # noqa: S314 -- our own feed


def _assert_rfc4287(feed):
    """RFC 4287 4.1.1 and 4.1.2: the elements a feed and each entry must have."""
    for name in ("id", "title", "updated"):
        assert feed.find(ATOM + name) is not None and feed.find(ATOM + name).text
    feed_has_author = feed.find(ATOM + "author/" + ATOM + "name") is not None
    entries = feed.findall(ATOM + "entry")
    assert entries
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert entry.find(ATOM + name) is not None and entry.find(ATOM + name).text, name
        assert feed_has_author or entry.find(ATOM + "author/" + ATOM + "name") is not None
        assert entry.find(ATOM + "link[@rel='alternate']") is not None or entry.find(ATOM + "content") is not None
    return entries


def test_feed_has_rfc4287_required_elements_and_stable_ids(client, make_page, publish, user):
    page = make_page(author=user)
    before = {e.find(ATOM + "id").text for e in _assert_rfc4287(_feed(client, "/wiki/recent/feed/"))}
    publish(page, slug="employing-a-pa", title="Employing a PA", edit_summary="Shorter name")
    entries = _assert_rfc4287(_feed(client, "/wiki/recent/feed/"))
    ids = {e.find(ATOM + "id").text for e in entries}
    assert before <= ids, "an entry's id changed when the guide was renamed"
    assert f"guide/{page.pk}/version/1" in " ".join(ids)
    titles = [e.find(ATOM + "title").text for e in entries]
    assert "Renamed: Employing a personal assistant is now Employing a PA (version 2)" in titles
    assert any(e.find(ATOM + "author/" + ATOM + "name").text == user.public_name for e in entries)


def test_feed_carries_member_text_as_plain_text(client, make_page, publish):
    page = make_page()
    publish(page, edit_summary='<script>alert(1)</script><b onmouseover="x()">bold</b>')
    response = client.get("/wiki/recent/feed/")
    assert b"<script>" not in response.content
    entries = ET.fromstring(response.content).findall(ATOM + "entry")  # noqa: S314 -- our own feed
    summaries = [e.find(ATOM + "summary") for e in entries]
    assert all(summary.get("type") == "text" for summary in summaries)
    assert '<script>alert(1)</script><b onmouseover="x()">bold</b>' in [s.text for s in summaries]
    for entry in entries:
        assert entry.find(ATOM + "title").get("type", "text") == "text"


def test_retirements_appear_in_the_feed(client, make_page, moderator):
    page = make_page()
    replacement = make_page(title="Employing a PA", slug="employing-a-pa")
    services.retire_page(page=page, moderator=moderator, reason="Merged into a shorter guide",
                         replaced_by=replacement)
    entries = _assert_rfc4287(_feed(client, "/wiki/recent/feed/"))
    retired = [e for e in entries if e.find(ATOM + "title").text == "Retired: Employing a personal assistant"]
    assert len(retired) == 1
    assert "Merged into a shorter guide" in retired[0].find(ATOM + "summary").text
    assert "Employing a PA" in retired[0].find(ATOM + "summary").text


def test_per_guide_feed_lists_only_that_guides_versions(client, make_page, publish):
    page = make_page()
    make_page(title="Another guide", slug="another-guide")
    publish(page, edit_summary="Added holiday pay")
    entries = _assert_rfc4287(_feed(client, f"/wiki/{page.slug}/feed/"))
    assert [e.find(ATOM + "id").text.rsplit(":", 1)[1] for e in entries] == [
        f"guide/{page.pk}/version/2", f"guide/{page.pk}/version/1"]
    assert f'href="/wiki/{page.slug}/feed/"' in client.get(page.get_absolute_url()).content.decode()


def test_per_guide_feed_follows_a_rename(client, make_page, publish):
    page = make_page()
    publish(page, slug="employing-a-pa")
    response = client.get("/wiki/employing-a-personal-assistant/feed/")
    assert response.status_code == 301 and response["Location"] == "/wiki/employing-a-pa/feed/"


def test_canonical_is_a_full_address_and_times_have_no_microseconds(client, make_page, publish):
    page = make_page()
    publish(page, body="Changed.\n")
    html = client.get(page.get_absolute_url()).content.decode()
    assert f'<link rel="canonical" href="{settings.SITE_URL}/wiki/{page.slug}/">' in html
    for path in (page.get_absolute_url(), f"/wiki/{page.slug}/history/", f"/wiki/{page.slug}/versions/1/"):
        stamps = re.findall(r'datetime="([^"]+)"', client.get(path).content.decode())
        assert stamps
        for stamp in stamps:
            assert re.fullmatch(r"\d{4}-\d\d-\d\d(T\d\d:\d\d:\d\d([+-]\d\d:\d\d|Z))?", stamp), stamp


def test_overdue_guide_warns_readers_at_the_top(client, make_page):
    page = make_page(last_checked=datetime.date(2024, 1, 1), next_review=datetime.date(2024, 7, 1))
    html = client.get(page.get_absolute_url()).content.decode()
    assert "was due to be checked on" in html and "1 July 2024" in html
    assert html.index("was due to be checked") < html.index("<h1")
    fresh = make_page(title="Fresh", slug="fresh", next_review=datetime.date.today() + datetime.timedelta(days=30))
    assert "was due to be checked" not in client.get(fresh.get_absolute_url()).content.decode()


def test_print_stylesheet_is_linked_and_shows_address_and_disclaimer(client, make_page):
    page = make_page()
    html = client.get(page.get_absolute_url()).content.decode()
    assert 'wiki-print.css" media="print"' in html
    assert f"{settings.SITE_URL}/wiki/{page.slug}/" in html
    assert "not part of the NHS" in html


def test_compare_page_headings_go_in_order(client, make_page, publish):
    page = make_page()
    publish(page, title="Employing a PA", body="Changed.\n")
    html = client.get(f"/wiki/{page.slug}/compare/1/2/").content.decode()
    main = html[html.index('<main'):]
    levels = [int(level) for level in re.findall(r"<h([1-6])", main)]
    assert levels[0] == 1
    assert all(after - before <= 1 for before, after in zip(levels, levels[1:], strict=False)), levels


def test_diff_shows_changed_words_inline_without_blank_rows(client, make_page, publish):
    page = make_page()
    publish(page, body=page.body.replace("Use payroll.", "Use a payroll service.").replace(
        "You need insurance.\n\n", ""))
    html = client.get(f"/wiki/{page.slug}/compare/1/2/").content.decode()
    diff = html[html.index('class="app-diff app-diff--words"'):]
    assert ('Use <ins class="app-diff__added"><span class="govuk-visually-hidden">[added: </span>a '
            '<span class="govuk-visually-hidden">]</span></ins>payroll') in diff
    assert "Removed paragraph: </span>" in diff and "You need insurance." in diff
    assert not re.search(r'<p class="app-diff__block[^"]*">\s*</p>', diff), "a blank row in the diff"
