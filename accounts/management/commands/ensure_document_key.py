from django.core.management.base import BaseCommand, CommandError

from accounts import crypto


class Command(BaseCommand):
    help = ("Create the document master key file (DOCUMENT_KEY_FILE) if there is none. The only thing "
            "that ever makes a key: the site itself refuses to work without one.")

    def handle(self, *args, **options):
        if crypto.os.environ.get("DOCUMENT_MASTER_KEYS") or getattr(
                crypto.settings, "DOCUMENT_MASTER_KEYS", ""):
            crypto.load_keyring()
            self.stdout.write("Document master keys come from DOCUMENT_MASTER_KEYS.")
            return
        path = crypto.key_file_path()
        if path is None:
            raise CommandError("Set DOCUMENT_KEY_FILE (a path outside the project) or DOCUMENT_MASTER_KEYS.")
        if path.exists():
            crypto.load_keyring()  # refuses a damaged file rather than replacing it
            self.stdout.write(f"Document master key file: {path}")
            return
        crypto._check_key_file_location(path)
        key_id, line = crypto.new_key_line()
        crypto.write_key_file(path, [line])
        self.stdout.write(self.style.WARNING(
            f"Created a document master key ({key_id}) in {path}. Keep an offline copy: documents cannot "
            "be opened without it."))
