"""Top-level routes: the web UI, the API under /api/v1/, its schema and docs, the admin."""

from django.contrib import admin
from django.urls import include, path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from checkins.feeds import calendar_feed
from config import views
from config.health import ReadinessView
from frontend.oidc_views import admin_login as oidc_admin_login
from modelutils.converters import DbIdConverter

# `<id:…>` in the URL modules included below: ids beyond a database key are no match (404).
register_converter(DbIdConverter, "id")

api_v1 = [
    path("", include("accounts.api.urls")),
    path("", include("companies.api.urls")),
    path("", include("convoys.api.urls")),
    path("", include("projects.api.urls")),
    path("", include("notifications.api.urls")),
    path("", include("comments.api.urls")),
    path("", include("checkins.api.urls")),
    path("", include("privacy.api.urls")),
    path("", include("audit.api.urls")),
    path("", include("programmes.api.urls")),
    path("", include("programmes.api.register_urls")),
    path("", include("reports.api.urls")),
    path("", include("reports.api.overview_urls")),
    path("", include("events.api.urls")),
    path("", include("events.api.public_urls")),
    path("", include("events.api.matching_urls")),
    path("", include("checks.api.urls")),
    path("", include("checks.api.public_urls")),
]

urlpatterns = [
    # With local login off, the admin's way in is SSO (frontend.oidc_views.admin_login).
    path("admin/login/", oidc_admin_login),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its init script as a file (?script=): no inline script under CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", views.healthz, name="healthz"),  # liveness: no I/O
    path("readyz", ReadinessView.as_view(), name="readyz"),  # readiness: DB, cache, broker
    # The calendar subscription feed: the secret token authenticates (no login).
    path("calendar/<str:token>.ics", calendar_feed, name="calendar-feed"),
    path("", include("frontend.urls")),
]

handler404 = "config.views.not_found"
handler500 = "config.views.server_error"
