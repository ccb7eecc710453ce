from datetime import UTC, datetime, timedelta

from django.core.management.base import BaseCommand

from accounts.models import DocumentVersion
from accounts.services import document_storage
from accounts.uploads import TEMP_FILE_LIFETIME, sweep_upload_temp_dir


class Command(BaseCommand):
    help = ("Find stored document files with no database row (left by a crash or a failed delete) and "
            "delete them, and report rows whose file is missing. Files younger than --grace-minutes are "
            "left alone, as an upload may still be in progress. Also empties the private temporary "
            "upload folder of anything left there.")

    def add_arguments(self, parser):
        parser.add_argument("--grace-minutes", type=int, default=60)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, grace_minutes=60, dry_run=False, **options):
        storage = document_storage()
        known = set(DocumentVersion.objects.values_list("blob_name", flat=True))
        cutoff = datetime.now(UTC) - timedelta(minutes=grace_minutes)
        stored = set()
        orphans = 0
        for name in self._walk(storage, ""):
            stored.add(name)
            if name in known:
                continue
            if storage.get_modified_time(name) > cutoff:
                continue
            orphans += 1
            if not dry_run:
                storage.delete(name)
        missing = len(known - stored)
        action = "would delete" if dry_run else "deleted"
        self.stdout.write(f"{orphans} orphan file(s) {action}; {missing} row(s) whose file is missing.")
        if not dry_run:
            swept = sweep_upload_temp_dir(older_than=min(grace_minutes * 60, TEMP_FILE_LIFETIME))
            self.stdout.write(f"{swept} leftover temporary upload file(s) deleted.")
        if missing:
            self.stderr.write("Rows without files need a restore from backup: see docs/security.md.")

    def _walk(self, storage, prefix: str):
        directories, files = storage.listdir(prefix)
        for name in files:
            yield f"{prefix}{name}"
        for directory in directories:
            yield from self._walk(storage, f"{prefix}{directory}/")
