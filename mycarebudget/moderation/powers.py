"""Who holds moderator power. One rule, used by every service and view that uses it.

A moderator (the Moderators group, or a superuser) holds the power only with two-step verification
on. Without it they are an ordinary member everywhere (what they see, what they may post, where
it goes) and are told how to turn it on.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from accounts.twostep import TWO_STEP_MESSAGE, has_two_step

MODERATORS_GROUP = "Moderators"
LATELY_SECONDS = 300


class NotAModerator(PermissionDenied):
    """Only moderators with two-step verification may do this (a 403 in views)."""


def is_moderator(user) -> bool:
    """Whether the member holds the moderator role (not whether they may use it: see ``can_moderate``).

    Members of the Moderators group, and superusers. Cached on the user object.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_is_moderator", None)
    if cached is None:
        cached = user.groups.filter(name=MODERATORS_GROUP).exists()
        user._is_moderator = cached
    return cached


def can_moderate(user) -> bool:
    """The one rule for moderator power: a moderator with two-step verification on.

    Seeing held, hidden or deleted posts, publishing guides without review, posting in locked
    topics or staff-only categories, and every moderation action ask this, and nothing else.
    """
    return is_moderator(user) and has_two_step(user)


def needs_two_step(user) -> bool:
    """A moderator who must turn on two-step verification before using their power."""
    return is_moderator(user) and not has_two_step(user)


def require_moderator(user) -> None:
    """Raise NotAModerator unless ``user`` may use moderator power. Services call it first."""
    if not can_moderate(user):
        raise NotAModerator


def moderator_required(view):
    """Moderators' pages: others get the 403 page; a moderator without two-step is sent to set it up."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_moderator(request.user):
            raise NotAModerator
        if not has_two_step(request.user):
            messages.warning(request, TWO_STEP_MESSAGE)
            return redirect("mfa_activate_totp")
        return view(request, *args, **kwargs)

    return wrapper


def can_moderate_lately(user) -> bool:
    """``can_moderate`` as it was up to a few minutes ago, for what only points the way: the header's
    moderation link, and whether a member's page may be shared with others (mycarebudget.shared).
    Never for using the power, which the services check for themselves. With Redis the member's shared
    row carries it (accounts.backends), made again whenever their groups or authenticators change."""
    if hasattr(user, "_is_moderator") and hasattr(user, "_has_two_step"):
        return can_moderate(user)  # this request read them already (forum.readers): no cache call
    if not hasattr(user, "_can_moderate_lately"):  # asked once a request
        user._can_moderate_lately = cache.get_or_set(
            f"moderation:link:{user.pk}", lambda: can_moderate(user), LATELY_SECONDS)
    return user._can_moderate_lately
