"""Two-step verification status, read by the moderation gate and the admin gate."""

from allauth.mfa.models import Authenticator


def has_two_step(user) -> bool:
    """True when the member has an authenticator app (TOTP) set up. Cached on the user object."""
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_has_two_step", None)
    if cached is None:
        cached = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        user._has_two_step = cached
    return cached


TWO_STEP_MESSAGE = ("Turn on two-step verification to use moderation tools or the admin. "
                    "It protects other members' information if your password is ever stolen.")
