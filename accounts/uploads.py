"""Receiving a document upload without ever putting its plaintext on disk.

A document is checked by its content (zip archives need random access) before it is encrypted
for storage, so it has to be held somewhere while it arrives. It is held in a temporary file that

- has no name: it is created unlinked (O_TMPFILE) in a private folder, so when the process ends,
  however it ends (kill -9 included), the kernel frees it and there is nothing to clean up;
- holds only ciphertext: every byte is encrypted with AES-CTR under a random key that exists only
  in this process's memory, so even the freed disk blocks are unreadable;
- lives no longer than the request: it is closed when the upload ends, fails or is refused.

The private folder (DOCUMENT_UPLOAD_TEMP_DIR, mode 700) is still swept at start-up
(ensure_document_key) and by reconcile_documents, of anything older than an hour.
"""

from __future__ import annotations

import io
import os
import tempfile
import time
from functools import wraps
from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopUpload
from django.views.decorators.csrf import csrf_exempt, csrf_protect

# A request this much bigger than the limit is not read to its end: the connection is dropped.
HOPELESS_MARGIN = 10 * 1024 * 1024
TEMP_FILE_LIFETIME = 60 * 60  # seconds; nothing legitimate stays in the folder this long


def upload_temp_dir() -> Path:
    folder = Path(settings.DOCUMENT_UPLOAD_TEMP_DIR)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)
    return folder


def sweep_upload_temp_dir(*, older_than: float = TEMP_FILE_LIFETIME) -> int:
    """Delete leftovers from the private folder (an older version, a crash mid-create). Returns how many."""
    folder = Path(settings.DOCUMENT_UPLOAD_TEMP_DIR)
    if not folder.is_dir():
        return 0
    cutoff = time.time() - older_than
    removed = 0
    for path in folder.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime <= cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed


class SealedTemporaryFile(io.RawIOBase):
    """A nameless temporary file whose bytes on disk are AES-CTR ciphertext under a key in memory.

    Reads and writes at any position (CTR mode is seekable), so zipfile can check an archive.
    """

    def __init__(self, folder: Path):
        super().__init__()
        self._file = tempfile.TemporaryFile(dir=folder)  # O_TMPFILE on Linux: never has a name
        self._key = os.urandom(32)
        self._nonce = int.from_bytes(os.urandom(16), "big")
        self._position = 0

    def _keystream(self, position: int):
        counter = (self._nonce + position // 16) % (1 << 128)
        cipher = Cipher(algorithms.AES(self._key), modes.CTR(counter.to_bytes(16, "big"))).encryptor()
        cipher.update(bytes(position % 16))  # skip to the byte within the block
        return cipher

    def readable(self) -> bool:
        return True

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self._position = self._file.seek(offset, whence) if whence != io.SEEK_CUR else self._file.seek(
            self._position + offset)
        return self._position

    def write(self, data) -> int:
        self._file.seek(self._position)
        self._file.write(self._keystream(self._position).update(bytes(data)))
        self._position += len(data)
        return len(data)

    def readinto(self, target) -> int:
        self._file.seek(self._position)
        sealed = self._file.read(len(target))
        count = len(sealed)
        target[:count] = self._keystream(self._position).update(sealed)
        self._position += count
        return count

    def close(self) -> None:
        if not self.closed:
            self._file.close()
            self._key = b""
        super().close()


class SealedUploadedFile(UploadedFile):
    """What the form and services see: an ordinary uploaded file, backed by a SealedTemporaryFile."""

    def __init__(self, name, content_type, size, charset, content_type_extra=None):
        raw = SealedTemporaryFile(upload_temp_dir())
        super().__init__(io.BufferedRandom(raw, buffer_size=256 * 1024), name, content_type, size, charset,
                         content_type_extra)


class DocumentUploadHandler(FileUploadHandler):
    """Streams into a SealedUploadedFile; one byte over DOCUMENT_MAX_BYTES and the file is dropped.

    The view sees `request.document_too_large` and says so. Nothing over the limit is kept, and
    memory stays flat whatever the size.
    """

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.request_length = content_length or 0
        self.request.document_too_large = self.request.document_no_space = False
        self.file = None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.file = SealedUploadedFile(self.file_name, self.content_type, 0, self.charset,
                                       self.content_type_extra)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.DOCUMENT_MAX_BYTES:
            self.request.document_too_large = True
            self._discard()
            if self.request_length > settings.DOCUMENT_MAX_BYTES + HOPELESS_MARGIN:
                raise StopUpload(connection_reset=True)
            raise SkipFile
        try:
            self.file.write(raw_data)
        except OSError:  # the temporary folder is full: the view says the file could not be stored
            self.request.document_no_space = True
            self._discard()
            raise SkipFile from None
        return None

    def file_complete(self, file_size):
        self.file.seek(0)
        self.file.size = file_size
        return self.file

    def upload_interrupted(self):
        self._discard()

    def _discard(self):
        if self.file is not None:
            try:
                self.file.close()  # closes the nameless file even when flushing its buffer fails
            except OSError:
                pass


def upload_view(handler_class: type[FileUploadHandler]):
    """A view that receives files through ``handler_class``, with CSRF still checked.

    The handler must be in place before anything reads the body, and CsrfViewMiddleware reads it
    (request.POST) before the view runs; so the middleware is told to skip this view, and the
    CSRF check runs here, after the swap."""

    def decorator(view):
        protected = csrf_protect(view)

        @csrf_exempt  # checked by ``protected`` once the handler is in place
        @wraps(view)
        def receive(request, *args, **kwargs):
            request.upload_handlers = [handler_class(request)]
            return protected(request, *args, **kwargs)

        return receive

    return decorator
