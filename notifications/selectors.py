"""Reads of the notifications app, scoped to the person asking."""

from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from notifications.kinds import DEFAULT_CHANNELS
from notifications.models import (
    ConvoyMute,
    DeliverySettings,
    Notification,
    NotificationKind,
    NotificationPreference,
)


def notifications_for_user(*, user: User) -> QuerySet[Notification]:
    """A person's own notifications, newest first; nobody else's exist for them."""
    return Notification.objects.filter(recipient=user).select_related("actor").order_by("-id")


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def badge_state(*, user: User) -> dict[str, int]:
    """The header badge in one query: unread count and the newest notification's id."""
    row = Notification.objects.filter(recipient=user).aggregate(
        unread=Count("id", filter=Q(read_at__isnull=True)), last_id=Max("id")
    )
    return {"unread": row["unread"], "last_id": row["last_id"] or 0}


def preferences_for_user(*, user: User) -> dict[str, Any]:
    """Everything a person chose about being reached, with defaults filled in."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "channel"))
    settings = DeliverySettings.objects.filter(user=user).first()
    return {
        "language": user.language,
        "timezone": user.timezone,
        "channels": {
            kind: chosen.get(kind, DEFAULT_CHANNELS[kind]) for kind in NotificationKind.values
        },
        "quiet_hours": {
            "from": settings.quiet_from if settings else None,
            "until": settings.quiet_until if settings else None,
        },
        "weekends": settings.weekends if settings else False,
        "muted_convoys": [
            {"convoy": convoy_id, "until": until}
            for convoy_id, until in ConvoyMute.objects.filter(user=user)
            .order_by("convoy_id")
            .values_list("convoy_id", "until")
        ],
    }


def _moment(value: str | None, default: datetime) -> datetime:
    try:
        return datetime.fromisoformat(value) if value else default
    except ValueError:
        return default


def facilitator_digest_summary(
    *, convoy_id: int, since: str | None, until: str | None
) -> dict[str, Any]:
    """A convoy's week for its facilitator: who updated, milestones done, help wanted, quiet
    companies, upcoming check-ins. A handful of queries, whatever the convoy's size."""
    from convoys.models import Convoy, MembershipStatus
    from projects.models import Milestone, MilestoneStatus, Update
    from projects.selectors import convoy_dashboard

    end = _moment(until, timezone.now())
    start = _moment(since, end - timedelta(days=7))
    convoy = Convoy.objects.get(pk=convoy_id)
    updates = Update.objects.filter(convoy=convoy, created_at__gte=start, created_at__lt=end)
    updated = [
        {"company": row["company__name"], "count": row["count"]}
        for row in updates.values("company__name")
        .annotate(count=Count("id"))
        .order_by("company__name")
    ]
    help_wanted = [
        {"company": u.company.name, "stuck_on": u.stuck_on, "body": u.body}
        for u in updates.filter(help_wanted=True).select_related("company").order_by("created_at")
    ]
    milestones_done = [
        {"company": m.project.company.name, "project": m.project.title, "title": m.title}
        for m in Milestone.objects.filter(
            status=MilestoneStatus.DONE,
            completed_at__gte=start,
            completed_at__lt=end,
            project__convoys=convoy,
            project__company__memberships__convoy=convoy,
            project__company__memberships__status=MembershipStatus.ACTIVE,
        )
        .select_related("project__company")
        .order_by("completed_at")
    ]
    dashboard = convoy_dashboard(convoy=convoy, now=end)
    quiet = [
        {"company": c["name"], "days": c.get("days_since_update") or c.get("days_silent") or 0}
        for c in dashboard["companies"]
        if c.get("quiet")
    ]
    checkins: list[dict[str, Any]] = []
    if apps.is_installed("checkins"):
        CheckIn = apps.get_model("checkins", "CheckIn")
        checkins = [
            {"title": c.title, "starts_at": c.starts_at}
            for c in CheckIn.objects.filter(
                convoy=convoy, status="scheduled", starts_at__gte=end
            ).order_by("starts_at")[:5]
        ]
    return {
        "convoy": convoy.name,
        "since": start,
        "until": end,
        "updated": updated,
        "help_wanted": help_wanted,
        "milestones_done": milestones_done,
        "quiet": quiet,
        "checkins": checkins,
    }
