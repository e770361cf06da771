"""The programme's convoy overview in the API (included by config.urls under /api/v1/)."""

from django.urls import URLPattern, URLResolver, path

from reports.api.overview_views import ProgrammeConvoysView

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "programmes/<id:programme_id>/convoys/",
        ProgrammeConvoysView.as_view(),
        name="programme-convoys",
    ),
]
