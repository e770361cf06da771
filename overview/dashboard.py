"""The convoy dashboard: a read model over projects, updates, memberships and check-ins.

Per company of the convoy: projects, milestones done/total, weighted progress (and whether
the weights differ, so that the page can say the % is by weight), the last update, help wanted,
blocked and overdue milestones, update due and quiet; the companies in attention order, and the
facilitator's attention list (who needs a look, with names); the convoy's milestones done over
time; the next check-in. Built once per event seq and local day, cached in the shared cache,
and kept encoded in a small process-local LRU for the API.
"""

import json
import threading
from collections import OrderedDict
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from checkins.selectors import next_checkin_query, seats_data
from convoys.models import Convoy, Membership
from convoys.selectors import convoy_summary
from projects.models import Milestone, MilestoneStatus, Project, Update
from projects.selectors import progress_percent, update_data, with_progress

DASHBOARD_CACHE_SECONDS = 600


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _milestone_ref(milestone: Milestone) -> dict[str, Any]:
    return {
        "id": milestone.pk,
        "title": milestone.title,
        "status": milestone.status,
        "due_date": milestone.due_date.isoformat() if milestone.due_date else None,
        "project": {"id": milestone.project_id, "title": milestone.project.title},
    }


def _dashboard_build(convoy: Convoy, today: date) -> dict[str, Any]:
    latest_update = (
        Update.objects.filter(convoy=convoy, company=OuterRef("company_id"))
        .order_by("-created_at", "-id")
        .values("pk")[:1]
    )
    memberships = list(
        Membership.objects.active()
        .filter(convoy=convoy)
        .select_related("company")
        .annotate(latest_update_id=Subquery(latest_update))
        .order_by("company__name", "company_id")
    )
    company_ids = [m.company_id for m in memberships]
    # Annotated rows (progress and the weight span), which django-stubs cannot follow.
    projects: list[Any] = list(
        with_progress(
            Project.objects.unarchived().filter(convoys=convoy, company_id__in=company_ids)
        )
        # Whether a project's milestones weigh alike: only then is the % the count share.
        .annotate(weight_min=Min("milestones__weight"), weight_max=Max("milestones__weight"))
        .order_by("created_at", "id")
    )
    # Blocked, and overdue (due before today in the convoy's time zone, not done): one query
    # for every company; the payload is cached per day, so "today" holds for its lifetime.
    flagged = list(
        Milestone.objects.filter(
            project__convoys=convoy,
            project__company_id__in=company_ids,
            project__archived_at__isnull=True,
        )
        .filter(
            Q(status=MilestoneStatus.BLOCKED)
            | Q(due_date__lt=today) & ~Q(status=MilestoneStatus.DONE)
        )
        .select_related("project")
        .order_by("due_date", "id")
    )
    # django-stubs drops queryset annotations after a custom QuerySet method (active()), so
    # it does not see latest_update_id on these rows: hence the two ignores below.
    updates = {
        u.pk: u
        for u in Update.objects.filter(
            pk__in=[m.latest_update_id for m in memberships if m.latest_update_id]  # type: ignore[attr-defined]
        ).select_related("author")
    }
    tz = ZoneInfo(convoy.timezone)
    done_per_day = (
        Milestone.objects.filter(
            project__convoys=convoy,
            project__company_id__in=company_ids,
            project__archived_at__isnull=True,
            status=MilestoneStatus.DONE,
        )
        .annotate(day=TruncDate("completed_at", tzinfo=tz))
        .values("day")
        .annotate(done=Count("id"))
        .order_by("day")
    )

    by_company: dict[int, list[Any]] = {}
    for project in projects:
        by_company.setdefault(project.company_id, []).append(project)
    blocked: dict[int, list[dict[str, Any]]] = {}
    overdue: dict[int, list[dict[str, Any]]] = {}
    for milestone in flagged:
        company_id = milestone.project.company_id
        row = _milestone_ref(milestone)
        # A blocked milestone past its date is listed once, as blocked, with its days overdue.
        due = milestone.due_date
        row["days_overdue"] = (today - due).days if due is not None and due < today else None
        kind = blocked if milestone.status == MilestoneStatus.BLOCKED else overdue
        kind.setdefault(company_id, []).append(row)

    companies = []
    for membership in memberships:
        company = membership.company
        own = by_company.get(company.pk, [])
        weight_total = sum(p.weight_total for p in own)
        weight_done = sum(p.weight_done for p in own)
        update = updates.get(membership.latest_update_id)  # type: ignore[attr-defined]  # see above
        weights = {p.weight_min for p in own if p.milestones_total} | {
            p.weight_max for p in own if p.milestones_total
        }
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
                        "weighted": p.weight_min != p.weight_max,
                    }
                    for p in own
                ],
                "milestones_done": sum(p.milestones_done for p in own),
                "milestones_total": sum(p.milestones_total for p in own),
                "progress": progress_percent(done_weight=weight_done, total_weight=weight_total),
                # The milestones weigh differently: the % is by weight, not the count share.
                "weighted": len(weights) > 1,
                "last_update": update_data(update) if update else None,
                "help_wanted": bool(update and update.help_wanted),
                "help_wanted_line": _first_line(update.stuck_on or update.body)
                if update and update.help_wanted
                else "",
                "milestones_blocked": blocked.get(company.pk, []),
                "milestones_overdue": overdue.get(company.pk, []),
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


