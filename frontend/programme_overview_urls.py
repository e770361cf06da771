"""Pages of one part of the programme layer (frontend namespace, via frontend.urls): the
programme's convoy overview."""

from django.urls import URLPattern, URLResolver, path

from frontend.programme_overview_views import programme_convoys_view

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "programmes/<id:programme_id>/convoys/",
        programme_convoys_view,
        name="programme_convoys",
    ),
]
