from django.urls import path, re_path

from wiki.templatelib import views

app_name = "templatelib"
urlpatterns = [
    path("templates/", views.template_index, name="template_index"),
    path("templates/new/", views.template_new, name="template_new"),
    path("templates/id/<int:pk>/", views.template_by_id, name="template_by_id"),
    path("templates/<slug:slug>/", views.template_detail, name="template_detail"),
    re_path(r"^templates/(?P<slug>[-a-zA-Z0-9_]+)/download\.(?P<fmt>docx|odt|xlsx|ods|csv)$",
            views.template_download, name="template_download"),
    path("templates/<slug:slug>/print/", views.template_print, name="template_print"),
    path("templates/<slug:slug>/fill/", views.template_fill, name="template_fill"),
    path("templates/<slug:slug>/history/", views.template_history, name="template_history"),
    path("templates/<slug:slug>/versions/<int:number>/", views.template_version, name="template_version"),
    path("templates/<slug:slug>/compare/", views.template_compare_choose, name="template_compare_choose"),
    path("templates/<slug:slug>/compare/<int:a>/<int:b>/", views.template_compare, name="template_compare"),
    path("templates/<slug:slug>/edit/", views.template_edit, name="template_edit"),
    path("moderation/templates/", views.moderation_queue, name="moderation_queue"),
    path("moderation/templates/<int:pk>/", views.moderation_review, name="moderation_review"),
    path("moderation/templates/<int:pk>/approve/", views.moderation_approve, name="moderation_approve"),
    path("moderation/templates/<int:pk>/reject/", views.moderation_reject, name="moderation_reject"),
]
