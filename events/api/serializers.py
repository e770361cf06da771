"""Shapes of the open-events API, staff and public (input and output kept apart).

Times are entered and shown in the programme's time zone (`Programme.timezone`): a time
without an offset is read in that zone, and every time is returned with its offset there.
The views activate the zone around validation and output (`zoned`)."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from rest_framework import serializers

from companies.models import Sector, SizeBand
from events.models import EventFormat, EventStatus, OpenEvent, RegistrationStatus
from events.selectors import (
    REGISTRATION_FILTERS,
    registration_email_visible,
    seats_left,
    waitlist_position,
)
from events.services import (
    ANSWER_MAX,
    CAPACITY_MAX,
    DESCRIPTION_MAX,
    QUESTION_KEY_MAX,
    QUESTION_LABEL_MAX,
    QUESTIONS_MAX,
)
from modelutils import MAX_ID
from notifications.links import Target, link_url


@contextmanager
def zoned(zone_name: str) -> Iterator[None]:
    """Read and write times in this zone (the programme's)."""
    with timezone.override(ZoneInfo(zone_name)):
        yield


def event_public_url(event: OpenEvent, slug: str | None = None) -> str:
    """The event's public page, absolute (SITE_URL + path)."""
    return link_url(Target(type="event_public", id=event.pk, slug=slug or event.programme.slug))


class ValueField(serializers.ChoiceField):
    """A choice of fixed values: an `enum` in the schema, named in
    SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] (`status` and `format` name other value sets
    elsewhere in the API, so each set has its own name there)."""


# What registering answers (RegistrationCreatedEnum): value = label, as its
# ENUM_NAME_OVERRIDES entry is a list.
REGISTRATION_CREATED_STATUSES = [
    (str(RegistrationStatus.REGISTERED), str(RegistrationStatus.REGISTERED)),
    (str(RegistrationStatus.WAITLISTED), str(RegistrationStatus.WAITLISTED)),
]


# --- events (staff) -----------------------------------------------------------------------


ANSWERS_HELP = (
    "Answers to the event's questions: an object whose keys are the questions' `key` and "
    "whose values are the answers (text)."
)


class EventQuestion(serializers.Serializer):
    """A question of the registration form (its rules: events.services.questions_clean):
    `{key, label, required}`, the same in input and output, staff and public."""

    key = serializers.CharField(
        max_length=QUESTION_KEY_MAX,
        help_text="Small letters, digits, - and _, unique; the key of the answer in `answers`.",
    )
    label = serializers.CharField(
        max_length=QUESTION_LABEL_MAX, help_text="The question as the form shows it."
    )
    required = serializers.BooleanField(
        default=False, help_text="Registering needs an answer (not blank)."
    )


ZONE_HELP = "Without an offset: in the programme's time zone."


class EventTimeField(serializers.DateTimeField):
    """A date-time read in the programme's zone. A naive time at the very edge of the
    calendar (year 1) overflows while the zone is applied, which DRF lets through as an
    OverflowError: a 400 here. Which years an event may have is events.services' rule."""

    def to_internal_value(self, value):
        try:
            return super().to_internal_value(value)
        except OverflowError:
            self.fail("overflow")


class OpenEventInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=DESCRIPTION_MAX
    )
    format = ValueField(EventFormat.choices, required=False)
    starts_at = EventTimeField(help_text=ZONE_HELP)
    ends_at = EventTimeField(help_text=ZONE_HELP)
    location = serializers.CharField(required=False, allow_blank=True, max_length=300)
    online_url = serializers.URLField(required=False, allow_blank=True, max_length=500)
    capacity = serializers.IntegerField(min_value=1, max_value=CAPACITY_MAX)
    registration_deadline = EventTimeField(help_text=ZONE_HELP)
    max_per_company = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=CAPACITY_MAX,
        help_text="At most this many people of one company (same normalised name and "
        "postcode); null: any number.",
    )
    questions = EventQuestion(
        many=True,
        required=False,
        max_length=QUESTIONS_MAX,
        help_text="The registration form's extra questions, in order.",
    )
    draft = serializers.BooleanField(
        required=False, default=False, help_text="Save as a draft: not public until published."
    )


