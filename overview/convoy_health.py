"""The health of convoys: companies whose update is due or who have been quiet for long, help
wanted, blocked and overdue milestones, with the next check-in and the last activity. The one
home of what counts as each of those, for every set of convoys it is judged over:

- "My convoys" (`convoys_overview`): every convoy a person sees, judged for the ones they
  facilitate;
- a programme's overview (reports.programme_overview, handed `convoys_health` by the
  interface, since the top layer's apps do not import each other): every convoy of the
  programme, judged for its staff, who see these aggregates without being members.

A constant number of queries, whatever the number of convoys and companies."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import Count, F, OuterRef, QuerySet, Subquery

from accounts.models import User
from checkins.models import CheckIn, CheckInStatus
from convoys.models import Convoy, Event, Membership, active_membership_q
from convoys.selectors import convoy_list_for_user
from overview.dashboard import update_state
from projects.models import MilestoneStatus, Project, Update


@dataclass
class ConvoyHealth:
    """One convoy of the overview. The health counts are filled for facilitators only: a
    member sees the convoy, not a judgement of its companies."""

    convoy: Convoy
    is_facilitator: bool
    company_count: int
    next_checkin_id: int | None
    next_checkin_at: datetime | None
    last_activity_at: datetime | None
    update_due: int = 0  # due, not yet quiet
    quiet: int = 0
    help_wanted: int = 0
    blocked: int = 0
    overdue: int = 0
    # Filled when judged: the active member companies, and those of them that need a look
    # (any of the five counts above), so that totals across convoys count a company once.
    company_ids: set[int] = field(default_factory=set)
    attention_company_ids: set[int] = field(default_factory=set)

    @property
    def attention(self) -> int:
        return self.update_due + self.quiet + self.help_wanted + self.blocked + self.overdue


def _local_today(convoy: Convoy, now: datetime) -> date:
    return now.astimezone(ZoneInfo(convoy.timezone)).date()


def _with_activity(convoys: QuerySet[Convoy], *, now: datetime) -> QuerySet[Convoy]:
    # The next check-in as convoy_dashboard shows it (checkins.selectors.next_checkin_query):
    # scheduled and not yet ended.
    next_checkin = CheckIn.objects.filter(
        convoy=OuterRef("pk"), status=CheckInStatus.SCHEDULED, ends_at__gte=now
    ).order_by("starts_at", "id")
    last_event = Event.objects.filter(convoy=OuterRef("pk")).order_by("-seq")
    return convoys.annotate(
        next_checkin_id=Subquery(next_checkin.values("pk")[:1]),
        next_checkin_at=Subquery(next_checkin.values("starts_at")[:1]),
        last_activity_at=Subquery(last_event.values("at")[:1]),
    )


def _add_update_counts(rows: dict[int, ConvoyHealth], *, now: datetime) -> None:
    """Update due / quiet / help wanted per convoy, from each active company's latest update
    (one query)."""
    latest = Update.objects.filter(
        convoy=OuterRef("convoy_id"), company=OuterRef("company_id")
    ).order_by("-created_at", "-id")
    memberships = (
        Membership.objects.active()
        .filter(convoy_id__in=list(rows))
        .annotate(
            last_update_at=Subquery(latest.values("created_at")[:1]),
            last_help_wanted=Subquery(latest.values("help_wanted")[:1]),
        )
        .values("convoy_id", "company_id", "joined_at", "last_update_at", "last_help_wanted")
    )
    for membership in memberships:
        row = rows[membership["convoy_id"]]
        row.company_ids.add(membership["company_id"])
        convoy = row.convoy
        _days, due, quiet = update_state(
            last_update_at=membership["last_update_at"],
            joined_at=membership["joined_at"],
            cadence=convoy.update_cadence_days,
            today=_local_today(convoy, now),
            tz=ZoneInfo(convoy.timezone),
        )
        row.quiet += quiet
        row.update_due += due and not quiet
        row.help_wanted += bool(membership["last_help_wanted"])
        if due or membership["last_help_wanted"]:
            row.attention_company_ids.add(membership["company_id"])


def _add_milestone_counts(rows: dict[int, ConvoyHealth], *, now: datetime) -> None:
    """Blocked and overdue milestones per convoy (one query), as the dashboard counts them
    (overview.dashboard): of the unarchived projects shared with the convoy by its active
    member companies. Grouped by due date, since "overdue" is judged against each convoy's
    own local date."""
    shares = Project.convoys.through.objects.filter(
        active_membership_q("convoy__memberships"),
        convoy_id__in=list(rows),
        convoy__memberships__company_id=F("project__company_id"),
        project__archived_at__isnull=True,
    )
    open_statuses = [s for s in MilestoneStatus.values if s != MilestoneStatus.DONE]
    open_milestones = (
        shares.filter(project__milestones__status__in=open_statuses)
        .values(
            "convoy_id",
            "project__company_id",
            "project__milestones__status",
            "project__milestones__due_date",
        )
        .annotate(n=Count("project__milestones__id"))
        .order_by()
    )
    for group in open_milestones:
        row = rows[group["convoy_id"]]
        flagged = False
        if group["project__milestones__status"] == MilestoneStatus.BLOCKED:
            row.blocked += group["n"]
            flagged = True
        due = group["project__milestones__due_date"]
        if due is not None and due < _local_today(row.convoy, now):
            row.overdue += group["n"]
            flagged = True
        if flagged:
            row.attention_company_ids.add(group["project__company_id"])


def convoys_health(
    *, convoys: QuerySet[Convoy], now: datetime, judged: Callable[[Convoy], bool]
) -> list[ConvoyHealth]:
    """The rows of `convoys` (a queryset annotated with `company_count` and `is_facilitator`,
    as convoys.selectors.convoy_list_for_user does), in its order, with the health of those
    `judged` picks. Three queries, plus whatever the queryset prefetches."""
    overview = [
        ConvoyHealth(
            convoy=convoy,
            is_facilitator=convoy.is_facilitator,
            company_count=convoy.company_count,  # type: ignore[attr-defined]  # annotated
            next_checkin_id=convoy.next_checkin_id,  # type: ignore[attr-defined]
            next_checkin_at=convoy.next_checkin_at,  # type: ignore[attr-defined]
            last_activity_at=convoy.last_activity_at,  # type: ignore[attr-defined]
        )
        for convoy in _with_activity(convoys, now=now)
    ]
    rows = {row.convoy.pk: row for row in overview if judged(row.convoy)}
    if rows:
        _add_update_counts(rows, now=now)
        _add_milestone_counts(rows, now=now)
    return overview


def convoys_overview(*, user: User, now: datetime) -> list[ConvoyHealth]:
    """Every convoy the user sees, by name; the health of those they facilitate."""
    return convoys_health(
        convoys=convoy_list_for_user(user=user),
        now=now,
        judged=lambda convoy: convoy.is_facilitator,
    )
