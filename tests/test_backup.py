"""Backup and restore: a round trip keeps every row and document; without the key, documents refuse clearly."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accounts import crypto, services
from accounts.models import Document, DocumentVersion, User
from tests.accounts.fixtures import document_key, document_root  # noqa: F401
from tests.accounts.helpers import pdf, pdf_bytes
from tests.factories import UserFactory
from tests.forum.factories import start

pytestmark = pytest.mark.django_db(transaction=True)


def _site_with_data():
    owner = UserFactory(display_name="Sam Owner")
    document = services.store_document(owner=owner, upload=pdf("Care plan.pdf"), kind="other", note="June")
    services.replace_document(document=document, owner=owner, upload=pdf("Care plan v2.pdf"))
    topic = start(title="Backing up a care plan")
    return owner, document, topic


def _empty_the_install(document_root):  # noqa: F811
    call_command("flush", "--noinput", verbosity=0)
    for path in sorted(document_root.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()


def test_backup_and_restore_round_trip_keeps_every_row_and_document(tmp_path, document_key, document_root):  # noqa: F811
    owner, document, topic = _site_with_data()
    counts = {model: model.objects.count() for model in (User, Document, DocumentVersion, type(topic))}
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    assert crypto.load_keyring().keys["ktest"] not in archive.read_bytes()  # never the key
    _empty_the_install(document_root)
    assert not User.objects.exists()

    out = io.StringIO()
    call_command("restore", str(archive), stdout=out, stderr=out)
    assert "Restored the database and 2 document file(s)" in out.getvalue()
    assert {model: model.objects.count() for model in counts} == counts
    restored = Document.objects.get(pk=document.pk)
    assert services.read_details(restored).note == "June"
    for version in restored.versions.all():
        assert b"".join(services.open_version(document=restored, version=version, owner=restored.owner)) \
            == pdf_bytes()
    browser = Client()
    browser.force_login(User.objects.get(pk=owner.pk))
    assert browser.get(reverse("accounts:document_list")).status_code == 200
    assert browser.get(topic.get_absolute_url()).status_code == 200


def test_restore_without_the_key_refuses_documents_clearly_and_never_makes_a_key(
        tmp_path, document_key, document_root):  # noqa: F811
    owner, _, _ = _site_with_data()
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    _empty_the_install(document_root)
    document_key.unlink()  # a new machine without the key file

    err = io.StringIO()
    call_command("restore", str(archive), stdout=io.StringIO(), stderr=err)
    assert "need master key(s) ktest" in err.getvalue()
    with pytest.raises(CommandError, match="Restore the key file"):
        call_command("ensure_document_key", stdout=io.StringIO())
    assert not document_key.exists()
    browser = Client(raise_request_exception=False)
    browser.force_login(User.objects.get(pk=owner.pk))
    response = browser.get(reverse("accounts:document_list"))
    assert response.status_code == 503 and "unavailable" in response.text
    assert browser.get("/forum/").status_code == 200  # the rest of the site works


def test_restore_refuses_an_install_that_is_not_empty(tmp_path, document_key, document_root):  # noqa: F811
    _site_with_data()
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    with pytest.raises(CommandError, match="already has members"):
        call_command("restore", str(archive), stdout=io.StringIO())
