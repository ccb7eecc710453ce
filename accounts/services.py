"""Writes for accounts: the private document store, its access log, and erasing an account.

Every function takes the acting member and checks ownership itself, so a view that forgot to
scope its query still could not touch another member's document.
"""

from __future__ import annotations

import errno
import logging
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from importlib import import_module

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.http import Http404
from django.utils.module_loading import import_string

from accounts import crypto, filetypes, keys
from accounts.filetypes import RefusedFile
from accounts.models import Document, DocumentEvent, DocumentVersion, SignIn, User
from accounts.text import clean_filename, format_bytes, split_extension

logger = logging.getLogger(__name__)


NO_SPACE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
NO_SPACE_MESSAGE = ("The file could not be stored because our storage is full. Nothing was saved. "
                    "Please try again later.")


class QuotaExceeded(RefusedFile):
    """The upload would take the member over DOCUMENT_QUOTA_BYTES."""


def document_storage():
    """Private documents live in their own storage (STORAGES["documents"]), never in media."""
    return storages["documents"]


# Reading ------------------------------------------------------------------------------------------

def _metadata_aad(document: Document) -> bytes:
    return crypto.document_aad(document.id, document.owner_id, 0)


def _version_aad(document: Document, number: int) -> bytes:
    return crypto.document_aad(document.id, document.owner_id, number)


def _document_key(document: Document, keyring: crypto.Keyring | None = None) -> bytes:
    return crypto.unwrap_key(document.key_id, document.wrapped_key, aad=_metadata_aad(document),
                             keyring=keyring)


@dataclass(frozen=True)
class DocumentDetails:
    name: str
    note: str


def read_details(document: Document, keyring: crypto.Keyring | None = None) -> DocumentDetails:
    """The decrypted name and note. Only ever shown to the owner."""
    key = _document_key(document, keyring)
    aad = _metadata_aad(document)
    return DocumentDetails(name=crypto.decrypt_text(key, document.name_encrypted, aad=aad, field="name"),
                           note=crypto.decrypt_text(key, document.note_encrypted, aad=aad, field="note"))


def read_version_filename(version: DocumentVersion, document: Document,
                          keyring: crypto.Keyring | None = None) -> str:
    key = crypto.unwrap_key(version.key_id, version.wrapped_key, aad=_version_aad(document, version.number),
                            keyring=keyring)
    return crypto.decrypt_text(key, version.filename_encrypted, aad=_version_aad(document, version.number),
                               field="filename")


def download_filename(*, name: str, original: str, number: int | None = None) -> str:
    """The current name with the file's own extension; older versions say which they are."""
    _, extension = split_extension(original)
    stem = name[: -len(extension)] if extension and name.lower().endswith(extension) else name
    if number is not None:
        stem = f"{stem} (version {number})"
    return clean_filename(f"{stem}{extension}") or f"document{extension}"


def used_bytes(user: User) -> int:
    """Space taken by every version of every document the member holds."""
    total = DocumentVersion.objects.filter(document__owner=user).aggregate(total=Sum("size"))["total"]
    return total or 0


def open_version(*, document: Document, version: DocumentVersion, owner: User) -> Iterator[bytes]:
    """The decrypted file, chunk by chunk. The first chunk is checked before this returns.

    Raises Http404 for anyone but the owner, crypto.DecryptionFailed if the stored file or its key
    has been tampered with or swapped.
    """
    _check_owner(document, owner)
    if version.document_id != document.pk:
        raise Http404
    aad = _version_aad(document, version.number)
    key = crypto.unwrap_key(version.key_id, version.wrapped_key, aad=aad)
    stream = document_storage().open(version.blob_name, "rb")
    chunks = crypto.decrypt_chunks(stream, data_key=key, aad=aad)
    try:
        first = next(chunks)
    except BaseException:
        stream.close()
        raise

    def generate() -> Iterator[bytes]:
        try:
            yield first
            yield from chunks
        finally:
            stream.close()

    return generate()


