"""Staff API of open events: /api/v1/programmes/{id}/events/ and /api/v1/events/{id}/…"""

from django.urls import URLPattern, URLResolver, path

from events.api import views

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "programmes/<id:id>/events/", views.ProgrammeEventsView.as_view(), name="programme-events"
    ),
    path("events/<id:id>/", views.EventView.as_view(), name="event-detail"),
    path("events/<id:id>/publish/", views.EventPublishView.as_view(), name="event-publish"),
    path("events/<id:id>/cancel/", views.EventCancelView.as_view(), name="event-cancel"),
    path(
        "events/<id:id>/registrations/",
        views.RegistrationsView.as_view(),
        name="event-registrations",
    ),
    path("events/<id:id>/attendance/", views.AttendanceView.as_view(), name="event-attendance"),
    path(
        "events/<id:id>/attendance/<id:registration_id>/",
        views.AttendanceUndoView.as_view(),
        name="event-attendance-undo",
    ),
    path("events/<id:id>/walk-ins/", views.WalkInView.as_view(), name="event-walk-ins"),
]
