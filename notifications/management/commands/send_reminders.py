"""`manage.py send_reminders [--now ISO8601]`: the reminder sweep, once, as beat runs it."""

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from notifications.sweep import sweep_run


class Command(BaseCommand):
    help = "Run the reminder sweep once (the same code Celery beat runs)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now",
            help="Pretend it is this moment (ISO 8601 with offset), e.g. 2026-03-30T09:00+02:00.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["now"]:
            try:
                now = datetime.fromisoformat(options["now"])
            except ValueError as error:
                raise CommandError(f"--now: {error}") from error
            if now.tzinfo is None:
                raise CommandError("--now needs an offset, e.g. 2026-03-30T09:00+02:00")
        result = sweep_run(now=now)
        created = ", ".join(f"{k}: {v}" for k, v in sorted(result.created.items())) or "none"
        self.stdout.write(
            f"Reminder sweep at {now.isoformat()}: created {created}; "
            f"{result.digests} digests opened; {result.email_batches} sending batches queued."
        )
