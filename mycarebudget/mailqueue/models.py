"""A record of every email that failed to send: what staff see when mail is not getting through.

The queue itself is the tasks table (django-tasks-db); this keeps, per email, what went wrong,
how often it was tried and whether it got through in the end. Never the body: it may hold a
sign-in or reset link.
"""

from django.db import models


class FailedEmail(models.Model):
    class Status(models.TextChoices):
        RETRYING = "retrying", "Failed, will be tried again"
        DELIVERED = "delivered", "Delivered on a later try"
        GAVE_UP = "gave_up", "Given up: not delivered"

    recipients = models.TextField()
    subject = models.CharField(max_length=300)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RETRYING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    last_error = models.CharField(max_length=500)
    first_failed_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_attempt_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.subject} to {self.recipients} ({self.get_status_display()})"
