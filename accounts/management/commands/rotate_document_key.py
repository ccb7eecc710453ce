from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import crypto
from accounts.models import Document, DocumentVersion


class Command(BaseCommand):
    help = ("Rotate the document master key: add a new key, re-wrap every file key under it (file bodies "
            "are not touched), then retire the old keys. With DOCUMENT_MASTER_KEYS, put the new key first "
            "in the list yourself and run with --rewrap-only.")

    def add_arguments(self, parser):
        parser.add_argument("--rewrap-only", action="store_true",
                            help="Do not make a new key: re-wrap everything under the current (first) key.")
        parser.add_argument("--keep-old", action="store_true",
                            help="Keep the old keys in the key file after re-wrapping (to open old backups).")

    def handle(self, *args, rewrap_only=False, keep_old=False, **options):
        from_env = bool(crypto.os.environ.get("DOCUMENT_MASTER_KEYS")
                        or getattr(crypto.settings, "DOCUMENT_MASTER_KEYS", ""))
        keyring = crypto.load_keyring()
        path = crypto.key_file_path()
        if not rewrap_only:
            if from_env or path is None:
                raise CommandError("Keys come from DOCUMENT_MASTER_KEYS: add the new key at the front of the "
                                   "list, restart, then run this command with --rewrap-only.")
            new_id, new_line = crypto.new_key_line()
            old_lines = [f"{key_id}:{crypto.base64.b64encode(key).decode()}"
                         for key_id, key in keyring.keys.items()]
            crypto.write_key_file(path, [new_line, *old_lines])
            keyring = crypto.load_keyring()
            self.stdout.write(f"Added master key {new_id}.")
        rewrapped, total = self._rewrap_all(keyring)
        self.stdout.write(self.style.SUCCESS(
            f"{rewrapped} of {total} file keys re-wrapped under {keyring.current_id}; "
            "every key now uses it."))
        retired = [key_id for key_id in keyring.keys if key_id != keyring.current_id]
        if retired and not keep_old and not from_env:
            crypto.write_key_file(path, [
                f"{keyring.current_id}:{crypto.base64.b64encode(keyring.keys[keyring.current_id]).decode()}"])
            self.stdout.write(f"Retired {', '.join(retired)}. Keep the new key's offline copy up to date.")
        elif retired and from_env:
            self.stdout.write(f"You can now remove {', '.join(retired)} from DOCUMENT_MASTER_KEYS.")

    def _rewrap_all(self, keyring: crypto.Keyring) -> tuple[int, int]:
        rewrapped = total = 0
        for model, number in ((Document, lambda row: 0), (DocumentVersion, lambda row: row.number)):
            rows = model.objects.all() if model is Document else model.objects.select_related("document")
            for row in rows.iterator(chunk_size=500):
                total += 1
                if row.key_id == keyring.current_id:
                    continue
                document = row if model is Document else row.document
                aad = crypto.document_aad(document.id, document.owner_id, number(row))
                with transaction.atomic():
                    data_key = crypto.unwrap_key(row.key_id, row.wrapped_key, aad=aad, keyring=keyring)
                    row.key_id, row.wrapped_key = crypto.wrap_key(data_key, aad=aad, keyring=keyring)
                    model.objects.filter(pk=row.pk).update(key_id=row.key_id, wrapped_key=row.wrapped_key)
                rewrapped += 1
        return rewrapped, total
