"""The private document store end to end through the test client."""

import re
import uuid

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from accounts import crypto
from accounts.models import Document, DocumentEvent, DocumentVersion
from tests.accounts.fixtures import stored_files
from tests.accounts.helpers import SECRET, docx, pdf, pdf_bytes, png, upload
from tests.accounts.test_auth import without_tokens
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(client):
    member = UserFactory()
    client.force_login(member)
    return member


def upload_document(client, file=None, **fields):
    data = {"file": file or pdf(), "kind": "care_plan", "note": "From the ICB, March", **fields}
    return client.post(reverse("accounts:document_upload"), data)


def the_document(owner) -> Document:
    return Document.objects.owned_by(owner).get()


def download(client, url) -> tuple:
    response = client.get(url)
    return response, b"".join(response.streaming_content) if response.status_code == 200 else b""


def test_upload_list_detail_and_download(client, owner, _documents):
    response = upload_document(client)
    document = the_document(owner)
    assert response.status_code == 302 and response["Location"] == document.get_absolute_url()
    listing = client.get(reverse("accounts:document_list")).content.decode()
    assert "Mental health care plan" in listing and "Care and support plan" in listing
    detail = client.get(document.get_absolute_url()).content.decode()
    assert "From the ICB, March" in detail
    response, body = download(client, reverse("accounts:document_download", args=[document.pk]))
    assert body == pdf_bytes()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"Mental health care plan.pdf\"; "
        "filename*=UTF-8''Mental%20health%20care%20plan.pdf")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert len(stored_files(_documents)) == 1


def test_rename_retype_and_note(client, owner):
    upload_document(client)
    document = the_document(owner)
    response = client.post(reverse("accounts:document_edit", args=[document.pk]),
                           {"name": "Plan 2026", "kind": "letter", "note": "Updated"})
    assert response.status_code == 302
    html = client.get(document.get_absolute_url()).content.decode()
    assert "Plan 2026" in html and "Letter" in html and "Updated" in html
    response, _ = download(client, reverse("accounts:document_download", args=[document.pk]))
    assert "filename*=UTF-8''Plan%202026.pdf" in response["Content-Disposition"]


def test_details_form_errors_are_accessible(client, owner):
    upload_document(client)
    document = the_document(owner)
    response = client.post(reverse("accounts:document_edit", args=[document.pk]), {"name": " ", "kind": ""})
    html = response.content.decode()
    assert response.status_code == 400 and "<title>Error: " in html
    assert "Enter a name for the document" in html and "Select what kind of document this is" in html


def test_replace_keeps_earlier_versions_downloadable(client, owner, _documents):
    upload_document(client)
    document = the_document(owner)
    response = client.post(reverse("accounts:document_replace", args=[document.pk]),
                           {"file": pdf("plan v2.pdf", b"SECOND-VERSION")})
    assert response.status_code == 302
    assert document.versions.count() == 2
    _, latest = download(client, reverse("accounts:document_download", args=[document.pk]))
    response, first = download(client, reverse("accounts:version_download", args=[document.pk, 1]))
    assert b"SECOND-VERSION" in latest and SECRET in first
    assert "(version 1)" in response["Content-Disposition"]
    assert len(stored_files(_documents)) == 2


def test_delete_asks_first_then_erases_files_and_rows(client, owner, _documents,
                                                      django_capture_on_commit_callbacks):
    upload_document(client)
    document = the_document(owner)
    client.post(reverse("accounts:document_replace", args=[document.pk]), {"file": pdf("v2.pdf")})
    url = reverse("accounts:document_delete", args=[document.pk])
    confirm = client.get(url).content.decode()
    assert "cannot be undone" in confirm and "all 2 of its versions" in confirm
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert not Document.objects.filter(pk=document.pk).exists()
    assert not DocumentVersion.objects.exists()
    assert stored_files(_documents) == []
    assert DocumentEvent.objects.filter(owner=owner, action="deleted").count() == 1


def test_access_log_records_each_action_with_its_session(client, owner, django_capture_on_commit_callbacks):
    upload_document(client)
    document = the_document(owner)
    download(client, reverse("accounts:document_download", args=[document.pk]))
    client.post(reverse("accounts:document_replace", args=[document.pk]), {"file": pdf("v2.pdf")})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:document_delete", args=[document.pk]))
    actions = list(DocumentEvent.objects.filter(owner=owner).order_by("pk").values_list("action", flat=True))
    assert actions == ["uploaded", "downloaded", "replaced", "deleted"]
    assert all(event.sign_in_id for event in DocumentEvent.objects.all())
    html = client.get(reverse("accounts:document_activity")).content.decode()
    reference = DocumentEvent.objects.first().sign_in.reference
    assert reference in html and "(this session)" in html and "A deleted document" in html


