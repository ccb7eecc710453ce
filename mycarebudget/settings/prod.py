"""Production: every secret from the environment; refuse to start without one."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool, os

DEBUG = False
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
# The site's public address: every link in every email starts with it. No default, so a
# production server never mails out links to 127.0.0.1.
SITE_URL = os.environ["SITE_URL"].strip().rstrip("/")
if not env_bool("DJANGO_LOCAL_HTTP") and not SITE_URL.startswith("https://"):
    raise ImproperlyConfigured(f"SITE_URL must be the site's https:// address, not {SITE_URL!r}")

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# __Host- cookies are only accepted over HTTPS, from this host, for the whole site.
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
SESSION_COOKIE_AGE = 60 * 60 * 12
DOCUMENT_KEY_FILE = os.environ.get("DOCUMENT_KEY_FILE", "")
# Rate limits count the client's address as the proxy saw it (the last X-Forwarded-For hop).
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "1"))

# `make serve` on a laptop speaks plain HTTP: this switch (never set in real
# production) keeps cookies and redirects working there.
if env_bool("DJANGO_LOCAL_HTTP"):
    SECURE_SSL_REDIRECT = False
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False
    SESSION_COOKIE_NAME = "sessionid"
    CSRF_COOKIE_NAME = "csrftoken"
    ALLAUTH_TRUSTED_PROXY_COUNT = 0  # no proxy in front: X-Forwarded-For would be the client's own

if not os.environ.get("EMAIL_HOST"):
    # Production always sends for real: a local MTA unless EMAIL_HOST names a relay.
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                           "OPTIONS": {"host": "localhost", "port": 25, "timeout": 10}}}
