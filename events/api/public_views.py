"""The public API of open events, for anyone without an account: a programme's upcoming
events, one event, registering, and the registrant's own registration (opened with the token
from the confirmation). Nothing here says anything about other registrants: seats left only.

No authentication at all (`authentication_classes = []`): a logged-in browser is treated like
anyone else, and CSRF does not apply to a request that no cookie authorises. Registering is
rate limited per client address (events.services.registration_allowed) and has a honeypot
field (`website`) that people leave empty."""

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, NotFound, Throttled, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from audit.origin import client_ip
from config.api import Pagination
from events import selectors, services
from events.api.serializers import (
    AlreadyCancelledOutput,
    OwnRegistrationOutput,
    PaginatedPublicEvents,
    PublicEventOutput,
    PublicRegistrationInput,
    RegistrationCreatedOutput,
)
from events.keys import registration_by_token
from events.models import OpenEvent, Registration, RegistrationStatus
from programmes.selectors import programme_public

TAGS = ["public events"]
LIMITED = OpenApiResponse(
    description="Too many registrations from this address within the hour "
    "(`EVENT_REGISTRATIONS_PER_HOUR`); `Retry-After` says when to try again at the latest."
)
TOKEN_PARAMETER = OpenApiParameter(
    "token",
    str,
    OpenApiParameter.PATH,
    description="The registrant's secret (`cancel_token`), from the registration's answer "
    "and the confirmation e-mail.",
)


