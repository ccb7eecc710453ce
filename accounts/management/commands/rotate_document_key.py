from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import crypto, keys
from accounts.models import Document, DocumentVersion

FINAL_PASSES = 20


class Command(BaseCommand):
    help = ("Rotate the document master key while the site is live: add a new key (new uploads use it "
            "at once), re-wrap every file key under it (file bodies are not touched), then retire the old "
            "keys only after a final pass, which waits for uploads in flight, finds nothing left under "
            "them. With DOCUMENT_MASTER_KEYS, put the new key first in the list yourself, restart, and "
            "run with --rewrap-only.")

    def add_arguments(self, parser):
        parser.add_argument("--rewrap-only", action="store_true",
                            help="Do not make a new key: re-wrap everything under the current (first) key.")
        parser.add_argument("--keep-old", action="store_true",
                            help="Keep the old keys in the key file after re-wrapping (to open old backups).")

    def handle(self, *args, rewrap_only=False, keep_old=False, **options):
        from_env = bool(crypto.os.environ.get("DOCUMENT_MASTER_KEYS")
                        or getattr(crypto.settings, "DOCUMENT_MASTER_KEYS", ""))
        keyring = crypto.load_keyring()
        missing = keys.missing_key_ids(keyring)
        if missing:
            raise CommandError(f"Documents use master keys that are not loaded ({', '.join(sorted(missing))}). "
                               "Put them back in the key file first: rotating now would leave those documents "
                               "unreadable for good.")
        path = crypto.key_file_path()
        if not rewrap_only:
            if from_env or path is None:
                raise CommandError("Keys come from DOCUMENT_MASTER_KEYS: add the new key at the front of the "
                                   "list, restart, then run this command with --rewrap-only.")
            new_id, new_line = crypto.new_key_line()
            crypto.write_key_file(path, [new_line, *_lines(keyring, keyring.keys)])
            keyring = crypto.load_keyring()
            self.stdout.write(f"Added master key {new_id}: new uploads use it from now on.")
        rewrapped, total = self._rewrap_all(keyring)
        self.stdout.write(f"{rewrapped} of {total} file keys re-wrapped under {keyring.current_id}.")
        old = [key_id for key_id in keyring.keys if key_id != keyring.current_id]
        retire = bool(old) and not keep_old and not from_env
        late = self._final_pass(keyring, retire=retire)
        self.stdout.write(self.style.SUCCESS(
            f"Final pass: {late} more file key(s), stored during the rotation, re-wrapped; every file key "
            f"now uses {keyring.current_id}."))
        if retire:
            self.stdout.write(f"Retired {', '.join(old)}. Update the offline copy of the key file now.")
        elif old and from_env:
            self.stdout.write(f"You can now remove {', '.join(old)} from DOCUMENT_MASTER_KEYS.")

    def _final_pass(self, keyring: crypto.Keyring, *, retire: bool) -> int:
        """Re-wrap what arrived meanwhile until a check under the exclusive lock finds nothing left.

        Only that check retires the old keys, and it writes nothing to the database, so no commit
        can fail after the old keys are gone.
        """
        late = 0
        for _ in range(FINAL_PASSES):
            with transaction.atomic():
                keys.hold_keys_exclusive()
                if not keys.rows_not_under(keyring.current_id):
                    if retire:
                        crypto.write_key_file(crypto.key_file_path(), _lines(keyring, [keyring.current_id]))
                    return late
            late += self._rewrap_all(keyring)[0]
        raise CommandError("Uploads kept arriving under an old key; the old keys were kept. Run the command "
                           "again with --rewrap-only.")

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
                    # The row as it is now, locked: a rename may be re-encrypting it.
                    current = model.objects.select_for_update().filter(pk=row.pk).values_list(
                        "key_id", "wrapped_key").first()
                    if current is None or current[0] == keyring.current_id:
                        continue
                    data_key = crypto.unwrap_key(current[0], current[1], aad=aad, keyring=keyring)
                    key_id, wrapped = crypto.wrap_key(data_key, aad=aad, keyring=keyring)
                    model.objects.filter(pk=row.pk).update(key_id=key_id, wrapped_key=wrapped)
                rewrapped += 1
        return rewrapped, total


def _lines(keyring: crypto.Keyring, key_ids) -> list[str]:
    return [f"{key_id}:{crypto.base64.b64encode(keyring.keys[key_id]).decode()}" for key_id in key_ids]
