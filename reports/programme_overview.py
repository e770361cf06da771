"""The coach's overview across every convoy of a programme: for each convoy its name, status,
facilitators, companies, health (update due, quiet, help wanted, blocked and overdue
milestones), next check-in, check-ins held and their attendance, last activity and projects in
progress and done; totals across the programme at the top.

Aggregates only: programme staff see these figures of every convoy of their programme without
being members, and never its content (update texts, comments, project and milestone titles,
check-in notes). Whether the viewer facilitates a convoy (and so may open it) is on each row.

The health rule (what counts as due, quiet, help wanted, blocked, overdue) has one home,
overview.convoy_health, which also judges "My convoys"; this module only says which convoys it
is judged over (all of the programme's).

A constant number of queries, whatever the number of convoys and companies.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Exists, F, Func, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from accounts.models import User
from checkins.models import CheckIn, CheckInStatus, Rsvp, RsvpStatus
from companies.models import CompanyMember
from convoys.models import Convoy, ConvoyStatus, Facilitator, Membership, active_membership_q
from overview.convoy_health import ConvoyHealth, convoys_health
from programmes.models import Programme
from projects.models import Project, ProjectStatus

# Check-ins held in this window before now are counted, with their attendance.
ATTENDANCE_WINDOW = timedelta(days=90)


@dataclass
class ProgrammeConvoy:
    """One convoy of the programme overview: figures, no content."""

    health: ConvoyHealth
    facilitator_names: list[str]
    member_people: int  # people of the active member companies, today
    checkins_held: int  # in the last 90 days, not cancelled
    checkins_confirmed: int  # confirmed yes answers of member people to those check-ins
    projects_in_progress: int
    projects_done: int
    next_checkin_date: date | None
    last_activity_date: date | None

    @property
    def convoy(self) -> Convoy:
        return self.health.convoy

    @property
    def attendance_percent(self) -> int | None:
        """Confirmed yes answers to the check-ins held in the last 90 days, as a share of a
        full turnout (every person of the member companies at each of them). None without a
        check-in held or without people."""
        possible = self.checkins_held * self.member_people
        if not possible:
            return None
        return round(100 * self.checkins_confirmed / possible)


@dataclass
class ProgrammeOverview:
    """The rows the filter keeps, and the totals across the whole programme."""

    programme: Programme
    rows: list[ProgrammeConvoy]
    convoys: int
    convoys_needing_attention: int
    companies: int  # active member companies, each counted once across convoys
    companies_needing_attention: int
    status_counts: dict[str, int] = field(default_factory=dict)


def _count(queryset: QuerySet[Any], counted: str = "pk") -> Coalesce:
    """COUNT(DISTINCT counted) of a correlated queryset, as a subquery: no GROUP BY on the
    outer query, so the counts do not multiply each other."""
    number = Func(F(counted), function="COUNT", template="%(function)s(DISTINCT %(expressions)s)")
    return Coalesce(Subquery(queryset.order_by().annotate(n=number).values("n")[:1]), 0)


def _programme_convoys(*, programme: Programme, user: User, now: datetime) -> QuerySet[Convoy]:
    """The programme's convoys, annotated with what convoys_health needs (company_count,
    is_facilitator) and with this overview's own counts; facilitators prefetched."""
    convoy = OuterRef("pk")
    held = CheckIn.objects.filter(
        convoy=convoy, starts_at__gte=now - ATTENDANCE_WINDOW, starts_at__lte=now
    ).exclude(status=CheckInStatus.CANCELLED)
    # Only people of the convoy's active member companies count towards attendance (a
    # facilitator's yes is not a company's attendance).
    member_person = CompanyMember.objects.filter(
        active_membership_q("company__memberships"),
        company__memberships__convoy=OuterRef("checkin__convoy"),
        user=OuterRef("user"),
    )
    confirmed = Rsvp.objects.filter(
        Exists(member_person),
        checkin__convoy=convoy,
        checkin__starts_at__gte=now - ATTENDANCE_WINDOW,
        checkin__starts_at__lte=now,
        status=RsvpStatus.CONFIRMED,
    ).exclude(checkin__status=CheckInStatus.CANCELLED)
    people = CompanyMember.objects.filter(
        active_membership_q("company__memberships"), company__memberships__convoy=convoy
    )
    # As the health counts milestones: unarchived projects shared with the convoy by its
    # active member companies.
    shared = Project.objects.unarchived().filter(
        active_membership_q("company__memberships"),
        convoys=convoy,
        company__memberships__convoy=convoy,
    )
    return (
        Convoy.objects.filter(programme=programme)  # type: ignore[no-redef]  # see convoy_list_for_user
        .annotate(
            company_count=_count(Membership.objects.active().filter(convoy=convoy)),
            is_facilitator=Exists(Facilitator.objects.filter(convoy=convoy, user_id=user.pk)),
            member_people=_count(people, "user_id"),
            checkins_held=_count(held),
            checkins_confirmed=_count(confirmed),
            projects_in_progress=_count(shared.filter(status=ProjectStatus.IN_PROGRESS)),
            projects_done=_count(shared.filter(status=ProjectStatus.DONE)),
        )
        .prefetch_related(
            Prefetch(
                "facilitator_links",
                queryset=Facilitator.objects.select_related("user").order_by("user__name", "id"),
            )
        )
        .order_by("name", "id")
    )


def _local_date(value: datetime | None, convoy: Convoy) -> date | None:
    return value.astimezone(ZoneInfo(convoy.timezone)).date() if value else None


def programme_convoys_overview(
    *,
    programme: Programme,
    user: User,
    now: datetime,
    status: str = "",
    needs_attention: bool = False,
) -> ProgrammeOverview:
    """Every convoy of the programme for its staff (the caller has checked that `user` is,
    with programmes.selectors.programme_for_staff), judged by the health rule; the rows narrowed to
    `status` and to those needing attention if asked, the totals across all of them."""
    judged = convoys_health(
        convoys=_programme_convoys(programme=programme, user=user, now=now),
        now=now,
        judged=lambda convoy: True,
    )
    rows = []
    for row in judged:
        convoy: Any = row.convoy  # annotated by _programme_convoys
        rows.append(
            ProgrammeConvoy(
                health=row,
                facilitator_names=[
                    link.user.display_name for link in convoy.facilitator_links.all()
                ],
                member_people=convoy.member_people,
                checkins_held=convoy.checkins_held,
                checkins_confirmed=convoy.checkins_confirmed,
                projects_in_progress=convoy.projects_in_progress,
                projects_done=convoy.projects_done,
                next_checkin_date=_local_date(row.next_checkin_at, convoy),
                last_activity_date=_local_date(row.last_activity_at, convoy),
            )
        )
    companies: set[int] = set()
    attention: set[int] = set()
    for row in judged:
        companies |= row.company_ids
        attention |= row.attention_company_ids
    status_counts = dict.fromkeys(ConvoyStatus.values, 0)
    for row in judged:
        status_counts[row.convoy.status] += 1
    return ProgrammeOverview(
        programme=programme,
        rows=[
            row
            for row in rows
            if (not status or row.convoy.status == status)
            and (not needs_attention or row.health.attention)
        ],
        convoys=len(rows),
        convoys_needing_attention=sum(1 for row in judged if row.attention),
        companies=len(companies),
        companies_needing_attention=len(attention),
        status_counts=status_counts,
    )
