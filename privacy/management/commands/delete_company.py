"""`python manage.py delete_company --company ID [--yes]`: an operator deletes a company (its
people keep their accounts; its content stays in the convoys as "Former company"). The same
function as an owner's "Delete company" (privacy.erasure.company_delete)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from companies.models import Company
from privacy.erasure import company_delete
from privacy.management.commands._confirm import confirm


class Command(BaseCommand):
    help = "Delete one company (by id): it leaves its convoys, its data goes, content stays."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", required=True, type=int, help="The company's id.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args: Any, **options: Any) -> None:
        company = Company.objects.filter(pk=options["company"], deleted_at__isnull=True).first()
        if company is None:
            raise CommandError(f"No company with the id {options['company']}.")
        confirm(f"Delete the company {company.pk} ({company.name})?", yes=options["yes"])
        try:
            counts = company_delete(company, actor=None)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        for key, value in counts.items():
            if value:
                self.stdout.write(f"  {key.replace('_', ' ')}: {value}")
        self.stdout.write(self.style.SUCCESS(f"Deleted the company {company.pk}."))
