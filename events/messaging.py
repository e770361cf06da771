"""Messages after an event to one segment of its registrants: the materials and a next step
to those who came, another to those who did not or stayed on the waiting list.

Only people who agreed to be contacted (`contact_consent`) with a confirmed address get one;
everyone else's address serves this event's own e-mails only. A message is written once
(EventMessage with one EventMessageDelivery per recipient, fixed when it is sent) and
delivered by events.mails.event_message_send, each delivery once.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from events.mails import event_message_send
from events.models import (
    EventMessage,
    EventMessageDelivery,
    MessageSegment,
    OpenEvent,
    Registration,
    RegistrationStatus,
)
from events.selectors import contactable_q
from programmes.selectors import staff_role

SUBJECT_MAX = 200
BODY_MAX = 10_000


def message_recipients(event: OpenEvent, segment: str) -> QuerySet[Registration]:
    """The registrations a message to `segment` reaches: attendees (checked in at the door),
    no-shows (registered, not checked in, the event is over) or the waiting list; of them
    only people who may be contacted (events.selectors.contactable_q: contact_consent and a
    confirmed e-mail address)."""
    reachable = event.registrations.filter(contactable_q())
    if segment == MessageSegment.ATTENDEES:
        return reachable.filter(attended_at__isnull=False).exclude(
            status=RegistrationStatus.CANCELLED
        )
    if segment == MessageSegment.NO_SHOWS:
        if event.ends_at > timezone.now():
            return reachable.none()  # nobody has missed it yet
        return reachable.filter(status=RegistrationStatus.REGISTERED, attended_at__isnull=True)
    if segment == MessageSegment.WAITLIST:
        return reachable.filter(status=RegistrationStatus.WAITLISTED)
    return reachable.none()


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def event_message_create(
    *, event: OpenEvent, by: User, segment: str, subject: str, body: str
) -> EventMessage:
    """Write a message to one segment of the event's registrants (staff of its programme:
    manager or coach) and queue its e-mails. Refuses an unknown or empty segment, and an
    empty or overlong subject or body, with the field."""
    if staff_role(programme_id=event.programme_id, user=by) is None:
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if segment not in MessageSegment.values:
        errors["segment"] = [_("Choose who gets the message.")]
    subject, body = _text(subject), _text(body)
    # One line: a subject is an e-mail header.
    subject = " ".join(subject.split())
    if not subject:
        errors["subject"] = [_("Enter a subject.")]
    elif len(subject) > SUBJECT_MAX:
        errors["subject"] = [
            _("The subject may be at most %(max)d characters long.") % {"max": SUBJECT_MAX}
        ]
    if not body:
        errors["body"] = [_("Enter the message.")]
    elif len(body) > BODY_MAX:
        errors["body"] = [
            _("The message may be at most %(max)d characters long.") % {"max": BODY_MAX}
        ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        recipients = list(message_recipients(event, segment).values_list("pk", flat=True))
        if not recipients:
            raise ValidationError(
                {
                    "segment": [
                        _(
                            "Nobody in this group can be written to: only people who agreed "
                            "to be contacted and confirmed their e-mail address get messages."
                        )
                    ]
                }
            )
        message = EventMessage.objects.create(
            event=event, segment=segment, subject=subject, body=body, sent_by=by
        )
        EventMessageDelivery.objects.bulk_create(
            EventMessageDelivery(message=message, registration_id=pk) for pk in recipients
        )
        event_message_send.delay_on_commit(message_id=message.pk)
    return message
