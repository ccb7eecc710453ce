"""The header's "Moderation (N)" link, for moderators who may use their power."""

from django import template

from mycarebudget.moderation.powers import can_moderate

register = template.Library()


def waiting_count() -> int:
    """Guide edits waiting for review and forum reports not yet dealt with."""
    from forum.models import Report
    from wiki.models import EditProposal

    return EditProposal.objects.filter(status=EditProposal.Status.PENDING).count() + Report.objects.open().count()


@register.inclusion_tag("includes/moderation_link.html", takes_context=True)
def moderation_link(context):
    """Never in a shared copy (its stand-in member is no moderator), so no other reader is shown it."""
    user = context.get("user")
    request = context.get("request")
    show = not context.get("shared_copy") and user is not None and can_moderate(user)
    return {"show": show, "waiting": waiting_count() if show else 0,
            "current": bool(request and request.path.startswith("/moderation/"))}
