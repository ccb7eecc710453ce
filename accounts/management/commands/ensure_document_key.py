from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from accounts import crypto, keys
from accounts.uploads import sweep_upload_temp_dir


class Command(BaseCommand):
    help = ("Create the document master key file (DOCUMENT_KEY_FILE) on a new install, and check that every "
            "master key the stored documents need is loaded. It never makes a key while documents exist: "
            "after a restore, put the key file back instead (a new key would open none of them). Also empties "
            "the private temporary upload folder of leftovers.")

    def handle(self, *args, **options):
        swept = sweep_upload_temp_dir()  # run at every start-up (make run, make serve)
        if swept:
            self.stdout.write(f"Deleted {swept} leftover temporary upload file(s).")
        if crypto.os.environ.get("DOCUMENT_MASTER_KEYS") or getattr(
                crypto.settings, "DOCUMENT_MASTER_KEYS", ""):
            self._check_needed(crypto.load_keyring())
            self.stdout.write("Document master keys come from DOCUMENT_MASTER_KEYS.")
            return
        path = crypto.key_file_path()
        if path is None:
            raise CommandError("Set DOCUMENT_KEY_FILE (a path outside the project) or DOCUMENT_MASTER_KEYS.")
        if path.exists():
            self._check_needed(crypto.load_keyring())  # refuses a damaged file rather than replacing it
            self.stdout.write(f"Document master key file: {path}")
            return
        crypto._check_key_file_location(path)
        needed = self._needed(None)
        if needed:
            raise CommandError(
                f"The master key file {path} is missing, and stored documents need master key(s) "
                f"{', '.join(sorted(needed))}. Restore the key file from your offline copy. No new key was made: "
                "it could not open them. Documents answer 'temporarily unavailable' until then.")
        key_id, line = crypto.new_key_line()
        crypto.write_key_file(path, [line])
        self.stdout.write(self.style.WARNING(
            f"Created a document master key ({key_id}) in {path}. Keep an offline copy: documents cannot "
            "be opened without it."))

    def _needed(self, keyring):
        try:
            return keys.missing_key_ids(keyring)
        except DatabaseError as error:  # not migrated yet: nothing stored either
            raise CommandError(f"Cannot read the database to check stored documents: {error}") from error

    def _check_needed(self, keyring):
        missing = self._needed(keyring)
        if missing:
            raise CommandError(
                f"Stored documents need master key(s) {', '.join(sorted(missing))}, which the configured key "
                "file does not hold. Restore the right key file; documents answer 'temporarily unavailable' "
                "until then.")
