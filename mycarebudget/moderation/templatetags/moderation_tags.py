"""The header's "Moderation (N)" link, for moderators who may use their power."""

from django import template
from django.core.cache import cache

from mycarebudget.moderation import digest
from mycarebudget.moderation.powers import can_moderate

# The link only points the way (the pages check the power themselves), so who sees it and the
# count may lag a little: cached, they cost ordinary members' pages no query at all.
FLAG_SECONDS = 300
COUNT_SECONDS = 30

register = template.Library()


@register.simple_tag(name="moderation_waiting")
def waiting():
    """What waits (mycarebudget.moderation.digest.Waiting), cached for a few seconds for every moderator."""
    return cache.get_or_set("moderation:waiting", digest.waiting, COUNT_SECONDS)


def _shows_link(user) -> bool:
    if hasattr(user, "_is_moderator") and hasattr(user, "_has_two_step"):
        return can_moderate(user)  # this request read them already (forum.readers): no cache call
    return cache.get_or_set(f"moderation:link:{user.pk}", lambda: can_moderate(user), FLAG_SECONDS)


@register.inclusion_tag("includes/moderation_link.html", takes_context=True)
def moderation_link(context):
    """Only in the header rendered live for this member (shared parts have no user in their context)."""
    user = context.get("user")
    request = context.get("request")
    show = user is not None and user.is_authenticated and _shows_link(user)
    return {"show": show, "waiting": waiting() if show else None,
            "current": bool(request and request.path.startswith("/moderation/"))}
