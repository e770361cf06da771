"""Public pages of open events, without an account: the event with its registration form, and
the registrant's own page (ticket, QR code, cancel) opened by the token of their e-mail
(frontend namespace, via frontend.urls)."""

from django.urls import URLPattern, URLResolver, path

from frontend import event_public_views as views

# The names event_public, registration, registration_cancel and registration_ics are
# reversed by frontend.links for the e-mails: keep them and their kwargs.
urlpatterns: list[URLPattern | URLResolver] = [
    path("p/<slug:slug>/events/<id:event_id>/", views.event_public_view, name="event_public"),
    path("registrations/<str:token>/", views.registration_view, name="registration"),
    path(
        "registrations/<str:token>/cancel/",
        views.registration_cancel_view,
        name="registration_cancel",
    ),
    path(
        "registrations/<str:token>/confirm/",
        views.registration_contact_view,
        name="registration_contact",
    ),
    path(
        "registrations/<str:token>/event.ics",
        views.registration_ics_view,
        name="registration_ics",
    ),
]
