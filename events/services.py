"""The write path of open events: the web UI, the API, tasks and the demo call these.

The rules: who may act (the programme's managers and coaches), the seats (the event row is
locked while seats are counted and taken, so concurrent registrations never exceed the
capacity), the waiting list (in order of registration; a freed seat goes to the first in
line, who is told), the per-company cap, the registration deadline, the door check-in (the
only attendance that counts) and the register touches. E-mails leave after commit
(`events.mails`, `delay_on_commit`).
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.db.models import Count, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.ratelimit import client_network_key, limit_hit
from accounts.text import name_clean
from companies.models import Sector, SizeBand
from events import mails
from events.keys import (
    company_key,
    door_code_clean,
    door_code_new,
    registration_email_proof_valid,
    registration_token_new,
)
from events.models import EventFormat, EventStatus, OpenEvent, Registration, RegistrationStatus
from modelutils.update import model_update
from programmes.models import CompanyRecord, Programme, Staff, StaffRole, Touch, TouchKind
from programmes.services import company_record_recompute, company_touch

# --- the company register --------------------------------------------------------------------


def registration_touch(registration: Registration) -> None:
    """Tell the programme's register what this registration means for its company, once the
    company is known (staff confirmed the match): registered → lead, attended → engaged.
    Idempotent (one touch per kind and registration); call it inside the transaction of the
    change (confirming the company, checking in)."""
    company = registration.company
    if company is None or registration.status == "cancelled":
        return
    event = registration.event
    source = f"registration:{registration.pk}"
    company_touch(
        programme=event.programme,
        company=company,
        kind=TouchKind.EVENT_REGISTERED,
        source=source,
        at=registration.created_at,
        label=event.title,
    )
    if registration.attended_at is not None:
        company_touch(
            programme=event.programme,
            company=company,
            kind=TouchKind.EVENT_ATTENDED,
            source=source,
            at=registration.attended_at,
            label=event.title,
        )


def _mail_queue(task: str, **kwargs: Any) -> None:
    """Queue an e-mail task of events.mails after commit."""
    getattr(mails, task).delay_on_commit(**kwargs)


# --- who may act ---------------------------------------------------------------------------

_STAFF_ROLES = (StaffRole.MANAGER, StaffRole.COACH)


def _require_staff(*, programme_id: int, user: User) -> None:
    """Defence in depth: views answer 404 first (events.selectors.event_for_staff); the
    service checks again, so that a task, the shell or a new view cannot skip it."""
    if user is None or not user.is_authenticated:
        raise PermissionDenied(_("Only the programme's staff may do this."))
    if not Staff.objects.filter(
        programme_id=programme_id, user_id=user.pk, role__in=_STAFF_ROLES
    ).exists():
        raise PermissionDenied(_("Only the programme's staff may do this."))


def _lock(event: OpenEvent) -> OpenEvent:
    """The event row, locked: everything that counts or moves seats of one event (registering,
    cancelling, a capacity change, letting a waitlisted person in) runs one after the other,
    so the seats taken never exceed the capacity however many people register at once."""
    return (
        OpenEvent.objects.select_for_update(of=("self",))
        .select_related("programme")
        .get(pk=event.pk)
    )


def local_datetime(value: datetime, event: OpenEvent) -> str:
    """A moment in the event's (its programme's) time zone, formatted for the active
    language; messages name times as the people who come read them."""
    zone = event.programme.timezone
    local = value.astimezone(ZoneInfo(zone))
    day = formats.date_format(local, "DATE_FORMAT")
    return f"{day}, {formats.date_format(local, 'H:i')}"


# --- the event -----------------------------------------------------------------------------

EVENT_FIELDS = frozenset(
    {
        "title",
        "description",
        "format",
        "starts_at",
        "ends_at",
        "location",
        "online_url",
        "capacity",
        "registration_deadline",
        "max_per_company",
        "questions",
    }
)
# A change of these on a published event is told to everyone registered or waitlisted.
EVENT_NOTIFIED_FIELDS = ("starts_at", "ends_at", "location", "online_url")
CAPACITY_MAX = 100_000
DESCRIPTION_MAX = 20_000
QUESTIONS_MAX = 10
QUESTION_KEY_MAX = 40
QUESTION_LABEL_MAX = 200
ANSWER_MAX = 1000
_QUESTION_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


# Event times from the year 2000 to ten years ahead: anything else is a typo (and far-off
# years have zone offsets in seconds that no client parses).
EVENT_YEAR_MIN = 2000
EVENT_YEARS_AHEAD = 10


def _aware(value: Any, *, zone: str, field: str) -> datetime:
    """A moment; a naive one is read as wall-clock time in the programme's zone (a time the
    clocks skip becomes the time after the change, a repeated one its first pass)."""
    if not isinstance(value, datetime):
        raise ValidationError({field: [_("Enter a date and time.")]})
    last = timezone.now().year + EVENT_YEARS_AHEAD
    if not EVENT_YEAR_MIN <= value.year <= last:
        raise ValidationError(
            {
                field: [
                    _("Enter a date from %(first)d to %(last)d.")
                    % {"first": EVENT_YEAR_MIN, "last": last}
                ]
            }
        )
    if timezone.is_naive(value):
        value = value.replace(tzinfo=ZoneInfo(zone), fold=0)
    # As an instant (UTC): aware datetimes of the same zone compare and add by wall-clock
    # time, which is wrong across a clock change (02:10+02:00 is before 02:05+01:00).
    return value.astimezone(UTC)


def _instant(value: datetime) -> datetime:
    """A moment in UTC, so that comparisons and arithmetic are by instant, not wall time."""
    return value.astimezone(UTC)


def _text(value: Any, *, field: str, max_length: int, required: bool, line: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError({field: [_("Enter text.")]})
    value = name_clean(value, field=field) if line and value.strip() else value.strip()
    if required and not value:
        raise ValidationError({field: [_("This field is required.")]})
    if len(value) > max_length:
        raise ValidationError(
            {
                field: [
                    _("At most %(max)d characters, please (this has %(length)d).")
                    % {"max": max_length, "length": len(value)}
                ]
            }
        )
    return value


def _int(value: Any, *, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except (TypeError, ValueError):
            raise ValidationError({field: [_("Enter a whole number.")]}) from None
    if not low <= value <= high:
        raise ValidationError(
            {field: [_("Enter a number from %(low)d to %(high)d.") % {"low": low, "high": high}]}
        )
    return value


def _url(value: Any, *, field: str) -> str:
    value = _text(value, field=field, max_length=500, required=False)
    if value:
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            raise ValidationError({field: [_("Enter a full web address (https://…).")]}) from None
    return value


def questions_clean(value: Any) -> list[dict[str, Any]]:
    """The optional questions of the registration form: at most 10, each {key, label,
    required}, keys unique (answers are stored by key)."""
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise ValidationError({"questions": [_("Give the questions as a list.")]})
    if len(value) > QUESTIONS_MAX:
        raise ValidationError(
            {"questions": [_("At most %(max)d questions, please.") % {"max": QUESTIONS_MAX}]}
        )
    cleaned: list[dict[str, Any]] = []
    keys: set[str] = set()
    for item in value:
        if not isinstance(item, dict) or set(item) - {"key", "label", "required"}:
            raise ValidationError(
                {"questions": [_("Each question has a key, a label and whether it is required.")]}
            )
        key = item.get("key")
        if (
            not isinstance(key, str)
            or not _QUESTION_KEY_RE.match(key)
            or len(key) > QUESTION_KEY_MAX
        ):
            raise ValidationError(
                {
                    "questions": [
                        _("A question's key is up to %(max)d small letters, digits, “-” or “_”.")
                        % {"max": QUESTION_KEY_MAX}
                    ]
                }
            )
        if key in keys:
            raise ValidationError(
                {"questions": [_("Two questions have the key “%(key)s”.") % {"key": key}]}
            )
        keys.add(key)
        label = _text(
            item.get("label"), field="questions", max_length=QUESTION_LABEL_MAX, required=True
        )
        required = item.get("required", False)
        if not isinstance(required, bool):
            raise ValidationError(
                {"questions": [_("Whether a question is required is true or false.")]}
            )
        cleaned.append({"key": key, "label": label, "required": required})
    return cleaned


def _event_values_clean(values: dict[str, Any], *, zone: str) -> dict[str, Any]:
    """Check and normalise the given event fields one by one; every problem of a field is
    reported under its name (all fields at once)."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    checks = {
        "title": lambda v: _text(v, field="title", max_length=200, required=True),
        "description": lambda v: _text(
            v, field="description", max_length=DESCRIPTION_MAX, required=False, line=False
        ),
        "format": _format_clean,
        "starts_at": lambda v: _aware(v, zone=zone, field="starts_at"),
        "ends_at": lambda v: _aware(v, zone=zone, field="ends_at"),
        "registration_deadline": lambda v: _aware(v, zone=zone, field="registration_deadline"),
        "location": lambda v: _text(v, field="location", max_length=300, required=False),
        "online_url": lambda v: _url(v, field="online_url"),
        "capacity": lambda v: _int(v, field="capacity", low=1, high=CAPACITY_MAX),
        "max_per_company": lambda v: (
            None if v in (None, "") else _int(v, field="max_per_company", low=1, high=CAPACITY_MAX)
        ),
        "questions": questions_clean,
    }
    for name, value in values.items():
        try:
            cleaned[name] = checks[name](value)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _format_clean(value: Any) -> str:
    if value not in EventFormat.values:
        raise ValidationError({"format": [_("Choose info event, workshop or consultation day.")]})
    return str(value)


