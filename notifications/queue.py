"""The delivery tasks the domain enqueues (after commit): push new notifications to sockets,
send due e-mails, send a digest. Thin: they take ids and call notifications.sending, which
claims rows, so running one twice sends nothing twice; retries and time limits live here.

They live apart from notifications.tasks (beat's sweep task) so that the sweep and notify()
can enqueue them without importing the module that imports the sweep. Their names stay
"notifications.tasks.…", the names messages already queued by an earlier release carry.
"""

from datetime import datetime

from celery import shared_task
from django.utils import timezone

from notifications import sending


def _now(value: str | None) -> datetime:
    return datetime.fromisoformat(value) if value else timezone.now()


@shared_task(name="notifications.tasks.notifications_push")
def notifications_push(*, ids: list[int]) -> None:
    """Push new notifications to their people's open sockets, with each one's unread count."""
    sending.notifications_push(ids=ids)


@shared_task(
    name="notifications.tasks.notification_emails_send",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def notification_emails_send(*, ids: list[int], now: str | None = None) -> int:
    """Send the due e-mails among these notifications, each once."""
    return sending.notification_emails_send(ids=ids, now=_now(now))


@shared_task(
    name="notifications.tasks.digest_send",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def digest_send(*, delivery_id: int, now: str | None = None) -> bool:
    """Write and send one digest e-mail, once."""
    return sending.digest_send(delivery_id=delivery_id, now=_now(now))
