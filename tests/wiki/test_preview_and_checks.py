"""Editing: a server-side preview for every editor with content checks beside it; titles and links that make sense."""

import pytest

from tests.wiki.conftest import form_data
from wiki.checks import reading_grade
from wiki.models import EditProposal, Page

pytestmark = pytest.mark.django_db

LONG = ("When you employ a personal assistant with the money from your personal health budget you take on "
        "every duty that any other employer in England has under the law, including pay and holidays.")


def test_any_member_can_preview_without_sending(client, user, make_page):
    page = make_page()
    make_page(title="Glossary", slug="glossary", topic="background",
              body="- **ICB (integrated care board)**: the NHS body that plans care.\n")
    client.force_login(user)
    body = f"## New part\n\nAsk your ICB.\n\n{LONG}\n\nSee [[No such guide]].\n"
    response = client.post(f"/wiki/{page.slug}/edit/", form_data(page, body=body, action="preview"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Preview: not published yet" in html and '<h2 id="new-part">New part</h2>' in html
    assert "Reading grade" in html
    assert "Sentences over 25 words" in html and "1 found" in html
    assert "ICB (integrated care board)" in html
    assert "/wiki/no-such-guide/" in html
    assert not EditProposal.objects.exists()
    assert Page.objects.get(pk=page.pk).revision == 1
    assert 'value="## New part' in html or "## New part" in html  # the text is kept in the form


def test_preview_of_a_new_guide(client, user):
    client.force_login(user)
    response = client.post("/wiki/new/", form_data(title="Respite", slug="respite", body="Short breaks.\n",
                                                   action="preview"))
    assert "Preview: not published yet" in response.content.decode()
    assert not EditProposal.objects.exists()


def test_duplicate_title_is_refused_next_to_the_field(client, user, make_page):
    make_page()
    client.force_login(user)
    response = client.post("/wiki/new/", form_data(title="employing a Personal Assistant", slug="employing-pas"))
    html = response.content.decode()
    assert "Another guide already has this title" in html and 'id="id_title-error"' in html
    assert not EditProposal.objects.exists()


def test_empty_link_is_refused_with_a_message(client, user, make_page):
    page = make_page()
    client.force_login(user)
    response = client.post(f"/wiki/{page.slug}/edit/", form_data(page, body="See [[ ]] for more.\n"))
    assert "A link [[ ]] has no guide title in it" in response.content.decode()
    assert not EditProposal.objects.exists()


def test_reading_grade_rises_with_long_words_and_sentences():
    assert reading_grade("You can get a PA. It is your choice.") < reading_grade(LONG)


def test_preview_needs_no_summary_of_the_change_yet(client, user, make_page):
    page = make_page()
    client.force_login(user)
    response = client.post(f"/wiki/{page.slug}/edit/", form_data(page, edit_summary="", action="preview"))
    html = response.content.decode()
    assert "Preview: not published yet" in html and "Say what you changed" not in html
