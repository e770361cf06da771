"""Celery's entry point of the privacy app: the daily retention purge (beat, at
RETENTION_PURGE_HOUR UTC). Thin: `manage.py purge_expired_data` runs the same function."""

from datetime import datetime

from celery import shared_task
from django.utils import timezone

from privacy.retention import retention_purge


@shared_task(name="privacy.tasks.retention_purge", time_limit=3600, soft_time_limit=3500)
def retention_purge_task(*, now: str | None = None) -> dict[str, int]:
    """Delete what is past its retention period; idempotent (a second run finds nothing)."""
    return retention_purge(datetime.fromisoformat(now) if now else timezone.now())
