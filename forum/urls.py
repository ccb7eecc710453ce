"""Forum addresses. Fixed pages come before the category pattern, and their first path
segments are in forum.models.RESERVED_CATEGORY_SLUGS so no category can take them."""

from django.urls import path

from forum import views

app_name = "forum"
urlpatterns = [
    path("forum/", views.forum_index, name="index"),
    path("forum/done/", views.ideas_done, name="done"),
    path("forum/settings/", views.forum_settings, name="settings"),
    path("forum/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("forum/topics/<int:pk>-<slug:slug>/", views.topic_detail, name="topic_detail"),
    path("forum/topics/<int:pk>/", views.topic_by_id, name="topic_by_id"),
    path("forum/topics/<int:pk>/reply/", views.reply_create, name="reply_create"),
    path("forum/topics/<int:pk>/follow/", views.topic_follow, name="topic_follow"),
    path("forum/topics/<int:pk>/unfollow/", views.topic_unfollow, name="topic_unfollow"),
    path("forum/topics/<int:pk>/support/", views.idea_support, name="idea_support"),
    path("forum/topics/<int:pk>/withdraw-support/", views.idea_withdraw, name="idea_withdraw"),
    path("forum/topics/<int:pk>/status/", views.idea_status, name="idea_status"),
    path("forum/topics/<int:pk>/lock/", views.topic_lock, name="topic_lock"),
    path("forum/topics/<int:pk>/unlock/", views.topic_unlock, name="topic_unlock"),
    path("forum/topics/<int:pk>/move/", views.topic_move, name="topic_move"),
    path("forum/topics/<int:pk>/merge/", views.idea_merge, name="idea_merge"),
    path("forum/topics/<int:pk>/unmark-answer/", views.topic_unmark_answer, name="topic_unmark_answer"),
    path("forum/posts/<int:pk>/", views.post_detail, name="post_detail"),
    path("forum/posts/<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("forum/posts/<int:pk>/delete/", views.post_delete, name="post_delete"),
    path("forum/posts/<int:pk>/report/", views.post_report, name="post_report"),
    path("forum/posts/<int:pk>/history/", views.post_history, name="post_history"),
    path("forum/posts/<int:pk>/hide/", views.post_hide, name="post_hide"),
    path("forum/posts/<int:pk>/unhide/", views.post_unhide, name="post_unhide"),
    path("forum/posts/<int:pk>/approve/", views.post_approve, name="post_approve"),
    path("forum/posts/<int:pk>/mark-answer/", views.post_mark_answer, name="post_mark_answer"),
    path("forum/posts/<int:pk>/dismiss-reports/", views.post_dismiss_reports, name="post_dismiss_reports"),
    path("forum/members/<int:pk>/suspend/", views.member_suspend, name="member_suspend"),
    path("forum/members/<int:pk>/lift-suspension/", views.member_lift, name="member_lift"),
    path("forum/<slug:category>/", views.category_detail, name="category_detail"),
    path("forum/<slug:category>/new/", views.topic_create, name="topic_create"),
]
