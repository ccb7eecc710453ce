from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from mycarebudget import views
from mycarebudget.search.views import site_search

urlpatterns = [
    path("", views.home, name="home"),
    # The busiest addresses first (Django tries each pattern in turn); no two of these overlap.
    path("", include("wiki.urls")),
    path("", include("forum.urls")),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path("healthz", views.healthz, name="healthz"),
    path("csp-report/", views.csp_report, name="csp_report"),
    path("search/", site_search, name="search"),
    path("admin/", admin.site.urls),
    path("account/pas/", include("accounts.pas.urls")),
    path("account/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("accounts.budget.urls")),
    path("", include("wiki.templatelib.urls")),
    path("", include("mycarebudget.moderation.urls")),
]

if settings.BENCH_FLOOR:  # only while bench/run.py measures the floor
    from mycarebudget.bench_floor import floor

    urlpatterns.append(path("_bench/floor/", floor, name="bench_floor"))

handler400 = "mycarebudget.views.bad_request"
handler403 = "mycarebudget.views.permission_denied"
handler404 = "mycarebudget.views.page_not_found"
handler429 = "mycarebudget.ratelimits.handler429"  # allauth's rate limits (not a Django handler)
handler500 = "mycarebudget.views.server_error"
