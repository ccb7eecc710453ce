import pytest

from tests.factories import UserFactory


@pytest.fixture
def owner(db):
    return UserFactory(display_name="Budget Holder")


@pytest.fixture
def other(db):
    return UserFactory(display_name="Someone Else")


@pytest.fixture
def staff(db):
    member = UserFactory(display_name="Staff Member", is_staff=True, is_superuser=True)
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(member, generate_totp_secret())
    return member
