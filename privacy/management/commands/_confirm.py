"""The confirmation of the delete commands: `--yes`, or a typed "yes" at a terminal. Without
a terminal (cron, a pipe) and without `--yes` they refuse: nothing is deleted by accident."""

import sys

from django.core.management.base import CommandError


def interactive() -> bool:
    return sys.stdin.isatty()


def confirm(question: str, *, yes: bool) -> None:
    """Return when confirmed; raise CommandError otherwise."""
    if yes:
        return
    if not interactive():
        raise CommandError("Not confirmed: run it at a terminal, or add --yes.")
    answer = input(f"{question} Type 'yes' to go on: ")
    if answer.strip().lower() != "yes":
        raise CommandError("Cancelled: nothing was deleted.")
