"""The header's "Moderation (N)" link, for moderators who may use their power."""

from django import template
from django.core.cache import cache

from mycarebudget.moderation import digest
from mycarebudget.moderation.powers import can_moderate_lately

# The link only points the way (the pages check the power themselves), so the count may lag a little.
COUNT_SECONDS = 30

register = template.Library()


@register.simple_tag(name="moderation_waiting")
def waiting():
    """What waits (mycarebudget.moderation.digest.Waiting), cached for a few seconds for every moderator."""
    return cache.get_or_set("moderation:waiting", digest.waiting, COUNT_SECONDS)


@register.inclusion_tag("includes/moderation_link.html", takes_context=True)
def moderation_link(context):
    """Only in the header rendered live for this member (shared parts have no user in their context)."""
    user = context.get("user")
    request = context.get("request")
    show = user is not None and user.is_authenticated and can_moderate_lately(user)
    return {"show": show, "waiting": waiting() if show else None,
            "current": bool(request and request.path.startswith("/moderation/"))}
