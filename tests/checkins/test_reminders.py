"""Check-in reminders through the notifications sweep: RSVP missing before the deadline,
check-in tomorrow for those coming, report due for companies without one; each once."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from checkins.services import checkin_cancel, report_file, rsvp_set
from notifications.links import notification_path
from notifications.models import Notification
from notifications.sweep import sweep_run
from tests.factories import CheckInFactory

BERLIN = ZoneInfo("Europe/Berlin")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def sent(kind: str) -> list[tuple[int, str]]:
    rows = Notification.objects.filter(kind=kind).order_by("recipient_id", "key")
    return list(rows.values_list("recipient_id", "key"))


@pytest.fixture
def checkin(world):
    # Wednesday 18 Nov 2026, 17:00; answers until Tuesday noon.
    return CheckInFactory(
        convoy=world.convoy,
        title="Check-in November",
        starts_at=at(2026, 11, 18, 17),
        ends_at=at(2026, 11, 18, 19),
        rsvp_deadline=at(2026, 11, 17, 12),
    )


def test_rsvp_missing_within_48h_of_the_deadline_once(world, checkin):
    sweep_run(now=at(2026, 11, 15, 11), send=False)  # Sunday, 49 h before: not yet (and weekend)
    assert sent("reminder.rsvp_missing") == []
    rsvp_set(actor=world.owner, checkin=checkin, response="no", now=at(2026, 11, 15, 12))
    sweep_run(now=at(2026, 11, 16, 10), send=False)  # Monday 10:00, 26 h before
    key = f"reminder.rsvp_missing:{checkin.pk}"
    assert sent("reminder.rsvp_missing") == [(world.member.pk, key)]  # not the one who answered
    (note,) = Notification.objects.filter(kind="reminder.rsvp_missing")
    assert (note.target_type, note.target_id) == ("checkin", checkin.pk)
    assert notification_path(note) == f"/checkins/{checkin.pk}/"
    assert note.convoy_id == world.convoy.pk
    assert note.data["title"] == "Check-in November"
    sweep_run(now=at(2026, 11, 16, 15), send=False)
    assert len(sent("reminder.rsvp_missing")) == 1  # exactly once
    # Not after the deadline, not for a cancelled check-in, not for outsiders.
    sweep_run(now=at(2026, 11, 17, 12, 30), send=False)
    assert {r for r, _k in sent("reminder.rsvp_missing")} == {world.member.pk}


def test_checkin_soon_for_those_coming(world, checkin):
    rsvp_set(actor=world.owner, checkin=checkin, response="yes", now=at(2026, 11, 16, 9))
    rsvp_set(actor=world.member, checkin=checkin, response="no", now=at(2026, 11, 16, 9))
    sweep_run(now=at(2026, 11, 16, 18), send=False)  # 47 h before: not yet
    assert sent("reminder.checkin_soon") == []
    sweep_run(now=at(2026, 11, 17, 17, 30), send=False)  # 23.5 h before
    assert sent("reminder.checkin_soon") == [
        (world.owner.pk, f"reminder.checkin_soon:{checkin.pk}")
    ]
    sweep_run(now=at(2026, 11, 18, 10), send=False)
    assert len(sent("reminder.checkin_soon")) == 1


def test_report_due_for_companies_without_a_report(world, checkin):
    sweep_run(now=at(2026, 11, 16, 10), send=False)  # 55 h before
    key = f"reminder.report_due:{checkin.pk}:{world.company.pk}"
    assert sent("reminder.report_due") == [(world.owner.pk, key), (world.member.pk, key)]
    Notification.objects.filter(kind="reminder.report_due").delete()
    report_file(actor=world.owner, checkin=checkin, company=world.company, moved="Shop live")
    sweep_run(now=at(2026, 11, 16, 11), send=False)
    assert sent("reminder.report_due") == []


def test_nothing_for_a_cancelled_checkin(world, checkin):
    checkin_cancel(actor=world.facilitator, checkin=checkin)
    sweep_run(now=at(2026, 11, 16, 10), send=False)
    for kind in ("reminder.rsvp_missing", "reminder.checkin_soon", "reminder.report_due"):
        assert sent(kind) == []
