"""Envelope encryption for private documents. The only module that handles keys.

- Master keys (key-encryption keys) come from DOCUMENT_MASTER_KEYS or DOCUMENT_KEY_FILE, never
  from the database or document storage. Each has an id; the first is used to wrap new keys,
  the others only to unwrap (so rotation re-wraps file keys without touching file bodies).
- Each document, and each version of it, has its own random 256-bit key, wrapped with
  AES-256-GCM under the master key, with the document id, owner id and version as associated
  data: a wrapped key moved to another row or user no longer opens.
- File bodies are AES-256-GCM in 1 MiB chunks (so memory stays flat): the nonce is the chunk
  number (safe, because each key encrypts exactly one file) and each chunk's associated data
  also binds its number and a last-chunk flag, so chunks cannot be reordered, dropped or cut off.
"""

from __future__ import annotations

import base64
import io
import os
import re
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

MAGIC = b"MCBDOC\x00\x01"  # format name and version 1
CHUNK_SIZE = 1024 * 1024
TAG_SIZE = 16
HEADER_SIZE = len(MAGIC) + 4
KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class KeyUnavailable(Exception):
    """No usable master key: document features refuse to work rather than make a new one."""


class DecryptionFailed(Exception):
    """A wrapped key, a name or a file body did not authenticate: tampered, swapped or wrong key."""


@dataclass(frozen=True)
class Keyring:
    current_id: str
    keys: dict[str, bytes]


def parse_keys(text: str) -> list[tuple[str, bytes]]:
    """'id:base64key' entries, separated by commas or new lines; '#' starts a comment line."""
    entries = []
    for raw in re.split(r"[,\n]", text):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key_id, sep, encoded = line.partition(":")
        key_id = key_id.strip()
        if not sep or not KEY_ID_PATTERN.match(key_id):
            raise KeyUnavailable("Each master key must be written as id:base64key")
        try:
            key = base64.b64decode(encoded.strip(), validate=True)
        except ValueError as error:
            raise KeyUnavailable(f"Master key {key_id} is not valid base64") from error
        if len(key) != 32:
            raise KeyUnavailable(f"Master key {key_id} must be 32 bytes (256 bits)")
        if any(existing == key_id for existing, _ in entries):
            raise KeyUnavailable(f"Master key id {key_id} appears twice")
        entries.append((key_id, key))
    return entries


def key_file_path() -> Path | None:
    path = getattr(settings, "DOCUMENT_KEY_FILE", "") or ""
    return Path(path).expanduser().resolve() if path else None


def _check_key_file_location(path: Path) -> None:
    """A key kept beside the data it protects would be copied with every backup of it."""
    roots = [getattr(settings, "MEDIA_ROOT", None), getattr(settings, "DOCUMENTS_ROOT", None)]
    location = settings.STORAGES.get("documents", {}).get("OPTIONS", {}).get("location")
    roots.append(location)
    for root in filter(None, roots):
        if path.is_relative_to(Path(root).resolve()):
            raise KeyUnavailable("The master key file must not be inside document or media storage")


def load_keyring() -> Keyring:
    """The configured master keys. Raises KeyUnavailable; never creates a key."""
    configured = os.environ.get("DOCUMENT_MASTER_KEYS") or getattr(settings, "DOCUMENT_MASTER_KEYS", "")
    if configured:
        entries = parse_keys(configured)
    else:
        path = key_file_path()
        if path is None:
            raise KeyUnavailable("No master key is configured (DOCUMENT_KEY_FILE or DOCUMENT_MASTER_KEYS)")
        _check_key_file_location(path)
        try:
            entries = parse_keys(path.read_text(encoding="ascii"))
        except FileNotFoundError:
            raise KeyUnavailable(f"The master key file {path} does not exist") from None
        except (OSError, UnicodeDecodeError) as error:
            raise KeyUnavailable(f"The master key file {path} cannot be read") from error
    if not entries:
        raise KeyUnavailable("The master key list is empty")
    return Keyring(current_id=entries[0][0], keys=dict(entries))


