"""`python manage.py load_demo`: a living demo convoy for newcomers (used by `make run`).

Idempotent: when the demo convoy exists the command only prints the logins.
"""

from typing import Any

from django.core.management.base import BaseCommand

from demo.data import COMPANIES, DEMO_CONVOY_NAME
from demo.loader import demo_convoy, demo_load, demo_logins


class Command(BaseCommand):
    help = "Load the demo convoy (idempotent: does nothing if it exists) and print the logins."

    def handle(self, *args: Any, **options: Any) -> None:
        if demo_convoy() is not None:
            self.stdout.write(f"Demo convoy “{DEMO_CONVOY_NAME}” already exists.")
        else:
            convoy = demo_load()
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded demo convoy “{convoy.name}”: {len(COMPANIES)} companies, "
                    f"{convoy.last_event_seq} events."
                )
            )
        self.stdout.write("Demo logins:")
        for line in demo_logins():
            self.stdout.write(f"  {line}")
