"""`manage.py rescore_checks --rule VERSION [--dry-run] [--check ID ...]`: give submitted
checks a new score snapshot with another scoring rule.

A snapshot changes only when someone asks (this command, through
checks.services.check_rescore); by default every submitted check not yet scored with the
rule, or exactly the checks named. --dry-run shows what would change and writes nothing."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from checks.models import CheckResponse, CheckStatus
from checks.questionnaire import questionnaire_load
from checks.scoring import rule_get, score
from checks.services import check_rescore


class Command(BaseCommand):
    help = "Re-score submitted checks with a scoring rule (the stored snapshot changes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rule", required=True, help="The scoring rule version, e.g. 2026-1.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would change; write nothing."
        )
        parser.add_argument(
            "--check",
            type=int,
            nargs="+",
            default=[],
            metavar="ID",
            help="Only these checks (also when already scored with the rule).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        rule = options["rule"]
        try:
            rule_get(rule)
        except LookupError as error:
            raise CommandError(str(error)) from error
        checks = CheckResponse.objects.filter(status=CheckStatus.SUBMITTED).order_by("pk")
        if options["check"]:
            wanted = set(options["check"])
            checks = checks.filter(pk__in=wanted)
            missing = wanted - set(checks.values_list("pk", flat=True))
            if missing:
                raise CommandError(
                    f"No submitted check with the ids {', '.join(map(str, sorted(missing)))}."
                )
        else:
            checks = checks.exclude(rule_version=rule)
        changed = total = 0
        for response in checks.iterator(chunk_size=200):
            total += 1
            before = (response.overall, response.band)
            if options["dry_run"]:
                scores = score(
                    questionnaire_load(response.questionnaire_version),
                    response.answers or {},
                    rule_version=rule,
                )
                after = (scores.overall, scores.band or "")
            else:
                try:
                    response = check_rescore(response=response, rule_version=rule)
                except (ValidationError, LookupError) as error:
                    raise CommandError(f"check {response.pk}: {error}") from error
                after = (response.overall, response.band)
            if after != before:
                changed += 1
                self.stdout.write(
                    f"check {response.pk}: {before[0]} {before[1]} -> {after[0]} {after[1]}"
                )
        verb = "would be re-scored" if options["dry_run"] else "re-scored"
        self.stdout.write(
            f"{total} checks {verb} with rule {rule}; the overall score or band of {changed} "
            "changed."
        )
