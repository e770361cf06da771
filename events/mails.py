"""E-mails to registrants (who have no account): confirmation with the calendar file, the
QR code for the door and the link to their own page; moved up from the waiting list; their
own cancellation; the event changed or cancelled; the reminder a day before; messages after
the event.

Each is a Celery task taking ids, queued by events.services after commit
(`task.delay_on_commit(...)`), written in the registrant's language, with the times in the
programme's zone (named in words). A message to many (the event changed or was cancelled)
fans out into one task per registrant, so that a retried send repeats nobody else's. Every
e-mail is about the reader's own registration: no other registrant is named anywhere. Nothing
the registrant typed (name, company, answers) is echoed: the address may be anyone's, so an
e-mail greets neutrally and carries only what staff wrote. Only people with a seat get the
video link (text and calendar file); the calendar file links the public event page, the
token link stays in the e-mail.
Reply-To is the programme's contact address, if it has one.
"""

from datetime import datetime
from email.mime.image import MIMEImage
from email.utils import formataddr
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from events.calendars import Method, event_calendar, event_public_url
from events.keys import registration_email_proof, registration_token_of
from events.models import (
    EventMessage,
    EventMessageDelivery,
    EventStatus,
    OpenEvent,
    Registration,
    RegistrationStatus,
)
from events.tickets import door_qr_png
from events.times import time_span
from notifications.emails import EmailAttachment, email_message
from notifications.links import Target, link_url

QR_CID = "door-qr"
LANGUAGES = {code for code, _name in settings.LANGUAGES}
# Fields of a change that registrants are told of, in the order the e-mail lists them.
CHANGE_FIELDS = ("starts_at", "ends_at", "location", "online_url")


# --- what the e-mails say ------------------------------------------------------------------


def event_when(event: OpenEvent) -> str:
    return time_span(event.starts_at, event.ends_at, event.programme.timezone)


def _language(registration: Registration) -> str:
    return registration.language if registration.language in LANGUAGES else "de"


def _registration(registration_id: int) -> Registration | None:
    return (
        Registration.objects.filter(pk=registration_id).select_related("event__programme").first()
    )


def _page_url(registration: Registration) -> str:
    return link_url(Target(type="registration", token=registration_token_of(registration)))


def _has_seat(registration: Registration) -> bool:
    """Only people with a seat get the video link, in the e-mail and the calendar file (and
    nobody once the event is cancelled)."""
    return (
        registration.status == RegistrationStatus.REGISTERED
        and registration.event.status != EventStatus.CANCELLED
    )


def _context(registration: Registration, **extra: Any) -> dict[str, Any]:
    event = registration.event
    programme = event.programme
    return {
        "registration": registration,
        "has_seat": _has_seat(registration),
        "event": event,
        "programme": programme,
        "when": event_when(event),
        "page_url": _page_url(registration),
        # Double opt-in: a consent to be contacted counts once the person confirms it on the
        # page behind this link (a button: opening a link proves nothing).
        "confirm_url": (
            f"{_page_url(registration)}confirm/?proof={registration_email_proof(registration)}"
            if registration.contact_consent
            and registration.email_confirmed_at is None
            and registration.status != RegistrationStatus.CANCELLED
            else ""
        ),
        "event_url": event_public_url(event),
        "qr_cid": QR_CID,
        **extra,
    }


def _qr_image(registration: Registration) -> MIMEImage:
    image = MIMEImage(door_qr_png(registration), "png")
    image.add_header("Content-ID", f"<{QR_CID}>")
    image.add_header("Content-Disposition", "inline", filename="qr-code.png")
    return image


def _send(
    registration: Registration,
    *,
    template: str,
    calendar: Method | None = None,
    qr: bool = False,
    **extra: Any,
) -> bool:
    """Write one e-mail to the registrant in their language; False if they gave no address
    (a walk-in may not have)."""
    if not registration.email:
        return False
    event = registration.event
    programme = event.programme
    language = _language(registration)
    with translation.override(language):
        context = _context(registration, **extra)
    message = email_message(
        to=registration.email,
        template=f"events/email/{template}",
        context=context,
        language=language,
        time_zone=programme.timezone,
    )
    if programme.contact_email:
        # The programme's people answer; its name as the display name (one line).
        message.reply_to = [formataddr((" ".join(programme.name.split()), programme.contact_email))]
    if qr:
        message.attach(_qr_image(registration))
    if calendar is not None:
        with translation.override(language):
            content = event_calendar(
                event, method=calendar, email=registration.email, registered=context["has_seat"]
            )
        attachment = EmailAttachment(
            filename="event.ics",
            content=content,
            mimetype="text/calendar",
            params={"method": calendar},
        )
        message.attach(attachment.mime())
    message.send()
    return True


# --- the tasks --------------------------------------------------------------------------------


def _position(registration: Registration) -> int | None:
    from events.selectors import waitlist_position

    return waitlist_position(registration)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def registration_confirmation_send(*, registration_id: int) -> None:
    """The confirmation of a new registration: registered (with .ics and QR code) or
    waitlisted (with the position); both with the link to cancel."""
    registration = _registration(registration_id)
    if registration is None or registration.event.status == EventStatus.CANCELLED:
        return  # gone, or the event was cancelled meanwhile (that e-mail says so)
    if registration.status == RegistrationStatus.REGISTERED:
        _send(registration, template="confirmation", calendar="REQUEST", qr=True)
    elif registration.status == RegistrationStatus.WAITLISTED:
        _send(registration, template="waitlisted", position=_position(registration))


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def registration_promoted_send(*, registration_id: int) -> None:
    """A seat came free and the person moved up from the waiting list."""
    registration = _registration(registration_id)
    if registration is None or registration.status != RegistrationStatus.REGISTERED:
        return  # cancelled meanwhile
    if registration.event.status != EventStatus.PUBLISHED:
        return
    _send(registration, template="promoted", calendar="REQUEST", qr=True)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def registration_cancelled_send(*, registration_id: int) -> None:
    """Confirms the person's own cancellation (with a calendar cancellation: a file of
    METHOD:CANCEL takes the event out of their calendar)."""
    registration = _registration(registration_id)
    if registration is None or registration.status != RegistrationStatus.CANCELLED:
        return
    _send(registration, template="cancelled", calendar="CANCEL")


