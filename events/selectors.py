"""Reads of open events: the staff's events and registrants (scoped to the programme's
managers and coaches), the public face (published and cancelled events, never a registrant),
seats and waiting-list places, and the one home of who sees which registrant's columns.

Lists are annotated (counts, places in line) so that their queries do not grow with the
number of registrations.
"""

import re
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from events.keys import door_code_clean
from events.models import EventStatus, OpenEvent, Registration, RegistrationStatus
from programmes.models import Programme, Staff, StaffRole
from programmes.selectors import AnyUser

# Database keys are 64-bit at most: a bigger id names no row (and must not overflow).
_ID_MAX = 2**63 - 1


def _id(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= _ID_MAX else None


# NUL and the other control characters: PostgreSQL refuses NUL in a string (a 500), and
# none of them is in a name, a company or a door code.
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def search_text(value: Any, *, max_length: int = 200) -> str:
    """A search typed or scanned by a person, safe to reach the database: a string without
    control characters, trimmed, at most `max_length` characters."""
    if not isinstance(value, str):
        return ""
    return _CONTROL_RE.sub(" ", value).strip()[:max_length]


def _with_counts(queryset: QuerySet[OpenEvent]) -> QuerySet[OpenEvent]:
    return queryset.annotate(
        registered_count=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.REGISTERED)
        ),
        waitlisted_count=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)
        ),
        attended_count=Count("registrations", filter=Q(registrations__attended_at__isnull=False)),
    )


# --- staff -------------------------------------------------------------------------------------


def event_for_staff(*, event_id: Any, user: AnyUser) -> OpenEvent:
    """An event for its programme's managers and coaches, with `my_role` (their role there)
    and the counts. Anyone else: Http404 (they learn nothing, not even that it exists)."""
    pk = _id(event_id)
    if pk is None or not user.is_authenticated:
        raise Http404("No such event.")
    event = (
        _with_counts(
            OpenEvent.objects.filter(
                pk=pk,
                programme__staff_links__user_id=user.pk,
                programme__staff_links__role__in=(StaffRole.MANAGER, StaffRole.COACH),
            )
        )
        .annotate(
            my_role=Subquery(
                Staff.objects.filter(programme_id=OuterRef("programme_id"), user_id=user.pk).values(
                    "role"
                )[:1]
            )
        )
        .select_related("programme")
        .first()
    )
    if event is None:
        raise Http404("No such event.")
    return event


def events_for_programme(*, programme: Programme) -> QuerySet[OpenEvent]:
    """All events of a programme (drafts and cancelled ones too), soonest first, with
    `registered_count`, `waitlisted_count` and `attended_count`."""
    return _with_counts(OpenEvent.objects.filter(programme=programme)).order_by("starts_at", "id")


# Filters of the staff's list beyond the statuses: who came, and who had a seat but did not.
REGISTRATION_FILTERS = (*RegistrationStatus.values, "attended", "no_show")


