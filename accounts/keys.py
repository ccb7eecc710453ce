"""How uploads and master-key rotation agree, and which master keys the stored documents need.

Rotation adds a new master key, re-wraps every file key under it, and only then retires the old
ones. An upload that read the key file before the new key was added, and commits after the
re-wrapping pass, would be left under a key about to be retired. So:

- writers wrap file keys inside their transaction, after ``hold_keys_shared()``, reading the key
  file at that moment;
- rotation retires old keys only inside ``hold_keys_exclusive()``, after a final check finds no
  row under them. That lock waits for every writer already inside its transaction, and writers
  that start later read the key file as rotation left it.

On PostgreSQL the lock is a transaction-level advisory lock (shared for writers, exclusive for
rotation). On SQLite every write transaction starts with BEGIN IMMEDIATE (settings), which
already lets only one writer in at a time, so nothing more is needed.
"""

from __future__ import annotations

from django.db import connection

from accounts import crypto

# Any fixed 64-bit number that no other advisory lock in this database uses ("MCBKEYS\0").
ADVISORY_LOCK_ID = int.from_bytes(b"MCBKEYS\x00", "big") & 0x7FFF_FFFF_FFFF_FFFF


def _advisory_lock(function: str) -> None:
    if connection.vendor != "postgresql":
        return
    if not connection.in_atomic_block:
        raise RuntimeError("the master-key lock is only held inside a transaction")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [ADVISORY_LOCK_ID])


def hold_keys_shared() -> crypto.Keyring:
    """Call inside the transaction that stores wrapped keys; wrap them with the keyring it returns."""
    _advisory_lock("pg_advisory_xact_lock_shared")
    return crypto.load_keyring()


def hold_keys_exclusive() -> None:
    """Rotation: wait for writers in flight and keep new ones out until this transaction ends."""
    _advisory_lock("pg_advisory_xact_lock")


def key_ids_in_use() -> set[str]:
    from accounts.models import Document, DocumentVersion

    used = set(Document.objects.values_list("key_id", flat=True).distinct())
    return used | set(DocumentVersion.objects.values_list("key_id", flat=True).distinct())


def missing_key_ids(keyring: crypto.Keyring | None = None) -> set[str]:
    """Master keys that stored documents need and that are not loaded (all of them without a keyring)."""
    loaded = set(keyring.keys) if keyring else set()
    return key_ids_in_use() - loaded


def rows_not_under(key_id: str) -> int:
    from accounts.models import Document, DocumentVersion

    return (Document.objects.exclude(key_id=key_id).count()
            + DocumentVersion.objects.exclude(key_id=key_id).count())