def update_state(
    *, last_update_at: datetime | None, joined_at: datetime, cadence: int, today: date, tz: ZoneInfo
) -> tuple[int, bool, bool]:
    """(days silent, update due, quiet) of one company in a convoy: calendar days in the
    convoy's time zone since its last update (or since it joined); an update is due after one
    cadence without, and the company counts as quiet after two (it has had its reminder and
    its second nudge by then, see notifications.sweep). The one home of this rule (the
    dashboard, the facilitator's overview of convoys)."""
    days = (today - _local_date(last_update_at or joined_at, tz)).days
    return days, days >= cadence, days >= 2 * cadence


def _add_time_flags(payload: dict[str, Any], *, cadence: int, today: date, tz: ZoneInfo) -> None:
    for company in payload["companies"]:
        since = company["last_update"]["created_at"] if company["last_update"] else None
        days, due, quiet = update_state(
            last_update_at=datetime.fromisoformat(since) if since else None,
            joined_at=datetime.fromisoformat(company["joined_at"]),
            cadence=cadence,
            today=today,
            tz=tz,
        )
        company["days_since_update"] = days if since else None
        company["days_silent"] = days
        company["update_due"] = due
        company["quiet"] = quiet


# Attention order of the company cards: 0 needs a look now (a blocked milestone, help
# wanted, quiet), 1 is due (an update or an overdue milestone), 2 is on track.
ATTENTION_NOW, ATTENTION_DUE, ATTENTION_NONE = 0, 1, 2


def _add_attention(payload: dict[str, Any]) -> None:
    """Sort the companies by attention and list what needs a look, most pressing kind first:
    blocked milestones, help wanted, quiet companies, overdue milestones, updates due."""
    companies = payload["companies"]
    for company in companies:
        if company["milestones_blocked"] or company["help_wanted"] or company["quiet"]:
            company["attention"] = ATTENTION_NOW
        elif company["update_due"] or company["milestones_overdue"]:
            company["attention"] = ATTENTION_DUE
        else:
            company["attention"] = ATTENTION_NONE
    # Stable: within a rank the companies keep their alphabetical order.
    companies.sort(key=lambda c: c["attention"])
    items: dict[str, list[dict[str, Any]]] = {
        kind: [] for kind in ("blocked", "help_wanted", "quiet", "overdue", "update_due")
    }
    for company in companies:
        ref = {"id": company["id"], "name": company["name"]}
        for milestone in company["milestones_blocked"]:
            items["blocked"].append({"kind": "blocked", "company": ref, "milestone": milestone})
        if company["help_wanted"]:
            items["help_wanted"].append(
                {
                    "kind": "help_wanted",
                    "company": ref,
                    "update": {
                        "id": company["last_update"]["id"],
                        "first_line": company["help_wanted_line"],
                    },
                }
            )
        if company["quiet"] or company["update_due"]:
            kind = "quiet" if company["quiet"] else "update_due"
            items[kind].append({"kind": kind, "company": ref, "days": company["days_silent"]})
        for milestone in company["milestones_overdue"]:
            items["overdue"].append({"kind": "overdue", "company": ref, "milestone": milestone})
    payload["attention"] = [item for rows in items.values() for item in rows]


def _dashboard_key(convoy: Convoy, today: date) -> str:
    # Everything that changes the dashboard is an Event, so the convoy's last seq versions
    # it; the local date versions the time-dependent flags.
    return f"dashboard:v3:{convoy.pk}:{convoy.last_event_seq}:{today.isoformat()}"


def convoy_dashboard(*, convoy: Convoy, now: datetime) -> dict[str, Any]:
    """Per company: projects, milestones done/total, progress, last update, help wanted, quiet,
    blocked and overdue milestones, in attention order; the attention list; and milestones
    done over time. Built once per event seq and day, then cached."""
    tz = ZoneInfo(convoy.timezone)
    today = _local_date(now, tz)
    key = _dashboard_key(convoy, today)
    payload = cache.get(key)
    if payload is None:
        payload = _dashboard_build(convoy, today)
        _add_time_flags(payload, cadence=convoy.update_cadence_days, today=today, tz=tz)
        _add_attention(payload)
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
