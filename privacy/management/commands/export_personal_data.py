"""`python manage.py export_personal_data --email X --output path.zip`: an operator answers a
person's access request (GDPR Art. 15) that came by letter or e-mail. The same ZIP as the
person's own download; the audit log records it with {"by": "operator"}."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from privacy.export import personal_data_export


class Command(BaseCommand):
    help = "Write everything Konvoi holds about one person (by e-mail address) to a ZIP file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True, help="The person's e-mail address.")
        parser.add_argument("--output", required=True, help="Where to write the ZIP file.")

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip()
        user = User.objects.filter(email__iexact=email, deleted_at__isnull=True).first()
        if user is None:
            raise CommandError(f"No account with the e-mail address {email}.")
        output = Path(options["output"])
        if not output.parent.is_dir():
            raise CommandError(f"The folder {output.parent} does not exist.")
        content = personal_data_export(user, by_operator=True)
        output.write_bytes(content)
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote the data of user {user.pk} to {output} ({len(content)} bytes)."
            )
        )
