"""Settings shared by every environment. Secrets and hosts come from the environment."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = False
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
# Changing the secret key: put the old one here (comma-separated) until `manage.py
# rotate_two_step_secrets` has re-encrypted two-step secrets under the new one (README).
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django.forms",
    "reversion",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "mycarebudget",
    "mycarebudget.mailqueue",
    "django_tasks_db",
    "mycarebudget.moderation",
    "accounts",
    "accounts.budget",
    "accounts.pas",
    "wiki",
    "forum",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "mycarebudget.middleware.BoundedNumbersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # A form sent after its member was signed out is kept for them, not lost (mycarebudget/unsent.py).
    "mycarebudget.unsent.SignedOutFormMiddleware",
    # Staff reach /admin/ only with two-step verification turned on.
    "accounts.middleware.StaffTwoStepMiddleware",
    # Sign-up and password-reset answers take the same time whether or not the address has an account.
    "accounts.middleware.EvenTimeMiddleware",
    # "Last used" on the signed-in devices page, written at most every few minutes per session.
    "accounts.middleware.LastUsedMiddleware",
]

ROOT_URLCONF = "mycarebudget.urls"
WSGI_APPLICATION = "mycarebudget.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "mycarebudget.context_processors.site",
                "accounts.badges.badges",
            ],
        },
    },
]

FORM_RENDERER = "mycarebudget.forms.AccessibleFormRenderer"

# Databases: SQLite by default so a newcomer needs nothing but Python;
# PostgreSQL in production, chosen by DATABASE_URL.
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
# Health checks: a connection that died (a PostgreSQL restart) is replaced before the request uses it.
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work during a write; IMMEDIATE takes the write lock at
    # BEGIN so two writers queue instead of failing with "database is locked".
    # Connections persist (conn_max_age above): a new one per request would run
    # the PRAGMAs and read the schema again on every signed-in page.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Redis down is not an outage (mycarebudget/fallback_cache.py): the cache and rate limits fall
    # back to each worker's memory, sessions to the database; a half-second timeout, tried again every 5 s.
    _FALLBACK = "mycarebudget.fallback_cache.FallbackCache"
    CACHES = {
        "default": {"BACKEND": _FALLBACK, "OPTIONS": {"PRIMARY": "redis", "FALLBACK": "memory"}},
        "sessions": {"BACKEND": _FALLBACK, "OPTIONS": {"PRIMARY": "redis", "FALLBACK": "none"}},
        # django-redis keeps one client per process (Django's RedisCache builds one per call: bench/results.md).
        "redis": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL,
                  "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5}},
        "memory": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 20_000}},
        "none": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
    # Sessions read from Redis, written through to the database. Only with a cache every worker
    # shares: with a per-process cache, signing out in one worker would leave the session alive in another.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    SESSION_CACHE_ALIAS = "sessions"
else:
    # Room for the shared parts of pages (mycarebudget/shared.py) of a small site.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                          "OPTIONS": {"MAX_ENTRIES": 20_000}}}
# Each worker keeps its last anonymous pages for a second without asking the shared cache (mycarebudget.shared):
# readers move between many pages (1,000 guides hold about 20 MB).
CACHES["worker"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "worker",
                    "TIMEOUT": 1, "OPTIONS": {"MAX_ENTRIES": 2_000}}

AUTH_USER_MODEL = "accounts.User"
# allauth's backend (sign-in by email, the admin's too), the member's row shared until it changes.
AUTHENTICATION_BACKENDS = ["accounts.backends.MemberBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    # zxcvbn, in context: common passwords, all digits, the site's name, the person's own details and
    # word-plus-year patterns, each refused with the reason (it replaces Django's similarity, common
    # and numeric validators, which say less).
    {"NAME": "accounts.passwords.GuessablePasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: email is the sign-in name; the display name is public.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/h/ip",
    "reset_password": "20/h/ip,5/h/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "MyCareBudget"
# accounts: our forms (display name, plain-English errors), mail through
# mycarebudget.mail, TOTP secrets encrypted in the database.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
MFA_ADAPTER = "accounts.adapter.MFAAdapter"
ACCOUNT_FORMS = {
    "login": "accounts.forms.LoginForm",
    "signup": "accounts.forms.SignupForm",
    "reset_password": "accounts.forms.ResetPasswordForm",
    "reset_password_from_key": "accounts.forms.ResetPasswordKeyForm",
    "change_password": "accounts.forms.ChangePasswordForm",
    "set_password": "accounts.forms.SetPasswordForm",
    "add_email": "accounts.forms.ChangeEmailForm",
    "reauthenticate": "accounts.forms.ReauthenticateForm",
}
MFA_FORMS = {
    "authenticate": "accounts.forms.TwoStepCodeForm",
    "reauthenticate": "accounts.forms.TwoStepReauthenticateForm",
    "activate_totp": "accounts.forms.ActivateTOTPForm",
    "deactivate_totp": "accounts.forms.DeactivateTOTPForm",
}
ACCOUNT_CHANGE_EMAIL = True  # one address per member: "change", not "add another"
ACCOUNT_REAUTHENTICATION_REQUIRED = True  # password again before email/password changes
ACCOUNT_EMAIL_NOTIFICATIONS = True  # tell the member when their password or email changes
ACCOUNT_SESSION_REMEMBER = False  # health data on shared computers: sessions end with the browser
ACCOUNT_EMAIL_SUBJECT_PREFIX = "MyCareBudget: "
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
# Sign-up and reset POSTs answer no sooner than this (accounts.middleware.EvenTimeMiddleware): above
# the time a new account takes, password hashing included, so both answers look alike.
ACCOUNT_EVEN_TIME_SECONDS = float(os.environ.get("ACCOUNT_EVEN_TIME_SECONDS", "1.5"))
ALLAUTH_TRUSTED_PROXY_COUNT = 0  # prod.py trusts one proxy's X-Forwarded-For

# "Your data": each app adds its part of the export; see accounts/exports.py.
USER_DATA_EXPORTERS = ["wiki.exports.user_data", "forum.exports.user_data", "accounts.budget.exports.user_data",
                       "accounts.pas.exports.user_data"]
# Deleting an account: each app with private records erases them (see accounts.services.delete_account).
USER_DATA_ERASERS = ["accounts.budget.services.erase_user_data", "accounts.pas.services.erase_user_data"]

# Private documents (accounts): limits, and where the master key comes from.
# DOCUMENT_MASTER_KEYS ("id:base64key,..." newest first) wins over DOCUMENT_KEY_FILE.
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
DOCUMENT_QUOTA_BYTES = 500 * 1024 * 1024
DOCUMENT_MASTER_KEYS = os.environ.get("DOCUMENT_MASTER_KEYS", "")
DOCUMENT_KEY_FILE = os.environ.get("DOCUMENT_KEY_FILE", "")
# Documents arrive in nameless, encrypted temporary files in this private folder (accounts/uploads.py).
DOCUMENT_UPLOAD_TEMP_DIR = Path(os.environ.get("DOCUMENT_UPLOAD_TEMP_DIR", BASE_DIR / "var" / "upload-tmp"))
# Uploads bigger than this stream to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
FILE_UPLOAD_PERMISSIONS = 0o600

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
MEDIA_URL = "/media/"  # Never routed: nothing private is served as a static file.
# Private documents live in their own storage, outside any web root; production
# can point it at S3-compatible object storage (django-storages) by settings alone.
DOCUMENTS_ROOT = Path(os.environ.get("DOCUMENTS_ROOT", BASE_DIR / "var" / "documents"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "documents": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DOCUMENTS_ROOT), "base_url": None,
                    "file_permissions_mode": 0o600, "directory_permissions_mode": 0o700},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Email goes out through Django's mail API, from a task so a failing mail
# server never fails the request that caused it.
# In development mail is printed in the terminal that runs `make run`;
# with EMAIL_HOST set it goes out over SMTP.
if os.environ.get("EMAIL_HOST"):
    MAILERS = {"default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": os.environ["EMAIL_HOST"],
            "port": int(os.environ.get("EMAIL_PORT", "587")),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", True),
            "timeout": 10,
        },
    }}
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "MyCareBudget <hello@mycarebudget.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The mail queue (mycarebudget/mail.py): tasks stored in the database, run by `manage.py db_worker`.
# The same in production: queued mail commits with the change that caused it, survives restarts
# and backups, and needs no service beyond the database (Redis may be down; mail must not be).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Security headers on every response, in every environment.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "mycarebudget.views.csrf_failure"
# No inline script or style anywhere: everything comes from our own static files.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "report-uri": ["/csp-report/"],
}

# Markdown is rendered within a time budget of this many seconds plus 15 µs per character
# (mycarebudget/render_budget.py); text that needs longer is refused with a clear message.
MARKDOWN_RENDER_SECONDS = 0.3

SITE_NAME = "MyCareBudget"
# Readers share a page's rendering until what it shows changes (mycarebudget/shared.py). Browsers and
# CDNs may keep an anonymous page this long, and so does each worker's memory when there is no Redis.
ANONYMOUS_PAGE_SECONDS = 5
# With Redis, a copy is forgotten when its version changes; this only lets unused copies go.
SHARED_COPY_SECONDS = 3600
# bench/run.py serves a fixed 20 KB page at /_bench/floor/ beside the site (mycarebudget/bench_floor.py).
BENCH_FLOOR = env_bool("MCB_BENCH_FLOOR")
# The site's public address (scheme, host and port, no trailing slash): every link in every
# email starts with it. Required in production (prod.py); `make run` sets it from HOST and PORT.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Forum abuse limits, counted in the database so they hold across workers.
# A "new" account is younger than FORUM_NEW_ACCOUNT_AGE: it gets the lower hourly
# limit, and its posts with links wait for a moderator.
FORUM_NEW_ACCOUNT_AGE = timedelta(hours=24)
FORUM_NEW_ACCOUNT_POSTS_PER_HOUR = 5
FORUM_POSTS_PER_HOUR = 30
FORUM_MIN_SECONDS_BETWEEN_POSTS = 15
FORUM_TOPICS_PER_PAGE = 20
FORUM_POSTS_PER_PAGE = 20

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
