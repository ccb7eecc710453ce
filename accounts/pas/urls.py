from django.urls import path

from accounts.pas import views

app_name = "pas"
urlpatterns = [
    path("", views.pa_list, name="pa_list"),
    path("add/", views.pa_add, name="pa_add"),
    path("<uuid:pk>/", views.pa_detail, name="pa_detail"),
    path("<uuid:pk>/edit/", views.pa_edit, name="pa_edit"),
    path("<uuid:pk>/delete/", views.pa_delete, name="pa_delete"),
    path("<uuid:pk>/rota-link/", views.pa_rota_link, name="pa_rota_link"),
    path("<uuid:pk>/holiday/book/", views.holiday_book, name="holiday_book"),
    path("<uuid:pk>/holiday/<int:booking>/cancel/", views.holiday_cancel, name="holiday_cancel"),
    path("rota/", views.rota, name="rota"),
    path("rota/pattern/", views.rota_settings, name="rota_settings"),
    path("rota/shifts/add/", views.shift_add, name="shift_add"),
    path("rota/shifts/<int:pk>/delete/", views.shift_delete, name="shift_delete"),
    path("rota/cover/add/", views.cover_add, name="cover_add"),
    path("rota/cover/<int:pk>/delete/", views.cover_delete, name="cover_delete"),
    path("rota/changes/add/", views.change_add, name="change_add"),
    path("rota/changes/<int:pk>/delete/", views.change_delete, name="change_delete"),
    path("rota/print/", views.rota_print, name="rota_print"),
    path("rota/shared/<str:token>/", views.shared_rota, name="shared_rota"),
    path("timesheets/", views.timesheet_week, name="timesheets"),
    path("timesheets/<int:pk>/", views.timesheet_edit, name="timesheet_edit"),
    path("payroll/", views.payroll_list, name="payroll"),
    path("payroll/<int:pk>/", views.payroll_detail, name="payroll_detail"),
    path("payroll/<int:pk>/hours.csv", views.payroll_csv, name="payroll_csv"),
    path("payroll/<int:pk>/sent/", views.payroll_sent, name="payroll_sent"),
    path("payroll/<int:pk>/delete/", views.payroll_delete, name="payroll_delete"),
    path("payroll/<int:pk>/wages/", views.payroll_wages, name="payroll_wages"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/dates/<int:pk>/delete/", views.deadline_delete, name="deadline_delete"),
    path("calendar/address/", views.calendar_feed_link, name="calendar_feed_link"),
    path("calendar/feed/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("minimum-wage/", views.wage_rates, name="wage_rates"),
    path("minimum-wage/<int:pk>/delete/", views.wage_rate_delete, name="wage_rate_delete"),
]
