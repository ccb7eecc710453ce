"""Who may moderate. Shared by the wiki's edit queue and the forum's reports."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

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
    """Signed-in moderators only; anyone else gets the 403 page."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_moderator(request.user):
            raise NotAModerator
        return view(request, *args, **kwargs)

    return wrapper
