"""Writes the moderation app owns: the log of moderators' actions."""

from mycarebudget.moderation.models import ModerationLogEntry


def log_moderation(*, moderator, action: str, target_label: str, target_url: str = "",
                   reason: str = "") -> ModerationLogEntry:
    """Record a moderator's action; call it inside the action's own transaction, after its check."""
    return ModerationLogEntry.objects.create(moderator=moderator, action=action,
                                             target_label=target_label[:300],
                                             target_url=target_url[:500], reason=reason)
