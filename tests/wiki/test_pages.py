"""Reading guides: addresses that never break, versions, history, diffs, caching."""

import pytest
from django.urls import reverse

from wiki import services
from wiki.models import Page, PageVersion

pytestmark = pytest.mark.django_db


def test_page_shows_title_summary_dates_sources_and_body(client, make_page):
    page = make_page()
    response = client.get("/wiki/employing-a-personal-assistant/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1 class=\"govuk-heading-xl\">Employing a personal assistant</h1>" in html
    assert "What it means to employ someone" in html
    assert "Facts last checked" in html and "1 November 2026" in html
    assert "Next review due" in html and "1 May 2027" in html
    assert 'href="https://www.england.nhs.uk/"' in html
    assert '<h2 id="before-you-start">Before you start</h2>' in html
    assert page.get_absolute_url() == "/wiki/employing-a-personal-assistant/"


def test_unknown_page_is_404(client, db):
    assert client.get("/wiki/no-such-guide/").status_code == 404


def test_permanent_id_address_redirects_to_current_slug(client, make_page, publish):
    page = make_page()
    publish(page, slug="employing-a-pa")
    response = client.get(f"/wiki/id/{page.pk}/")
    assert response.status_code == 302
    assert response["Location"] == "/wiki/employing-a-pa/"


def test_renaming_answers_old_address_with_301(client, make_page, publish):
    page = make_page()
    publish(page, slug="employing-a-pa")
    response = client.get("/wiki/employing-a-personal-assistant/")
    assert response.status_code == 301
    assert response["Location"] == "/wiki/employing-a-pa/"
    assert client.get("/wiki/employing-a-personal-assistant/history/")["Location"] == "/wiki/employing-a-pa/history/"


def test_renaming_twice_collapses_the_chain(client, make_page, publish):
    page = make_page(slug="first")
    page = publish(page, slug="second")
    publish(page, slug="third")
    for old in ("first", "second"):
        response = client.get(f"/wiki/{old}/")
        assert response.status_code == 301 and response["Location"] == "/wiki/third/"


def test_renaming_back_to_an_old_address_reclaims_it(client, make_page, publish):
    page = make_page(slug="first")
    page = publish(page, slug="second")
    publish(page, slug="first")
    assert client.get("/wiki/first/").status_code == 200
    assert client.get("/wiki/second/")["Location"] == "/wiki/first/"


def test_retired_page_answers_410_with_reason_and_replacement(client, make_page, moderator):
    old = make_page(title="Old guide", slug="old-guide")
    new = make_page(title="New guide", slug="new-guide")
    services.retire_page(page=old, moderator=moderator, reason="Merged into a newer guide", replaced_by=new)
    response = client.get("/wiki/old-guide/")
    html = response.content.decode()
    assert response.status_code == 410
    assert "Merged into a newer guide" in html and 'href="/wiki/new-guide/"' in html


def test_page_view_makes_at_most_3_queries_whatever_the_versions(client, make_page, publish,
                                                                  django_assert_max_num_queries):
    page = make_page()
    for number in range(25):
        page = publish(page, body=page.body + f"\nLine {number}\n")
    with django_assert_max_num_queries(3):
        assert client.get(page.get_absolute_url()).status_code == 200


def test_signed_in_page_view_queries_do_not_grow(client, user, make_page, publish, django_assert_max_num_queries):
    page = make_page()
    for number in range(10):
        page = publish(page, body=page.body + f"\nLine {number}\n")
    client.force_login(user)
    with django_assert_max_num_queries(6):
        assert client.get(page.get_absolute_url()).status_code == 200


def test_page_view_never_renders_markdown(client, make_page, monkeypatch):
    page = make_page()
    import mycarebudget.text

    def refuse(*args, **kwargs):
        raise AssertionError("rendered Markdown during a page view")

    monkeypatch.setattr(mycarebudget.text, "render_markdown", refuse)
    monkeypatch.setattr("wiki.services.render_markdown", refuse)
    assert client.get(page.get_absolute_url()).status_code == 200


def test_anonymous_repeat_visit_gets_304(client, make_page):
    page = make_page()
    first = client.get(page.get_absolute_url())
    assert first["ETag"] and first["Last-Modified"]
    assert "public" in first["Cache-Control"]
    again = client.get(page.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    since = client.get(page.get_absolute_url(), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304


def test_new_version_changes_the_etag(client, make_page, publish):
    page = make_page()
    first = client.get(page.get_absolute_url())
    publish(page, body="## New\n\nNew text.\n")
    again = client.get(page.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and b"New text." in again.content


def test_signed_in_pages_are_private(client, user, make_page):
    page = make_page()
    client.force_login(user)
    response = client.get(page.get_absolute_url())
    assert "private" in response["Cache-Control"] and not response.has_header("ETag")


def test_history_lists_versions_with_author_and_summary(client, user, make_page, publish):
    page = make_page()
    publish(page, author=user, edit_summary="Added pay rates", body=page.body + "\nPay rates.\n")
    html = client.get(f"/wiki/{page.slug}/history/").content.decode()
    assert "Version 2" in html and "Version 1" in html
    assert "Added pay rates" in html and user.display_name in html
    assert user.email not in html


def test_history_is_paginated_and_queries_do_not_grow(client, make_page, publish, django_assert_max_num_queries):
    page = make_page()
    for number in range(30):
        page = publish(page, body=page.body + f"\n{number}\n", edit_summary=f"Change {number}")
    with django_assert_max_num_queries(4):
        response = client.get(f"/wiki/{page.slug}/history/")
    assert "Page 1 of 2" in response.content.decode()
    assert "Version 31" in response.content.decode()
    assert "Version 1<" in client.get(f"/wiki/{page.slug}/history/?page=2").content.decode()


def test_exact_version_is_a_permanent_link(client, make_page, publish):
    page = make_page()
    publish(page, body="## Changed\n\nDifferent now.\n")
    html = client.get(f"/wiki/{page.slug}/versions/1/").content.decode()
    assert "You become an employer." in html and "It is not the current version" in html
    assert client.get(f"/wiki/{page.slug}/versions/9/").status_code == 404


def test_compare_shows_a_readable_diff(client, make_page, publish):
    page = make_page()
    publish(page, body=page.body.replace("You need insurance.", "You need employer's liability insurance."),
            title="Employing a PA")
    html = client.get(f"/wiki/{page.slug}/compare/1/2/").content.decode()
    # The words that changed, inline in their paragraph (not two whole lines).
    assert ('You need <ins class="app-diff__added"><span class="govuk-visually-hidden">[added: </span>'
            'employer&#x27;s liability <span class="govuk-visually-hidden">]</span></ins>insurance.') in html
    assert "Title" in html and "Employing a PA" in html


def test_compare_form_redirects_to_the_compare_address(client, make_page, publish):
    page = make_page()
    publish(page, body="x\n")
    response = client.get(f"/wiki/{page.slug}/compare/?a=2&b=1")
    assert response["Location"] == f"/wiki/{page.slug}/compare/1/2/"


def test_links_to_missing_pages_are_marked_and_backlinks_listed(client, make_page):
    make_page(title="Glossary", slug="glossary", body="Words.\n")
    linking = make_page(title="Paying a PA", slug="paying-a-pa",
                        body="See [[Glossary]], [our words](/wiki/glossary/) and [[Not yet written]].\n")
    html = client.get("/wiki/paying-a-pa/").content.decode()
    assert 'href="/wiki/glossary/">Glossary</a>' in html
    assert 'class="app-missing-link" href="/wiki/not-yet-written/"' in html
    glossary = client.get("/wiki/glossary/").content.decode()
    assert "Pages that link here" in glossary and 'href="/wiki/paying-a-pa/"' in glossary
    assert linking.outgoing_links.count() == 2


def test_creating_a_linked_page_fixes_the_missing_link(client, make_page):
    make_page(title="Paying a PA", slug="paying-a-pa", body="See [[Holiday pay]].\n")
    make_page(title="Holiday pay", slug="holiday-pay-for-pas", body="Text.\n")
    html = client.get("/wiki/paying-a-pa/").content.decode()
    assert 'href="/wiki/holiday-pay-for-pas/"' in html and "app-missing-link" not in html


def test_index_lists_pages_by_topic(client, make_page, django_assert_max_num_queries):
    make_page()
    make_page(title="What is a PHB", slug="what-is-a-phb", topic="getting-a-budget")
    with django_assert_max_num_queries(2):
        html = client.get("/wiki/").content.decode()
    assert html.index("Getting a budget") < html.index("Employing a PA")


def test_recent_changes_and_atom_feed(client, make_page, publish):
    page = make_page()
    publish(page, edit_summary="Added holiday pay", body="x\n")
    assert "Added holiday pay" in client.get("/wiki/recent/").content.decode()
    feed = client.get("/wiki/recent/feed/")
    assert feed["Content-Type"].startswith("application/atom+xml")
    assert b"Added holiday pay" in feed.content and b"<feed" in feed.content


def test_restore_makes_a_new_version_and_loses_nothing(client, moderator, make_page, publish):
    page = make_page()
    publish(page, body="Vandalised.\n")
    client.force_login(moderator)
    response = client.post(f"/wiki/{page.slug}/versions/1/restore/")
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.revision == 3 and "You become an employer." in page.body
    assert PageVersion.objects.filter(page=page).count() == 3


def test_restore_is_for_moderators_only(client, user, make_page, publish):
    page = make_page()
    publish(page, body="Changed.\n")
    client.force_login(user)
    assert client.post(f"/wiki/{page.slug}/versions/1/restore/").status_code == 403
    assert Page.objects.get(pk=page.pk).revision == 2


def test_restore_by_get_is_refused(client, moderator, make_page):
    page = make_page()
    client.force_login(moderator)
    assert client.get(f"/wiki/{page.slug}/versions/1/restore/").status_code == 405


def test_reversion_holds_every_published_version(make_page, publish, user):
    from reversion.models import Version

    page = make_page()
    publish(page, author=user, edit_summary="Second", body="Two.\n")
    versions = Version.objects.get_for_object(page)
    assert versions.count() == 2
    assert versions[0].revision.user == user and versions[0].revision.comment == "Second"
    assert versions[0].field_dict["body"] == "Two.\n"


def test_revision_is_atomic_when_saving_fails(make_page, moderator, monkeypatch):
    from reversion.models import Version

    page = make_page()

    def explode(page):
        raise RuntimeError("disk full")

    monkeypatch.setattr("wiki.search.index_page", explode)
    with pytest.raises(RuntimeError):
        services.propose_edit(page=page, author=moderator, content={**_content(page), "body": "New\n"},
                              edit_summary="x", base_revision=page.revision)
    page.refresh_from_db()
    assert page.revision == 1 and Version.objects.get_for_object(page).count() == 1


def _content(page):
    return {name: getattr(page, name) for name in
            ("title", "slug", "summary", "topic", "body", "sources", "last_checked", "next_review")}


def test_retire_page_through_the_form(client, moderator, make_page):
    page = make_page()
    client.force_login(moderator)
    response = client.post(f"/wiki/{page.slug}/retire/", {"reason": "Out of date"})
    assert response.status_code == 302
    assert client.get(page.get_absolute_url()).status_code == 410


def test_retire_requires_a_reason(client, moderator, make_page):
    page = make_page()
    client.force_login(moderator)
    response = client.post(f"/wiki/{page.slug}/retire/", {"reason": ""})
    assert "Say why the page is being retired" in response.content.decode()
    assert not Page.objects.get(pk=page.pk).is_retired()


def test_page_url_names_are_the_documented_addresses(db):
    assert reverse("wiki:page_detail", args=["x"]) == "/wiki/x/"
    assert reverse("wiki:page_history", args=["x"]) == "/wiki/x/history/"
    assert reverse("wiki:page_version", args=["x", 3]) == "/wiki/x/versions/3/"
    assert reverse("wiki:page_compare", args=["x", 1, 2]) == "/wiki/x/compare/1/2/"
    assert reverse("wiki:page_edit", args=["x"]) == "/wiki/x/edit/"
    assert reverse("wiki:page_new") == "/wiki/new/"
    assert reverse("wiki:page_index") == "/wiki/"
    assert reverse("wiki:recent_changes") == "/wiki/recent/"
    assert reverse("wiki:page_by_id", args=[7]) == "/wiki/id/7/"
    assert reverse("moderation:queue") == "/moderation/"
    assert reverse("search") == "/search/"


def test_contents_list_links_to_stable_heading_ids(client, make_page):
    page = make_page(body="## One\n\nA.\n\n## Two *words*\n\nB.\n\n## Three\n\nC.\n")
    html = client.get(page.get_absolute_url()).content.decode()
    assert '<a href="#one">One</a>' in html and '<a href="#two-words">Two words</a>' in html
    assert '<h2 id="two-words">' in html


def test_cached_anonymous_view_needs_no_database(client, make_page, django_assert_num_queries):
    page = make_page()
    client.get(page.get_absolute_url())
    with django_assert_num_queries(0):
        response = client.get(page.get_absolute_url())
    assert response.status_code == 200 and b"You become an employer." in response.content


def test_publishing_drops_the_cached_copy_at_once(client, make_page, django_capture_on_commit_callbacks):
    page = make_page()
    client.get(page.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        services._publish(page=Page.objects.get(pk=page.pk), content={**_content(page), "body": "Fresh text.\n"},
                          author=None, edit_summary="Update")
    assert b"Fresh text." in client.get(page.get_absolute_url()).content


def test_retiring_drops_the_cached_copy(client, make_page, moderator, django_capture_on_commit_callbacks):
    page = make_page()
    client.get(page.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        services.retire_page(page=page, moderator=moderator, reason="Gone", replaced_by=None)
    assert client.get(page.get_absolute_url()).status_code == 410


def test_a_new_backlink_drops_the_targets_cached_copy(client, make_page, django_capture_on_commit_callbacks):
    target = make_page(title="Glossary", slug="glossary", body="Words.\n")
    client.get(target.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        make_page(title="Linking", slug="linking", body="See [[Glossary]].\n")
    assert b'href="/wiki/linking/"' in client.get(target.get_absolute_url()).content


def test_signed_in_readers_never_get_the_anonymous_copy(client, user, make_page):
    page = make_page()
    client.get(page.get_absolute_url())
    client.force_login(user)
    assert b"Your account" in client.get(page.get_absolute_url()).content


def test_signed_in_view_reuses_the_shared_rendering(client, user, make_page, django_assert_max_num_queries):
    page = make_page()
    client.get(page.get_absolute_url())  # an anonymous reader renders it
    client.force_login(user)
    client.get(reverse("wiki:page_index"))  # reads, and caches for minutes, whether the member moderates
    with django_assert_max_num_queries(3):  # the session, the member and the page's row: its article is shared
        response = client.get(page.get_absolute_url())
    html = response.content.decode()
    assert "You become an employer." in html and "Sign out" in html and ">Sign in<" not in html
    assert "<!--v:" not in html and "private" in response["Cache-Control"] and "ETag" not in response


def test_the_signed_in_header_carries_the_readers_own_csrf_token(make_page, user):
    import re

    from django.test import Client

    page = make_page()
    Client().get(page.get_absolute_url())
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    html = client.get(page.get_absolute_url()).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
    assert client.post(reverse("account_logout"), {"csrfmiddlewaretoken": token}).status_code == 302
    assert ">Sign in<" in client.get(page.get_absolute_url()).content.decode()
