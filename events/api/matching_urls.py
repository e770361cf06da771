"""Routes of a registration's register match (staff): /api/v1/events/{id}/registrations/
{registration_id}/company/ and …/company-suggestions/."""

from django.urls import URLPattern, URLResolver, path

from events.api import matching_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "events/<id:id>/registrations/<id:registration_id>/company/",
        views.CompanyMatchView.as_view(),
        name="event-registration-company",
    ),
    path(
        "events/<id:id>/registrations/<id:registration_id>/company-suggestions/",
        views.CompanySuggestionsView.as_view(),
        name="event-registration-company-suggestions",
    ),
]
