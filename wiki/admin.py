from django.contrib import admin
from reversion.admin import VersionAdmin

from wiki import easy_read
from wiki.models import EditProposal, Page, SlugRedirect


@admin.register(Page)
class PageAdmin(VersionAdmin):
    list_display = ["title", "slug", "topic", "revision", "published_at", "retired_at"]
    list_filter = ["topic"]
    search_fields = ["title", "slug"]
    readonly_fields = ["body_html", "body_text", "revision", "published_at", "changed_at"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "easy_read_of" in form.changed_data:  # both standard pages' articles show the pairing
            easy_read.touch_partner(obj, former_partner=form.initial.get("easy_read_of"))


@admin.register(EditProposal)
class EditProposalAdmin(admin.ModelAdmin):
    list_display = ["title", "author", "status", "created_at", "decided_by"]
    list_filter = ["status"]
    raw_id_fields = ["page", "author", "decided_by"]


@admin.register(SlugRedirect)
class SlugRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_slug", "page", "created_at"]
    raw_id_fields = ["page"]
