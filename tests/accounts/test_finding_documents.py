"""Finding documents: a date on each, search by (encrypted) name, filter, sort, paging; several
files in one upload; a warning when a new version is a different kind of file."""

import re

import pytest
from django.urls import reverse

from accounts.models import Document
from tests.accounts.helpers import docx, pdf, upload
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(client):
    member = UserFactory()
    client.force_login(member)
    return member


def add(client, name, *, date="", kind="budget_statement"):
    response = client.post(reverse("accounts:document_upload"),
                           {"file": pdf(f"{name}.pdf"), "kind": kind, "document_date": date})
    assert response.status_code == 302, response.content.decode()


def names_listed(client, **query) -> list[str]:
    html = client.get(reverse("accounts:document_list"), query).content.decode()
    return re.findall(r'<td data-label="Name"><a href="[^"]+">([^<]+)</a>', html)


def test_search_by_name_filter_and_sort_by_the_date_on_the_document(client, owner):
    add(client, "March statement", date="2026-03-31")
    add(client, "January statement", date="2026-01-31")
    add(client, "Old statement", date="2024-06-30")
    add(client, "Care plan", kind="care_plan")
    assert names_listed(client) == ["March statement", "January statement", "Old statement", "Care plan"]
    assert names_listed(client, sort="date_oldest") == [
        "Old statement", "January statement", "March statement", "Care plan"]
    assert names_listed(client, sort="name") == ["Care plan", "January statement", "March statement",
                                                "Old statement"]
    assert names_listed(client, q="STATEMENT", year="2026") == ["March statement", "January statement"]
    assert names_listed(client, kind="care_plan") == ["Care plan"]
    html = client.get(reverse("accounts:document_list"), {"q": "nothing like it"}).content.decode()
    assert "No documents match" in html and "0 documents found" in html


def test_search_never_sees_another_members_documents(client, owner):
    add(client, "Mine")
    other = UserFactory()
    client.force_login(other)
    add(client, "Theirs")
    client.force_login(owner)
    assert names_listed(client, q="") == ["Mine"]
    assert names_listed(client, q="Theirs") == []


def test_the_list_is_paged_and_keeps_the_search(client, owner, settings):
    from accounts import views

    views.DOCUMENTS_PER_PAGE, saved = 2, views.DOCUMENTS_PER_PAGE
    try:
        for number in range(5):
            add(client, f"Timesheet {number}", date=f"2026-0{number + 1}-01")
        html = client.get(reverse("accounts:document_list"), {"q": "timesheet"}).content.decode()
        assert "Page 1 of 3" in html and "?q=timesheet&amp;page=2" in html
        assert names_listed(client, q="timesheet", page="3") == ["Timesheet 0"]
    finally:
        views.DOCUMENTS_PER_PAGE = saved


def test_several_files_in_one_upload(client, owner):
    response = client.post(reverse("accounts:document_upload"), {
        "file": [pdf("One.pdf"), pdf("Two.pdf"), upload("Three.docx", docx())], "kind": "letter",
        "document_date": "2026-02-14", "name": "ignored for several"})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:document_list")
    assert Document.objects.owned_by(owner).count() == 3
    assert set(names_listed(client)) == {"One", "Two", "Three"}
    assert {str(day) for day in Document.objects.values_list("document_date", flat=True)} == {"2026-02-14"}


def test_one_bad_file_in_several_stores_none_and_names_it(client, owner):
    response = client.post(reverse("accounts:document_upload"), {
        "file": [pdf("Good.pdf"), upload("Bad.pdf", b"<html><script>alert(1)</script>")], "kind": "letter"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "“Bad.pdf”" in html and "None of the files have been uploaded" in html
    assert not Document.objects.exists()


def test_upload_page_offers_several_files_and_the_camera(client, owner):
    html = client.get(reverse("accounts:document_upload")).content.decode()
    assert re.search(r'<input type="file" name="file" id="id_file" multiple', html)
    assert 'capture="environment"' in html and 'accept="image/*"' in html


def test_an_invalid_date_is_refused_next_to_the_field(client, owner):
    response = client.post(reverse("accounts:document_upload"), {"file": pdf(), "kind": "letter",
                                                                 "document_date": "31 February"})
    assert response.status_code == 400
    assert "Enter the date on the document as a real date" in response.content.decode()
    assert not Document.objects.exists()


def test_a_new_version_of_a_different_kind_is_flagged(client, owner):
    add(client, "Care plan")
    document = Document.objects.get()
    response = client.post(reverse("accounts:document_replace", args=[document.pk]),
                           {"file": upload("plan.docx", docx())}, follow=True)
    html = response.content.decode()
    assert "Version 2 is a Word document, but version 1 was a PDF" in html
    response = client.post(reverse("accounts:document_replace", args=[document.pk]),
                           {"file": upload("plan2.docx", docx())}, follow=True)
    assert "but version" not in response.content.decode()