# Writing ------------------------------------------------------------------------------------------

def _check_owner(document: Document, owner: User) -> None:
    if not owner.is_authenticated or document.owner_id != owner.pk:
        raise Http404


def _lock_owner(owner: User) -> None:
    """select_for_update: two uploads by one member at once must not both fit the quota."""
    User.objects.select_for_update().filter(pk=owner.pk).first()


def _check_size_and_quota(owner: User, size: int) -> None:
    if size > settings.DOCUMENT_MAX_BYTES:
        raise RefusedFile(f"The selected file is larger than {format_bytes(settings.DOCUMENT_MAX_BYTES)}. "
                          "Choose a smaller file, or split it into parts.", "too_large")
    used = used_bytes(owner)
    quota = settings.DOCUMENT_QUOTA_BYTES
    if used + size > quota:
        left = max(quota - used, 0)
        raise QuotaExceeded(
            f"Uploading this file would take you over your {format_bytes(quota)} of space: you have "
            f"{format_bytes(left)} left and the file is {format_bytes(size)}. Delete documents or old "
            "versions you no longer need, then try again.", "quota")


class _EncryptedFile(File):
    """Storage backends copy in DEFAULT_CHUNK_SIZE pieces: one encryption chunk at a time is fastest."""

    DEFAULT_CHUNK_SIZE = crypto.CHUNK_SIZE

    def chunks(self, chunk_size=None):
        # Whole encrypted chunks straight from the cipher, with no re-slicing into
        # DEFAULT_CHUNK_SIZE pieces (the ciphertext chunk is 16 bytes longer).
        yield from self.file.encrypted_chunks()


def _write_blob(upload, *, data_key: bytes, aad: bytes) -> str:
    """Encrypt the upload into storage under a random name; nothing is left behind on failure."""
    token = secrets.token_hex(16)
    name = f"{token[:2]}/{token}"
    reader = crypto.EncryptingReader(upload, data_key=data_key, aad=aad, size=upload.size)
    storage = document_storage()
    upload.seek(0)
    try:
        return storage.save(name, _EncryptedFile(reader, name=name))
    except BaseException as error:
        try:
            storage.delete(name)
        except Exception:
            logger.exception("could not remove a partly written document blob")
        if isinstance(error, OSError) and error.errno in NO_SPACE_ERRORS:
            logger.error("document storage is full: %s", error.strerror)
            raise RefusedFile(NO_SPACE_MESSAGE, "no_space") from error
        raise


def _add_version(*, document: Document, upload, kind: filetypes.FileKind, original: str, number: int,
                 keyring: crypto.Keyring, written: list[str], submission_key: str = "") -> DocumentVersion:
    data_key = crypto.new_data_key()
    aad = _version_aad(document, number)
    blob_name = _write_blob(upload, data_key=data_key, aad=aad)
    key_id, wrapped = crypto.wrap_key(data_key, aad=aad, keyring=keyring)
    written.append(blob_name)
    return DocumentVersion.objects.create(
        document=document, number=number, blob_name=blob_name, size=upload.size,
        content_type=kind.content_type, key_id=key_id, wrapped_key=wrapped, submission_key=submission_key,
        filename_encrypted=crypto.encrypt_text(data_key, original, aad=aad, field="filename"))


# The same form sent twice (a double click, or sending again after a slow answer) is stored once.
# The form's hidden key is looked up three times: before any work, again once the owner's row is
# locked (the first request may have committed while this one waited), and, should two requests
# still both get as far as inserting, the unique constraint decides inside a savepoint.

def _document_sent_before(owner: User, submission_key: str) -> Document | None:
    if not submission_key:
        return None
    return Document.objects.filter(owner=owner, submission_key=submission_key).first()


def _version_sent_before(document: Document, submission_key: str) -> DocumentVersion | None:
    if not submission_key:
        return None
    return DocumentVersion.objects.filter(document=document, submission_key=submission_key).first()


