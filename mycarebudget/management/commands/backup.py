import hashlib
import io
import json
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

FORMAT = 1
# Rebuilt by migrate, or not worth keeping: sessions, and sent mail (a body can hold a sign-in link).
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "django_tasks_database"]


class Command(BaseCommand):
    help = ("Write a consistent backup of the database and the encrypted document store to one .tar.gz file. "
            "It never contains the document master key: keep the key's offline copy apart from backups.")

    def add_arguments(self, parser):
        parser.add_argument("output", nargs="?", help="the file to write (default var/backups/<time>.tar.gz)")

    def handle(self, *args, output=None, **options):
        from accounts.keys import key_ids_in_use
        from accounts.models import DocumentVersion
        from accounts.services import document_storage

        path = Path(output or settings.BASE_DIR / "var" / "backups" /
                    f"mycarebudget-{timezone.now():%Y%m%d-%H%M%S}.tar.gz")
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tempfile.TemporaryDirectory() as work:
            dump = Path(work) / "database.json"
            # One snapshot for the rows and the list of files they need.
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                call_command("dumpdata", "--natural-foreign",  # ids kept: addresses name them
                             *[f"--exclude={label}" for label in EXCLUDED], output=str(dump), verbosity=0)
                blobs = list(DocumentVersion.objects.values_list("blob_name", flat=True))
                key_ids = sorted(key_ids_in_use())
            storage = document_storage()
            manifest = {"format": FORMAT, "created_at": timezone.now().isoformat(), "database": connection.vendor,
                        "master_key_ids_needed": key_ids, "documents": {}, "missing": []}
            with tarfile.open(path, "w:gz") as archive:
                archive.add(dump, "database.json")
                for name in blobs:
                    try:
                        with storage.open(name, "rb") as blob:
                            data = blob.read()
                    except FileNotFoundError:  # deleted since the snapshot: the row went with it
                        manifest["missing"].append(name)
                        continue
                    manifest["documents"][name] = hashlib.sha256(data).hexdigest()
                    info = tarfile.TarInfo(f"documents/{name}")
                    info.size = len(data)
                    archive.addfile(info, io.BytesIO(data))
                encoded = json.dumps(manifest, indent=1).encode()
                info = tarfile.TarInfo("manifest.json")
                info.size = len(encoded)
                archive.addfile(info, io.BytesIO(encoded))
        path.chmod(0o600)
        self.stdout.write(self.style.SUCCESS(
            f"Backup written to {path}: the database and {len(manifest['documents'])} encrypted document file(s). "
            f"It does not hold the master key; restoring documents needs key(s) {', '.join(key_ids) or '(none)'}."))


def read_manifest(archive: tarfile.TarFile) -> dict:
    return json.loads(archive.extractfile("manifest.json").read())

