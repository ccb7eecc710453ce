import pytest


@pytest.fixture(autouse=True)
def _generous_posting_limits(settings):
    """Most tests post several times a second; the limit tests set the real numbers back."""
    settings.FORUM_MIN_SECONDS_BETWEEN_POSTS = 0
    settings.FORUM_POSTS_PER_HOUR = 1000
    settings.FORUM_NEW_ACCOUNT_POSTS_PER_HOUR = 1000


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run the after-commit email hooks inside a test transaction, as a real request would."""

    def wrapper():
        return django_capture_on_commit_callbacks(execute=True)

    return wrapper


@pytest.fixture
def staff_client(client, db):
    """A superuser with two-step verification on (the admin requires it)."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from tests.factories import UserFactory

    staff = UserFactory(is_staff=True, is_superuser=True)
    TOTP.activate(staff, generate_totp_secret())
    client.force_login(staff)
    return client
