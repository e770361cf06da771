"""The programme report page (frontend namespace, via frontend.urls)."""

from django.urls import URLPattern, URLResolver, path

from frontend.report_views import programme_report_view

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "programmes/<id:programme_id>/report/",
        programme_report_view,
        name="programme_report",
    ),
]
