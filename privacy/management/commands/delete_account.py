"""`python manage.py delete_account --email X [--yes] [--force] [--delete-companies]`: an
operator answers a person's erasure request (GDPR Art. 17) that came by letter or e-mail. The
same function as the person's own "Delete my account" (privacy.erasure.account_delete).

The preconditions hold here too (a company's last owner, a convoy's only facilitator); an
operator may override them with --force: such a company is then left without owner (an
operator can make someone owner in the admin), such a convoy without facilitator, and the
companies the person is the only member of are deleted with the account. Without --force,
--delete-companies deletes those companies (as the person could choose)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from privacy.erasure import account_delete, account_delete_plan
from privacy.management.commands._confirm import confirm


class Command(BaseCommand):
    help = "Delete one person's account (by e-mail address): personal data goes, content stays."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True, help="The person's e-mail address.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Override the preconditions (last owner, only facilitator): see the help text.",
        )
        parser.add_argument(
            "--delete-companies",
            action="store_true",
            help="Delete the companies the person is the only member of, with the account.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip()
        user = User.objects.filter(email__iexact=email, deleted_at__isnull=True).first()
        if user is None:
            raise CommandError(f"No account with the e-mail address {email}.")
        force = options["force"]
        plan = account_delete_plan(user=user, delete_companies=options["delete_companies"] or force)
        for blocker in plan.blockers:
            self.stderr.write(f"{'Overridden' if force else 'Blocked'}: {blocker.message}")
        if plan.blockers and not force:
            raise CommandError("Not deleted. Resolve the above, or use --force.")
        for company in plan.sole_companies:
            self.stdout.write(f"Company {company.pk} ({company.name}) will be deleted with it.")
        confirm(f"Delete the account of user {user.pk} ({user.email})?", yes=options["yes"])
        try:
            counts = account_delete(
                user,
                actor=None,
                delete_companies=options["delete_companies"],
                force=force,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        for key, value in counts.items():
            if value:
                self.stdout.write(f"  {key.replace('_', ' ')}: {value}")
        if counts.get("companies_left_without_owner"):
            self.stdout.write(
                self.style.WARNING(
                    "Companies left without owner: "
                    + ", ".join(str(c.pk) for c in plan.ownerless_companies)
                    + ". Make one of their members owner in the admin."
                )
            )
        if counts.get("convoys_left_without_facilitator"):
            self.stdout.write(
                self.style.WARNING(
                    "Convoys left without facilitator: "
                    + ", ".join(str(c.pk) for c in plan.unfacilitated_convoys)
                    + ". Add a facilitator in the admin."
                )
            )
        self.stdout.write(self.style.SUCCESS(f"Deleted the account of user {user.pk}."))
