"""Key rotation that cannot lose a document, and a missing key that is never silently replaced."""

import io
import threading
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts import crypto, services
from accounts.management.commands import rotate_document_key
from accounts.models import Document, DocumentVersion
from tests.accounts.helpers import pdf, pdf_bytes
from tests.factories import UserFactory


def _readable(document: Document) -> bool:
    """Every key of the document opens under the key file as it is now."""
    assert services.read_details(document).name
    for version in document.versions.all():
        body = b"".join(services.open_version(document=document, version=version, owner=document.owner))
        assert body == pdf_bytes()
    return True


@pytest.mark.django_db
def test_upload_committed_after_the_first_pass_is_rewrapped_before_the_old_key_retires(monkeypatch):
    """The lost-document race, held at the worst moment: an upload that read the key file before the
    new key was added commits after the re-wrapping pass."""
    owner = UserFactory()
    services.store_document(owner=owner, upload=pdf("early.pdf"), kind="other")
    old_keyring = crypto.load_keyring()
    original_pass = rotate_document_key.Command._rewrap_all
    late: list[Document] = []

    def first_pass_then_a_late_upload(command, keyring):
        result = original_pass(command, keyring)
        if not late:
            with monkeypatch.context() as patch:  # this upload read the key file before rotation began
                patch.setattr(services.keys, "hold_keys_shared", lambda: old_keyring)
                late.append(services.store_document(owner=owner, upload=pdf("late.pdf"), kind="other"))
        return result

    monkeypatch.setattr(rotate_document_key.Command, "_rewrap_all", first_pass_then_a_late_upload)
    out = io.StringIO()
    call_command("rotate_document_key", stdout=out)
    assert "Final pass: 2 more file key(s)" in out.getvalue()  # the late document and its version
    keyring = crypto.load_keyring()
    assert "ktest" not in keyring.keys
    assert late[0].key_id == "ktest"  # it really was wrapped under the old key
    assert all(_readable(document) for document in Document.objects.all())
    assert Document.objects.count() == 2


@pytest.mark.django_db
def test_rotation_refuses_when_documents_need_a_key_that_is_not_loaded(document_key):
    services.store_document(owner=UserFactory(), upload=pdf(), kind="other")
    _, other = crypto.new_key_line()
    document_key.write_text(other + "\n")
    with pytest.raises(CommandError, match="not loaded"):
        call_command("rotate_document_key", stdout=io.StringIO())
    assert document_key.read_text() == other + "\n"  # nothing changed


@pytest.mark.django_db
def test_ensure_document_key_never_replaces_a_missing_key_while_documents_exist(document_key):
    services.store_document(owner=UserFactory(), upload=pdf(), kind="other")
    document_key.unlink()
    with pytest.raises(CommandError, match="Restore the key file"):
        call_command("ensure_document_key", stdout=io.StringIO())
    assert not document_key.exists()


@pytest.mark.django_db
def test_ensure_document_key_refuses_a_key_file_that_opens_none_of_the_documents(document_key):
    services.store_document(owner=UserFactory(), upload=pdf(), kind="other")
    _, other = crypto.new_key_line()
    document_key.write_text(other + "\n")
    with pytest.raises(CommandError, match="ktest"):
        call_command("ensure_document_key", stdout=io.StringIO())


@pytest.mark.django_db
def test_documents_under_a_missing_key_answer_503_not_500(client, document_key):
    owner = UserFactory()
    services.store_document(owner=owner, upload=pdf(), kind="other")
    _, other = crypto.new_key_line()
    document_key.write_text(other + "\n")  # a restore with the wrong key file
    client.force_login(owner)
    client.raise_request_exception = False
    response = client.get(reverse("accounts:document_list"))
    assert response.status_code == 503
    assert b"Your documents are unavailable" in response.content


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_rotations_during_200_concurrent_uploads_lose_nothing(monkeypatch):
    """Eight members upload 25 files each while the key is rotated again and again."""
    storage = services.document_storage()
    original_save = storage.save

    def slow_save(name, content, **kwargs):  # a slow disk widens the window between key and commit
        time.sleep(0.005)
        return original_save(name, content, **kwargs)

    monkeypatch.setattr(storage, "save", slow_save)
    owners = [UserFactory() for _ in range(8)]
    errors: list[BaseException] = []
    uploading = threading.Event()
    done = threading.Event()

    def upload_many(owner):
        try:
            uploading.set()
            for number in range(25):
                services.store_document(owner=owner, upload=pdf(f"plan {number}.pdf"), kind="other")
        except BaseException as error:  # noqa: BLE001 -- reported below
            errors.append(error)
        finally:
            connection.close()

    def rotate_repeatedly():
        try:
            uploading.wait()
            rotations = 0
            while not done.is_set() or rotations < 2:
                call_command("rotate_document_key", stdout=io.StringIO())
                rotations += 1
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=upload_many, args=(owner,)) for owner in owners]
    rotator = threading.Thread(target=rotate_repeatedly)
    rotator.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    done.set()
    rotator.join(timeout=120)
    assert errors == []
    keyring = crypto.load_keyring()
    assert len(keyring.keys) == 1
    assert Document.objects.count() == 200
    assert set(DocumentVersion.objects.values_list("key_id", flat=True)) == {keyring.current_id}
    lost = [document.pk for document in Document.objects.select_related("owner") if not _try(document)]
    assert lost == []
    page = Client()
    page.force_login(owners[0])
    assert page.get(reverse("accounts:document_list")).status_code == 200


def _try(document) -> bool:
    try:
        return _readable(document)
    except (crypto.KeyUnavailable, crypto.DecryptionFailed):
        return False
