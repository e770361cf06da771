"""Time travel across DST changes: one reminder per local period, at the same local hour,
none skipped, none doubled, none an hour off.

The convoy's cadence is one day and the company posts an update each day at noon after its
reminder, so a reminder is due every local day at 09:00; the sweep runs every hour (UTC)
for a week around each change. Days of 23 and 25 hours must each get exactly one.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from convoys.models import Membership
from notifications.models import DeliverySettings, Notification, NotificationKind
from notifications.sweep import sweep_run
from projects.models import Update
from tests.factories import UpdateFactory

UTC = ZoneInfo("UTC")

# (zone, a day a few days before a DST change); both directions for each zone.
TRANSITIONS = [
    ("Europe/Berlin", date(2026, 3, 25)),  # spring forward on Sunday 29 March
    ("Europe/Berlin", date(2026, 10, 21)),  # fall back on Sunday 25 October
    ("America/New_York", date(2026, 3, 4)),  # 8 March
    ("America/New_York", date(2026, 10, 28)),  # 1 November
    ("Australia/Sydney", date(2026, 4, 1)),  # fall back on 5 April
    ("Australia/Sydney", date(2026, 9, 30)),  # spring forward on 4 October
]
DAYS = 7

# A sweep per simulated hour over days in three zones: the slowest tests of the suite.
pytestmark = pytest.mark.slow


@pytest.mark.parametrize(("zone", "first_day"), TRANSITIONS, ids=lambda v: str(v))
def test_one_reminder_per_local_day_at_nine_across_dst(world, zone, first_day):
    tz = ZoneInfo(zone)
    w = world
    w.convoy.timezone = zone
    w.convoy.update_cadence_days = 1
    w.convoy.save()
    for person in (w.owner, w.member):
        person.timezone = zone
        person.save()
        DeliverySettings.objects.create(user=person, weekends=True)
    start = datetime.combine(first_day - timedelta(days=1), datetime.min.time(), tzinfo=tz)
    Membership.objects.filter(convoy=w.convoy).update(joined_at=start + timedelta(hours=12))

    now = start.astimezone(UTC)
    end = (start + timedelta(days=DAYS + 1)).astimezone(UTC)
    while now < end:
        sweep_run(now=now, send=False)
        local = now.astimezone(tz)
        if local.hour == 12:  # the company answers its reminder at noon
            update = UpdateFactory(convoy=w.convoy, company=w.company, author=w.owner)
            Update.objects.filter(pk=update.pk).update(created_at=now)
        now += timedelta(hours=1)

    reminders = Notification.objects.filter(
        kind=NotificationKind.UPDATE_DUE, convoy=w.convoy, recipient=w.owner
    ).order_by("created_at")
    local_times = [n.created_at.astimezone(tz) for n in reminders]
    expected_days = [first_day + timedelta(days=i) for i in range(DAYS)]
    assert [t.date() for t in local_times] == expected_days  # none skipped, none doubled
    assert {(t.hour, t.minute) for t in local_times} == {(9, 0)}  # none an hour off
    assert {n.data["nudge"] for n in reminders} == {1}
    # Both members, each once per day.
    both = Notification.objects.filter(kind=NotificationKind.UPDATE_DUE, convoy=w.convoy)
    assert both.count() == 2 * DAYS


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "Australia/Sydney"])
def test_the_weekly_facilitator_digest_is_monday_nine_local_across_dst(world, zone):
    tz = ZoneInfo(zone)
    w = world
    w.facilitator.timezone = zone
    w.facilitator.save()
    # The week before and the week of the spring change (167 hours) in each hemisphere.
    first = {
        "Europe/Berlin": date(2026, 3, 23),
        "America/New_York": date(2026, 3, 2),
        "Australia/Sydney": date(2026, 9, 28),
    }[zone]
    now = datetime.combine(first, datetime.min.time(), tzinfo=tz).astimezone(UTC)
    end = now + timedelta(weeks=2)
    while now < end:
        sweep_run(now=now, send=False)
        now += timedelta(hours=1)
    digests = Notification.objects.filter(
        kind=NotificationKind.FACILITATOR_DIGEST, recipient=w.facilitator
    ).order_by("created_at")
    local_times = [n.created_at.astimezone(tz) for n in digests]
    assert [t.date() for t in local_times] == [first + timedelta(weeks=i) for i in range(2)]
    assert {(t.weekday(), t.hour) for t in local_times} == {(0, 9)}
