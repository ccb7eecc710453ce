from django.urls import path

from . import import_views, pack_views, share_views, views

app_name = "budget"
urlpatterns = [
    path("account/budget/", views.overview, name="overview"),
    path("account/budget/set-up/", views.setup, name="setup"),
    path("account/budget/plan/", views.plan, name="plan"),
    path("account/budget/money/", views.entry_list, name="entry_list"),
    path("account/budget/money/add/", views.entry_add, name="entry_add"),
    path("account/budget/money/<uuid:pk>/", views.entry_detail, name="entry_detail"),
    path("account/budget/money/<uuid:pk>/edit/", views.entry_edit, name="entry_edit"),
    path("account/budget/money/<uuid:pk>/delete/", views.entry_delete, name="entry_delete"),
    path("account/budget/money/<uuid:pk>/restore/", views.entry_restore, name="entry_restore"),
    path("account/budget/import/", import_views.import_upload, name="import_upload"),
    path("account/budget/import/<uuid:pk>/", import_views.import_map, name="import_map"),
    path("account/budget/import/<uuid:pk>/preview/", import_views.import_preview, name="import_preview"),
    path("account/budget/import/<uuid:pk>/confirm/", import_views.import_confirm, name="import_confirm"),
    path("account/budget/rules/", import_views.rules, name="rules"),
    path("account/budget/rules/<uuid:pk>/delete/", import_views.rule_delete, name="rule_delete"),
    path("account/budget/checklist/", pack_views.checklist, name="checklist"),
    path("account/budget/checklist/add/", pack_views.record_add, name="record_add"),
    path("account/budget/checklist/<uuid:pk>/remove/", pack_views.record_delete, name="record_delete"),
    path("account/budget/pack/", pack_views.pack, name="pack"),
    path("account/budget/sharing/", share_views.share_list, name="share_list"),
    path("account/budget/sharing/new/", share_views.share_add, name="share_add"),
    path("account/budget/sharing/<uuid:pk>/", share_views.share_detail, name="share_detail"),
    path("account/budget/sharing/<uuid:pk>/stop/", share_views.share_revoke, name="share_revoke"),
    path("account/budget/shared/<str:token>/", share_views.shared, name="shared"),
    path("account/budget/shared/<str:token>/download/", share_views.shared_download, name="shared_download"),
    path("account/budget/shared/<str:token>/documents/<uuid:document_id>/", share_views.shared_document,
         name="shared_document"),
]
