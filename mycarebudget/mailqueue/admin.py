from django.contrib import admin

from mycarebudget.mailqueue.models import FailedEmail


@admin.register(FailedEmail)
class FailedEmailAdmin(admin.ModelAdmin):
    """Read-only: staff see what failed and why; the worker does the retrying."""

    list_display = ["last_attempt_at", "status", "subject", "recipients", "attempts", "last_error"]
    list_filter = ["status"]
    search_fields = ["recipients", "subject"]
    readonly_fields = ["recipients", "subject", "status", "attempts", "last_error", "first_failed_at",
                       "last_attempt_at", "next_attempt_at", "delivered_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