class AlreadyCancelled(APIException):
    """A second cancel with a token that works: nothing changes, and the client is told so
    (GET of the same token answers `status: cancelled`; a wrong token stays 404)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("This registration is already cancelled.")
    default_code = "already_cancelled"


def _public_event(event: OpenEvent) -> OpenEvent:
    """The event with what anyone may know of it: seats left and whether one may register."""
    event.seats_left = selectors.seats_left(event)  # type: ignore[attr-defined]
    event.registration_open = selectors.registration_open(event)  # type: ignore[attr-defined]
    return event


def _own_registration(registration: Registration) -> dict[str, Any]:
    registration.position = selectors.waitlist_position(registration)  # type: ignore[attr-defined]
    _public_event(registration.event)
    return OwnRegistrationOutput(registration).data


def _language() -> str:
    language = (translation.get_language() or "de")[:2]
    return language if language in {"de", "en"} else "de"


class _Public(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]


class ProgrammeEventsView(_Public):
    @extend_schema(
        operation_id="public_programmes_events_list",
        tags=TAGS,
        summary="A programme's upcoming events",
        description=(
            "The upcoming published events of the programme with this public address "
            "(`/p/{slug}/`), soonest first, with seats left and whether registration is "
            "open. Anyone; an unknown address: 404. Paginated."
        ),
        parameters=[OpenApiParameter("page", int)],
        responses={200: PaginatedPublicEvents},
    )
    def get(self, request: Request, slug: str) -> Response:
        programme = programme_public(slug=slug)
        paginator = Pagination()
        events = selectors.public_events(programme=programme)
        page = paginator.paginate_queryset(events, request, view=self)
        for event in page:
            event.programme = programme  # the list's programme: no query per event
            _public_event(event)  # seats left from the list's counts
        return paginator.get_paginated_response(PublicEventOutput(page, many=True).data)


class EventView(_Public):
    @extend_schema(
        operation_id="public_events_retrieve",
        tags=TAGS,
        summary="An open event",
        description=(
            "Title, description, format, times (with their offset in the programme's time "
            "zone), place, seats left, the registration deadline and whether registration is "
            "open, the questions of the form. A cancelled event is shown as `cancelled`. "
            "The video link of an online event is on the registrant's own page only. Drafts "
            "and unknown ids: 404."
        ),
        responses={200: PublicEventOutput},
    )
    def get(self, request: Request, id: int) -> Response:
        event = _public_event(selectors.event_public(event_id=id))
        return Response(PublicEventOutput(event).data)


class RegistrationsView(_Public):
    @extend_schema(
        operation_id="public_events_registrations_create",
        tags=TAGS,
        summary="Register for an event",
        description=(
            "No account needed. `registered` while seats are free, else `waitlisted` with "
            "its `position`. `consent` (to the processing of this registration) must be "
            "true; `contact_consent` (to be contacted after the event) is optional. 400 "
            "naming the field: registration closed (past the deadline, cancelled), consent "
            "missing, the company (same normalised name and postcode) has reached the "
            "event's limit per company, a required question unanswered. The confirmation "
            "e-mail carries the calendar file, the QR code for the door and the link to "
            "cancel; `cancel_token` opens the same. Limited per client address per hour "
            "(429)."
        ),
        request=PublicRegistrationInput,
        responses={201: RegistrationCreatedOutput, 429: LIMITED},
    )
    def post(self, request: Request, id: int) -> Response:
        event = selectors.event_public(event_id=id)
        data = PublicRegistrationInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if fields.pop("website", ""):
            # A robot filled the hidden field: refused without saying why.
            raise ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: [_("This registration was not accepted.")]}
            )
        if not services.registration_allowed(client_key=client_ip(request)):
            raise Throttled(
                wait=services.REGISTRATION_LIMIT_WINDOW_SECONDS,
                detail=services.registration_limited_message(),
            )
        created = services.registration_create(event=event, language=_language(), **fields)
        body: dict[str, Any] = {
            "status": created.registration.status,
            "cancel_token": created.token,
        }
        if created.registration.status == RegistrationStatus.WAITLISTED:
            body["position"] = created.position
        return Response(RegistrationCreatedOutput(body).data, status=status.HTTP_201_CREATED)


class OwnRegistrationView(_Public):
    @extend_schema(
        operation_id="public_registrations_retrieve",
        tags=TAGS,
        summary="My registration",
        description=(
            "The registration this token opens: status, place on the waiting list, what "
            "was entered, the door code (registered only), the event (with its video link "
            "while registered). A wrong token: 404."
        ),
        parameters=[TOKEN_PARAMETER],
        responses={200: OwnRegistrationOutput},
    )
    def get(self, request: Request, token: str) -> Response:
        registration = registration_by_token(token=token)
        if registration is None:
            raise NotFound()
        return Response(_own_registration(registration))


class OwnRegistrationCancelView(_Public):
    @extend_schema(
        operation_id="public_registrations_cancel",
        tags=TAGS,
        summary="Cancel my registration",
        description=(
            "Cancels the registration this token opens, registered or on the waiting list; "
            "a freed seat goes to the first person on the waiting list, who is e-mailed. "
            "Works once: a registration that is already cancelled stays so and answers 409 "
            "(nothing changes); a wrong token: 404."
        ),
        parameters=[TOKEN_PARAMETER],
        request=None,
        responses={
            200: OwnRegistrationOutput,
            409: OpenApiResponse(
                response=AlreadyCancelledOutput,
                description="The registration is already cancelled (nothing changed).",
            ),
        },
    )
    def post(self, request: Request, token: str) -> Response:
        registration = registration_by_token(token=token)
        if registration is None:
            raise NotFound()
        if registration.status == RegistrationStatus.CANCELLED:
            raise AlreadyCancelled()
        registration = services.registration_cancel(registration=registration)
        return Response(_own_registration(registration))


CONFIRM_LINK_INVALID = gettext_lazy(
    "This confirmation link is not valid. Please use the link from the e-mail."
)


class ContactAnswerInput(serializers.Serializer):
    answer = serializers.ChoiceField(
        choices=[("yes", "yes"), ("no", "no")],
        help_text="yes: confirm the consent to be contacted (needs `proof`); no: withdraw it.",
    )
    proof = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="The proof from the confirmation link of the registrant's e-mail "
        "(`/registrations/{token}/confirm/?proof=…`).",
    )


class ContactAnswerOutput(serializers.Serializer):
    contact_consent = serializers.BooleanField()
    email_confirmed = serializers.BooleanField()


class OwnRegistrationContactView(_Public):
    @extend_schema(
        operation_id="public_registrations_contact",
        tags=TAGS,
        summary="Confirm or withdraw my consent to be contacted",
        description=(
            "Double opt-in: a consent to be contacted after the event counts only once the "
            "registrant confirms it with the proof that only the e-mail's link carries (the "
            "token alone proves nothing: the registrant gets it at once). `no` withdraws the "
            "consent (always allowed). A wrong proof: 400; a wrong token: 404."
        ),
        parameters=[TOKEN_PARAMETER],
        request=ContactAnswerInput,
        responses={200: ContactAnswerOutput},
    )
    def post(self, request: Request, token: str) -> Response:
        registration = registration_by_token(token=token)
        if registration is None:
            raise NotFound()
        given = ContactAnswerInput(data=request.data)
        given.is_valid(raise_exception=True)
        if given.validated_data["answer"] == "no":
            services.registration_contact_withdraw(registration=registration)
        elif not services.registration_email_confirm(
            registration=registration, proof=given.validated_data.get("proof", "")
        ):
            raise serializers.ValidationError({"proof": [CONFIRM_LINK_INVALID]})
        return Response(
            ContactAnswerOutput(
                {
                    "contact_consent": registration.contact_consent,
                    "email_confirmed": registration.email_confirmed_at is not None,
                }
            ).data
        )
