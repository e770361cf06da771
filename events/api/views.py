"""The staff API of open events: a programme's events, their registrations, the door check-in
and walk-ins. Every view starts at programmes.selectors.programme_for_staff or
events.selectors.event_for_staff: anyone not on the staff of the event's programme gets 404
(never 403); the services check the role again. Writes go through events.services."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import Pagination
from events import selectors, services
from events.api.serializers import (
    AttendanceInput,
    AttendanceOutput,
    EventRegistrationFilter,
    EventRegistrationOutput,
    OpenEventInput,
    OpenEventOutput,
    OpenEventUpdateInput,
    PaginatedEventRegistrations,
    PaginatedOpenEvents,
    WalkInInput,
    zoned,
)
from events.models import OpenEvent, Registration
from programmes.models import Programme
from programmes.selectors import programme_for_staff

TAGS = ["events"]
STAFF_ONLY = "Staff of the event's programme only (manager or coach; anyone else: 404)."


def _event_output(event: OpenEvent, programme: Programme) -> dict[str, Any]:
    """The event with its counts (read again after a change: seats may have been taken)."""
    annotated = selectors.events_for_programme(programme=programme).get(pk=event.pk)
    return OpenEventOutput(annotated, context={"programme": programme}).data


def _event_input(serializer_class, request: Request, programme: Programme) -> dict[str, Any]:
    data = serializer_class(data=request.data)
    with zoned(programme.timezone):
        data.is_valid(raise_exception=True)
    fields = dict(data.validated_data)
    if "questions" in fields:
        fields["questions"] = [dict(question) for question in fields["questions"]]
    return fields


def _registration_output(event: OpenEvent, registration: Registration) -> dict[str, Any]:
    with zoned(event.programme.timezone):
        return EventRegistrationOutput(registration, context={"role": event.my_role}).data


class ProgrammeEventsView(APIView):
    """A programme's open events."""

    @extend_schema(
        operation_id="programmes_events_list",
        tags=TAGS,
        summary="The programme's open events",
        description=(
            "Every event of the programme (drafts, cancelled and past ones included), "
            "soonest first, with registered, waitlisted and checked-in counts and seats left. "
            "Times with their offset in the programme's time zone. Paginated. " + STAFF_ONLY
        ),
        parameters=[OpenApiParameter("page", int)],
        responses={200: PaginatedOpenEvents},
    )
    def get(self, request: Request, id: int) -> Response:
        programme, _role = programme_for_staff(programme_id=id, user=request.user)
        paginator = Pagination()
        events = selectors.events_for_programme(programme=programme)
        page = paginator.paginate_queryset(events, request, view=self)
        body = OpenEventOutput(page, many=True, context={"programme": programme}).data
        return paginator.get_paginated_response(body)

    @extend_schema(
        operation_id="programmes_events_create",
        tags=TAGS,
        summary="Create an open event",
        description=(
            "An info event, workshop or consultation day anyone may register for without an "
            "account. Times without an offset are read in the programme's time zone. Public "
            "at once (`public_url`) unless saved as a `draft`. The end must be after the "
            "start and the registration deadline not after the start (400 naming the field). "
            + STAFF_ONLY
        ),
        request=OpenEventInput,
        responses={201: OpenEventOutput},
    )
    def post(self, request: Request, id: int) -> Response:
        programme, _role = programme_for_staff(programme_id=id, user=request.user)
        fields = _event_input(OpenEventInput, request, programme)
        event = services.event_create(programme=programme, by=request.user, **fields)
        return Response(_event_output(event, programme), status=status.HTTP_201_CREATED)


class EventView(APIView):
    """One event, for its programme's staff."""

    @extend_schema(
        operation_id="events_retrieve",
        tags=TAGS,
        summary="An open event",
        description="The event with its counts. " + STAFF_ONLY,
        responses={200: OpenEventOutput},
    )
    def get(self, request: Request, id: int) -> Response:
        event = selectors.event_for_staff(event_id=id, user=request.user)
        return Response(OpenEventOutput(event, context={"programme": event.programme}).data)

    @extend_schema(
        operation_id="events_partial_update",
        tags=TAGS,
        summary="Change an open event",
        description=(
            "Change any of the event's fields. Registrants are e-mailed when a published "
            "event's time or place changes (with the updated calendar file). More seats move "
            "people up from the waiting list; fewer seats than people registered: 400. A "
            "cancelled event cannot be changed (400). " + STAFF_ONLY
        ),
        request=OpenEventUpdateInput,
        responses={200: OpenEventOutput},
    )
    def patch(self, request: Request, id: int) -> Response:
        event = selectors.event_for_staff(event_id=id, user=request.user)
        programme = event.programme
        fields = _event_input(OpenEventUpdateInput, request, programme)
        event = services.event_update(event=event, by=request.user, **fields)
        return Response(_event_output(event, programme))


