"""The master key: loading, refusing, creating only on request, and rotation without touching bodies."""

import io
import os

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts import crypto, services
from accounts.models import Document, DocumentVersion
from tests.accounts.fixtures import TEST_KEY, stored_files
from tests.accounts.helpers import pdf, pdf_bytes
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_chunked_encryption_round_trips_and_detects_truncation():
    key = crypto.new_data_key()
    aad = b"context"
    for size in (1, 5, 16, 17, 48):
        data = os.urandom(size)
        reader = crypto.EncryptingReader(io.BytesIO(data), data_key=key, aad=aad, size=size, chunk_size=16)
        blob = reader.read()
        assert len(blob) == reader.size == crypto.encrypted_size(size, 16)
        assert b"".join(crypto.decrypt_chunks(io.BytesIO(blob), data_key=key, aad=aad)) == data
        if size > 16:  # drop the last chunk: the new last one is not marked last
            cut = blob[:crypto.HEADER_SIZE + 32]
            with pytest.raises(crypto.DecryptionFailed):
                b"".join(crypto.decrypt_chunks(io.BytesIO(cut), data_key=key, aad=aad))
        with pytest.raises(crypto.DecryptionFailed):
            b"".join(crypto.decrypt_chunks(io.BytesIO(blob), data_key=key, aad=b"other document"))


def test_key_file_inside_document_storage_is_refused(settings, _documents):
    inside = _documents / "master.key"
    inside.write_text(f"k1:{TEST_KEY}\n")
    settings.DOCUMENT_KEY_FILE = str(inside)
    with pytest.raises(crypto.KeyUnavailable):
        crypto.load_keyring()


def test_environment_keys_win_over_the_file(monkeypatch):
    monkeypatch.setenv("DOCUMENT_MASTER_KEYS", f"envkey:{TEST_KEY}, old:AAAA")
    with pytest.raises(crypto.KeyUnavailable):  # the second is not 32 bytes
        crypto.load_keyring()
    monkeypatch.setenv("DOCUMENT_MASTER_KEYS", f"envkey:{TEST_KEY}")
    assert crypto.load_keyring().current_id == "envkey"


def test_ensure_document_key_creates_a_private_key_once(settings, tmp_path):
    path = tmp_path / "elsewhere" / "document.key"
    settings.DOCUMENT_KEY_FILE = str(path)
    call_command("ensure_document_key", stdout=io.StringIO())
    first = path.read_text()
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    call_command("ensure_document_key", stdout=io.StringIO())
    assert path.read_text() == first
    assert crypto.load_keyring().current_id


def test_rotation_rewraps_every_key_and_leaves_bodies_alone(client, document_key, _documents):
    owner = UserFactory()
    client.force_login(owner)
    for name in ("one.pdf", "two.pdf"):
        client.post(reverse("accounts:document_upload"), {"file": pdf(name), "kind": "other"})
    document = Document.objects.first()
    client.post(reverse("accounts:document_replace", args=[document.pk]), {"file": pdf("three.pdf")})
    bodies = {path: path.read_bytes() for path in stored_files(_documents)}
    out = io.StringIO()
    call_command("rotate_document_key", stdout=out)
    assert "5 of 5 file keys re-wrapped" in out.getvalue()
    keyring = crypto.load_keyring()
    assert list(keyring.keys) == [keyring.current_id] and "ktest" not in keyring.keys  # old key retired
    assert set(Document.objects.values_list("key_id", flat=True)) == {keyring.current_id}
    assert set(DocumentVersion.objects.values_list("key_id", flat=True)) == {keyring.current_id}
    assert {path: path.read_bytes() for path in stored_files(_documents)} == bodies
    for document in Document.objects.all():
        assert services.read_details(document).name
        for version in document.versions.all():
            assert b"".join(services.open_version(document=document, version=version, owner=document.owner)) \
                == pdf_bytes()


def test_rotation_with_environment_keys_rewraps_to_the_first(client, monkeypatch, _documents):
    owner = UserFactory()
    client.force_login(owner)
    client.post(reverse("accounts:document_upload"), {"file": pdf(), "kind": "other"})
    new_id, new_line = crypto.new_key_line()
    monkeypatch.setenv("DOCUMENT_MASTER_KEYS", f"{new_line},ktest:{TEST_KEY}")
    out = io.StringIO()
    call_command("rotate_document_key", "--rewrap-only", stdout=out)
    assert "2 of 2 file keys re-wrapped" in out.getvalue()
    monkeypatch.setenv("DOCUMENT_MASTER_KEYS", new_line)
    document = Document.objects.get()
    assert services.read_details(document).name == "Mental health care plan"


def test_reconcile_removes_orphan_files_only(client, _documents):
    owner = UserFactory()
    client.force_login(owner)
    client.post(reverse("accounts:document_upload"), {"file": pdf(), "kind": "other"})
    orphan = _documents / "ab" / "orphan"
    orphan.parent.mkdir(exist_ok=True)
    orphan.write_bytes(b"left by a crash")
    out = io.StringIO()
    call_command("reconcile_documents", "--grace-minutes", "0", stdout=out)
    assert "1 orphan file(s) deleted; 0 row(s)" in out.getvalue()
    assert not orphan.exists() and len(stored_files(_documents)) == 1