def new_key_line() -> tuple[str, str]:
    """A fresh master key as (id, 'id:base64key')."""
    key_id = "k" + secrets.token_hex(4)
    return key_id, f"{key_id}:{base64.b64encode(os.urandom(32)).decode()}"


def write_key_file(path: Path, lines: list[str]) -> None:
    """Atomically replace the key file, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write("# MyCareBudget document master keys: the first wraps new keys. Keep a copy offline.\n")
        handle.write("\n".join(lines) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


# Associated data ---------------------------------------------------------------------------------

def document_aad(document_id: uuid.UUID, owner_id: int, version: int) -> bytes:
    """Binds a key or ciphertext to one document, one owner and one version (0 = the metadata)."""
    return b"mcb:" + document_id.bytes + int(owner_id).to_bytes(8, "big") + int(version).to_bytes(4, "big")


# Keys --------------------------------------------------------------------------------------------

def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def wrap_key(data_key: bytes, *, aad: bytes, keyring: Keyring | None = None) -> tuple[str, bytes]:
    keyring = keyring or load_keyring()
    nonce = os.urandom(12)
    wrapped = AESGCM(keyring.keys[keyring.current_id]).encrypt(nonce, data_key, b"wrap|" + aad)
    return keyring.current_id, nonce + wrapped


def unwrap_key(key_id: str, wrapped: bytes, *, aad: bytes, keyring: Keyring | None = None) -> bytes:
    keyring = keyring or load_keyring()
    master = keyring.keys.get(key_id)
    if master is None:
        raise KeyUnavailable(f"Master key {key_id} is not loaded")
    wrapped = bytes(wrapped)
    try:
        return AESGCM(master).decrypt(wrapped[:12], wrapped[12:], b"wrap|" + aad)
    except InvalidTag:
        raise DecryptionFailed("a file key did not unwrap") from None


# Short fields (names, notes) ---------------------------------------------------------------------

def encrypt_text(data_key: bytes, text: str, *, aad: bytes, field: str) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(data_key).encrypt(nonce, text.encode("utf-8"), aad + b"|" + field.encode())


def decrypt_text(data_key: bytes, blob: bytes, *, aad: bytes, field: str) -> str:
    blob = bytes(blob)
    try:
        return AESGCM(data_key).decrypt(blob[:12], blob[12:], aad + b"|" + field.encode()).decode("utf-8")
    except InvalidTag:
        raise DecryptionFailed(f"the {field} did not decrypt") from None


# File bodies -------------------------------------------------------------------------------------

def _chunk_nonce(index: int) -> bytes:
    return index.to_bytes(12, "big")


def _chunk_aad(aad: bytes, index: int, last: bool) -> bytes:
    return aad + index.to_bytes(8, "big") + (b"\x01" if last else b"\x00")


def encrypted_size(plaintext_size: int, chunk_size: int = CHUNK_SIZE) -> int:
    chunks = max(1, -(-plaintext_size // chunk_size))
    return HEADER_SIZE + plaintext_size + chunks * TAG_SIZE


class EncryptingReader(io.RawIOBase):
    """A read-only stream of ciphertext, produced chunk by chunk from a plaintext stream.

    Give it to any Django storage backend (it looks like a file); memory stays at about two chunks.
    The plaintext must be exactly `size` bytes long.
    """

    def __init__(self, source, *, data_key: bytes, aad: bytes, size: int, chunk_size: int = CHUNK_SIZE):
        super().__init__()
        self._source = source
        self._cipher = AESGCM(data_key)
        self._aad = aad
        self._chunk_size = chunk_size
        self._chunks = max(1, -(-size // chunk_size))
        self._plaintext_size = size
        self._index = 0
        self._consumed = 0
        self._buffer = bytearray(MAGIC + chunk_size.to_bytes(4, "big"))
        self._position = 0
        self.size = encrypted_size(size, chunk_size)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        # Storage backends rewind before reading; only a no-op rewind is possible here.
        if whence == io.SEEK_SET and offset == self._position == 0:
            return 0
        raise io.UnsupportedOperation("an encrypting stream cannot seek")

    def _encrypt_next(self) -> None:
        plain = _read_exact(self._source, self._chunk_size) if self._index < self._chunks else b""
        self._check_chunk_length(len(plain))
        last = self._index == self._chunks - 1
        self._buffer += self._cipher.encrypt(_chunk_nonce(self._index), plain,
                                             _chunk_aad(self._aad, self._index, last))
        self._index += 1

    def encrypted_chunks(self) -> Iterator[bytes | memoryview]:
        """The ciphertext as whole pieces: the header (bytes), then one view per chunk.

        Each chunk is encrypted into one reused buffer, so a large file costs no
        allocation per chunk: use each piece before asking for the next (storage
        backends that write chunk by chunk, like the local disk, do). read() and
        readinto() serve backends that want a file object (S3).
        """
        if self._position or self._index:
            raise io.UnsupportedOperation("the stream has already been read")
        header, self._buffer = bytes(self._buffer), bytearray()
        self._position += len(header)
        yield header  # bytes first: FileSystemStorage opens the file in binary mode from it
        plain, sealed = memoryview(bytearray(self._chunk_size)), memoryview(bytearray(self._chunk_size + TAG_SIZE))
        while self._index < self._chunks:
            count = _readinto_exact(self._source, plain)
            self._check_chunk_length(count)
            piece = sealed[:count + TAG_SIZE]
            self._cipher.encrypt_into(_chunk_nonce(self._index), plain[:count],
                                      _chunk_aad(self._aad, self._index, self._index == self._chunks - 1), piece)
            self._index += 1
            self._position += len(piece)
            yield piece

    def _check_chunk_length(self, count: int) -> None:
        self._consumed += count
        last = self._index == self._chunks - 1
        if last and (self._consumed != self._plaintext_size or self._source.read(1)):
            raise ValueError("the file changed size while it was being encrypted")
        if not last and count != self._chunk_size:
            raise ValueError("the file ended early while it was being encrypted")

    def readinto(self, target) -> int:
        while len(self._buffer) < len(target) and self._index < self._chunks:
            self._encrypt_next()
        count = min(len(target), len(self._buffer))
        target[:count] = self._buffer[:count]
        del self._buffer[:count]
        self._position += count
        return count


def _read_exact(stream, count: int) -> bytes:
    """Read `count` bytes unless the stream ends first (some streams return short reads)."""
    parts = []
    remaining = count
    while remaining > 0:
        part = stream.read(remaining)
        if not part:
            break
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


def _readinto_exact(stream, target: memoryview) -> int:
    """Fill target unless the stream ends first; returns how many bytes came."""
    filled = 0
    while filled < len(target):
        count = stream.readinto(target[filled:])
        if not count:
            break
        filled += count
    return filled


def decrypt_chunks(stream, *, data_key: bytes, aad: bytes) -> Iterator[bytes]:
    """Yield the plaintext of an encrypted body, one authenticated chunk at a time.

    No byte is yielded before its chunk's tag has been checked. Raises DecryptionFailed on any
    tampering, reordering, truncation or wrong key.
    """
    header = _read_exact(stream, HEADER_SIZE)
    if len(header) != HEADER_SIZE or header[:len(MAGIC)] != MAGIC:
        raise DecryptionFailed("not an encrypted document")
    chunk_size = int.from_bytes(header[len(MAGIC):], "big")
    if not 0 < chunk_size <= 64 * 1024 * 1024:
        raise DecryptionFailed("bad chunk size")
    cipher = AESGCM(data_key)
    index = 0
    current = _read_exact(stream, chunk_size + TAG_SIZE)
    while True:
        full = len(current) == chunk_size + TAG_SIZE
        following = _read_exact(stream, chunk_size + TAG_SIZE) if full else b""
        last = not following
        if len(current) < TAG_SIZE:
            raise DecryptionFailed("truncated")
        try:
            yield cipher.decrypt(_chunk_nonce(index), current, _chunk_aad(aad, index, last))
        except InvalidTag:
            raise DecryptionFailed(f"chunk {index} did not authenticate") from None
        if last:
            return
        current = following
        index += 1
