"""E-mails to registrants (who have no account): confirmation with the calendar file, the
QR code for the door and the link to their own page; moved up from the waiting list; the
event changed or cancelled; the reminder a day before; messages after the event.

Each is a Celery task taking ids, queued by events.services after commit
(`task.delay_on_commit(...)`), written in the registrant's language.

(Foundation: the task names and arguments are the interface events.services calls; the
e-mail part fills in the bodies.)
"""

from celery import shared_task


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def registration_confirmation_send(*, registration_id: int) -> None:
    """The confirmation of a new registration: registered (with .ics and QR code) or
    waitlisted (with the position); both with the link to cancel."""


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def registration_promoted_send(*, registration_id: int) -> None:
    """A seat came free and the person moved up from the waiting list."""


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def registration_cancelled_send(*, registration_id: int) -> None:
    """Confirms the person's own cancellation."""


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def event_changed_send(*, event_id: int, changed: list[str]) -> None:
    """The time or place changed (`changed`: field names): to everyone registered or
    waitlisted, with the updated .ics."""


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def event_cancelled_send(*, event_id: int) -> None:
    """The event was cancelled: to everyone registered or waitlisted (.ics METHOD:CANCEL)."""


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def event_message_send(*, message_id: int) -> None:
    """Send an EventMessage to its recipients (EventMessageDelivery rows), each once."""
