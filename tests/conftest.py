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
