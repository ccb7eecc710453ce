"""The moderators' pages. The addresses are the ones moderators have always used."""

from django.urls import path

from mycarebudget.moderation import views

app_name = "moderation"
urlpatterns = [
    path("moderation/", views.queue, name="queue"),
    path("moderation/edits/<int:pk>/", views.review, name="review"),
    path("moderation/edits/<int:pk>/approve/", views.approve, name="approve"),
    path("moderation/edits/<int:pk>/reject/", views.reject, name="reject"),
    path("moderation/reports/", views.reports, name="reports"),
    path("moderation/log/", views.log, name="log"),
]