def test_page_shows_space_used(client, owner, settings):
    upload_document(client)
    html = client.get(reverse("accounts:document_list")).content.decode()
    assert re.search(r"You are using <strong>\d+ bytes</strong> of your 500 MB", html)


# Refusals ----------------------------------------------------------------------------------------

ZIP_MACROS = None


@pytest.mark.parametrize("name,data,message", [
    ("letter.pdf", b"<!DOCTYPE html><html><body><script>alert(1)</script>", "a web page (HTML)"),
    ("chart.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>',
     "an SVG image"),
    ("notes.txt", b"<?xml version='1.0'?><svg><script>alert(1)</script></svg>", "an SVG image"),
    ("page.txt", b"<?xml version='1.0'?><page/>", "an XML or SVG file"),
    ("empty.pdf", b"", "The selected file is empty"),
    ("setup.pdf", b"MZ\x90\x00" + b"\0" * 100, "a program or script"),
    ("photo.pdf", png(), "it is a PNG image. Rename it to end in .png"),
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "older Office file"),
    ("bundle.zip", None, "an archive (zip)"),
    ("macro.docx", None, "contains macros"),
    ("bomb.docx", None, "zip bomb"),
    ("huge.png", png(60_000, 60_000), "too large in pixels"),
    ("data.csv", "Name,Amount\nSam,£12\n".encode("cp1252"), "save it with UTF-8 encoding"),
    ("timesheet.xlsm", None, "contains macros"),
    ("budget.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "save it as .docx, .xlsx, .odt or PDF"),
    ("tune.txt", b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 4, "which we do not accept"),
])
def test_forbidden_files_are_refused_with_a_reason_and_nothing_stored(client, owner, _documents, name, data,
                                                                      message):
    from tests.accounts import helpers

    if data is None:
        data = {
            "bundle.zip": lambda: helpers.office_zip("", {"a.txt": b"hello"}),
            "macro.docx": lambda: helpers.office_zip(helpers.DOCM_TYPES, {"word/vbaProject.bin": b"\0" * 10}),
            "bomb.docx": helpers.zip_bomb,
            "timesheet.xlsm": lambda: helpers.office_zip(
                '<Types><Override ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/></Types>',
                {"xl/workbook.xml": b"<workbook/>"}),
        }[name]()
    response = upload_document(client, upload(name, data))
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert "<title>Error: Upload a document" in html and 'href="#id_file"' in html
    assert not Document.objects.exists() and not DocumentVersion.objects.exists()
    assert stored_files(_documents) == []


def test_one_byte_over_the_limit_is_refused_before_it_is_stored(client, owner, settings, _documents):
    settings.DOCUMENT_MAX_BYTES = 1000
    data = pdf_bytes().ljust(1001, b" ")
    response = upload_document(client, upload("big.pdf", data))
    assert response.status_code == 413
    assert "The selected file is larger than 1000 bytes" in response.content.decode()
    assert not Document.objects.exists() and stored_files(_documents) == []
    assert upload_document(client, upload("fits.pdf", data[:1000])).status_code == 302


