from django.contrib import admin

from mycarebudget.moderation.models import ModerationLogEntry


@admin.register(ModerationLogEntry)
class ModerationLogEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "moderator", "action", "target_label"]
    list_filter = ["action"]
    readonly_fields = ["moderator", "action", "target_label", "target_url", "reason", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
