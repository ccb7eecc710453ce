"""'Your data': everything we hold about a member, as one zip, streamed as it is built.

Other apps add their part through USER_DATA_EXPORTERS: dotted paths to `user_data(user) ->
dict[str, object]`, mapping a file name inside the zip to JSON-serialisable data (or a string,
written as it is, for a readable CSV). An app whose
exporter does not exist yet is skipped.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import zipfile
from collections.abc import Iterator
from html import escape

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts import crypto, services
from accounts.models import Document, DocumentEvent, SignIn, User
from accounts.text import clean_filename, describe_device, split_extension

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
                      "ip_address": sign_in.ip_address, "device": describe_device(sign_in.user_agent)}
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


def zip_member(path: str, uploaded_at) -> zipfile.ZipInfo:
    """A document's place in a zip, dated when it was uploaded (zipfile would date it 1 January 1980)."""
    member = zipfile.ZipInfo(path, date_time=timezone.localtime(uploaded_at).timetuple()[:6])
    member.compress_type = zipfile.ZIP_DEFLATED
    return member


class ZipSink:
    """A write-only file that hands what zipfile writes to a streamed response, piece by piece."""

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


def _csv(rows: list[dict]) -> str:
    """A table anyone can open in a spreadsheet: one column per key, nested values as JSON."""
    columns: list[str] = []
    for row in rows:
        columns.extend(key for key in row if key not in columns)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        writer.writerow({key: json.dumps(value, ensure_ascii=False, default=str)
                         if isinstance(value, (dict, list)) else value for key, value in row.items()})
    return out.getvalue()


def _tables(name: str, data) -> dict[str, str]:
    """Readable CSV copies of the lists of records in a JSON file (posts, edits, the access log)."""
    stem = name.removesuffix(".json")
    if isinstance(data, list) and data and all(isinstance(row, dict) for row in data):
        return {f"{stem}.csv": _csv(data)}
    if isinstance(data, dict):
        return {f"{stem}-{key}.csv": _csv(rows) for key, rows in data.items()
                if isinstance(rows, list) and rows and all(isinstance(row, dict) for row in rows)}
    return {}


def _index_page(files: list[str]) -> str:
    items = "\n".join(f'<li><a href="{escape(path)}">{escape(path)}</a></li>' for path in sorted(files))
    return (f"<!DOCTYPE html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>Your data from "
            f"{escape(settings.SITE_NAME)}</title></head><body>\n<h1>Your data from {escape(settings.SITE_NAME)}"
            f"</h1>\n<p>Downloaded on {timezone.localdate():%-d %B %Y}. The .csv files open in any spreadsheet; "
            "the .json files hold the same records for other programs. Your documents are in the documents "
            "folder under their own names, with earlier versions in documents/earlier versions.</p>\n"
            f"<ul>\n{items}\n</ul>\n</body></html>\n")


def stream_user_data(*, user: User, sign_in: SignIn | None = None) -> Iterator[bytes]:
    """Yield the zip. Documents are decrypted into it chunk by chunk; nothing is written to disk."""
    sink = ZipSink()
    keyring = crypto.load_keyring()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        written: list[str] = []

        def add_json(name: str, data) -> None:
            written.append(name)
            if isinstance(data, str):  # an app's readable file (a CSV) goes in as it is
                archive.writestr(name, data)
                return
            archive.writestr(name, json.dumps(data, indent=2, ensure_ascii=False, default=str))
            for table, text in _tables(name, data).items():
                written.append(table)
                archive.writestr(table, text)

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
                written.append(path)
                with archive.open(zip_member(path, version.uploaded_at), "w", force_zip64=True) as member:
                    for chunk in services.open_version(document=document, version=version, owner=user):
                        member.write(chunk)
                        yield sink.take()
            listing.append(entry)
            services.log_event(owner=user, document_id=document.pk, action=DocumentEvent.Action.EXPORTED,
                               sign_in=sign_in)
        add_json("documents.json", listing)
        events = DocumentEvent.objects.filter(owner=user).select_related("sign_in")
        names = {entry["id"]: entry["name"] for entry in listing}
        add_json("document-access-log.json", [
            {"at": _when(event.at), "document": names.get(str(event.document_id), "A deleted document"),
             "action": event.get_action_display(), "version": event.version,
             "session": event.sign_in.reference if event.sign_in else None}
            for event in events])
        archive.writestr("index.html", _index_page(written))
    yield sink.take()
