from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("account/", views.account_home, name="home"),
    path("members/<int:pk>/", views.member_profile, name="profile"),
    path("account/display-name/", views.display_name_edit, name="display_name"),
    path("account/documents/", views.document_list, name="document_list"),
    path("account/documents/upload/", views.document_upload, name="document_upload"),
    path("account/documents/activity/", views.document_activity, name="document_activity"),
    path("account/documents/<uuid:pk>/", views.document_detail, name="document_detail"),
    path("account/documents/<uuid:pk>/edit/", views.document_edit, name="document_edit"),
    path("account/documents/<uuid:pk>/replace/", views.document_replace, name="document_replace"),
    path("account/documents/<uuid:pk>/delete/", views.document_delete, name="document_delete"),
    path("account/documents/<uuid:pk>/download/", views.document_download, name="document_download"),
    path("account/documents/<uuid:pk>/versions/<int:number>/download/", views.version_download,
         name="version_download"),
    path("account/data/", views.data_page, name="data"),
    path("account/data/download/", views.data_download, name="data_download"),
    path("account/delete/", views.account_delete, name="delete"),
    path("account/deleted/", views.account_deleted, name="deleted"),
]
