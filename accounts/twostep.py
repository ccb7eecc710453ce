"""Two-step verification status, shared by the moderation gate and the admin gate."""

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


def needs_two_step(user) -> bool:
    """Moderators and staff must turn on two-step verification before using their powers."""
    from mycarebudget.permissions import is_moderator

    if not getattr(user, "is_authenticated", False):
        return False
    return (user.is_staff or is_moderator(user)) and not has_two_step(user)


TWO_STEP_MESSAGE = ("Turn on two-step verification to use moderation tools or the admin. "
                    "It protects other members' information if your password is ever stolen.")
