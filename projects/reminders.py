"""The update-due reminder rule of projects (which owns updates), run by the notifications
sweep (registered in ProjectsConfig.ready(); see notifications.rules)."""

from collections.abc import Iterator
from datetime import datetime, timedelta

from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, JSONObject

from convoys.models import Convoy, Membership
from notifications.models import NotificationKind
from notifications.models import TargetType as NotificationTarget
from notifications.rules import LIVE_CONVOY_STATUSES, RuleQuery, as_text
from notifications.timing import local_midnight, local_now
from projects.models import Update


def update_due_querysets(now: datetime) -> Iterator[RuleQuery]:
    """Companies silent for one cadence get a reminder; after a second, a second nudge.

    A period is counted in the convoy's calendar days from the company's last update (or
    from joining). The key names the membership, how many updates it had posted when it fell
    silent (so a new update starts a new cycle) and the nudge (1 or 2); nothing after the
    second: from then on the facilitator sees the company as quiet and follows up.
    """
    latest = Update.objects.filter(
        convoy_id=OuterRef("convoy_id"), company_id=OuterRef("company_id")
    ).order_by("-created_at", "-id")
    base = (
        Membership.objects.active()
        .filter(convoy__status__in=LIVE_CONVOY_STATUSES)
        .annotate(
            last_update=Coalesce(Subquery(latest.values("id")[:1]), Value(0)),
            last_active=Coalesce(
                Subquery(latest.values("created_at")[:1]),
                F("joined_at"),
                output_field=DateTimeField(),
            ),
        )
    )
    combos = (
        Convoy.objects.filter(status__in=LIVE_CONVOY_STATUSES)
        .order_by()  # Meta.ordering would add the name to the DISTINCT
        .values_list("timezone", "update_cadence_days")
        .distinct()
    )
    for zone, cadence in sorted(set(combos)):
        today = local_now(now, zone).date()
        # Silent for n whole periods: last activity before the start of the local day
        # (today - n·cadence + 1).
        first = local_midnight(today - timedelta(days=cadence - 1), zone)
        second = local_midnight(today - timedelta(days=2 * cadence - 1), zone)
        # One statement for both nudges (the second from two periods on): each membership
        # is read once per batch, not once per nudge (bench/reminders.py).
        nudge = Case(
            When(last_active__lt=second, then=Value(2)),
            default=Value(1),
            output_field=IntegerField(),
        )
        rows = base.filter(
            convoy__timezone=zone, convoy__update_cadence_days=cadence, last_active__lt=first
        ).annotate(
            n_convoy=F("convoy_id"),
            n_key=Concat(
                Value(f"{NotificationKind.UPDATE_DUE}:"),
                as_text(F("pk")),
                Value(":"),
                as_text(F("last_update")),
                Value(":"),
                as_text(nudge),
                output_field=CharField(),
            ),
            n_target_type=Value(NotificationTarget.CONVOY, output_field=CharField()),
            n_target_id=F("convoy_id"),
            n_data=JSONObject(
                company=F("company__name"),
                convoy=F("convoy__name"),
                cadence=F("convoy__update_cadence_days"),
                nudge=nudge,
            ),
        )
        yield RuleQuery(NotificationKind.UPDATE_DUE, rows, "company__members__user")
