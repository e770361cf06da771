"""The Celery app. Broker: Redis when REDIS_URL is set, an in-memory transport otherwise."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("konvoi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="konvoi.sessions_clear", ignore_result=True)
def sessions_clear() -> None:
    """Delete expired sessions (Django's `clearsessions`): the database session store never
    removes them itself. Scheduled daily by CELERY_BEAT_SCHEDULE; idempotent."""
    from django.core.management import call_command

    call_command("clearsessions")
