"""Document storage and master key for tests: a temporary folder and a temporary key file."""

import base64
import os

import pytest

TEST_KEY = base64.b64encode(bytes(range(32))).decode()


@pytest.fixture
def document_key(tmp_path, settings, monkeypatch):
    """A key file outside the storage folder; DOCUMENT_MASTER_KEYS cleared so the file is used."""
    monkeypatch.delenv("DOCUMENT_MASTER_KEYS", raising=False)
    settings.DOCUMENT_MASTER_KEYS = ""
    key_file = tmp_path / "keys" / "master.key"
    key_file.parent.mkdir()
    key_file.write_text(f"ktest:{TEST_KEY}\n")
    os.chmod(key_file, 0o600)
    settings.DOCUMENT_KEY_FILE = str(key_file)
    return key_file


@pytest.fixture
def document_root(tmp_path, settings, document_key):
    """STORAGES["documents"] points at a fresh temporary folder."""
    root = tmp_path / "documents"
    root.mkdir()
    settings.STORAGES = {**settings.STORAGES, "documents": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(root), "base_url": None, "file_permissions_mode": 0o600,
                    "directory_permissions_mode": 0o700}}}
    return root


def stored_files(root) -> list:
    return sorted(path for path in root.rglob("*") if path.is_file())
