"""'Your data': everything we hold about a member, as one zip, streamed as it is built.

Other apps add their part through USER_DATA_EXPORTERS: dotted paths to `user_data(user) ->
dict[str, object]`, mapping a file name inside the zip to JSON-serialisable data (or a string,
written as it is, for a readable CSV). An app whose
exporter does not exist yet is skipped.
"""

from __future__ import annotations

import json
import logging
import zipfile
from collections.abc import Iterator

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts import crypto, services
from accounts.models import Document, DocumentEvent, SignIn, User
from accounts.text import clean_filename, split_extension

logger = logging.getLogger(__name__)


def export_filename() -> str:
    return f"mycarebudget-your-data-{timezone.localdate().isoformat()}.zip"


def _when(value) -> str | None:
    return value.isoformat() if value else None


def profile_data(user: User) -> dict:
    return {
        "email": user.email,
        "display_name": user.display_name,
        "joined_at": _when(user.date_joined),
        "last_signed_in_at": _when(user.last_login),
        "email_addresses": [{"email": address.email, "verified": address.verified, "primary": address.primary}
                            for address in EmailAddress.objects.filter(user=user)],
        "two_step_verification": [{"type": authenticator.type, "added_at": _when(authenticator.created_at),
                                   "last_used_at": _when(authenticator.last_used_at)}
                                  for authenticator in Authenticator.objects.filter(user=user)],
        "moderator": user.groups.filter(name="Moderators").exists(),
        "sign_ins": [{"session": sign_in.reference, "started_at": _when(sign_in.started_at),
                      "ip_address": sign_in.ip_address, "browser": sign_in.user_agent}
                     for sign_in in SignIn.objects.filter(user=user)],
    }


def other_apps_data(user: User) -> dict[str, object]:
    files: dict[str, object] = {}
    for path in getattr(settings, "USER_DATA_EXPORTERS", []):
        try:
            exporter = import_string(path)
        except ImportError:
            continue  # that app has no exporter yet
        files.update(exporter(user))
    return files


class _Sink:
    """A write-only file that hands what zipfile writes to the response, piece by piece."""

    def __init__(self):
        self.parts: list[bytes] = []

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def _unique(path: str, used: set[str]) -> str:
    stem, extension = split_extension(path)
    candidate, counter = path, 2
    while candidate.lower() in used:
        candidate = f"{stem} ({counter}){extension}"
        counter += 1
    used.add(candidate.lower())
    return candidate


def stream_user_data(*, user: User, sign_in: SignIn | None = None) -> Iterator[bytes]:
    """Yield the zip. Documents are decrypted into it chunk by chunk; nothing is written to disk."""
    sink = _Sink()
    keyring = crypto.load_keyring()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        def add_json(name: str, data) -> None:
            if isinstance(data, str):  # an app's readable file (a CSV) goes in as it is
                archive.writestr(name, data)
                return
            archive.writestr(name, json.dumps(data, indent=2, ensure_ascii=False, default=str))

        add_json("profile.json", profile_data(user))
        yield sink.take()
        for name, data in other_apps_data(user).items():
            add_json(name, data)
            yield sink.take()

        listing = []
        used: set[str] = set()
        documents = Document.objects.owned_by(user).prefetch_related("versions").order_by("created_at")
        for document in documents:
            details = services.read_details(document, keyring)
            versions = sorted(document.versions.all(), key=lambda version: version.number)
            entry = {"id": str(document.pk), "name": details.name, "type": document.get_kind_display(),
                     "note": details.note, "created_at": _when(document.created_at), "versions": []}
            for version in versions:
                original = services.read_version_filename(version, document, keyring)
                latest = version is versions[-1]
                filename = services.download_filename(name=details.name, original=original,
                                                      number=None if latest else version.number)
                folder = "documents" if latest else "documents/earlier versions"
                path = _unique(f"{folder}/{clean_filename(filename) or 'document'}", used)
                entry["versions"].append({"number": version.number, "file": path, "original_name": original,
                                          "size_bytes": version.size, "type": version.content_type,
                                          "uploaded_at": _when(version.uploaded_at)})
                with archive.open(path, "w", force_zip64=True) as member:
                    for chunk in services.open_version(document=document, version=version, owner=user):
                        member.write(chunk)
                        yield sink.take()
            listing.append(entry)
            services.log_event(owner=user, document_id=document.pk, action=DocumentEvent.Action.EXPORTED,
                               sign_in=sign_in)
        add_json("documents.json", listing)
        events = DocumentEvent.objects.filter(owner=user).select_related("sign_in")
        add_json("document-access-log.json", [
            {"at": _when(event.at), "document": str(event.document_id), "action": event.get_action_display(),
             "version": event.version, "session": event.sign_in.reference if event.sign_in else None}
            for event in events])
    yield sink.take()
