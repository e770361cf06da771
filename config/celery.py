"""The Celery app. Broker: Redis when REDIS_URL is set, an in-memory transport otherwise."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("konvoi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Expired sessions go with the daily retention purge (privacy.tasks.retention_purge).
