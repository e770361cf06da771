"""The register match of a registration (staff; frontend namespace, via frontend.urls)."""

from django.urls import URLPattern, URLResolver, path

from frontend.event_register_views import event_registration_company_view

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "programmes/<id:programme_id>/events/<id:event_id>/registrations/"
        "<id:registration_id>/company/",
        event_registration_company_view,
        name="event_registration_company",
    ),
]
