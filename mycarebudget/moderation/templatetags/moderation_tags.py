"""The header's "Moderation (N)" link, for moderators who may use their power."""

from django import template

from mycarebudget import shared
from mycarebudget.moderation import digest
from mycarebudget.moderation.powers import can_moderate_lately

register = template.Library()


@register.simple_tag(name="moderation_waiting")
def waiting():
    """What waits (mycarebudget.moderation.digest.Waiting), shared by every moderator until what is
    counted changes (ModerationConfig.ready)."""
    return shared.current("moderation", "waiting", digest.waiting)


@register.inclusion_tag("includes/moderation_link.html", takes_context=True)
def moderation_link(context):
    """Only in the header rendered live for this member (shared parts have no user in their context)."""
    user = context.get("user")
    request = context.get("request")
    show = user is not None and user.is_authenticated and can_moderate_lately(user)
    return {"show": show, "waiting": waiting() if show else None,
            "current": bool(request and request.path.startswith("/moderation/"))}
