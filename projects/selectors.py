"""Reads for projects, milestones, updates and the convoy dashboard.

Each returns a queryset scoped to the person asking and shaped (annotated/prefetched) so that
the number of queries does not grow with the data.
"""

import json
import threading
from collections import OrderedDict
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from accounts.models import User
from checkins.selectors import next_checkin_query, seats_data
from companies.models import CompanyMember
from convoys.events import actor_data
from convoys.models import Convoy, Membership, MembershipStatus
from convoys.selectors import convoy_summary, convoys_for_user
from projects.models import Milestone, MilestoneStatus, Project, ProjectStatus, Update

DASHBOARD_CACHE_SECONDS = 600
_DONE = Q(milestones__status=MilestoneStatus.DONE)


def progress_percent(*, done_weight: int, total_weight: int, status: str | None = None) -> int:
    """Weighted share of done milestones, 0–100. A done project without milestones is 100."""
    if total_weight:
        return round(100 * done_weight / total_weight)
    return 100 if status == ProjectStatus.DONE else 0


def with_progress(queryset: QuerySet[Project]) -> QuerySet[Project]:
    zero = Value(0, output_field=IntegerField())
    # The model declares these four for the readers' types; django-stubs calls that a redefinition.
    return queryset.annotate(  # type: ignore[no-redef]
        milestones_total=Count("milestones", distinct=True),
        milestones_done=Count("milestones", filter=_DONE, distinct=True),
        weight_total=Coalesce(Sum("milestones__weight"), zero),
        weight_done=Coalesce(Sum("milestones__weight", filter=_DONE), zero),
    )


def projects_for_user(*, user: User) -> QuerySet[Project]:
    """Projects of the user's companies, and those shared with convoys the user sees by a
    company that is an active member there."""
    if not user.is_authenticated:
        return Project.objects.none()
    own = CompanyMember.objects.filter(company=OuterRef("company_id"), user=user)
    shared = Project.convoys.through.objects.filter(
        project=OuterRef("pk"),
        convoy__in=convoys_for_user(user=user).values("pk"),
        convoy__memberships__company=OuterRef("company_id"),
        convoy__memberships__status=MembershipStatus.ACTIVE,
    )
    return Project.objects.filter(Q(Exists(own)) | Q(Exists(shared)))


def project_detail_queryset(*, user: User) -> QuerySet[Project]:
    """Projects the user sees, with milestones and progress; `convoys` holds only the
    convoys the user is in (a peer must not learn which other convoys a company's project is
    shared with), in the same single prefetch query."""
    return (
        with_progress(projects_for_user(user=user))
        .select_related("company", "follow_up_of")
        .prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.order_by("due_date", "id")),
            Prefetch("convoys", queryset=convoys_for_user(user=user).order_by("name", "id")),
        )
    )


def projects_in_convoy(
    queryset: QuerySet[Project], *, user: User, convoy_id: int
) -> QuerySet[Project]:
    """`queryset` narrowed to projects shared with a convoy the user is in: a convoy the
    user is not in gives the same empty answer as one that does not exist."""
    return queryset.filter(convoys__in=convoys_for_user(user=user).filter(pk=convoy_id))


def milestones_for_user(*, user: User) -> QuerySet[Milestone]:
    return Milestone.objects.filter(project__in=projects_for_user(user=user).values("pk"))


def updates_for_convoy(*, convoy: Convoy) -> QuerySet[Update]:
    return (
        Update.objects.filter(convoy=convoy)
        .select_related("company", "author")
        .prefetch_related(Prefetch("milestones", queryset=Milestone.objects.order_by("id")))
        .order_by("-created_at", "-id")
    )


def update_data(update: Update) -> dict[str, Any]:
    return {
        "id": update.pk,
        "company": update.company_id,
        "author": actor_data(update.author),
        "body": update.body,
        "next_steps": update.next_steps,
        "help_wanted": update.help_wanted,
        "stuck_on": update.stuck_on,
        "created_at": update.created_at.isoformat(),
    }


