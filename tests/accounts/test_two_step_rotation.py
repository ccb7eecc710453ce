"""Two-step secrets survive a change of SECRET_KEY: the old key as a fallback, then a rotation."""

import io

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.management import CommandError, call_command

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OLD, NEW = "old-secret-" + "o" * 50, "new-secret-" + "n" * 50


def _secret(user) -> str:
    return TOTP(Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)).instance.data["secret"]


def test_two_step_keeps_working_through_a_secret_key_change(settings):
    from allauth.mfa.utils import decrypt

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD, []
    moderator = UserFactory()
    plain = generate_totp_secret()
    TOTP.activate(moderator, plain)

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW, [OLD]  # step 1: new key, old one as fallback
    assert decrypt(_secret(moderator)) == plain
    out = io.StringIO()
    call_command("rotate_two_step_secrets", stdout=out)  # step 2
    assert "1 two-step secret(s) re-encrypted" in out.getvalue()

    settings.SECRET_KEY_FALLBACKS = []  # step 3: the old key is gone
    assert decrypt(_secret(moderator)) == plain


def test_rotation_refuses_when_the_old_key_is_not_given(settings):
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD, []
    moderator = UserFactory()
    TOTP.activate(moderator, generate_totp_secret())
    before = _secret(moderator)
    settings.SECRET_KEY = NEW
    with pytest.raises(CommandError, match="DJANGO_SECRET_KEY_FALLBACKS"):
        call_command("rotate_two_step_secrets", stdout=io.StringIO())
    assert _secret(moderator) == before