class OpenEventUpdateInput(OpenEventInput):
    """Every field optional; no `draft` (publish with POST …/publish/)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["draft"]
        for field in self.fields.values():
            field.required = False


class OpenEventOutput(serializers.Serializer):
    """An event for its programme's staff, with its counts."""

    id = serializers.IntegerField()
    programme = serializers.IntegerField(source="programme_id")
    title = serializers.CharField()
    description = serializers.CharField()
    format = ValueField(EventFormat.choices)
    status = ValueField(EventStatus.choices)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    timezone = serializers.CharField(help_text="The programme's time zone (IANA name).")
    location = serializers.CharField()
    online_url = serializers.CharField()
    capacity = serializers.IntegerField()
    registration_deadline = serializers.DateTimeField()
    max_per_company = serializers.IntegerField(allow_null=True)
    questions = EventQuestion(many=True, help_text="The registration form's extra questions.")
    registered_count = serializers.IntegerField()
    waitlisted_count = serializers.IntegerField()
    attended_count = serializers.IntegerField(help_text="Checked in at the door.")
    seats_left = serializers.IntegerField()
    public_url = serializers.CharField(help_text="The public page (drafts: not public yet).")
    created_at = serializers.DateTimeField()
    cancelled_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, instance: OpenEvent) -> dict[str, Any]:
        programme = self.context.get("programme") or instance.programme
        instance.timezone = programme.timezone  # type: ignore[attr-defined]
        instance.public_url = event_public_url(instance, programme.slug)  # type: ignore[attr-defined]
        instance.seats_left = seats_left(instance)  # type: ignore[attr-defined]
        with zoned(programme.timezone):
            return super().to_representation(instance)


class _Paginated(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)


class PaginatedOpenEvents(_Paginated):
    results = OpenEventOutput(many=True)


# --- registrations (staff) ----------------------------------------------------------------


class EventRegistrationFilter(serializers.Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Name or company."
    )
    status = ValueField(
        [(value, value) for value in REGISTRATION_FILTERS],
        required=False,
        help_text="One of: registered, waitlisted, cancelled; attended (checked in) or "
        "no_show (registered, not checked in).",
    )


