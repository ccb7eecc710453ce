import pytest

from tests.accounts.fixtures import document_key, document_root  # noqa: F401


@pytest.fixture(autouse=True)
def _documents(document_root):  # noqa: F811
    """Every accounts test gets its own storage folder and key file."""
    return document_root
