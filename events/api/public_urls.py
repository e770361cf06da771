"""Public API of open events, for anyone: /api/v1/public/programmes/{slug}/events/,
/api/v1/public/events/… and /api/v1/public/registrations/{token}/…"""

from django.urls import URLPattern, URLResolver, path

from events.api import public_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "public/programmes/<slug:slug>/events/",
        views.ProgrammeEventsView.as_view(),
        name="public-programme-events",
    ),
    path("public/events/<id:id>/", views.EventView.as_view(), name="public-event"),
    path(
        "public/events/<id:id>/registrations/",
        views.RegistrationsView.as_view(),
        name="public-event-registrations",
    ),
    path(
        "public/registrations/<str:token>/",
        views.OwnRegistrationView.as_view(),
        name="public-registration",
    ),
    path(
        "public/registrations/<str:token>/cancel/",
        views.OwnRegistrationCancelView.as_view(),
        name="public-registration-cancel",
    ),
    path(
        "public/registrations/<str:token>/contact/",
        views.OwnRegistrationContactView.as_view(),
        name="public-registration-contact",
    ),
]
