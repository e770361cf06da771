"""`python manage.py purge_expired_data [--now ISO8601]`: runs the daily retention purge once
(privacy.retention.retention_purge, the same function beat runs at RETENTION_PURGE_HOUR)."""

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from privacy.retention import retention_purge


class Command(BaseCommand):
    help = "Delete what is past its retention period (sessions, read notifications, …)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="Purge as if it were this moment (ISO 8601).")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["now"]:
            try:
                now = datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError(f"Not an ISO 8601 moment: {options['now']}") from exc
            if timezone.is_naive(now):
                raise CommandError("Give the moment with its offset, e.g. 2026-01-01T03:00+00:00.")
        counts = retention_purge(now)
        for key, value in counts.items():
            self.stdout.write(f"  {key.replace('_', ' ')}: {value}")
        self.stdout.write(self.style.SUCCESS(f"Purged {sum(counts.values())} rows."))