def _event_times_check(event: OpenEvent) -> None:
    """The rules between fields: it ends after it starts; registration closes at the start
    at the latest; at most per company is at most the seats."""
    errors: dict[str, list[str]] = {}
    starts_at = _instant(event.starts_at)
    if _instant(event.ends_at) <= starts_at:
        errors["ends_at"] = [_("The event must end after it starts.")]
    if _instant(event.registration_deadline) > starts_at:
        errors["registration_deadline"] = [
            _("Registration must close when the event starts at the latest.")
        ]
    if event.max_per_company is not None and event.max_per_company > event.capacity:
        errors["max_per_company"] = [_("This is more than the event's seats.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def event_create(
    *,
    programme: Programme,
    by: User,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    registration_deadline: datetime,
    description: str = "",
    format: str = EventFormat.INFO_EVENT,
    location: str = "",
    online_url: str = "",
    max_per_company: int | None = None,
    questions: list[dict[str, Any]] | None = None,
    draft: bool = False,
) -> OpenEvent:
    """A new event of the programme (its managers and coaches). Public at once unless saved
    as a draft: the page and the registration form are there from the first moment."""
    _require_staff(programme_id=programme.pk, user=by)
    values = _event_values_clean(
        {
            "title": title,
            "description": description,
            "format": format,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "location": location,
            "online_url": online_url,
            "capacity": capacity,
            "registration_deadline": registration_deadline,
            "max_per_company": max_per_company,
            "questions": questions,
        },
        zone=programme.timezone,
    )
    event = OpenEvent(
        programme=programme,
        created_by=by,
        status=EventStatus.DRAFT if draft else EventStatus.PUBLISHED,
        **values,
    )
    _event_times_check(event)
    event.full_clean()
    event.save()
    return event


def _registered_count(event: OpenEvent) -> int:
    return Registration.objects.filter(event=event, status=RegistrationStatus.REGISTERED).count()


def _promote(event: OpenEvent, *, now: datetime) -> list[int]:
    """Seat the earliest waiting people while seats are free (the caller holds the event
    lock), each told by e-mail. Once the event has started a freed seat goes to nobody: the
    people still waiting are let in at the door instead. Returns the promoted ids."""
    if event.status != EventStatus.PUBLISHED or now >= event.starts_at:
        return []
    free = event.capacity - _registered_count(event)
    if free <= 0:
        return []
    promoted = list(
        Registration.objects.filter(event=event, status=RegistrationStatus.WAITLISTED)
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:free]
    )
    if promoted:
        Registration.objects.filter(pk__in=promoted).update(
            status=RegistrationStatus.REGISTERED, promoted_at=now
        )
        for registration_id in promoted:
            _mail_queue("registration_promoted_send", registration_id=registration_id)
    return promoted


