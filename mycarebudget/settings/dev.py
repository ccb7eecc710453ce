"""Local development: safe defaults, nothing to configure."""

from .base import *  # noqa: F403
from .base import BASE_DIR, env_bool, os

DEBUG = env_bool("DJANGO_DEBUG", True)
# A fixed key is fine here: dev data never leaves the laptop.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or "dev-only-not-secret-" + "x" * 40
INTERNAL_IPS = ["127.0.0.1"]
DOCUMENT_KEY_FILE = os.environ.get("DOCUMENT_KEY_FILE", str(BASE_DIR / "var" / "keys" / "document-master.key"))
