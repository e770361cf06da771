"""Staff pages of a programme's open events: list, create, edit, registrations, the door,
messages after the event, exports (frontend namespace, via frontend.urls)."""

from django.urls import URLPattern, URLResolver, path

from frontend import event_views as views

_EVENT = "programmes/<id:programme_id>/events/<id:event_id>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("programmes/<id:programme_id>/events/", views.events_view, name="programme_events"),
    path(
        "programmes/<id:programme_id>/events/new/",
        views.event_create_view,
        name="programme_event_create",
    ),
    path(_EVENT, views.event_detail_view, name="programme_event"),
    path(_EVENT + "edit/", views.event_edit_view, name="programme_event_edit"),
    path(_EVENT + "publish/", views.event_publish_view, name="programme_event_publish"),
    path(_EVENT + "cancel/", views.event_cancel_view, name="programme_event_cancel"),
    path(_EVENT + "check-in/", views.event_check_in_view, name="programme_event_check_in"),
    path(
        _EVENT + "check-in/<id:registration_id>/undo/",
        views.event_check_in_undo_view,
        name="programme_event_check_in_undo",
    ),
    path(_EVENT + "door/", views.event_door_view, name="programme_event_door"),
    path(_EVENT + "door/count/", views.event_door_count_view, name="programme_event_door_count"),
    path(_EVENT + "walk-ins/", views.event_walk_in_view, name="programme_event_walk_in"),
    path(_EVENT + "messages/", views.event_messages_view, name="programme_event_messages"),
    path(
        _EVENT + "registrations.xlsx",
        views.event_registrations_xlsx_view,
        name="programme_event_registrations_xlsx",
    ),
    path(
        _EVENT + "registrations.csv",
        views.event_registrations_csv_view,
        name="programme_event_registrations_csv",
    ),
]
