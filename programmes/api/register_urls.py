"""Routes of the register API: a programme's company records and services. The programme is
`id` in the path, as in `/programmes/{id}/` (DESIGN.md), its record `record_id`, its service
`service_id`."""

from django.urls import URLPattern, URLResolver, path

from programmes.api import register_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "programmes/<int:id>/companies/",
        views.RegisterView.as_view(),
        name="programme-register",
    ),
    path(
        "programmes/<int:id>/companies/duplicates/",
        views.DuplicatesView.as_view(),
        name="programme-register-duplicates",
    ),
    path(
        "programmes/<int:id>/companies/<int:record_id>/",
        views.RecordView.as_view(),
        name="programme-record",
    ),
    path(
        "programmes/<int:id>/companies/<int:record_id>/merge/",
        views.MergeView.as_view(),
        name="programme-record-merge",
    ),
    path(
        "programmes/<int:id>/services/",
        views.ServicesView.as_view(),
        name="programme-services",
    ),
    path(
        "programmes/<int:id>/services/<int:service_id>/",
        views.ServiceView.as_view(),
        name="programme-service",
    ),
]
