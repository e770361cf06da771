"""`python manage.py export_company_data --company ID --output path.zip`: an operator hands a
company its data (e.g. when it leaves the programme). The same ZIP as an owner's download;
the audit log records it with {"by": "operator"}."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from companies.models import Company
from modelutils import MAX_ID
from privacy.export import company_data_export


class Command(BaseCommand):
    help = "Write the data of one company (by id) to a ZIP file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", required=True, type=int, help="The company's id.")
        parser.add_argument("--output", required=True, help="Where to write the ZIP file.")

    def handle(self, *args: Any, **options: Any) -> None:
        company_id = options["company"]
        company = (
            Company.objects.filter(pk=company_id).first() if 0 < company_id <= MAX_ID else None
        )
        if company is None:
            raise CommandError(f"No company with the id {company_id}.")
        output = Path(options["output"])
        if not output.parent.is_dir():
            raise CommandError(f"The folder {output.parent} does not exist.")
        content = company_data_export(company, actor=None)
        output.write_bytes(content)
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote the data of company {company.pk} to {output} ({len(content)} bytes)."
            )
        )
