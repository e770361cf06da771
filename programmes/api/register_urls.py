"""Routes of the register API: a programme's company records and services."""

from django.urls import URLPattern, URLResolver, path

from programmes.api import register_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "programmes/<int:programme_id>/companies/",
        views.RegisterView.as_view(),
        name="programme-register",
    ),
    path(
        "programmes/<int:programme_id>/companies/duplicates/",
        views.DuplicatesView.as_view(),
        name="programme-register-duplicates",
    ),
    path(
        "programmes/<int:programme_id>/companies/<int:record_id>/",
        views.RecordView.as_view(),
        name="programme-record",
    ),
    path(
        "programmes/<int:programme_id>/companies/<int:record_id>/merge/",
        views.MergeView.as_view(),
        name="programme-record-merge",
    ),
    path(
        "programmes/<int:programme_id>/services/",
        views.ServicesView.as_view(),
        name="programme-services",
    ),
    path(
        "programmes/<int:programme_id>/services/<int:service_id>/",
        views.ServiceView.as_view(),
        name="programme-service",
    ),
]