def documents_sent_before(*, owner: User, submission_key: str) -> list[Document]:
    """What this upload form already stored for its owner, when it is sent again. A browser sending
    a form again (Reload after a lost answer) may send the file empty: the view asks this first."""
    if not submission_key:
        return []
    return list(Document.objects.owned_by(owner).filter(
        Q(submission_key=submission_key) | Q(submission_key__startswith=f"{submission_key}-")))


def version_sent_before(*, document: Document, owner: User, submission_key: str) -> DocumentVersion | None:
    """The version this new-version form already stored, when it is sent again (as above)."""
    _check_owner(document, owner)
    return _version_sent_before(document, submission_key)


def _nth_key(submission_key: str, index: int) -> str:
    """One form can upload several files: each gets its own key from the form's."""
    return f"{submission_key}-{index}" if submission_key and index else submission_key


def log_event(*, owner: User, document_id: uuid.UUID, action: str, version: int | None = None,
              sign_in: SignIn | None = None) -> DocumentEvent:
    return DocumentEvent.objects.create(owner=owner, document_id=document_id, action=action, version=version,
                                        sign_in=sign_in)


def _discard_blobs(names: list[str]) -> None:
    storage = document_storage()
    for name in names:
        try:
            storage.delete(name)
        except Exception:  # its key is already gone, so what is left cannot be read
            logger.exception("could not delete a document blob; run reconcile_documents")


def _identify(upload) -> tuple[str, filetypes.FileKind]:
    original = clean_filename(upload.name or "") or "document"
    if upload.size > settings.DOCUMENT_MAX_BYTES:
        raise RefusedFile(f"The selected file is larger than {format_bytes(settings.DOCUMENT_MAX_BYTES)}. "
                          "Choose a smaller file, or split it into parts.", "too_large")
    return original, filetypes.identify(upload, name=original)


def store_documents(*, owner: User, uploads: list, kind: str, name: str = "", note: str = "",
                    document_date=None, sign_in: SignIn | None = None,
                    submission_key: str = "") -> list[Document]:
    """Check every file first, then keep each one. `name` is used only for a single file.

    Raises RefusedFile naming the file that was refused, with none of them stored. The same
    form sent again (submission_key) returns the documents it stored the first time.
    """
    if submission_key:
        earlier = [_document_sent_before(owner, _nth_key(submission_key, index)) for index in range(len(uploads))]
        if all(earlier):
            return earlier
    for upload in uploads:
        try:
            _identify(upload)
        except RefusedFile as refusal:
            if len(uploads) == 1:
                raise
            original = clean_filename(upload.name or "") or "A file"
            raise RefusedFile(f"“{original}”: {refusal.message} None of the files have been uploaded.",
                              refusal.code) from refusal
    if len(uploads) > 1:
        _check_size_and_quota(owner, sum(upload.size for upload in uploads))
    return [store_document(owner=owner, upload=upload, kind=kind, name=name if len(uploads) == 1 else "",
                           note=note, document_date=document_date, sign_in=sign_in,
                           submission_key=_nth_key(submission_key, index))
            for index, upload in enumerate(uploads)]