def _queue_position() -> Case:
    """A waitlisted registration's place in line (1 = next), computed in the query."""
    earlier = (
        Registration.objects.filter(
            event_id=OuterRef("event_id"), status=RegistrationStatus.WAITLISTED
        )
        .filter(
            Q(created_at__lt=OuterRef("created_at"))
            | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk"))
        )
        .order_by()
        .values("event_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Case(
        When(
            status=RegistrationStatus.WAITLISTED,
            then=Coalesce(Subquery(earlier, output_field=IntegerField()), Value(0)) + 1,
        ),
        default=None,
        output_field=IntegerField(),
    )


def registrations_for_staff(
    *, event: OpenEvent, q: str = "", status: str = ""
) -> QuerySet[Registration]:
    """An event's registrations for its staff, in order of registration, each with
    `position` (the place in line of waitlisted ones, else None). `q` finds people by name,
    company or door code (the search at the door); `status`: registered, waitlisted,
    cancelled, or attended / no_show."""
    queryset = Registration.objects.filter(event=event).select_related(
        "checked_in_by", "company", "event"
    )
    q = search_text(q)
    if q:
        code = door_code_clean(q)
        match = Q(name__icontains=q) | Q(company_name__icontains=q)
        if code:
            match |= Q(code=code)
        queryset = queryset.filter(match)
    if status:
        if status not in REGISTRATION_FILTERS:
            raise ValidationError(
                {
                    "status": [
                        _("Filter by one of: %(values)s.")
                        % {"values": ", ".join(REGISTRATION_FILTERS)}
                    ]
                }
            )
        if status == "attended":
            queryset = queryset.filter(attended_at__isnull=False)
        elif status == "no_show":
            queryset = queryset.filter(
                status=RegistrationStatus.REGISTERED, attended_at__isnull=True
            )
        else:
            queryset = queryset.filter(status=status)
    return queryset.annotate(position=_queue_position()).order_by("created_at", "id")


def registration_for_staff(*, event: OpenEvent, registration_id: Any) -> Registration:
    """One registration of this event (the caller has the event through event_for_staff);
    Http404 for an id of another event or none."""
    pk = _id(registration_id)
    registration = (
        Registration.objects.filter(event=event, pk=pk).select_related("event__programme").first()
        if pk is not None
        else None
    )
    if registration is None:
        raise Http404("No such registration.")
    return registration


def attendance_count(event: OpenEvent) -> int:
    """People checked in at the door: the only attendance that counts."""
    return Registration.objects.filter(event=event, attended_at__isnull=False).count()


# --- public ------------------------------------------------------------------------------------


def event_public(*, event_id: Any, slug: str | None = None) -> OpenEvent:
    """An event's public face: published or cancelled (shown as cancelled), with
    `registered_count` for the seats left. Http404 for drafts, unknown ids, or an event of
    another programme than the address's `slug`."""
    pk = _id(event_id)
    if pk is None:
        raise Http404("No such event.")
    queryset = OpenEvent.objects.filter(pk=pk).exclude(status=EventStatus.DRAFT)
    if slug is not None:
        queryset = queryset.filter(programme__slug=slug)
    event = _with_counts(queryset).select_related("programme").first()
    if event is None:
        raise Http404("No such event.")
    return event


def public_events(*, programme: Programme, now: datetime | None = None) -> QuerySet[OpenEvent]:
    """A programme's published events not yet over, soonest first, with the counts (seats
    left without a query per event)."""
    now = now or timezone.now()
    return _with_counts(
        OpenEvent.objects.filter(programme=programme, status=EventStatus.PUBLISHED, ends_at__gt=now)
    ).order_by("starts_at", "id")


def seats_left(event: OpenEvent) -> int:
    """Free seats (never below 0: walk-ins may fill the room beyond the capacity). Uses the
    `registered_count` annotation of the selectors above when there is one."""
    registered = getattr(event, "registered_count", None)
    if registered is None:
        registered = Registration.objects.filter(
            event=event, status=RegistrationStatus.REGISTERED
        ).count()
    return max(0, event.capacity - registered)


def registration_open(event: OpenEvent, now: datetime | None = None) -> bool:
    """Whether the event takes registrations now: published, before the deadline and the
    start. (Full events still do: newcomers join the waiting list.)"""
    now = now or timezone.now()
    return (
        event.status == EventStatus.PUBLISHED
        and now <= event.registration_deadline
        and now < event.starts_at
    )


def waitlist_position(registration: Registration) -> int | None:
    """The place in line (1 = next) of a waitlisted registration, else None: 1 + the people
    of the event waiting who registered earlier."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    annotated = getattr(registration, "position", None)
    if annotated is not None:
        return int(annotated)
    earlier = Registration.objects.filter(
        event_id=registration.event_id, status=RegistrationStatus.WAITLISTED
    ).filter(
        Q(created_at__lt=registration.created_at)
        | Q(created_at=registration.created_at, pk__lt=registration.pk)
    )
    return earlier.count() + 1


# --- who sees what of a registrant (the one home of the privacy rule) ---------------------------

# Every column of a registrant staff may see, in the order of lists and exports.
_STAFF_COLUMNS = [
    "name",
    "company_name",
    "postcode",
    "size",
    "sector",
    "status",
    "position",
    "attended",
    "attended_at",
    "walk_in",
    "created_at",
    "answers",
    "contact_consent",
]


def _role(role: Any) -> StaffRole | None:
    try:
        return StaffRole(role) if role else None
    except ValueError:
        return None


def registration_columns(role: Any) -> list[str]:
    """The registrant columns a role sees. Managers and coaches of the programme: the person,
    company, status, attendance, answers and contact consent; managers, who may contact
    people, also `email` (filled only where registration_email_visible). Anyone else:
    nothing."""
    role = _role(role)
    if role is None:
        return []
    if role == StaffRole.MANAGER:
        return [*_STAFF_COLUMNS, "email"]
    return list(_STAFF_COLUMNS)


def contactable_q() -> Q:
    """Registrations the programme may contact after the event (the one home of the rule):
    they agreed to be contacted and their address is confirmed (double opt-in: they followed
    an e-mail's link, or gave it in person at the door). Messages, the managers' view of the
    address and exports follow it."""
    return (
        Q(contact_consent=True, email_confirmed_at__isnull=False)
        & ~Q(email="")
        & ~Q(status=RegistrationStatus.CANCELLED)
    )


def registration_contactable(registration: Registration) -> bool:
    """contactable_q for one registration in hand."""
    return (
        registration.contact_consent
        and registration.email_confirmed_at is not None
        and bool(registration.email)
        and registration.status != RegistrationStatus.CANCELLED
    )


def registration_contact_pending(registration: Registration) -> bool:
    """Agreed to be contacted, address not confirmed yet (the staff list says so)."""
    return (
        registration.contact_consent
        and registration.email_confirmed_at is None
        and bool(registration.email)
    )


def registration_email_visible(role: Any, registration: Registration) -> bool:
    """A registrant's e-mail address is shown to the programme's managers, and only for
    people who may be contacted (registration_contactable: consent and a confirmed address).
    Coaches never see it (they reach people through Konvoi's messages); the others'
    addresses serve only this event's own e-mails."""
    return _role(role) == StaffRole.MANAGER and registration_contactable(registration)


def registration_fields_for(role: Any, registration: Registration) -> dict[str, Any]:
    """A registrant as a role may see them: registration_columns(role), the e-mail address
    empty where registration_email_visible says no. Raw values (choices as stored, times as
    datetimes); API, pages and exports format them."""
    values: dict[str, Any] = {}
    for column in registration_columns(role):
        if column == "attended":
            values[column] = registration.attended_at is not None
        elif column == "position":
            values[column] = waitlist_position(registration)
        elif column == "email":
            values[column] = (
                registration.email if registration_email_visible(role, registration) else ""
            )
        else:
            values[column] = getattr(registration, column)
    return values
