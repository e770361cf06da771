"""Reads of the notifications app, scoped to the person asking."""

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Max, Q, QuerySet

from accounts.models import User
from convoys.models import Convoy
from notifications.kinds import DEFAULT_CHANNELS
from notifications.models import (
    ConvoyMute,
    DeliverySettings,
    Notification,
    NotificationKind,
    NotificationPreference,
    Nudge,
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


def nudge_day(*, convoy: Convoy, now: datetime) -> date:
    """The day a nudge counts for (one a day per company): the convoy's local date."""
    return now.astimezone(ZoneInfo(convoy.timezone)).date()


def nudges_today(*, convoy: Convoy, now: datetime) -> dict[int, Nudge]:
    """The convoy's nudges of today, by company id, with who nudged: one query, whatever the
    number of companies."""
    return {
        nudge.company_id: nudge
        for nudge in Nudge.objects.filter(
            convoy=convoy, day=nudge_day(convoy=convoy, now=now)
        ).select_related("actor")
    }
