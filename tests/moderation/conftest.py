"""The wiki fixtures, for tests of moderating guides."""

from tests.wiki.conftest import make_page  # noqa: F401