def _dashboard_build(convoy: Convoy) -> dict[str, Any]:
    latest_update = (
        Update.objects.filter(convoy=convoy, company=OuterRef("company_id"))
        .order_by("-created_at", "-id")
        .values("pk")[:1]
    )
    memberships = list(
        Membership.objects.filter(convoy=convoy, status=MembershipStatus.ACTIVE)
        .select_related("company")
        .annotate(latest_update_id=Subquery(latest_update))
        .order_by("company__name", "company_id")
    )
    company_ids = [m.company_id for m in memberships]
    projects = list(
        with_progress(Project.objects.filter(convoys=convoy, company_id__in=company_ids)).order_by(
            "created_at", "id"
        )
    )
    updates = {
        u.pk: u
        for u in Update.objects.filter(
            pk__in=[m.latest_update_id for m in memberships if m.latest_update_id]
        ).select_related("author")
    }
    tz = ZoneInfo(convoy.timezone)
    done_per_day = (
        Milestone.objects.filter(
            project__convoys=convoy,
            project__company_id__in=company_ids,
            status=MilestoneStatus.DONE,
        )
        .annotate(day=TruncDate("completed_at", tzinfo=tz))
        .values("day")
        .annotate(done=Count("id"))
        .order_by("day")
    )

    by_company: dict[int, list[Project]] = {}
    for project in projects:
        by_company.setdefault(project.company_id, []).append(project)

    companies = []
    for membership in memberships:
        company = membership.company
        own = by_company.get(company.pk, [])
        weight_total = sum(p.weight_total for p in own)
        weight_done = sum(p.weight_done for p in own)
        update = updates.get(membership.latest_update_id)
        companies.append(
            {
                "id": company.pk,
                "name": company.name,
                "sector": company.sector,
                "size": company.size,
                "city": company.city,
                "membership": membership.pk,
                "joined_at": membership.joined_at.isoformat(),
                "projects": [
                    {
                        "id": p.pk,
                        "title": p.title,
                        "category": p.category,
                        "status": p.status,
                        "milestones_done": p.milestones_done,
                        "milestones_total": p.milestones_total,
                        "progress": progress_percent(
                            done_weight=p.weight_done, total_weight=p.weight_total, status=p.status
                        ),
                    }
                    for p in own
                ],
                "milestones_done": sum(p.milestones_done for p in own),
                "milestones_total": sum(p.milestones_total for p in own),
                "progress": progress_percent(done_weight=weight_done, total_weight=weight_total),
                "last_update": update_data(update) if update else None,
                "help_wanted": bool(update and update.help_wanted),
            }
        )
    cumulative = 0
    chart = []
    for row in done_per_day:
        cumulative += row["done"]
        chart.append({"date": row["day"].isoformat(), "done": row["done"], "total": cumulative})
    return {
        "convoy": convoy_summary(convoy),
        "companies": companies,
        "milestones_done_over_time": chart,
        "next_checkin": _next_checkin_data(convoy),
    }


def _next_checkin_data(convoy: Convoy) -> dict[str, Any] | None:
    # One query. Check-in events bump the convoy's seq, which versions the cached dashboard;
    # a meeting that ends without an event drops out with the next event or day.
    checkin = next_checkin_query(convoy=convoy, now=timezone.now())
    if checkin is None:
        return None
    return {
        "id": checkin.pk,
        "title": checkin.title,
        "starts_at": checkin.starts_at.isoformat(),
        "ends_at": checkin.ends_at.isoformat(),
        "seats": seats_data(checkin),
    }


def _local_date(value: datetime, tz: ZoneInfo) -> date:
    return value.astimezone(tz).date()


def _add_time_flags(payload: dict[str, Any], *, cadence: int, today: date, tz: ZoneInfo) -> None:
    """Days since each company's last update (calendar days in the convoy's time zone); an
    update is due after one cadence without, and the company counts as quiet after two (it
    has had its reminder and its second nudge by then, see notifications.sweep)."""
    for company in payload["companies"]:
        since = company["last_update"]["created_at"] if company["last_update"] else None
        reference = _local_date(datetime.fromisoformat(since or company["joined_at"]), tz)
        days = (today - reference).days
        company["days_since_update"] = days if since else None
        company["days_silent"] = days
        company["update_due"] = days >= cadence
        company["quiet"] = days >= 2 * cadence


def _dashboard_key(convoy: Convoy, today: date) -> str:
    # Everything that changes the dashboard is an Event, so the convoy's last seq versions
    # it; the local date versions the time-dependent flags.
    return f"dashboard:v2:{convoy.pk}:{convoy.last_event_seq}:{today.isoformat()}"


def convoy_dashboard(*, convoy: Convoy, now: datetime) -> dict[str, Any]:
    """Per company: projects, milestones done/total, progress, last update, help wanted, quiet;
    and milestones done over time. Built once per event seq and day, then cached."""
    tz = ZoneInfo(convoy.timezone)
    today = _local_date(now, tz)
    key = _dashboard_key(convoy, today)
    payload = cache.get(key)
    if payload is None:
        payload = _dashboard_build(convoy)
        _add_time_flags(payload, cadence=convoy.update_cadence_days, today=today, tz=tz)
        cache.set(key, payload, DASHBOARD_CACHE_SECONDS)
    return payload


class _ImmutableLRU:
    """A small process-local LRU for values that never change under their key (the dashboard
    bytes are keyed by event seq): no invalidation needed, and no network round trip to the
    shared cache for the page every member keeps open."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def set(self, key: str, value: bytes) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


dashboard_bytes = _ImmutableLRU(size=32)


def convoy_dashboard_json(*, convoy: Convoy, now: datetime) -> bytes:
    """The dashboard as the API sends it, encoded once per event seq and day: readers between
    two events (every open dashboard after each event) cost a memory read."""
    key = _dashboard_key(convoy, _local_date(now, ZoneInfo(convoy.timezone))) + ":json"
    body = dashboard_bytes.get(key)
    if body is None:
        body = cache.get(key)
        if body is None:
            payload = convoy_dashboard(convoy=convoy, now=now)
            body = json.dumps(payload, cls=DjangoJSONEncoder, separators=(",", ":")).encode()
            cache.set(key, body, DASHBOARD_CACHE_SECONDS)
        dashboard_bytes.set(key, body)
    return body


def project_convoys_for_user(*, user: User, project: Project) -> list[Convoy]:
    """The convoys a project is shared with that this person sees (and where the company is
    still an active member): the others are not theirs to know about."""
    return list(
        convoys_for_user(user=user)
        .filter(
            projects=project,
            memberships__company_id=project.company_id,
            memberships__status=MembershipStatus.ACTIVE,
        )
        .order_by("name", "id")
    )
