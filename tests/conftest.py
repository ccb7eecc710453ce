import pytest
from django.conf import settings

from tests.factories import UserFactory


def pytest_collection_modifyitems(config, items):
    """Tests marked postgres run only when DATABASE_URL points at PostgreSQL."""
    if settings.IS_POSTGRES:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and page caches live in the cache: start every test clean."""
    from django.core.cache import cache

    from mycarebudget import shared

    cache.clear()
    shared.forget_worker_copies()
    yield


def production_caches(settings, redis_location: str):
    """The cache layout settings/base.py makes with REDIS_URL: the fallback cache in front of this Redis."""
    fallback = "mycarebudget.fallback_cache.FallbackCache"
    settings.CACHES = {
        "default": {"BACKEND": fallback, "OPTIONS": {"PRIMARY": "redis", "FALLBACK": "memory"}},
        "sessions": {"BACKEND": fallback, "OPTIONS": {"PRIMARY": "redis", "FALLBACK": "none"}},
        "redis": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": redis_location,
                  "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5}},
        "memory": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "none": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
        "worker": settings.CACHES["worker"],
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.SESSION_CACHE_ALIAS = "sessions"
    return settings


@pytest.fixture
def with_redis(settings):
    """Production's caches on the test Redis (REDIS_TEST_URL, which CI sets), emptied first."""
    import os

    url = os.environ.get("REDIS_TEST_URL")
    if not url:
        pytest.skip("REDIS_TEST_URL not set (CI sets it)")
    from django.core.cache import cache

    # Each test worker its own Redis database (15, 14... below REDIS_TEST_URL's): a bump or a clear in one
    # worker must not reach another's test.
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    base, _, number = url.rpartition("/")
    production_caches(settings, f"{base}/{int(number) - worker}")
    cache.clear()
    yield settings
    cache.clear()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def moderator(db):
    from django.contrib.auth.models import Group

    member = UserFactory(display_name="Mo Moderator")
    group, _ = Group.objects.get_or_create(name="Moderators")
    member.groups.add(group)
    # Moderation needs two-step verification (mycarebudget.moderation.powers).
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(member, generate_totp_secret())
    return member