def _require_editable(event: OpenEvent) -> None:
    if event.status == EventStatus.CANCELLED:
        raise ValidationError({"__all__": [_("This event was cancelled and cannot be changed.")]})


@transaction.atomic
def event_update(*, event: OpenEvent, by: User, **fields: Any) -> OpenEvent:
    """Change an event (its programme's staff). On a published event, a new time or place
    raises the calendar SEQUENCE and is told to everyone registered or waitlisted; more seats
    seat the waiting list in order; fewer seats than people registered are refused (nobody
    loses a confirmed seat). A cancelled event is read-only."""
    _require_staff(programme_id=event.programme_id, user=by)
    unknown = set(fields) - EVENT_FIELDS
    if unknown:
        raise ValidationError({k: [_("This field cannot be changed.")] for k in sorted(unknown)})
    locked = _lock(event)
    _require_editable(locked)
    values = _event_values_clean(fields, zone=locked.programme.timezone)
    moved = [name for name in EVENT_NOTIFIED_FIELDS if name in values]
    if moved and locked.ends_at <= timezone.now():
        # Its time and place are history now; telling everyone "changed" would be false.
        raise ValidationError(
            {
                name: [_("This event is over: its time and place can no longer be changed.")]
                for name in moved
            }
        )
    if "capacity" in values and values["capacity"] < locked.capacity:
        registered = _registered_count(locked)
        if values["capacity"] < registered:
            raise ValidationError(
                {
                    "capacity": [
                        _(
                            "%(count)d people are registered: the event needs at least as"
                            " many seats."
                        )
                        % {"count": registered}
                    ]
                }
            )
    before = {name: getattr(locked, name) for name in values}
    for name, value in values.items():
        setattr(locked, name, value)
    _event_times_check(locked)
    for name, value in before.items():
        setattr(locked, name, value)
    notified: list[str] = []

    def follows(changed: list[str]) -> dict[str, Any]:
        notified.extend(
            name
            for name in EVENT_NOTIFIED_FIELDS
            if name in changed and locked.status == EventStatus.PUBLISHED
        )
        return {"sequence": locked.sequence + 1} if notified else {}

    # Checked field by field above (full_clean would also ask for a creator, who may be gone).
    changed = model_update(locked, data=values, also=follows, clean=False)
    if notified:
        # The old values go along, so that the e-mail says "from … to …".
        previous = {
            name: (value.isoformat() if isinstance(value, datetime) else str(value or ""))
            for name, value in before.items()
            if name in notified
        }
        _mail_queue("event_changed_send", event_id=locked.pk, changed=notified, previous=previous)
    if "capacity" in changed:
        _promote(locked, now=timezone.now())
    _copy_into(locked, event)
    return event


