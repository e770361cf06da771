"""Readiness: can this process serve requests now? (`/readyz`, django-health-check).

`/healthz` stays the liveness probe: it answers as long as the process runs and touches
nothing, so a restart loop never starts because PostgreSQL or Redis blinked. `/readyz` checks
what a request needs: the database, the cache and the Celery broker (which carries reminders,
e-mails and digests). Celery workers are not asked: a web process is ready without them, and
the worker has its own healthcheck in docker-compose.yml.
"""

import asyncio
import dataclasses
import datetime

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from health_check import Cache, Database
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView
from kombu import Connection


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker accepts a connection (CELERY_BROKER_URL)."""

    timeout: datetime.timedelta = dataclasses.field(
        default=datetime.timedelta(seconds=3), repr=False
    )

    def run(self) -> None:
        seconds = self.timeout.total_seconds()
        try:
            with Connection(settings.CELERY_BROKER_URL, connect_timeout=seconds) as conn:
                conn.ensure_connection(
                    max_retries=1, interval_start=0, interval_step=0, timeout=seconds
                )
        except Exception as exc:  # kombu raises per transport; any failure means not ready
            raise ServiceUnavailable("Broker unreachable") from exc


class ReadinessView(HealthCheckView):
    """Always JSON (`{"Database(alias='default')": "OK", …}`), 503 when a check fails, so
    load balancers and orchestrators take the process out of rotation until it recovers."""

    checks = (Database, Cache, Broker)

    async def get(self, request: HttpRequest, *args, **kwargs) -> JsonResponse:
        with self.get_executor() as executor:
            self.results = await asyncio.gather(
                *(check.get_result(executor) for check in self.get_checks())
            )
        failed = any(result.error for result in self.results)
        return self.render_to_response_json(503 if failed else 200)
