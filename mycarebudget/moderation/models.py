from django.conf import settings
from django.db import models


class ModerationLogEntry(models.Model):
    """One thing a moderator did, on a guide or in the forum. Visible to other moderators."""

    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="moderation_log_entries")
    action = models.CharField(max_length=60)
    target_label = models.CharField(max_length=300)
    target_url = models.CharField(max_length=500, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        # The table it had when the log lived in the mycarebudget app: moved, not copied.
        db_table = "mycarebudget_moderationlogentry"
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "moderation log entries"

    def __str__(self) -> str:
        return f"{self.moderator} {self.action} {self.target_label}"