def _copy_into(source: OpenEvent, target: OpenEvent) -> None:
    """Give the caller's instance the saved state (views go on using theirs)."""
    if source is not target:
        for field in source._meta.concrete_fields:
            setattr(target, field.attname, getattr(source, field.attname))


@transaction.atomic
def event_publish(*, event: OpenEvent, by: User) -> OpenEvent:
    """A draft goes public: its page and registration form open. Publishing a published
    event again changes nothing; a cancelled one stays cancelled."""
    _require_staff(programme_id=event.programme_id, user=by)
    locked = _lock(event)
    _require_editable(locked)
    if locked.status == EventStatus.DRAFT:
        model_update(locked, data={"status": EventStatus.PUBLISHED}, clean=False)
    _copy_into(locked, event)
    return event


@transaction.atomic
def event_cancel(*, event: OpenEvent, by: User, now: datetime | None = None) -> OpenEvent:
    """Call an event off: everyone registered or waitlisted is told (their registrations stay
    as they were, so the message and the calendar's CANCEL reach them); the page says it is
    cancelled and takes no registrations."""
    _require_staff(programme_id=event.programme_id, user=by)
    locked = _lock(event)
    if locked.status == EventStatus.CANCELLED:
        raise ValidationError({"__all__": [_("This event is already cancelled.")]})
    if locked.starts_at <= (now or timezone.now()):
        # Telling people an event is off once it has begun (some are in the room) or is
        # over would be false.
        raise ValidationError(
            {"__all__": [_("This event has begun: it can no longer be cancelled.")]}
        )
    was_published = locked.status == EventStatus.PUBLISHED
    model_update(
        locked,
        data={
            "status": EventStatus.CANCELLED,
            "cancelled_at": now or timezone.now(),
            "sequence": locked.sequence + 1,
        },
        clean=False,
    )
    if was_published:
        _mail_queue("event_cancelled_send", event_id=locked.pk)
    _copy_into(locked, event)
    return event


# --- registering -----------------------------------------------------------------------------

REGISTRATION_LIMIT_WINDOW_SECONDS = 3600


def registration_allowed(*, client_key: str) -> bool:
    """Counts one registration attempt from this client (its address; IPv6 by /64, see
    accounts.ratelimit.client_network_key): a form without an account is a target for
    scripts, so beyond EVENT_REGISTRATIONS_PER_HOUR the views answer 429 (with the honeypot,
    the only spam guard: no third-party captcha)."""
    return limit_hit(
        scope="event-registration",
        key=client_network_key(client_key),
        limit=settings.EVENT_REGISTRATIONS_PER_HOUR,
        window=REGISTRATION_LIMIT_WINDOW_SECONDS,
    )


def registration_limited_message() -> str:
    return _(
        "There have been many registrations from your network in the last hour. Please try"
        " again later."
    )


@dataclass(frozen=True)
class RegistrationCreated:
    """A new registration, the registrant's secret (shown once: the link to their page) and
    their place on the waiting list (None when they have a seat)."""

    registration: Registration
    token: str
    position: int | None


