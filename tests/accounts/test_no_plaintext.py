"""No plaintext of a document on disk, ever: not while it arrives, not after kill -9, not on a full disk."""

import errno
import io
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts import uploads
from accounts.models import Document
from tests.accounts.fixtures import TEST_KEY
from tests.accounts.helpers import SECRET, pdf_bytes, upload
from tests.factories import UserFactory

ROOT = Path(django_settings.BASE_DIR)


def files_containing(root: Path, marker: bytes) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file() and marker in path.read_bytes()]


def test_the_temporary_file_reads_back_anywhere_and_holds_only_ciphertext(tmp_path):
    folder = tmp_path / "upload-tmp"
    folder.mkdir()
    sealed = uploads.SealedTemporaryFile(folder)
    data = SECRET * 10_000
    buffered = io.BufferedRandom(sealed, buffer_size=4096)
    buffered.write(data)
    for offset in (0, 1, 15, 16, 17, 4095, 123_457, len(data) - 5):
        buffered.seek(offset)
        assert buffered.read(40) == data[offset:offset + 40]
    buffered.flush()
    raw = sealed._file
    raw.seek(0)
    on_disk = raw.read()
    assert len(on_disk) == len(data) and SECRET not in on_disk
    assert list(folder.iterdir()) == []  # it never had a name
    buffered.close()


@pytest.mark.django_db
def test_an_upload_leaves_nothing_in_the_temporary_folder(client, settings, tmp_path):
    settings.DOCUMENT_UPLOAD_TEMP_DIR = tmp_path / "upload-tmp"
    client.force_login(UserFactory())
    big = upload("plan.pdf", pdf_bytes(SECRET * 40_000))  # over a megabyte: streamed, not in memory
    response = client.post(reverse("accounts:document_upload"), {"file": big, "kind": "other"})
    assert response.status_code == 302
    assert list((tmp_path / "upload-tmp").iterdir()) == []
    assert oct((tmp_path / "upload-tmp").stat().st_mode & 0o777) == "0o700"


@pytest.mark.django_db
def test_leftovers_in_the_temporary_folder_are_swept_at_start_up_and_by_reconcile(settings, tmp_path):
    folder = tmp_path / "upload-tmp"
    folder.mkdir()
    settings.DOCUMENT_UPLOAD_TEMP_DIR = folder
    for name in ("old-1", "old-2"):
        (folder / name).write_bytes(SECRET)
        os.utime(folder / name, (time.time() - 7200, time.time() - 7200))
    (folder / "fresh").write_bytes(b"x")
    call_command("ensure_document_key", stdout=io.StringIO())
    assert sorted(path.name for path in folder.iterdir()) == ["fresh"]
    call_command("reconcile_documents", "--grace-minutes", "0", stdout=io.StringIO())
    assert list(folder.iterdir()) == []


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MB tmpfs as document storage: a real full disk (needs root to mount)."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(mount)],
                            capture_output=True)
    if result.returncode:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


@pytest.mark.django_db
def test_a_full_disk_refuses_the_upload_clearly_and_stores_nothing(client, settings, small_disk, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "documents": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(small_disk), "file_permissions_mode": 0o600}}}
    owner = UserFactory()
    client.force_login(owner)
    too_big_for_the_disk = upload("plan.pdf", pdf_bytes(SECRET * 60_000))  # 1.8 MB
    response = client.post(reverse("accounts:document_upload"), {"file": too_big_for_the_disk,
                                                                 "kind": "other", "note": "keep me"})
    assert response.status_code == 400
    assert "our storage is full" in response.text and "keep me" in response.text
    assert not Document.objects.exists()
    assert [path for path in small_disk.rglob("*") if path.is_file()] == []
    # Other members are fine once there is room: a small file still fits.
    client.force_login(UserFactory())
    response = client.post(reverse("accounts:document_upload"), {"file": upload("small.pdf", pdf_bytes()),
                                                                 "kind": "other"})
    assert response.status_code == 302


def test_a_full_temporary_folder_is_a_clear_refusal(monkeypatch, rf):
    class FullDisk(io.RawIOBase):
        def writable(self):
            return True

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

    request = rf.post("/")
    handler = uploads.DocumentUploadHandler(request)
    handler.handle_raw_input(None, {}, 100, b"b")
    handler.new_file("file", "plan.pdf", "application/pdf", 100)
    handler.file.file = io.BufferedWriter(FullDisk(), buffer_size=1)
    with pytest.raises(uploads.SkipFile):
        handler.receive_data_chunk(b"%PDF" * 10, 0)
    assert request.document_no_space is True


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _open_files(pid: int) -> list[str]:
    links = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            links.append(os.readlink(fd))
        except OSError:
            continue
    return links


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_kill_9_of_a_worker_mid_upload_leaves_no_plaintext_anywhere(tmp_path):
    """A real gunicorn worker (our settings) receives half an upload and is killed with SIGKILL."""
    tmp_path = tmp_path / "server"
    key_file = tmp_path / "keys" / "master.key"
    key_file.parent.mkdir(parents=True)
    key_file.write_text(f"ktest:{TEST_KEY}\n")
    folders = {name: tmp_path / name for name in ("upload-tmp", "tmp", "documents")}
    for folder in folders.values():
        folder.mkdir()
    owner = UserFactory()
    browser = Client()
    browser.force_login(owner)
    session = browser.cookies[django_settings.SESSION_COOKIE_NAME].value
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    database = connection.settings_dict
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mycarebudget.settings.test", "PORT": str(port),
           "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
           "TEST_DOCUMENT_KEY_FILE": str(key_file), "DOCUMENTS_ROOT": str(folders["documents"]),
           "DOCUMENT_UPLOAD_TEMP_DIR": str(folders["upload-tmp"]), "TMPDIR": str(folders["tmp"]),
           "WEB_CONCURRENCY": "1"}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "mycarebudget.wsgi", "-c",
                               "python:mycarebudget.gunicorn_conf"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        token = "t" * 32
        body_start = (f"--b\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n\r\n{token}\r\n".encode()
                      + b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"plan.pdf\"\r\n"
                      b"Content-Type: application/pdf\r\n\r\n%PDF-1.4\n")
        half = SECRET * 40_000  # 1.2 MB of the secret, then the client stalls
        length = len(body_start) + len(half) * 2 + 100
        client = socket.create_connection(("127.0.0.1", port))
        client.sendall(f"POST /account/documents/upload/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                       f"Cookie: {django_settings.SESSION_COOKIE_NAME}={session}; "
                       f"{django_settings.CSRF_COOKIE_NAME}={token}\r\n"
                       f"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: {length}\r\n\r\n".encode()
                       + body_start + half)
        [worker] = _children(server.pid)
        deadline = time.monotonic() + 10
        while not [link for link in _open_files(worker)  # the upload is being held (not gunicorn's heartbeat)
                   if str(tmp_path) in link and "wgunicorn" not in link]:
            assert time.monotonic() < deadline, "the worker never started holding the upload"
            time.sleep(0.05)
        time.sleep(0.3)
        os.kill(worker, signal.SIGKILL)
        client.close()
        time.sleep(0.5)
        assert files_containing(tmp_path, SECRET) == []
        assert not Document.objects.exists()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