def _told(event: OpenEvent) -> Q:
    """Who hears of a change or a cancellation: registered or waitlisted, and those whose
    registration ended with the event's cancellation (not before it)."""
    told = Q(status__in=[RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED])
    if event.cancelled_at is not None:
        told |= Q(status=RegistrationStatus.CANCELLED, cancelled_at__gte=event.cancelled_at)
    return told


def _recipient_ids(event: OpenEvent) -> list[int]:
    return list(
        event.registrations.filter(_told(event))
        .exclude(email="")
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def event_changed_send(
    *, event_id: int, changed: list[str], previous: dict[str, str] | None = None
) -> None:
    """The time or place changed (`changed`: field names; `previous`: their old values,
    datetimes as ISO 8601, if the caller has them): to everyone registered or waitlisted,
    the registered with the updated .ics. One task per person."""
    event = OpenEvent.objects.filter(pk=event_id).first()
    if event is None or event.status != EventStatus.PUBLISHED:
        return
    for registration_id in _recipient_ids(event):
        registration_changed_send.delay(
            registration_id=registration_id, changed=changed, previous=previous or {}
        )


def _change_rows(event: OpenEvent, changed: list[str], previous: dict[str, str]) -> list[dict]:
    """What changed, old → new, in the active language: the time as one row, the place and
    the video link each as one."""
    rows = []
    zone = event.programme.timezone
    if "starts_at" in changed or "ends_at" in changed:
        old = ""
        try:
            old_start = datetime.fromisoformat(previous.get("starts_at") or "")
        except ValueError:
            old_start = event.starts_at
        try:
            old_end = datetime.fromisoformat(previous.get("ends_at") or "")
        except ValueError:
            old_end = event.ends_at
        if (old_start, old_end) != (event.starts_at, event.ends_at) and old_end > old_start:
            old = time_span(old_start, old_end, zone)
        rows.append({"label": _("Time"), "old": old, "new": event_when(event)})
    if "location" in changed:
        rows.append(
            {"label": _("Place"), "old": previous.get("location", ""), "new": event.location}
        )
    if "online_url" in changed:
        rows.append(
            {
                "label": _("Video link"),
                "old": previous.get("online_url", ""),
                "new": event.online_url,
            }
        )
    return rows


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def registration_changed_send(
    *, registration_id: int, changed: list[str], previous: dict[str, str]
) -> None:
    registration = _registration(registration_id)
    if registration is None or registration.status == RegistrationStatus.CANCELLED:
        return
    event = registration.event
    if event.status != EventStatus.PUBLISHED:
        return
    registered = _has_seat(registration)
    # The video link is for people with a seat: the waiting list hears of time and place.
    told = [c for c in changed if c in CHANGE_FIELDS and (registered or c != "online_url")]
    if not told:
        return
    with translation.override(_language(registration)):
        rows = _change_rows(event, told, previous)
    _send(
        registration,
        template="event_changed",
        calendar="REQUEST" if registered else None,
        changes=rows,
        registered=registered,
    )


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def event_cancelled_send(*, event_id: int) -> None:
    """The event was cancelled: to everyone registered or waitlisted (.ics METHOD:CANCEL).
    One task per person."""
    event = OpenEvent.objects.filter(pk=event_id).first()
    if event is None or event.status != EventStatus.CANCELLED:
        return
    for registration_id in _recipient_ids(event):
        registration_event_cancelled_send.delay(registration_id=registration_id)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def registration_event_cancelled_send(*, registration_id: int) -> None:
    registration = _registration(registration_id)
    if registration is None or registration.event.status != EventStatus.CANCELLED:
        return
    _send(registration, template="event_cancelled", calendar="CANCEL")


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def registration_reminder_send(*, registration_id: int) -> None:
    """The reminder a day before (claimed once by events.reminders): time, place, the door
    code with its QR code and the link to cancel."""
    registration = _registration(registration_id)
    if registration is None or registration.status != RegistrationStatus.REGISTERED:
        return
    event = registration.event
    if event.status != EventStatus.PUBLISHED or event.starts_at <= timezone.now():
        return
    _send(registration, template="reminder", qr=True)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def event_message_send(*, message_id: int) -> None:
    """Send an EventMessage to its recipients (EventMessageDelivery rows), each once: a
    delivery is claimed (`sent_at IS NULL` → now) before its e-mail goes out, and given back
    if sending fails, so that the retry sends it and nobody twice."""
    message = EventMessage.objects.filter(pk=message_id).select_related("event__programme").first()
    if message is None:
        return
    pending = (
        message.deliveries.filter(sent_at__isnull=True)
        .select_related("registration__event__programme")
        .order_by("pk")
    )
    for delivery in pending:
        now = timezone.now()
        claimed = EventMessageDelivery.objects.filter(pk=delivery.pk, sent_at__isnull=True).update(
            sent_at=now
        )
        if not claimed:
            continue  # another worker has it
        registration = delivery.registration
        if not registration.contact_consent:
            continue  # withdrawn since: claimed, not sent
        try:
            _send(registration, template="message", message=message)
        except OSError:
            EventMessageDelivery.objects.filter(pk=delivery.pk, sent_at=now).update(sent_at=None)
            raise
