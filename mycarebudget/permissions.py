"""Who may moderate. Shared by the wiki's edit queue and the forum's reports."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

MODERATORS_GROUP = "Moderators"


def is_moderator(user) -> bool:
    """Members of the Moderators group, and superusers."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_is_moderator", None)
    if cached is None:
        cached = user.groups.filter(name=MODERATORS_GROUP).exists()
        user._is_moderator = cached
    return cached


class NotAModerator(PermissionDenied):
    """Only moderators may do this."""


def moderator_required(view):
    """Signed-in moderators with two-step verification on; other members get the 403 page.

    A moderator without an authenticator app is sent to set one up first.
    """

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_moderator(request.user):
            raise NotAModerator
        from accounts.twostep import TWO_STEP_MESSAGE, has_two_step

        if not has_two_step(request.user):
            messages.warning(request, TWO_STEP_MESSAGE)
            return redirect("mfa_activate_totp")
        return view(request, *args, **kwargs)

    return wrapper
