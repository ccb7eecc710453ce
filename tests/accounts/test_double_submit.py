"""An upload sent twice (a double click, or sending again after a slow answer) is stored once:
one document or one version, one encrypted file, and the second request lands where the first did."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import Document, DocumentEvent, DocumentVersion
from tests.accounts.fixtures import stored_files
from tests.accounts.helpers import pdf_bytes
from tests.factories import UserFactory
from tests.races import at_once, signed_in_clients

pytestmark = pytest.mark.django_db

_KEY = re.compile(r'<input type="hidden" name="submission_key" value="([0-9a-f]{32})"')
UPLOAD_URL = reverse("accounts:document_upload")


def key_from(client, url: str) -> str:
    found = _KEY.search(client.get(url).content.decode())
    assert found, "the form has no submission_key"
    return found.group(1)


def upload_form(key: str, *names: str) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    files = [SimpleUploadedFile(name, pdf_bytes(name.encode()), content_type="application/pdf")
             for name in names or ("care plan.pdf",)]
    return {"file": files, "kind": "care_plan", "note": "", "submission_key": key}


def replace_form(key: str) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile("plan v2.pdf", pdf_bytes(b"V2"), content_type="application/pdf"),
            "submission_key": key}


@pytest.fixture
def owner(client):
    member = UserFactory()
    client.force_login(member)
    return member


def test_an_upload_sent_twice_is_one_document(client, owner, _documents):
    key = key_from(client, UPLOAD_URL)
    first = client.post(UPLOAD_URL, upload_form(key))
    second = client.post(UPLOAD_URL, upload_form(key))
    document = Document.objects.owned_by(owner).get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == document.get_absolute_url()
    assert len(stored_files(_documents)) == 1
    assert DocumentEvent.objects.filter(action="uploaded").count() == 1


def test_several_files_sent_twice_are_stored_once_each(client, owner, _documents):
    key = key_from(client, UPLOAD_URL)
    client.post(UPLOAD_URL, upload_form(key, "one.pdf", "two.pdf"))
    second = client.post(UPLOAD_URL, upload_form(key, "one.pdf", "two.pdf"))
    assert second.status_code == 302 and second["Location"] == reverse("accounts:document_list")
    assert Document.objects.owned_by(owner).count() == 2 and len(stored_files(_documents)) == 2


def test_a_new_version_sent_twice_is_one_version(client, owner, _documents):
    client.post(UPLOAD_URL, upload_form(key_from(client, UPLOAD_URL)))
    document = Document.objects.owned_by(owner).get()
    url = reverse("accounts:document_replace", args=[document.pk])
    key = key_from(client, url)
    first, second = client.post(url, replace_form(key)), client.post(url, replace_form(key))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == document.get_absolute_url()
    assert list(document.versions.values_list("number", flat=True)) == [2, 1]
    assert len(stored_files(_documents)) == 2


def test_each_time_the_form_is_opened_it_is_a_new_upload(client, owner, _documents):
    for _ in range(2):
        client.post(UPLOAD_URL, upload_form(key_from(client, UPLOAD_URL)))
    assert Document.objects.owned_by(owner).count() == 2


def test_another_members_key_is_not_theirs(client, owner, _documents):
    client.post(UPLOAD_URL, upload_form("a" * 32))
    other = UserFactory()
    client.force_login(other)
    response = client.post(UPLOAD_URL, upload_form("a" * 32))
    mine = Document.objects.owned_by(other).get()
    assert response["Location"] == mine.get_absolute_url() and Document.objects.count() == 2


def test_a_version_that_loses_the_race_leaves_no_encrypted_file(client, owner, _documents, monkeypatch):
    """Both requests looked for the key before either stored: the unique constraint decides, and
    the loser deletes the encrypted file it had already written."""
    client.post(UPLOAD_URL, upload_form(key_from(client, UPLOAD_URL)))
    document = Document.objects.owned_by(owner).get()
    url = reverse("accounts:document_replace", args=[document.pk])
    key = key_from(client, url)
    client.post(url, replace_form(key))
    lookup, misses = services._version_sent_before, []

    def too_early(document, submission_key):  # as if the winner had not committed yet
        if len(misses) < 2:
            misses.append(submission_key)
            return None
        return lookup(document, submission_key)

    monkeypatch.setattr(services, "version_sent_before", lambda **kwargs: None)  # the view's look-up
    monkeypatch.setattr(services, "_version_sent_before", too_early)
    response = client.post(url, replace_form(key))
    assert response.status_code == 302 and len(misses) == 2
    assert document.versions.count() == 2 and len(stored_files(_documents)) == 2


def test_a_document_that_loses_the_race_stores_nothing(client, owner, _documents, monkeypatch):
    key = key_from(client, UPLOAD_URL)
    client.post(UPLOAD_URL, upload_form(key))
    lookup, misses = services._document_sent_before, []

    def too_early(owner, submission_key):
        if len(misses) < 3:  # store_documents, then store_document before and after the lock
            misses.append(submission_key)
            return None
        return lookup(owner, submission_key)

    monkeypatch.setattr(services, "documents_sent_before", lambda **kwargs: [])  # the view's look-up
    monkeypatch.setattr(services, "_document_sent_before", too_early)
    response = client.post(UPLOAD_URL, upload_form(key))
    assert response.status_code == 302 and len(misses) == 3
    assert Document.objects.count() == 1 and len(stored_files(_documents)) == 1


# Two requests at once, on PostgreSQL with two real connections ------------------------------------

@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("trial", range(3))
def test_an_upload_sent_twice_at_once_is_one_document(monkeypatch, _documents, trial):
    member = UserFactory()
    key = f"{trial:032x}"
    responses = at_once(monkeypatch, services, "_identify",
                        [lambda c=c: c.post(UPLOAD_URL, upload_form(key)) for c in signed_in_clients(member)])
    document = Document.objects.get()
    assert [r.status_code for r in responses] == [302, 302]
    assert {r["Location"] for r in responses} == {document.get_absolute_url()}
    assert DocumentVersion.objects.count() == 1 and len(stored_files(_documents)) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("trial", range(3))
def test_a_new_version_sent_twice_at_once_is_one_version(monkeypatch, _documents, trial):
    member = UserFactory()
    first = Client()
    first.force_login(member)
    first.post(UPLOAD_URL, upload_form("c" * 32))
    document = Document.objects.get()
    url = reverse("accounts:document_replace", args=[document.pk])
    key = f"{trial:032x}"
    responses = at_once(monkeypatch, services, "_identify",
                        [lambda c=c: c.post(url, replace_form(key)) for c in signed_in_clients(member)])
    assert [r.status_code for r in responses] == [302, 302]
    assert list(document.versions.values_list("number", flat=True)) == [2, 1]
    assert len(stored_files(_documents)) == 2  # the loser left no encrypted file behind


def test_sent_again_without_the_file_lands_on_what_the_first_send_stored(client, owner, _documents):
    """Chromium's Reload after a lost answer sends the form again with the file empty (seen in a
    real browser): the member lands on the document, not on "The selected file is empty"."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    key = key_from(client, UPLOAD_URL)
    client.post(UPLOAD_URL, upload_form(key))
    empty = {**upload_form(key), "file": SimpleUploadedFile("care plan.pdf", b"", content_type="application/pdf")}
    response = client.post(UPLOAD_URL, empty)
    document = Document.objects.owned_by(owner).get()
    assert response.status_code == 302 and response["Location"] == document.get_absolute_url()
    url = reverse("accounts:document_replace", args=[document.pk])
    key = key_from(client, url)
    client.post(url, replace_form(key))
    response = client.post(url, {**replace_form(key), "file": SimpleUploadedFile("v2.pdf", b"")})
    assert response.status_code == 302 and document.versions.count() == 2
    assert len(stored_files(_documents)) == 2


def test_a_key_from_another_members_form_finds_nothing(client, owner, _documents):
    client.post(UPLOAD_URL, upload_form("b" * 32))
    client.force_login(UserFactory())
    empty = {"kind": "letter", "submission_key": "b" * 32}
    assert client.post(UPLOAD_URL, empty).status_code == 400
