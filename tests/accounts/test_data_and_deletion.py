"""'Your data' export and account deletion."""

import io
import json
import re
import zipfile

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts.models import Document, DocumentEvent, DocumentVersion, SignIn, User
from tests.accounts.fixtures import stored_files
from tests.accounts.helpers import SECRET, pdf, pdf_bytes
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client):
    user = UserFactory(display_name="Jo")
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    return user


def reauthenticate(client):
    assert client.post(reverse("account_reauthenticate"), {"password": PASSWORD}).status_code == 302


def add_document(client, name="Care plan.pdf", marker=SECRET):
    client.post(reverse("accounts:document_upload"), {"file": pdf(name, marker), "kind": "care_plan",
                                                      "note": "secret note"})
    return Document.objects.latest("created_at")


def test_data_download_needs_the_password_again_then_streams_everything(client, member, settings):
    settings.USER_DATA_EXPORTERS = ["tests.accounts.test_data_and_deletion.sample_exporter",
                                    "no_such_app.exports.user_data"]
    document = add_document(client)
    client.post(reverse("accounts:document_replace", args=[document.pk]), {"file": pdf("v2.pdf", b"NEWER")})
    add_document(client, "Care plan.pdf", b"SAME-NAME")
    assert client.get(reverse("accounts:data_download"))["Location"] == reverse("accounts:data")
    response = client.post(reverse("accounts:data"), {"password": "not my password"})
    assert response.status_code == 400 and "The password is not right" in response.content.decode()
    response = client.post(reverse("accounts:data"), {"password": PASSWORD})
    assert response["Location"] == reverse("accounts:data_ready")
    ready = client.get(response["Location"]).content.decode()
    assert "Your data download has started" in ready
    download_url = re.search(r'href="(/account/data/download/\?token=[^"]+)"', ready).group(1)
    assert f'http-equiv="refresh" content="1;url={download_url}"' in ready
    assert client.get(reverse("accounts:data_download") + "?token=guess")["Location"] == reverse("accounts:data")
    response = client.get(download_url.replace("&amp;", "&"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "attachment;" in response["Content-Disposition"] and "no-store" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = set(archive.namelist())
    profile = json.loads(archive.read("profile.json"))
    assert profile["email"] == member.email and profile["display_name"] == "Jo"
    assert json.loads(archive.read("sample/data.json")) == {"owner": member.pk}
    assert archive.read("documents/Care plan.pdf") in (pdf_bytes(b"NEWER"), pdf_bytes(b"SAME-NAME"))
    assert {"documents/Care plan.pdf", "documents/Care plan (2).pdf",
            "documents/earlier versions/Care plan (version 1).pdf"} <= names
    assert archive.read("documents/earlier versions/Care plan (version 1).pdf") == pdf_bytes()
    # Dated when uploaded (not zipfile's 1 January 1980), and compressed like the rest.
    member = archive.getinfo("documents/Care plan.pdf")
    assert member.date_time[0] >= 2026 and member.compress_type == zipfile.ZIP_DEFLATED
    listing = json.loads(archive.read("documents.json"))
    assert {entry["note"] for entry in listing} == {"secret note"}
    log = json.loads(archive.read("document-access-log.json"))
    assert {entry["action"] for entry in log} >= {"Uploaded", "New version uploaded"}
    assert {entry["document"] for entry in log} == {"Care plan"}  # by name, not by id
    assert "Care plan" in archive.read("document-access-log.csv").decode()
    index = archive.read("index.html").decode()
    assert 'href="documents/Care plan.pdf"' in index and "document-access-log.csv" in index


def sample_exporter(user):
    return {"sample/data.json": {"owner": user.pk}}


def test_export_contains_only_the_members_own_documents(client, member):
    add_document(client)
    other = Client()
    other_user = UserFactory()
    other.force_login(other_user)
    other.post(reverse("accounts:document_upload"), {"file": pdf("Theirs.pdf", b"THEIRS"), "kind": "other"})
    from accounts.exports import stream_user_data

    data = b"".join(stream_user_data(user=member))
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert "documents/Care plan.pdf" in names and not any("Theirs" in name for name in names)


def test_another_sessions_download_link_does_not_work(client, member):
    client.post(reverse("accounts:data"), {"password": PASSWORD})
    link = re.search(r'href="(/account/data/download/\?token=[^"]+)"',
                     client.get(reverse("accounts:data_ready")).content.decode()).group(1)
    other = Client()
    other.force_login(member)
    assert other.get(link)["Location"] == reverse("accounts:data")


def test_delete_page_explains_what_happens(client, member):
    add_document(client)
    html = client.get(reverse("accounts:delete")).content.decode()
    assert "erased from our storage" in html and "“deleted user”" in html and "download your data" in html


def test_delete_needs_the_password(client, member):
    response = client.post(reverse("accounts:delete"), {"confirm": "on"})
    assert response.status_code == 400
    assert "Enter your password to delete your account" in response.content.decode()
    assert User.objects.get(pk=member.pk).is_active


def test_delete_refuses_a_wrong_password(client, member):
    response = client.post(reverse("accounts:delete"), {"confirm": "on", "password": "not my password"})
    assert response.status_code == 400 and "The password is not right" in response.content.decode()
    assert User.objects.get(pk=member.pk).is_active


def test_delete_needs_the_box_ticked_and_says_so_on_the_same_page(client, member):
    response = client.post(reverse("accounts:delete"), {"password": PASSWORD})
    html = response.content.decode()
    assert response.status_code == 400 and "Tick the box to confirm" in html
    assert '<form method="post" novalidate>' in html  # posts back to /account/delete/, not elsewhere
    assert '<a href="#id_confirm">' in html
    assert User.objects.get(pk=member.pk).is_active


def test_delete_in_the_other_order_works(client, member):
    """Password first without the box, then the box: both on the same page, no detour."""
    client.post(reverse("accounts:delete"), {"password": PASSWORD})
    response = client.post(reverse("accounts:delete"), {"confirm": "on", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:deleted")
    assert not User.objects.get(pk=member.pk).is_active


def test_a_failed_deletion_erases_nothing_and_says_so(client, member, monkeypatch, _documents):
    """The last write fails after every delete has run: the transaction puts them all back."""
    from django.db import DatabaseError

    add_document(client)

    def fail(self):
        raise DatabaseError("disk full")

    monkeypatch.setattr(User, "set_unusable_password", fail)
    response = client.post(reverse("accounts:delete"), {"confirm": "on", "password": PASSWORD})
    assert response.status_code == 400
    assert "nothing has been erased" in response.content.decode()
    assert User.objects.get(pk=member.pk).is_active and Document.objects.count() == 1
    assert len(stored_files(_documents)) == 1


def test_the_deleted_page_is_only_for_the_browser_that_deleted(client, member):
    assert client.get(reverse("accounts:deleted"))["Location"] == reverse("home")
    assert Client().get(reverse("accounts:deleted"))["Location"] == reverse("home")


def test_deleting_the_account_erases_documents_keys_and_sessions_at_once(
        client, member, _documents, django_capture_on_commit_callbacks):
    document = add_document(client)
    add_document(client, "Timesheet.pdf")
    client.post(reverse("accounts:document_replace", args=[document.pk]), {"file": pdf("v2.pdf")})
    TOTP.activate(member, generate_totp_secret())
    second_browser = Client()
    second_browser.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    assert len(stored_files(_documents)) == 3 and Session.objects.count() >= 2
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:delete"), {"confirm": "on", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:deleted")
    html = client.get(response["Location"]).content.decode()
    assert "Your account has been deleted" in html and "You have been signed out" in html
    assert "Your 2 documents (3 files in all" in html and "two-step verification" in html
    assert client.get(reverse("accounts:home")).status_code == 302  # signed out
    assert stored_files(_documents) == []
    assert not Document.objects.exists() and not DocumentVersion.objects.exists()
    assert not DocumentEvent.objects.exists() and not SignIn.objects.filter(user=member).exists()
    assert not EmailAddress.objects.filter(user=member).exists()
    assert not Authenticator.objects.filter(user=member).exists()
    assert not [session for session in Session.objects.all()
                if session.get_decoded().get("_auth_user_id") == str(member.pk)]
    user = User.objects.get(pk=member.pk)  # kept, so public posts still point somewhere
    assert user.email == f"deleted-{member.pk}@invalid" and user.display_name == ""
    assert not user.is_active and not user.has_usable_password()
    assert user.public_name == "deleted user"
    assert second_browser.get(reverse("accounts:home")).status_code == 302
    assert client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD}).status_code == 200
