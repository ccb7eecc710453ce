"""Guide fixtures, for the shared renderings of guide pages."""

from tests.wiki.conftest import make_page  # noqa: F401
