"""Routes of the register API: a programme's company records and services. The programme is
`id` in the path, as in `/programmes/{id}/` (DESIGN.md), its record `record_id`, its service
`service_id`."""

from django.urls import URLPattern, URLResolver, path

from programmes.api import register_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "programmes/<id:id>/companies/",
        views.RegisterView.as_view(),
        name="programme-register",
    ),
    path(
        "programmes/<id:id>/companies/duplicates/",
        views.DuplicatesView.as_view(),
        name="programme-register-duplicates",
    ),
    path(
        "programmes/<id:id>/companies/<id:record_id>/",
        views.RecordView.as_view(),
        name="programme-record",
    ),
    path(
        "programmes/<id:id>/companies/<id:record_id>/merge/",
        views.MergeView.as_view(),
        name="programme-record-merge",
    ),
    path(
        "programmes/<id:id>/services/",
        views.ServicesView.as_view(),
        name="programme-services",
    ),
    path(
        "programmes/<id:id>/services/<id:service_id>/",
        views.ServiceView.as_view(),
        name="programme-service",
    ),
]
