from django.urls import path

from . import views

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
]