def registration_closed_problem(event: OpenEvent, *, now: datetime) -> str | None:
    """Why the event takes no registrations now, or None when it does."""
    if event.status == EventStatus.CANCELLED:
        return _("This event was cancelled.")
    if event.status != EventStatus.PUBLISHED:
        return _("Registration is closed.")
    if now >= event.starts_at:
        return _("Registration is closed: the event has started.")
    if now > event.registration_deadline:
        return _("Registration closed on %(deadline)s.") % {
            "deadline": local_datetime(event.registration_deadline, event)
        }
    return None


def _email_clean(value: Any, *, required: bool) -> str:
    value = _text(value, field="email", max_length=254, required=required)
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError({"email": [_("Enter a valid e-mail address.")]}) from None
    return value


def _postcode_clean(value: Any) -> str:
    value = _text(value, field="postcode", max_length=10, required=True)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 \-]*", value):
        raise ValidationError({"postcode": [_("Enter a postcode (letters and digits).")]})
    return value


def _choice_clean(value: Any, *, field: str, choices: list[str], required: bool) -> str:
    if value in (None, "") and not required:
        return ""
    if value not in choices:
        raise ValidationError({field: [_("Choose one of the options.")]})
    return str(value)


def _person_clean(
    *,
    name: Any,
    email: Any,
    company_name: Any,
    postcode: Any,
    size: Any,
    sector: Any,
    contact_consent: Any,
    required: bool,
) -> dict[str, Any]:
    """The person's and company's fields, every problem under its field. At the door (walk-
    ins) only name, company and postcode are needed; the form asks for all of them."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    checks: dict[str, Any] = {
        "name": lambda: _text(name, field="name", max_length=200, required=True),
        "email": lambda: _email_clean(email, required=required),
        "company_name": lambda: _text(
            company_name, field="company_name", max_length=200, required=True
        ),
        "postcode": lambda: _postcode_clean(postcode),
        "size": lambda: _choice_clean(
            size, field="size", choices=SizeBand.values, required=required
        ),
        "sector": lambda: _choice_clean(
            sector, field="sector", choices=Sector.values, required=required
        ),
    }
    for field, check in checks.items():
        try:
            cleaned[field] = check()
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    if not isinstance(contact_consent, bool):
        errors.setdefault("contact_consent", []).append(_("Answer yes or no."))
    if errors:
        raise ValidationError(errors)
    cleaned["contact_consent"] = contact_consent
    return cleaned


def answers_clean(event: OpenEvent, answers: Any) -> dict[str, str]:
    """Answers to the event's own questions: only known keys, each up to 1000 characters,
    the required ones given."""
    if answers in (None, ""):
        answers = {}
    if not isinstance(answers, dict):
        raise ValidationError({"answers": [_("Give the answers by question.")]})
    questions = {question["key"]: question for question in event.questions or []}
    unknown = sorted(str(key) for key in answers if key not in questions)
    if unknown:
        raise ValidationError(
            {"answers": [_("Unknown question: %(key)s.") % {"key": ", ".join(unknown)}]}
        )
    cleaned: dict[str, str] = {}
    errors: list[str] = []
    for key, question in questions.items():
        value = answers.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors.append(_("“%(label)s”: enter text.") % {"label": question["label"]})
            continue
        value = value.strip()
        if len(value) > ANSWER_MAX:
            errors.append(
                _("“%(label)s”: at most %(max)d characters, please.")
                % {"label": question["label"], "max": ANSWER_MAX}
            )
        elif question.get("required") and not value:
            errors.append(_("“%(label)s” needs an answer.") % {"label": question["label"]})
        elif value:
            cleaned[key] = value
    if errors:
        raise ValidationError({"answers": errors})
    return cleaned


def _door_code_free(event: OpenEvent) -> str:
    """A door code no one else of the event has (the caller holds the event lock)."""
    while True:
        code = door_code_new()
        if not Registration.objects.filter(event=event, code=code).exists():
            return code


def _language(language: Any) -> str:
    codes = [code for code, _name in settings.LANGUAGES]
    if isinstance(language, str):
        language = language.split("-")[0].lower()
        if language in codes:
            return language
    return settings.LANGUAGE_CODE.split("-")[0]


@transaction.atomic
def registration_create(
    *,
    event: OpenEvent,
    name: str,
    email: str,
    company_name: str,
    postcode: str,
    size: str,
    sector: str,
    consent: bool,
    contact_consent: bool = False,
    answers: dict[str, str] | None = None,
    language: str = "de",
    now: datetime | None = None,
) -> RegistrationCreated:
    """Register a person (no account needed): a seat while seats are free, else the end of
    the waiting list. Refused when registration is closed (draft, cancelled, past the
    deadline or the start), without consent to processing the registration, beyond the
    event's "at most per company" (the same company: normalised name and postcode, people
    registered or waiting) or with required questions unanswered. The person gets the
    confirmation with the calendar file, the door QR code and the link to cancel.

    Concurrency: the event row is locked first, so counting the seats and taking one is one
    step for everyone registering for the event at the same time.
    """
    errors: dict[str, list[str]] = {}
    try:
        person = _person_clean(
            name=name,
            email=email,
            company_name=company_name,
            postcode=postcode,
            size=size,
            sector=sector,
            contact_consent=contact_consent,
            required=True,
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
        person = {}
    if consent is not True:
        errors["consent"] = [
            _(
                "Please agree to the processing of your registration: without it we cannot"
                " register you."
            )
        ]
    try:
        answers = answers_clean(event, answers)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    locked = _lock(event)
    # Taken after the lock: the order of the waiting list is the order of the lock.
    now = now or timezone.now()
    problem = registration_closed_problem(locked, now=now)
    if problem:
        raise ValidationError({"__all__": [problem]})
    if errors:
        raise ValidationError(errors)
    key = company_key(company_name=person["company_name"], postcode=person["postcode"])
    counts = Registration.objects.filter(event=locked).aggregate(
        registered=Count("pk", filter=Q(status=RegistrationStatus.REGISTERED)),
        waitlisted=Count("pk", filter=Q(status=RegistrationStatus.WAITLISTED)),
        same_company=Count(
            "pk", filter=Q(company_key=key) & ~Q(status=RegistrationStatus.CANCELLED)
        ),
    )
    if locked.max_per_company is not None and counts["same_company"] >= locked.max_per_company:
        raise ValidationError(
            {
                "company_name": [
                    ngettext(
                        "At most %(count)d person per company may register for this event.",
                        "At most %(count)d people per company may register for this event.",
                        locked.max_per_company,
                    )
                    % {"count": locked.max_per_company}
                ]
            }
        )
    # Nobody jumps the line: while people wait (seats freed after the start are not given
    # out, see _promote), a newcomer waits too.
    seated = counts["registered"] < locked.capacity and counts["waitlisted"] == 0
    nonce, token, hashed = registration_token_new()
    registration = Registration.objects.create(
        event=locked,
        status=RegistrationStatus.REGISTERED if seated else RegistrationStatus.WAITLISTED,
        company_key=key,
        consent_at=now,
        answers=answers,
        language=_language(language),
        token_nonce=nonce,
        token_hash=hashed,
        code=_door_code_free(locked),
        **person,
    )
    _mail_queue("registration_confirmation_send", registration_id=registration.pk)
    return RegistrationCreated(
        registration=registration,
        token=token,
        position=None if seated else counts["waitlisted"] + 1,
    )


@transaction.atomic
def registration_cancel(*, registration: Registration, now: datetime | None = None) -> Registration:
    """The registrant cancels (with their token's link), with a seat or while waiting; once
    only. A freed seat goes to the first in line, who is told; the canceller gets a
    confirmation. Refused once the event is over or after they were checked in."""
    locked_event = _lock(registration.event)
    now = now or timezone.now()
    locked = Registration.objects.select_for_update().get(pk=registration.pk)
    if locked.status == RegistrationStatus.CANCELLED:
        raise ValidationError({"__all__": [_("This registration is already cancelled.")]})
    if locked.attended_at is not None:
        raise ValidationError({"__all__": [_("You were checked in at the event.")]})
    if now >= locked_event.ends_at:
        raise ValidationError({"__all__": [_("The event is over.")]})
    had_seat = locked.status == RegistrationStatus.REGISTERED
    model_update(
        locked,
        data={"status": RegistrationStatus.CANCELLED, "cancelled_at": now},
        clean=False,
    )
    _mail_queue("registration_cancelled_send", registration_id=locked.pk)
    if had_seat:
        _promote(locked_event, now=now)
    _copy_registration(locked, registration)
    return registration


def registration_contact_withdraw(*, registration: Registration) -> Registration:
    """The registrant (holder of the token) does not want to be contacted after all (or
    someone else ticked the box for their address): contact_consent off. Always allowed."""
    Registration.objects.filter(pk=registration.pk).update(contact_consent=False)
    registration.contact_consent = False
    return registration


def registration_email_confirm(
    *, registration: Registration, proof: str, now: datetime | None = None
) -> bool:
    """The registrant confirmed, by a button behind the link of an e-mail to their address
    (its `proof`, events.keys.registration_email_proof), that the programme may contact
    them: the address is proven (double opt-in for contact_consent). Opening a link is no
    confirmation (mail filters open links by themselves): this is called on a POST only.
    The token alone is no proof (the registrant gets it when registering). Set once: one
    UPDATE the first time, none after; a missing or wrong proof changes nothing. Returns
    whether the address is confirmed."""
    if registration.email_confirmed_at is not None:
        return True
    if not registration.email or not registration_email_proof_valid(registration, proof):
        return False
    now = now or timezone.now()
    updated = Registration.objects.filter(
        pk=registration.pk, email_confirmed_at__isnull=True
    ).update(email_confirmed_at=now)
    if updated:
        registration.email_confirmed_at = now
    else:
        registration.email_confirmed_at = (
            Registration.objects.filter(pk=registration.pk)
            .values_list("email_confirmed_at", flat=True)
            .first()
        )
    return registration.email_confirmed_at is not None


def _copy_registration(source: Registration, target: Registration) -> None:
    if source is not target:
        for field in source._meta.concrete_fields:
            setattr(target, field.attname, getattr(source, field.attname))


# --- the door ----------------------------------------------------------------------------------

# Staff may check people in on the day (from 12 h before the start) and enter attendance
# from a paper list until a week after the end (the list typed in on Monday); earlier or
# later is a mistake (another event's list).
CHECK_IN_OPENS_BEFORE = timedelta(hours=12)
CHECK_IN_CLOSES_AFTER = timedelta(days=7)


def check_in_problem(event: OpenEvent, *, now: datetime) -> str | None:
    """Why nobody can be checked in now, or None when the door is open."""
    if event.status == EventStatus.CANCELLED:
        return _("This event was cancelled.")
    if event.status != EventStatus.PUBLISHED:
        return _("This event is not published.")
    opens = _instant(event.starts_at) - CHECK_IN_OPENS_BEFORE
    if _instant(now) < opens:
        hours = int(CHECK_IN_OPENS_BEFORE.total_seconds() // 3600)
        return ngettext(
            "Checking in is possible from %(opens)s (%(hours)d hour before the start).",
            "Checking in is possible from %(opens)s (%(hours)d hours before the start).",
            hours,
        ) % {"opens": local_datetime(opens, event), "hours": hours}
    if _instant(now) > _instant(event.ends_at) + CHECK_IN_CLOSES_AFTER:
        return _("Check-in for this event is closed.")
    return None


@dataclass(frozen=True)
class CheckInResult:
    """The person checked in, and whether they already were (a second scan changes nothing)."""

    registration: Registration
    already: bool


@transaction.atomic
def attendance_check_in(
    *,
    event: OpenEvent,
    by: User,
    registration: Registration | None = None,
    code: str | None = None,
    now: datetime | None = None,
) -> CheckInResult:
    """Check a person in at the door, by their registration or the code on their QR code
    (of this event only). Only this counts as attendance. A second check-in is no error and
    changes nothing; a waitlisted person who came is let in (and takes a seat); a cancelled
    registration is refused (register the person as a walk-in)."""
    _require_staff(programme_id=event.programme_id, user=by)
    if (registration is None) == (code is None or not str(code).strip()):
        raise ValidationError(
            {"registration": [_("Give either the registration or the door code.")]}
        )
    locked_event = _lock(event)
    now = now or timezone.now()
    field = "registration" if registration is not None else "code"
    problem = check_in_problem(locked_event, now=now)
    if problem:
        raise ValidationError({field: [problem]})
    queryset = Registration.objects.select_for_update().filter(event=locked_event)
    if registration is not None:
        found = queryset.filter(pk=registration.pk).first()
        if found is None:
            raise ValidationError({"registration": [_("This registration is not for this event.")]})
    else:
        cleaned = door_code_clean(str(code))
        found = queryset.filter(code=cleaned).first()
        if found is None:
            raise ValidationError({"code": [_door_code_unknown(locked_event, cleaned)]})
    if found.status == RegistrationStatus.CANCELLED:
        raise ValidationError(
            {field: [_("This registration was cancelled: register the person as a walk-in.")]}
        )
    if found.attended_at is not None:
        return CheckInResult(registration=found, already=True)
    # A waitlisted person at the door is let in (staff see the room); they take a seat. Their
    # promoted_at is the moment of the check-in, so that an undo puts them back in line.
    data: dict[str, Any] = {
        "status": RegistrationStatus.REGISTERED,
        "attended_at": now,
        "checked_in_by_id": by.pk,
    }
    if found.status == RegistrationStatus.WAITLISTED:
        data["promoted_at"] = now
    model_update(found, data=data, clean=False)
    found.event = locked_event
    registration_touch(found)
    return CheckInResult(registration=found, already=False)


def _door_code_unknown(event: OpenEvent, code: str) -> str:
    """Why a code opens nothing at this event's door: another event of the same programme
    is named (staff only see this; the person is at the wrong door or showed the wrong
    ticket); a code of another programme's event or none at all is just unknown."""
    other = (
        OpenEvent.objects.filter(programme_id=event.programme_id, registrations__code=code)
        .exclude(pk=event.pk)
        .order_by("-starts_at", "-pk")
        .values_list("title", flat=True)
        .first()
        if code
        else None
    )
    if other is not None:
        return _("This code is for “%(title)s”.") % {"title": other}
    return _("Unknown code.")


@transaction.atomic
def attendance_undo(*, registration: Registration, by: User) -> Registration:
    """Take back a mistaken check-in: the person counts as registered but not attended again
    and the register forgets the attendance. A walk-in existed only at the door, so undoing
    theirs cancels the walk-in registration."""
    _require_staff(programme_id=registration.event.programme_id, user=by)
    _lock(registration.event)
    locked = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("event__programme")
        .get(pk=registration.pk)
    )
    if locked.attended_at is None:
        raise ValidationError({"registration": [_("This person is not checked in.")]})
    data: dict[str, Any] = {"attended_at": None, "checked_in_by_id": None}
    if locked.walk_in:
        data.update(status=RegistrationStatus.CANCELLED, cancelled_at=timezone.now())
    elif locked.promoted_at is not None and locked.promoted_at == locked.attended_at:
        # Let in from the waiting list by this check-in: back to their place in line
        # (the line is ordered by registration time), without the seat.
        data.update(status=RegistrationStatus.WAITLISTED, promoted_at=None)
    model_update(locked, data=data, clean=False)
    if locked.company_id is not None:
        kinds = [TouchKind.EVENT_ATTENDED]
        if locked.walk_in:
            kinds.append(TouchKind.EVENT_REGISTERED)
        _touches_forget(registration=locked, kinds=kinds)
    _copy_registration(locked, registration)
    return registration