def store_document(*, owner: User, upload, kind: str, name: str = "", note: str = "",
                   document_date=None, sign_in: SignIn | None = None, submission_key: str = "") -> Document:
    """Check, encrypt and keep a new document for `owner`.

    Raises RefusedFile (wrong type, empty, too large, over quota) with nothing stored, and
    crypto.KeyUnavailable when no master key is configured. The same form sent again
    (submission_key) returns the document it stored the first time, and stores nothing.
    """
    existing = _document_sent_before(owner, submission_key)
    if existing is not None:
        return existing
    original, file_kind = _identify(upload)
    crypto.load_keyring()  # refuse before any work when no key is configured
    document = Document(id=uuid.uuid4(), owner=owner, kind=kind, document_date=document_date,
                        submission_key=submission_key)
    meta_key = crypto.new_data_key()
    aad = _metadata_aad(document)
    display = name or split_extension(original)[0] or original
    document.name_encrypted = crypto.encrypt_text(meta_key, display, aad=aad, field="name")
    document.note_encrypted = crypto.encrypt_text(meta_key, note, aad=aad, field="note")
    written: list[str] = []
    try:
        with transaction.atomic():
            _lock_owner(owner)
            existing = _document_sent_before(owner, submission_key)
            if existing is not None:
                return existing
            # Keys are wrapped under the master key current inside this transaction, so a rotation
            # running now cannot retire it before this row is visible to its final pass (accounts/keys.py).
            keyring = keys.hold_keys_shared()
            document.key_id, document.wrapped_key = crypto.wrap_key(meta_key, aad=aad, keyring=keyring)
            document.full_clean(exclude=["owner"])
            _check_size_and_quota(owner, upload.size)
            try:
                with transaction.atomic():  # the row before the file, so a loser has written nothing
                    document.save(force_insert=True)
            except IntegrityError:
                existing = _document_sent_before(owner, submission_key)
                if existing is None:
                    raise
                return existing
            _add_version(document=document, upload=upload, kind=file_kind, original=original, number=1,
                         keyring=keyring, written=written)
            log_event(owner=owner, document_id=document.id, action=DocumentEvent.Action.UPLOADED, version=1,
                      sign_in=sign_in)
    except BaseException:
        _discard_blobs(written)
        raise
    return document


def replace_document(*, document: Document, owner: User, upload,
                     sign_in: SignIn | None = None, submission_key: str = "") -> DocumentVersion:
    """Add a new version; earlier versions stay. Same refusals as store_document.

    The same form sent again (submission_key) returns the version it stored the first time.
    """
    _check_owner(document, owner)
    existing = _version_sent_before(document, submission_key)
    if existing is not None:
        return existing
    original, file_kind = _identify(upload)
    crypto.load_keyring()  # refuse before any work when no key is configured
    written: list[str] = []
    try:
        with transaction.atomic():
            _lock_owner(owner)
            existing = _version_sent_before(document, submission_key)
            if existing is not None:
                return existing
            keyring = keys.hold_keys_shared()
            _check_size_and_quota(owner, upload.size)
            latest = document.versions.order_by("-number").values_list("number", flat=True).first() or 0
            try:
                with transaction.atomic():
                    version = _add_version(document=document, upload=upload, kind=file_kind, original=original,
                                           number=latest + 1, keyring=keyring, written=written,
                                           submission_key=submission_key)
            except IntegrityError:
                existing = _version_sent_before(document, submission_key)
                if existing is None:
                    raise
                _discard_blobs(written)  # this request's encrypted file: no row points at it
                return existing
            document.save(update_fields=["updated_at"])
            log_event(owner=owner, document_id=document.id, action=DocumentEvent.Action.REPLACED,
                      version=version.number, sign_in=sign_in)
    except BaseException:
        _discard_blobs(written)
        raise
    return version


@transaction.atomic
def change_document(*, document: Document, owner: User, name: str, kind: str, note: str,
                    document_date=None, sign_in: SignIn | None = None) -> Document:
    """Rename, re-type, re-date or re-note a document; the name and note are encrypted again."""
    _check_owner(document, owner)
    # The row as it is now: a rotation may have re-wrapped its key since the page loaded.
    document = Document.objects.select_for_update().get(pk=document.pk)
    meta_key = _document_key(document, keys.hold_keys_shared())
    aad = _metadata_aad(document)
    document.kind = kind
    document.document_date = document_date
    document.name_encrypted = crypto.encrypt_text(meta_key, name, aad=aad, field="name")
    document.note_encrypted = crypto.encrypt_text(meta_key, note, aad=aad, field="note")
    document.full_clean(exclude=["owner"])
    document.save(update_fields=["kind", "name_encrypted", "note_encrypted", "updated_at"])
    log_event(owner=owner, document_id=document.id, action=DocumentEvent.Action.CHANGED, sign_in=sign_in)
    return document