class EventPublishView(APIView):
    @extend_schema(
        operation_id="events_publish",
        tags=TAGS,
        summary="Publish a draft",
        description=(
            "A draft becomes public (its page, the programme's list, registration). Anything "
            "but a draft: 400. " + STAFF_ONLY
        ),
        request=None,
        responses={200: OpenEventOutput},
    )
    def post(self, request: Request, id: int) -> Response:
        event = selectors.event_for_staff(event_id=id, user=request.user)
        event = services.event_publish(event=event, by=request.user)
        return Response(_event_output(event, event.programme))


class EventCancelView(APIView):
    @extend_schema(
        operation_id="events_cancel",
        tags=TAGS,
        summary="Cancel an event",
        description=(
            "Everyone registered or on the waiting list is e-mailed (with a calendar file "
            "that removes the entry). The public page stays, marked cancelled. Already "
            "cancelled: 400. " + STAFF_ONLY
        ),
        request=None,
        responses={200: OpenEventOutput},
    )
    def post(self, request: Request, id: int) -> Response:
        event = selectors.event_for_staff(event_id=id, user=request.user)
        event = services.event_cancel(event=event, by=request.user)
        return Response(_event_output(event, event.programme))


class RegistrationsView(APIView):
    @extend_schema(
        operation_id="events_registrations_list",
        tags=TAGS,
        summary="The event's registrations",
        description=(
            "Everyone who registered (and walk-ins), in order of registration, paginated; "
            "`q` searches name and company, `status` filters. `attended` is true only for "
            "people checked in at the door. `email` is present only for managers and only "
            "for people who agreed to be contacted; coaches never see addresses. " + STAFF_ONLY
        ),
        parameters=[EventRegistrationFilter, OpenApiParameter("page", int)],
        responses={200: PaginatedEventRegistrations},
    )
    def get(self, request: Request, id: int) -> Response:
        event = selectors.event_for_staff(event_id=id, user=request.user)
        filters = EventRegistrationFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        registrations = selectors.registrations_for_staff(event=event, **filters.validated_data)
        paginator = Pagination()
        page = paginator.paginate_queryset(registrations, request, view=self)
        with zoned(event.programme.timezone):
            body = EventRegistrationOutput(page, many=True, context={"role": event.my_role}).data
        return paginator.get_paginated_response(body)


class AttendanceView(APIView):
    @extend_schema(
        operation_id="events_attendance_create",
        tags=TAGS,
        summary="Check someone in at the door",
        description=(
            "By `registration` (its id) or by the door `code` under the QR code (scanned or "
            "typed; case, spaces, dashes and the `KONVOI:` prefix do not matter). Someone "
            "on the waiting list is let in (registered); a cancelled registration is refused "
            "(400: register them as a walk-in). Checking in twice changes nothing "
            "(`already`: true). A registration or code of another event: 400. " + STAFF_ONLY
        ),
        request=AttendanceInput,
        responses={200: AttendanceOutput},
    )
    def post(self, request: Request, id: int) -> Response:
        event = selectors.event_for_staff(event_id=id, user=request.user)
        data = AttendanceInput(data=request.data)
        data.is_valid(raise_exception=True)
        registration = None
        if "registration" in data.validated_data:
            registration = _registration_of_event(event, data.validated_data["registration"])
        result = services.attendance_check_in(
            event=event,
            by=request.user,
            registration=registration,
            code=data.validated_data.get("code"),
        )
        body = {
            "registration": _registration_output(event, result.registration),
            "already": result.already,
        }
        return Response(body)


def _registration_of_event(event: OpenEvent, registration_id: int):
    """A registration named in a body: one of another event is a 400 naming the field."""
    try:
        return selectors.registration_for_staff(event=event, registration_id=registration_id)
    except Http404:
        raise ValidationError(
            {"registration": [_("This registration is not for this event.")]}
        ) from None


class AttendanceUndoView(APIView):
    @extend_schema(
        operation_id="events_attendance_destroy",
        tags=TAGS,
        summary="Undo a check-in",
        description=(
            "A mistaken check-in: the person no longer counts as attended. A registration of "
            "another event: 404. " + STAFF_ONLY
        ),
        responses={204: None},
    )
    def delete(self, request: Request, id: int, registration_id: int) -> Response:
        event = selectors.event_for_staff(event_id=id, user=request.user)
        registration = selectors.registration_for_staff(
            event=event, registration_id=registration_id
        )
        services.attendance_undo(registration=registration, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WalkInView(APIView):
    @extend_schema(
        operation_id="events_walk_ins_create",
        tags=TAGS,
        summary="Register someone at the door",
        description=(
            "A person who came without registering: registered and checked in at once (they "
            "agreed at the door); not limited by the seats. " + STAFF_ONLY
        ),
        request=WalkInInput,
        responses={201: EventRegistrationOutput},
    )
    def post(self, request: Request, id: int) -> Response:
        event = selectors.event_for_staff(event_id=id, user=request.user)
        data = WalkInInput(data=request.data)
        data.is_valid(raise_exception=True)
        registration = services.walk_in_register(
            event=event, by=request.user, **data.validated_data
        )
        return Response(_registration_output(event, registration), status=status.HTTP_201_CREATED)
