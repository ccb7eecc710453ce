"""Admin: categories are edited here; posts and moderation go through the site, so that
every change is rendered by render_markdown, counted, indexed and logged."""

from django.contrib import admin

from forum.models import Category, Follow, Post, PostRevision, Preferences, Report, Support, Suspension, Topic


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position", "is_ideas", "moderators_only_topics"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown for looking things up; changed only through forum.services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Topic)
class TopicAdmin(ReadOnlyAdmin):
    list_display = ["title", "category", "author", "status", "reply_count", "support_count", "is_locked",
                    "is_held", "is_hidden", "last_activity_at"]
    list_filter = ["category", "status", "is_locked", "is_held", "is_hidden"]
    search_fields = ["title"]
    date_hierarchy = "created_at"


@admin.register(Post)
class PostAdmin(ReadOnlyAdmin):
    list_display = ["pk", "topic", "author", "kind", "created_at", "edit_count", "is_held", "hidden_at",
                    "deleted_at"]
    list_filter = ["kind", "is_held"]
    search_fields = ["topic__title"]
    exclude = ["search_vector", "body_html"]
    list_select_related = ["topic", "author"]


@admin.register(PostRevision)
class PostRevisionAdmin(ReadOnlyAdmin):
    list_display = ["post", "editor", "created_at", "replaced_at"]
    list_select_related = ["post", "editor"]


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["post", "reporter", "reason", "created_at", "outcome", "resolved_at"]
    list_filter = ["reason", "outcome"]
    list_select_related = ["post", "reporter"]


@admin.register(Suspension)
class SuspensionAdmin(ReadOnlyAdmin):
    list_display = ["user", "moderator", "starts_at", "ends_at", "lifted_at"]
    list_select_related = ["user", "moderator"]


@admin.register(Support)
class SupportAdmin(ReadOnlyAdmin):
    list_display = ["topic", "user", "created_at"]
    list_select_related = ["topic", "user"]


@admin.register(Follow)
class FollowAdmin(ReadOnlyAdmin):
    list_display = ["topic", "user", "is_following", "changed_at"]
    list_select_related = ["topic", "user"]


@admin.register(Preferences)
class PreferencesAdmin(ReadOnlyAdmin):
    list_display = ["user", "email_notifications", "updated_at"]
    list_select_related = ["user"]
