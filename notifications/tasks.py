"""Background work of the notifications app: thin tasks that take ids and call the domain
(notifications.sweep, notifications.sending). Each is idempotent: the sending protocol claims
rows, so running one twice sends nothing twice; retries and time limits live here."""

from datetime import datetime

from celery import shared_task
from django.utils import timezone

from notifications import sending
from notifications.sweep import sweep_run


def _now(value: str | None) -> datetime:
    return datetime.fromisoformat(value) if value else timezone.now()


@shared_task(time_limit=1800, soft_time_limit=1700)
def reminders_sweep(*, now: str | None = None) -> dict[str, int]:
    """What beat runs every few minutes; `manage.py send_reminders` runs the same."""
    result = sweep_run(now=_now(now))
    return {**result.created, "digests": result.digests}


@shared_task
def notifications_push(*, ids: list[int]) -> None:
    """Push new notifications to their people's open sockets, with each one's unread count."""
    sending.notifications_push(ids=ids)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notification_emails_send(*, ids: list[int], now: str | None = None) -> int:
    """Send the due e-mails among these notifications, each once."""
    return sending.notification_emails_send(ids=ids, now=_now(now))


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def digest_send(*, delivery_id: int, now: str | None = None) -> bool:
    """Write and send one digest e-mail, once."""
    return sending.digest_send(delivery_id=delivery_id, now=_now(now))