def _touches_forget(*, registration: Registration, kinds: list[TouchKind]) -> None:
    """Remove this registration's touches of these kinds and set the register entry back
    from what remains (company_record_recompute)."""
    programme_id = registration.event.programme_id
    company_id = registration.company_id
    if company_id is None:
        return
    deleted, _rows = Touch.objects.filter(
        programme_id=programme_id,
        company_id=company_id,
        kind__in=kinds,
        source=f"registration:{registration.pk}",
    ).delete()
    if deleted:
        record = CompanyRecord.objects.filter(
            programme_id=programme_id, company_id=company_id
        ).first()
        if record is not None:
            company_record_recompute(record=record)


@transaction.atomic
def walk_in_register(
    *,
    event: OpenEvent,
    by: User,
    name: str,
    company_name: str,
    postcode: str,
    email: str = "",
    size: str = "",
    sector: str = "",
    contact_consent: bool = False,
    now: datetime | None = None,
) -> Registration:
    """Register someone who came without registering, checked in at once. They agreed at
    the door (consent_at = now). Not limited by the seats or the per-company cap: they are
    in the room, and staff decide at the door."""
    _require_staff(programme_id=event.programme_id, user=by)
    person = _person_clean(
        name=name,
        email=email,
        company_name=company_name,
        postcode=postcode,
        size=size,
        sector=sector,
        contact_consent=contact_consent,
        required=False,
    )
    locked_event = _lock(event)
    now = now or timezone.now()
    problem = check_in_problem(locked_event, now=now)
    if problem:
        raise ValidationError({"__all__": [problem]})
    nonce, _token, hashed = registration_token_new()
    registration = Registration.objects.create(
        event=locked_event,
        status=RegistrationStatus.REGISTERED,
        company_key=company_key(company_name=person["company_name"], postcode=person["postcode"]),
        consent_at=now,
        language=_language(""),
        token_nonce=nonce,
        token_hash=hashed,
        code=_door_code_free(locked_event),
        walk_in=True,
        # Given in person at the door: the address counts as confirmed.
        email_confirmed_at=now if person["email"] else None,
        attended_at=now,
        checked_in_by=by,
        **person,
    )
    registration_touch(registration)
    return registration
