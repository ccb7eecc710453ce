import hashlib
import tarfile
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from mycarebudget.management.commands.backup import FORMAT, read_manifest


class Command(BaseCommand):
    help = ("Restore a backup made by `manage.py backup` onto an empty install (migrated, with no members "
            "and no documents). It never makes a document key: put the key file back (DOCUMENT_KEY_FILE) "
            "to open the documents; until then document pages answer 'temporarily unavailable'.")

    def add_arguments(self, parser):
        parser.add_argument("archive")

    def handle(self, *args, archive, **options):
        from accounts import crypto, keys
        from accounts.models import Document, User
        from accounts.services import document_storage

        if User.objects.exists() or Document.objects.exists():
            raise CommandError("This install already has members or documents. Restore onto an empty install: "
                               "a new database, migrated, and an empty document folder.")
        storage = document_storage()
        with tarfile.open(archive, "r:gz") as backup, tempfile.TemporaryDirectory() as work:
            manifest = read_manifest(backup)
            if manifest.get("format") != FORMAT:
                raise CommandError(f"{archive} is not a backup this version can read")
            dump = Path(work) / "database.json"
            dump.write_bytes(backup.extractfile("database.json").read())
            with transaction.atomic():
                call_command("flush", "--noinput", verbosity=0)  # rows made by migrations come from the backup
                call_command("loaddata", str(dump), verbosity=0)
            for name, digest in manifest["documents"].items():
                data = backup.extractfile(f"documents/{name}").read()
                if hashlib.sha256(data).hexdigest() != digest:
                    raise CommandError(f"The document file {name} in the backup is damaged")
                if storage.exists(name):
                    storage.delete(name)
                saved = storage.save(name, _Bytes(data, name))
                if saved != name:
                    raise CommandError(f"Could not store {name} under its own name")
        self.stdout.write(self.style.SUCCESS(
            f"Restored the database and {len(manifest['documents'])} document file(s) from {archive}."))
        try:
            missing = keys.missing_key_ids(crypto.load_keyring())
        except crypto.KeyUnavailable:
            missing = keys.missing_key_ids()
        if missing:
            self.stderr.write(
                f"Documents need master key(s) {', '.join(sorted(missing))}, which are not loaded. Put the key "
                "file from your offline copy at DOCUMENT_KEY_FILE. No new key was made: it could not open them. "
                "Until then document pages answer 'temporarily unavailable' (503); everything else works.")


def _Bytes(data: bytes, name: str):
    from django.core.files.base import ContentFile

    return ContentFile(data, name=name)
