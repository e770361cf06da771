"""The T1/T2 re-assessment reminder rule of the check, run by the notifications sweep
(registered in ChecksConfig.ready(); see notifications.rules)."""

from collections.abc import Iterator
from datetime import datetime

from notifications.rules import RuleQuery


def check_due_querysets(now: datetime) -> Iterator[RuleQuery]:
    """Filled in by the reminders part (see the module docstring)."""
    return iter(())
