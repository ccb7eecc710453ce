"""Tests: fast hashing, mail kept in memory, same security headers as production."""

from .base import *  # noqa: F403
from .base import os

DEBUG = False
SECRET_KEY = "test-only-" + "t" * 50
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Even-time answers are measured in tests/accounts/test_timing.py, with a real hasher; elsewhere they
# would only slow the suite.
ACCOUNT_EVEN_TIME_SECONDS = 0
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# Mail is sent on commit, in the test's own process, so tests read mail.outbox at once;
# tests/test_mail_queue.py runs the real queue (database backend and worker).
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
ALLOWED_HOSTS = ["*"]
DOCUMENT_KEY_FILE = os.environ.get("TEST_DOCUMENT_KEY_FILE", "")
# Caches as in production: shared renderings on, and Redis when REDIS_URL is set.
# A loaded CI machine must not refuse ordinary test text; tests/test_hostile_input.py uses production's.
MARKDOWN_RENDER_SECONDS = 5
