"""Tests: fast hashing, mail kept in memory, same security headers as production."""

from .base import *  # noqa: F403
from .base import os

DEBUG = False
SECRET_KEY = "test-only-" + "t" * 50
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
ALLOWED_HOSTS = ["*"]
DOCUMENT_KEY_FILE = os.environ.get("TEST_DOCUMENT_KEY_FILE", "")
# Caches as in production: shared renderings on, and Redis when REDIS_URL is set.
