"""When a person may be reached, in their own local time (DST-safe through zoneinfo)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import F, Q

# Scheduled reminders and digests go out from this local hour on, and not after the second.
SEND_FROM = time(9, 0)
SEND_UNTIL = time(19, 0)


def local_now(now: datetime, tz: str) -> datetime:
    return now.astimezone(ZoneInfo(tz))


def local_midnight(day: date, tz: str) -> datetime:
    """The instant a local calendar day begins (00:00 exists on every DST day in tzdb zones
    that matter here; where it does not, zoneinfo moves it forward)."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(tz))


def local_at(day: date, at: time, tz: str) -> datetime:
    """The instant of a local wall-clock time on a day (a time skipped by DST moves on)."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(tz)).astimezone(ZoneInfo("UTC"))


def in_send_window(moment: datetime) -> bool:
    return SEND_FROM <= moment.time() < SEND_UNTIL


def is_quiet(t: time, quiet_from: time | None, quiet_until: time | None) -> bool:
    """Whether a local wall-clock time falls into quiet hours (which may span midnight)."""
    if quiet_from is None or quiet_until is None or quiet_from == quiet_until:
        return False
    if quiet_from < quiet_until:
        return quiet_from <= t < quiet_until
    return t >= quiet_from or t < quiet_until


def quiet_q(prefix: str, t: time) -> Q:
    """SQL condition "this person is in quiet hours at local time t", `prefix` leading to the
    user (e.g. "company__members__user__"). People without settings are never quiet."""
    qf = f"{prefix}delivery_settings__quiet_from"
    qu = f"{prefix}delivery_settings__quiet_until"
    within_day = Q(**{f"{qf}__lt": F(qu), f"{qf}__lte": t, f"{qu}__gt": t})
    over_midnight = Q(**{f"{qf}__gt": F(qu)}) & (Q(**{f"{qf}__lte": t}) | Q(**{f"{qu}__gt": t}))
    return within_day | over_midnight


def email_moment(
    now: datetime, *, tz: str, quiet_from: time | None, quiet_until: time | None
) -> datetime:
    """When an e-mail caused by someone's action may leave: now, or when quiet hours end."""
    local = local_now(now, tz)
    if not is_quiet(local.time(), quiet_from, quiet_until):
        return now
    assert quiet_until is not None
    end_day = local.date()
    if local.time() >= quiet_until:
        end_day += timedelta(days=1)
    end = datetime.combine(end_day, quiet_until, tzinfo=ZoneInfo(tz))
    # Round-trip through UTC so a wall time skipped by a DST jump lands just after it.
    return end.astimezone(ZoneInfo("UTC"))