def test_upload_over_quota_is_refused_and_says_how_much_is_left(client, owner, settings, _documents):
    settings.DOCUMENT_QUOTA_BYTES = len(pdf_bytes()) + 10
    assert upload_document(client).status_code == 302
    response = upload_document(client, pdf("second.pdf"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "would take you over your" in html and "you have 10 bytes left" in html
    assert Document.objects.count() == 1 and len(stored_files(_documents)) == 1


def test_accepted_kinds_are_stored_with_the_checked_type(client, owner):
    cases = [("a.docx", docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
             ("b.png", png(), "image/png"), ("c.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 50, "image/jpeg"),
             ("d.csv", b"date,hours\n2026-01-05,7.5\n", "text/csv"), ("e.txt", "Notes £5 café".encode(), "text/plain"),
             ("f.heic", b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + b"\0" * 20, "image/heic")]
    for name, data, _content_type in cases:
        assert upload_document(client, upload(name, data)).status_code == 302, name
    assert sorted(DocumentVersion.objects.values_list("content_type", flat=True)) == sorted(c[2] for c in cases)


XLSX_TYPES = ('<Types><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
              'officedocument.spreadsheetml.sheet.main+xml"/></Types>')


def test_excel_workbooks_are_accepted(client, owner):
    from tests.accounts import helpers

    data = helpers.office_zip(XLSX_TYPES, {"xl/workbook.xml": b"<workbook/>"})
    assert upload_document(client, upload("Budget sheet.xlsx", data)).status_code == 302
    assert DocumentVersion.objects.get().content_type == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    html = client.get(reverse("accounts:document_upload")).content.decode()
    assert ".xlsx" in re.search(r'accept="([^"]+)"', html).group(1)


@pytest.mark.parametrize("name,data", [
    ("weight.txt", b"BMI 24.5 on 3 March, 24.1 on 3 April\n"),
    ("cars.csv", b"BMW,1 Series,mileage claim,42.10\n"),
    ("agency.csv", b"MZ Care Ltd,invoice 1042,12 hours,210.00\n"),
    ("notes.txt", b"#! remember to send the timesheet on Friday\n"),
])
def test_text_files_that_start_like_binaries_are_accepted(client, owner, name, data):
    assert upload_document(client, upload(name, data)).status_code == 302, name
    assert DocumentVersion.objects.get().content_type in {"text/plain", "text/csv"}


def test_hostile_file_names_are_cleaned(client, owner):
    response = upload_document(client, pdf("../../etc/\u202eevil\tname.pdf"))
    assert response.status_code == 302, re.findall(r'Error:</span>([^<]*)', response.content.decode())
    document = the_document(owner)
    response, _ = download(client, reverse("accounts:document_download", args=[document.pk]))
    header = response["Content-Disposition"]
    assert "\r" not in header and "\n" not in header and "/" not in header.split("filename*")[0]
    assert "\u202e" not in header and "%E2%80%AE" not in header


def test_upload_without_csrf_token_is_refused(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    response = client.post(reverse("accounts:document_upload"), {"file": pdf(), "kind": "other"})
    assert response.status_code == 403 and not Document.objects.exists()


# Nobody else gets in -----------------------------------------------------------------------------

def document_urls(document: Document) -> list[tuple[str, str]]:
    pk = document.pk
    return [("get", reverse("accounts:document_detail", args=[pk])),
            ("get", reverse("accounts:document_edit", args=[pk])),
            ("post", reverse("accounts:document_edit", args=[pk])),
            ("get", reverse("accounts:document_replace", args=[pk])),
            ("post", reverse("accounts:document_replace", args=[pk])),
            ("get", reverse("accounts:document_delete", args=[pk])),
            ("post", reverse("accounts:document_delete", args=[pk])),
            ("get", reverse("accounts:document_download", args=[pk])),
            ("get", reverse("accounts:version_download", args=[pk, 1]))]


@pytest.mark.parametrize("role", ["another member", "moderator", "staff"])
def test_every_document_url_is_404_for_anyone_but_the_owner(client, owner, role, moderator):
    upload_document(client)
    document = the_document(owner)
    visitor = {"another member": UserFactory, "moderator": lambda: moderator,
               "staff": lambda: UserFactory(is_staff=True, is_superuser=True)}[role]()
    if role == "staff":
        from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

        TOTP.activate(visitor, generate_totp_secret())
    other = Client()
    other.force_login(visitor)
    for method, url in document_urls(document):
        data = {"name": "stolen", "kind": "other", "file": pdf("x.pdf")} if method == "post" else None
        response = getattr(other, method)(url, data) if data else getattr(other, method)(url)
        assert response.status_code == 404, (method, url)
        # The same page as for an id that was never used: nothing confirms the document exists.
        missing = str(uuid.uuid4())
        baseline = other.get(url.replace(str(document.pk), missing)).content.replace(
            missing.encode(), str(document.pk).encode())
        assert without_tokens(response.content) == without_tokens(baseline), url
        assert SECRET not in response.content and b"Mental health" not in response.content
    document.refresh_from_db()
    assert document.versions.count() == 1 and crypto  # nothing changed
    listing = other.get(reverse("accounts:document_list")).content.decode()
    assert "Mental health" not in listing and str(document.pk) not in listing


def test_anonymous_visitors_are_sent_to_sign_in(client, owner):
    upload_document(client)
    document = the_document(owner)
    anonymous = Client()
    for _, url in document_urls(document):
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_admin_has_no_document_pages(client):
    from django.contrib import admin

    assert not admin.site.is_registered(Document) and not admin.site.is_registered(DocumentVersion)
    assert not admin.site.is_registered(DocumentEvent)
    assert all("document" not in str(pattern.pattern) for pattern in admin.site.get_urls())


def test_views_reach_documents_only_through_owned_by():
    """A static check: an unscoped Document query in a view or export would be a leak waiting to happen."""
    from pathlib import Path

    import accounts

    for module in ("views.py", "exports.py"):
        source = (Path(accounts.__file__).parent / module).read_text()
        for match in re.finditer(r"Document\.objects\.(\w+)", source):
            assert match.group(1) == "owned_by", f"{module}: Document.objects.{match.group(1)}"
        assert "DocumentVersion.objects" not in source.replace("DocumentVersion.objects.order_by", "")


# At rest -----------------------------------------------------------------------------------------

def test_neither_storage_nor_database_holds_the_plaintext_or_the_name(client, owner, _documents):
    name = "Mental health care plan"
    upload_document(client, pdf(f"{name}.pdf"), note="Diagnosis: MARKER-note-42")
    document = the_document(owner)
    client.post(reverse("accounts:document_edit", args=[document.pk]),
                {"name": "Psychiatric assessment", "kind": "letter", "note": "MARKER-note-42"})
    files = stored_files(_documents)
    assert len(files) == 1
    blob = files[0].read_bytes()
    assert name.encode() not in files[0].name.encode() and ".pdf" not in files[0].name
    for marker in (SECRET, name.encode(), b"Psychiatric", b"MARKER-note-42", b"%PDF"):
        assert marker not in blob
    dump = []
    for model in apps.get_models():
        for row in model._default_manager.all().values_list():
            dump.extend(bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
                        for value in row)
    dump = b"\n".join(dump)
    for marker in (SECRET, name.encode(), b"Psychiatric", b"MARKER-note-42", b"Mental"):
        assert marker not in dump
    assert b"ktest" in dump  # the key id is stored...
    assert crypto.load_keyring().keys["ktest"] not in dump  # ...never the key


def test_a_changed_byte_in_storage_is_detected(client, owner, _documents):
    upload_document(client)
    document = the_document(owner)
    path = stored_files(_documents)[0]
    data = bytearray(path.read_bytes())
    data[40] ^= 1
    path.write_bytes(bytes(data))
    response = client.get(reverse("accounts:document_download", args=[document.pk]))
    assert response.status_code == 500 and b"failed our integrity check" in response.content


def test_swapped_keys_between_documents_do_not_open(client, owner):
    upload_document(client)
    upload_document(client, pdf("other.pdf"))
    first, second = Document.objects.owned_by(owner).order_by("created_at")
    v1, v2 = first.versions.get(), second.versions.get()
    DocumentVersion.objects.filter(pk=v1.pk).update(wrapped_key=v2.wrapped_key)
    from accounts import services

    with pytest.raises(crypto.DecryptionFailed):
        services.open_version(document=first, version=DocumentVersion.objects.get(pk=v1.pk), owner=owner)


def test_without_a_master_key_documents_refuse_to_work(client, owner, settings, document_key):
    document_key.unlink()
    response = client.get(reverse("accounts:document_list"))
    assert response.status_code == 503 and b"unavailable" in response.content
    assert upload_document(client).status_code == 503
    assert not document_key.exists()  # never silently made
    assert not Document.objects.exists()


def test_list_queries_do_not_grow_with_documents(client, owner, django_assert_max_num_queries):
    """Guards the n+1 on versions."""
    for number in range(6):
        upload_document(client, pdf(f"doc {number}.pdf"))
    with django_assert_max_num_queries(6):
        assert client.get(reverse("accounts:document_list")).status_code == 200


@pytest.mark.parametrize("raw,clean", [
    ("../../x.pdf", "x.pdf"), ("C:\\Users\\me\\plan.pdf", "plan.pdf"), ("a\r\nb\x00c.pdf", "abc.pdf"),
    ("\u202egpj.exe.pdf", "gpj.exe.pdf"), ("x" * 300 + ".pdf", "x" * 146 + ".pdf"), ("  .hidden. ", "hidden"),
])
def test_clean_filename(raw, clean):
    from accounts.text import clean_filename

    assert clean_filename(raw) == clean