def record_download(*, document: Document, owner: User, version: DocumentVersion,
                    sign_in: SignIn | None = None) -> None:
    _check_owner(document, owner)
    log_event(owner=owner, document_id=document.id, action=DocumentEvent.Action.DOWNLOADED,
              version=version.number, sign_in=sign_in)


@transaction.atomic
def delete_document(*, document: Document, owner: User, sign_in: SignIn | None = None) -> None:
    """Erase the document: its rows and keys now, its stored files as soon as this commits."""
    _check_owner(document, owner)
    blobs = list(document.versions.values_list("blob_name", flat=True))
    log_event(owner=owner, document_id=document.id, action=DocumentEvent.Action.DELETED, sign_in=sign_in)
    document.delete()
    transaction.on_commit(lambda: _discard_blobs(blobs))


# Signed-in devices --------------------------------------------------------------------------------

def signed_in_devices(user: User) -> list[SignIn]:
    """The member's sessions that are still signed in (ended ones have no session key)."""
    sign_ins = SignIn.objects.filter(user=user).exclude(session_key="")
    # Most recently used first (sign-ins from before "last used" was kept count from when they began).
    return sorted(sign_ins, key=lambda sign_in: sign_in.last_used_at or sign_in.started_at, reverse=True)


@transaction.atomic
def sign_out_other_devices(*, user: User, keep: SignIn | None) -> int:
    """End every session of the member but ``keep`` (the one asking). Returns how many ended."""
    others = SignIn.objects.select_for_update().filter(user=user).exclude(session_key="")
    if keep is not None:
        others = others.exclude(pk=keep.pk)
    keys = list(others.values_list("session_key", flat=True))
    others.update(session_key="")
    transaction.on_commit(lambda: _end_sessions(keys))
    return len(keys)


# Erasure ------------------------------------------------------------------------------------------

def _end_sessions(keys: list[str]) -> None:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in keys:
        store(session_key=key).delete()


@dataclass(frozen=True)
class Erasure:
    """What delete_account erased, so the member can be told."""

    documents: int
    versions: int
    sign_ins: int
    had_two_step: bool
    records: tuple[str, ...] = ()  # other apps' private records, in words (budget, PAs)


@transaction.atomic
def delete_account(*, user: User) -> Erasure:
    """Erase a member: documents and their keys, email addresses, authenticators, sessions.

    All rows go in one transaction (a failure erases nothing); the stored files and the other
    sessions go once it has committed. The User row stays, anonymised and inactive, so guide
    edits and forum posts that point at it are kept and shown as "deleted user".
    """
    _lock_owner(user)
    blobs = list(DocumentVersion.objects.filter(document__owner=user).values_list("blob_name", flat=True))
    erasure = Erasure(documents=Document.objects.filter(owner=user).count(), versions=len(blobs),
                      sign_ins=SignIn.objects.filter(user=user).count(),
                      had_two_step=Authenticator.objects.filter(user=user).exists())
    session_keys = [key for key in SignIn.objects.filter(user=user).values_list("session_key", flat=True)
                    if key]
    # Other apps' private records (budget, PAs), in this transaction; each says what it erased, if anything.
    records = tuple(filter(None, (import_string(path)(user=user)
                                  for path in getattr(settings, "USER_DATA_ERASERS", []))))
    erasure = replace(erasure, records=records)
    Document.objects.filter(owner=user).delete()
    DocumentEvent.objects.filter(owner=user).delete()
    SignIn.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.groups.clear()
    user.user_permissions.clear()
    user.email = f"deleted-{user.pk}@invalid"
    user.display_name = ""
    user.first_name = user.last_name = ""
    user.is_active = user.is_staff = user.is_superuser = False
    user.set_unusable_password()
    user.save()
    transaction.on_commit(lambda: _discard_blobs(blobs))
    transaction.on_commit(lambda: _end_sessions(session_keys))
    return erasure
