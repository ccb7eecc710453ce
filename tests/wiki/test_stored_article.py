"""A guide's article is rendered when it changes and kept with the page (wiki.services.article): a reader's
first visit renders only the page around it, and never shows an article older than what it shows."""

from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from mycarebudget import shared
from wiki import services
from wiki.models import Page

pytestmark = pytest.mark.django_db


def _first_visit(client, page) -> str:
    """What a reader sees with nothing in the cache (after a Redis restart, say)."""
    cache.clear()
    shared.forget_worker_copies()
    return client.get(page.get_absolute_url()).content.decode()


def test_publishing_stores_the_article_so_a_first_visit_is_one_query(client, make_page, django_assert_num_queries):
    page = make_page(title="Paying a PA", body="## Tax\n\nPAYE.\n")
    assert "PAYE." in Page.objects.get(pk=page.pk).article_html
    cache.clear()
    shared.forget_worker_copies()
    with django_assert_num_queries(1):  # the page with its article: no backlinks, no partner, no body
        html = client.get(page.get_absolute_url()).content.decode()
    assert "PAYE." in html and "<h1" in html


def test_a_new_backlink_is_shown_on_a_first_visit(client, make_page):
    target = make_page(title="Glossary", slug="glossary", body="Words.\n")
    make_page(title="Paying a PA", slug="paying-a-pa", body="See [[Glossary]].\n")
    assert 'href="/wiki/paying-a-pa/">Paying a PA</a>' in _first_visit(client, target)


def test_a_linking_page_renamed_or_retired_changes_the_backlinks(client, make_page, publish, moderator,
                                                                 django_capture_on_commit_callbacks):
    target = make_page(title="Glossary", slug="glossary", body="Words.\n")
    linking = make_page(title="Paying a PA", slug="paying-a-pa", body="See [[Glossary]].\n")
    _first_visit(client, target)
    publish(linking, title="Paying your PA")
    html = _first_visit(client, target)
    assert ">Paying your PA</a>" in html and ">Paying a PA</a>" not in html
    with django_capture_on_commit_callbacks(execute=True):
        services.retire_page(page=linking, moderator=moderator, reason="Merged", replaced_by=None)
    assert "Pages that link here" not in _first_visit(client, target)


def test_a_deploy_renders_the_article_again(client, make_page, monkeypatch):
    page = make_page(body="Words.\n")
    Page.objects.filter(pk=page.pk).update(article_html="<p>Made by the code before.</p>")
    assert "Made by the code before." in _first_visit(client, page)  # the key still matches
    monkeypatch.setattr(shared, "_build", lambda: "another-build")
    html = _first_visit(client, page)
    assert "Made by the code before." not in html and "Words." in html
    assert Page.objects.get(pk=page.pk).article_key.startswith("part:wiki/_article.html:another-build:")


def test_an_older_reading_never_replaces_a_newer_article(make_page, publish):
    page = make_page(body="Old words.\n")
    stale = Page.objects.get(pk=page.pk)  # a reader's row, read before the edit landed
    publish(page, body="New words.\n")
    stale.article_key = ""  # as if its article had to be made again
    assert "Old words." in services.article(stale)  # that reader sees what they read...
    assert "New words." in Page.objects.get(pk=page.pk).article_html  # ...but the page keeps the newer one


def test_a_deploy_renders_only_the_articles_other_code_made(make_page, monkeypatch):
    page = make_page(body="Words.\n")
    out = StringIO()
    call_command("render_articles", stdout=out)
    assert out.getvalue() == "Every guide article is up to date.\n"
    monkeypatch.setattr(shared, "_build", lambda: "another-build")
    call_command("render_articles", stdout=out)
    assert out.getvalue().endswith("Rendered 1 guide article again.\n")
    assert Page.objects.get(pk=page.pk).article_key.startswith("part:wiki/_article.html:another-build:")


def test_a_reader_gets_the_article_when_it_cannot_be_stored(client, make_page, monkeypatch):
    from django.db import OperationalError
    from django.db.models import QuerySet

    page = make_page(body="Words.\n")
    Page.objects.filter(pk=page.pk).update(article_key="")

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(QuerySet, "update", locked)
    assert "Words." in _first_visit(client, page)
    monkeypatch.undo()
    assert Page.objects.get(pk=page.pk).article_key == ""  # the next reader stores it


def _admin(client):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from tests.factories import UserFactory

    staff = UserFactory(is_staff=True, is_superuser=True)
    TOTP.activate(staff, generate_totp_secret())
    client.force_login(staff)
    return client


def test_pairing_in_the_admin_changes_both_standard_pages_articles(client, make_page):
    first = make_page(title="Paying a PA", slug="paying-a-pa", body="Words.\n")
    second = make_page(title="Hiring a PA", slug="hiring-a-pa", body="Words.\n")
    easy = make_page(title="Paying a PA: Easy Read", slug="paying-a-pa-easy-read", body="Easy words.\n")
    for page in (first, second):
        assert "Easy Read version" not in _first_visit(client, page)  # each article stored, without a link

    def pair_with(standard):
        admin = _admin(Client())
        form = admin.get(reverse("admin:wiki_page_change", args=[easy.pk])).context["adminform"].form
        data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
        response = admin.post(reverse("admin:wiki_page_change", args=[easy.pk]), {**data, "easy_read_of": standard.pk})
        assert response.status_code == 302, response.context["adminform"].form.errors

    pair_with(first)
    assert 'href="/wiki/paying-a-pa-easy-read/">Easy Read version' in _first_visit(client, first)
    pair_with(second)  # paired again: the first no longer links to it
    assert "Easy Read version" not in _first_visit(client, first)
    assert 'href="/wiki/paying-a-pa-easy-read/">Easy Read version' in _first_visit(client, second)


def test_pairing_by_the_starter_content_changes_the_standard_pages_article(client, make_page):
    from tests.wiki.conftest import page_content
    from wiki.starter import StarterPage, _link_easy_read

    standard = make_page(title="Paying a PA", slug="paying-a-pa", body="Words.\n")
    easy = make_page(title="Paying a PA: Easy Read", slug="paying-a-pa-easy-read", body="Edited by members.\n")
    assert "Easy Read version" not in _first_visit(client, standard)
    shipped = StarterPage(content=page_content(slug=easy.slug, body="As shipped.\n"), easy_read_of=standard.slug)
    _link_easy_read([shipped])  # the community's edit differs from what shipped: paired, not marked checked
    assert Page.objects.get(pk=easy.pk).easy_read_checked_revision is None
    assert 'href="/wiki/paying-a-pa-easy-read/">Easy Read version' in _first_visit(client, standard)