class EventRegistrationOutput(serializers.Serializer):
    """A registrant, for the programme's staff. `email` only where the role may contact the
    person (managers, for people who agreed to be contacted): otherwise the key is absent."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.CharField(
        required=False,
        max_length=254,
        help_text="Only for managers, and only for people who agreed to be contacted.",
    )
    company_name = serializers.CharField()
    postcode = serializers.CharField()
    size = ValueField(SizeBand.choices, allow_blank=True)
    sector = ValueField(Sector.choices, allow_blank=True)
    status = ValueField(RegistrationStatus.choices)
    position = serializers.IntegerField(
        allow_null=True, help_text="Place on the waiting list (waitlisted only)."
    )
    attended = serializers.BooleanField(help_text="Checked in at the door.")
    attended_at = serializers.DateTimeField(allow_null=True)
    walk_in = serializers.BooleanField(help_text="Registered at the door.")
    contact_consent = serializers.BooleanField(help_text="Agreed to be contacted after the event.")
    answers = serializers.DictField(child=serializers.CharField(), help_text=ANSWERS_HELP)
    created_at = serializers.DateTimeField()

    def to_representation(self, instance) -> dict[str, Any]:
        instance.attended = instance.attended_at is not None
        instance.position = waitlist_position(instance)  # the list's annotation, if any
        data = super().to_representation(instance)
        if not registration_email_visible(self.context["role"], instance):
            data.pop("email", None)
        return data


class PaginatedEventRegistrations(_Paginated):
    results = EventRegistrationOutput(many=True)


class AttendanceInput(serializers.Serializer):
    registration = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="A registration's id."
    )
    code = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="The door code under the QR code (typed or scanned; `KONVOI:` optional).",
    )


class AttendanceOutput(serializers.Serializer):
    registration = EventRegistrationOutput()
    already = serializers.BooleanField(help_text="The person had already been checked in.")


class WalkInInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    company_name = serializers.CharField(max_length=200)
    postcode = serializers.CharField(max_length=10)
    email = serializers.EmailField(required=False, allow_blank=True, max_length=254)
    size = ValueField(SizeBand.choices, required=False, allow_blank=True)
    sector = ValueField(Sector.choices, required=False, allow_blank=True)
    contact_consent = serializers.BooleanField(required=False, default=False)


# --- public -------------------------------------------------------------------------------


class PublicEventOutput(serializers.Serializer):
    """What anyone may know of an event: nothing about who registered (seats left only)."""

    id = serializers.IntegerField()
    programme = serializers.CharField(source="programme.name")
    programme_slug = serializers.CharField(source="programme.slug")
    title = serializers.CharField()
    description = serializers.CharField()
    format = ValueField(EventFormat.choices)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    timezone = serializers.CharField(help_text="The programme's time zone (IANA name).")
    location = serializers.CharField()
    online = serializers.BooleanField(
        help_text="Held online; the link is on the registrant's own page only."
    )
    capacity = serializers.IntegerField()
    seats_left = serializers.IntegerField()
    registration_deadline = serializers.DateTimeField()
    registration_open = serializers.BooleanField()
    max_per_company = serializers.IntegerField(allow_null=True)
    questions = EventQuestion(
        many=True, help_text="The registration form's extra questions (answers by `key`)."
    )
    cancelled = serializers.BooleanField()
    public_url = serializers.CharField()

    def to_representation(self, instance: OpenEvent) -> dict[str, Any]:
        programme = instance.programme
        instance.timezone = programme.timezone  # type: ignore[attr-defined]
        instance.online = bool(instance.online_url)  # type: ignore[attr-defined]
        instance.cancelled = instance.status == EventStatus.CANCELLED  # type: ignore[attr-defined]
        instance.public_url = event_public_url(instance, programme.slug)  # type: ignore[attr-defined]
        with zoned(programme.timezone):
            return super().to_representation(instance)


class PaginatedPublicEvents(_Paginated):
    results = PublicEventOutput(many=True)


class PublicRegistrationInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    email = serializers.EmailField(max_length=254)
    company_name = serializers.CharField(max_length=200)
    postcode = serializers.CharField(max_length=10)
    size = ValueField(SizeBand.choices)
    sector = ValueField(Sector.choices)
    consent = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Agrees to the processing of this registration (required: true).",
    )
    contact_consent = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Optional: agrees to be contacted by the programme after the event.",
    )
    answers = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=ANSWER_MAX),
        required=False,
        help_text=ANSWERS_HELP + " Required questions need a non-blank answer; keys of no "
        "question are refused.",
    )
    website = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text="Leave empty (a field for robots: a request that fills it is refused).",
    )


class RegistrationCreatedOutput(serializers.Serializer):
    status = ValueField(REGISTRATION_CREATED_STATUSES)
    position = serializers.IntegerField(
        required=False, help_text="Place on the waiting list; only when waitlisted."
    )
    cancel_token = serializers.CharField(
        help_text="The registrant's secret, also in the confirmation e-mail. It opens the API's "
        "`/api/v1/public/registrations/{token}/` (and `…/cancel/`) and the page for people "
        "`/registrations/{token}/`."
    )


class AlreadyCancelledOutput(serializers.Serializer):
    detail = serializers.CharField(help_text="This registration is already cancelled.")


class OwnRegistrationOutput(serializers.Serializer):
    """The registrant's own registration (opened with their token)."""

    status = ValueField(RegistrationStatus.choices)
    position = serializers.IntegerField(
        allow_null=True, help_text="Place on the waiting list (waitlisted only)."
    )
    name = serializers.CharField()
    email = serializers.CharField(max_length=254)
    company_name = serializers.CharField()
    postcode = serializers.CharField()
    size = ValueField(SizeBand.choices, allow_blank=True)
    sector = ValueField(Sector.choices, allow_blank=True)
    contact_consent = serializers.BooleanField()
    answers = serializers.DictField(child=serializers.CharField(), help_text=ANSWERS_HELP)
    code = serializers.CharField(
        allow_null=True, help_text="The door code (the QR code's content); registered only."
    )
    attended = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    cancelled_at = serializers.DateTimeField(allow_null=True)
    online_url = serializers.CharField(
        help_text="The video link of an online event; only while registered (else empty)."
    )
    event = PublicEventOutput()

    def to_representation(self, instance) -> dict[str, Any]:
        registered = instance.status == RegistrationStatus.REGISTERED
        instance.attended = instance.attended_at is not None
        instance.online_url = instance.event.online_url if registered else ""
        with zoned(instance.event.programme.timezone):
            data = super().to_representation(instance)
        if not registered:
            data["code"] = None
        return data
