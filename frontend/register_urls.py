"""Pages of the company register: the list, a record, services, duplicates (frontend
namespace, via frontend.urls)."""

from django.urls import URLPattern, URLResolver, path

from frontend import register_views as views

_P = "programmes/<id:programme_id>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(_P + "companies/", views.register_view, name="programme_register"),
    path(_P + "companies/new/", views.record_create_view, name="programme_record_create"),
    path(
        _P + "companies/duplicates/",
        views.duplicates_view,
        name="programme_register_duplicates",
    ),
    path(_P + "companies/<id:record_id>/", views.record_view, name="programme_record"),
    path(
        _P + "companies/<id:record_id>/edit/",
        views.record_edit_view,
        name="programme_record_edit",
    ),
    path(
        _P + "companies/<id:record_id>/services/new/",
        views.service_create_view,
        name="programme_service_create",
    ),
    path(
        _P + "companies/<id:record_id>/merge/<id:duplicate_id>/",
        views.record_merge_view,
        name="programme_record_merge",
    ),
    path(
        _P + "services/<id:service_id>/edit/",
        views.service_edit_view,
        name="programme_service_edit",
    ),
    path(
        _P + "services/<id:service_id>/delete/",
        views.service_delete_view,
        name="programme_service_delete",
    ),
]
