"""Celery's entry points of the notifications app: beat's reminder sweep, and (registered
from notifications.queue, where the domain enqueues them) the delivery tasks. Thin: they take
arguments and call the domain (notifications.sweep, notifications.sending)."""

from datetime import datetime

from celery import shared_task
from django.utils import timezone

# Imported so that Celery's autodiscovery (which reads tasks.py) registers them.
from notifications.queue import digest_send, notification_emails_send, notifications_push
from notifications.sweep import sweep_run

__all__ = ["digest_send", "notification_emails_send", "notifications_push", "reminders_sweep"]


def _now(value: str | None) -> datetime:
    return datetime.fromisoformat(value) if value else timezone.now()


@shared_task(time_limit=1800, soft_time_limit=1700)
def reminders_sweep(*, now: str | None = None) -> dict[str, int]:
    """What beat runs every few minutes; `manage.py send_reminders` runs the same."""
    result = sweep_run(now=_now(now))
    return {**result.created, "digests": result.digests}
