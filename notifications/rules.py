"""The registry of reminder rules: the sweep engine runs them, the apps that own them fill it.

Notifications is delivery: everyone calls `notify()`, and it knows no feature app. A feature
that wants something sent on a schedule (an update is due, an RSVP is missing, the weekly
facilitator digest) writes the rule in its own app and registers it here from its
`AppConfig.ready()`:

    from notifications.rules import ReminderRule, register_rule

    class CheckinsConfig(AppConfig):
        def ready(self) -> None:
            from checkins.reminders import reminder_querysets

            register_rule(ReminderRule(name="checkins", querysets=reminder_querysets))

An explicit registry rather than Django signals: the sweep calls each rule and uses what it
returns (signals would hide that data flow and drop return values).

A rule is a function of the sweep's moment returning `RuleQuery`s: one set-based queryset per
(kind, batch of base rows) yielding a row per (recipient, reminder), annotated with `n_key`
(the natural key that makes the reminder exactly-once), `n_convoy`, `n_target_type`,
`n_target_id` (what the reminder is about: notifications.links) and `n_data`;
`recipient` names the lookup path from the row to the user.
Every multi-valued condition of a rule sits in one filter() call, so that the recipient path
(annotated later by the sweep) reuses the very joins the rule filtered on.

A kind whose e-mail shows more than its one-line title (the facilitator digest and its weekly
summary) registers that content with `register_email_content`.

People without an account (an open event's registrants) get no Notification row; a feature
app that reminds them registers a mail sweep (`register_mail_sweep`): a function of the
sweep's moment that claims what is due exactly once (a conditional UPDATE) and queues those
e-mails itself, returning how many it queued. The sweep runs them when it sends.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from django.db.models import CharField, QuerySet
from django.db.models.functions import Cast

from convoys.models import ConvoyStatus
from notifications.models import Notification

# Reminders go to convoys that are forming or running, not to closed ones.
LIVE_CONVOY_STATUSES = (ConvoyStatus.FORMING, ConvoyStatus.ACTIVE)


class RuleQuery(NamedTuple):
    """One statement's worth of reminders of one kind."""

    kind: str
    queryset: QuerySet
    recipient: str  # lookup path from the queryset's model to the user


@dataclass(frozen=True)
class ReminderRule:
    """A named rule: given the sweep's moment, the querysets of the reminders it decides."""

    name: str
    querysets: Callable[[datetime], Iterable[RuleQuery]]


@dataclass(frozen=True)
class EmailContent:
    """What an e-mail of one kind shows besides its title: its template and extra context."""

    template: str
    # None: nothing more to show for this one; it goes as a plain notification e-mail.
    context: Callable[[Notification], dict[str, Any] | None]


@dataclass(frozen=True)
class MailSweep:
    """A named sweep of e-mails to people without an account: given the sweep's moment, it
    claims what is due (once) and queues the e-mails; returns how many."""

    name: str
    run: Callable[[datetime], int]


_rules: dict[str, ReminderRule] = {}
_email_content: dict[str, EmailContent] = {}
_mail_sweeps: dict[str, MailSweep] = {}


def register_rule(rule: ReminderRule) -> None:
    """Add (or, by name, replace) a rule; the sweep runs the rules in registration order."""
    _rules[rule.name] = rule


def registered_rules() -> list[ReminderRule]:
    return list(_rules.values())


def register_mail_sweep(sweep: MailSweep) -> None:
    """Add (or, by name, replace) a mail sweep; run after the rules, in registration order."""
    _mail_sweeps[sweep.name] = sweep


def registered_mail_sweeps() -> list[MailSweep]:
    return list(_mail_sweeps.values())


def register_email_content(*, kind: str, content: EmailContent) -> None:
    _email_content[kind] = content


def email_content(kind: str) -> EmailContent | None:
    return _email_content.get(kind)


def as_text(value: Any) -> Cast:
    """A value as text in SQL, for building natural keys with Concat."""
    return Cast(value, output_field=CharField())
