from django.urls import path

from wiki import views

app_name = "wiki"
urlpatterns = [
    path("moderation/missing-addresses/", views.missing_addresses, name="missing_addresses"),
    path("moderation/reviews/", views.reviews_due, name="reviews_due"),
    path("moderation/synonyms/", views.search_synonyms, name="search_synonyms"),
    path("wiki/", views.page_index, name="page_index"),
    path("wiki/new/", views.page_new, name="page_new"),
    path("wiki/recent/", views.recent_changes, name="recent_changes"),
    path("wiki/recent/feed/", views.recent_feed, name="recent_feed"),
    path("wiki/my-edits/", views.my_edits, name="my_edits"),
    path("wiki/my-edits/<int:pk>/", views.my_edit_detail, name="my_edit_detail"),
    path("wiki/my-edits/<int:pk>/withdraw/", views.my_edit_withdraw, name="my_edit_withdraw"),
    path("wiki/id/<int:pk>/", views.page_by_id, name="page_by_id"),
    path("wiki/id/<int:pk>/versions/<int:number>/", views.version_by_id, name="version_by_id"),
    path("wiki/<slug:slug>/", views.page_detail, name="page_detail"),
    path("wiki/watching/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("wiki/<slug:slug>/watch/", views.page_watch, name="page_watch"),
    path("wiki/<slug:slug>/feed/", views.page_feed, name="page_feed"),
    path("wiki/<slug:slug>/history/", views.page_history, name="page_history"),
    path("wiki/<slug:slug>/versions/<int:number>/", views.page_version, name="page_version"),
    path("wiki/<slug:slug>/versions/<int:number>/restore/", views.page_restore, name="page_restore"),
    path("wiki/<slug:slug>/compare/", views.page_compare_choose, name="page_compare_choose"),
    path("wiki/<slug:slug>/compare/<int:a>/<int:b>/", views.page_compare, name="page_compare"),
    path("wiki/<slug:slug>/edit/", views.page_edit, name="page_edit"),
    path("wiki/<slug:slug>/retire/", views.page_retire, name="page_retire"),
    path("wiki/<slug:slug>/easy-read-check/", views.easy_read_check, name="easy_read_check"),
]
