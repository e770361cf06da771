"""The reminder sweep: update due once per period, second nudge, quiet hours, weekends,
preferences, mutes, facilitator digest, and exactly-once under re-runs and crashes."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from convoys.models import Membership
from notifications import sweep
from notifications.models import (
    ConvoyMute,
    DeliverySettings,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from notifications.sweep import sweep_run
from tests.factories import UpdateFactory

BERLIN = ZoneInfo("Europe/Berlin")


def at(*args: int, tz: ZoneInfo = BERLIN) -> datetime:
    return datetime(*args, tzinfo=tz)


def joined(world, moment: datetime) -> None:
    Membership.objects.filter(convoy=world.convoy, company=world.company).update(joined_at=moment)


def member_mails(world, outbox) -> list[str]:
    """Recipients of the mails to the company's people (facilitators get their digest)."""
    people = {world.owner.email, world.member.email}
    return sorted(m.to[0] for m in outbox if m.to[0] in people)


def due(world, **filters) -> list[tuple[int, int]]:
    rows = Notification.objects.filter(
        kind=NotificationKind.UPDATE_DUE, convoy=world.convoy, **filters
    )
    return sorted(rows.values_list("recipient_id", "data__nudge"))


@pytest.fixture
def quiet_world(world):
    # Joined on Monday 2 Nov 2026 (cadence 14): the first reminder is due on Monday
    # 16 Nov from 09:00, the second on Monday 30 Nov.
    joined(world, at(2026, 11, 2, 10))
    return world


def test_nothing_before_a_whole_cadence(quiet_world):
    assert sweep_run(now=at(2026, 11, 15, 12)).created.get(NotificationKind.UPDATE_DUE, 0) == 0
    assert not Notification.objects.exists()


def test_one_reminder_per_member_once_the_cadence_is_over(quiet_world, mailoutbox):
    w = quiet_world
    result = sweep_run(now=at(2026, 11, 16, 9, 5))
    assert result.created[NotificationKind.UPDATE_DUE] == 2
    assert due(w) == sorted([(w.owner.pk, 1), (w.member.pk, 1)])
    assert member_mails(w, mailoutbox) == sorted([w.owner.email, w.member.email])
    # Every later sweep of the period adds nothing.
    for hours in (1, 5, 24 * 3):
        sweep_run(now=at(2026, 11, 16, 9, 5) + timedelta(hours=hours))
    assert len(due(w)) == 2
    assert len(member_mails(w, mailoutbox)) == 2


def test_second_nudge_after_the_second_period_then_nothing(quiet_world):
    w = quiet_world
    sweep_run(now=at(2026, 11, 16, 10))
    sweep_run(now=at(2026, 11, 30, 10))
    sweep_run(now=at(2026, 12, 14, 10))
    sweep_run(now=at(2027, 1, 20, 10))
    assert due(w) == sorted([(w.owner.pk, 1), (w.member.pk, 1), (w.owner.pk, 2), (w.member.pk, 2)])


def test_an_update_starts_a_new_cycle(quiet_world):
    w = quiet_world
    sweep_run(now=at(2026, 11, 16, 10))
    UpdateFactory(convoy=w.convoy, company=w.company, author=w.owner)
    from projects.models import Update

    Update.objects.update(created_at=at(2026, 11, 17, 8))
    sweep_run(now=at(2026, 11, 30, 10))  # 13 days after the update: not yet
    assert len(due(w)) == 2
    sweep_run(now=at(2026, 12, 1, 10))  # 14 days: a fresh first reminder
    assert [n for _r, n in due(w)] == [1, 1, 1, 1]


def test_not_before_the_sending_hour_nor_in_the_evening(quiet_world):
    sweep_run(now=at(2026, 11, 16, 8, 59))
    sweep_run(now=at(2026, 11, 16, 19, 0))
    assert not Notification.objects.exists()


def test_weekends_wait_for_monday_unless_chosen(world):
    w = world
    joined(w, at(2026, 11, 7, 10))  # a Saturday: due Saturday 21 Nov
    DeliverySettings.objects.create(user=w.member, weekends=True)
    sweep_run(now=at(2026, 11, 21, 10))
    assert due(w) == [(w.member.pk, 1)]
    sweep_run(now=at(2026, 11, 23, 9, 0))  # Monday
    assert due(w) == sorted([(w.member.pk, 1), (w.owner.pk, 1)])


def test_quiet_hours_hold_the_reminder_until_they_end(quiet_world):
    w = quiet_world
    DeliverySettings.objects.create(user=w.owner, quiet_from=time(8), quiet_until=time(12))
    DeliverySettings.objects.create(user=w.member, quiet_from=time(22), quiet_until=time(9, 30))
    sweep_run(now=at(2026, 11, 16, 9, 10))
    assert due(w) == []
    sweep_run(now=at(2026, 11, 16, 9, 40))
    assert due(w) == [(w.member.pk, 1)]
    sweep_run(now=at(2026, 11, 16, 12, 0))
    assert due(w) == sorted([(w.member.pk, 1), (w.owner.pk, 1)])


def test_kind_switched_off_creates_nothing_and_in_app_sends_no_mail(quiet_world, mailoutbox):
    w = quiet_world
    NotificationPreference.objects.create(user=w.owner, kind="reminder.update_due", channel="off")
    NotificationPreference.objects.create(
        user=w.member, kind="reminder.update_due", channel="in_app"
    )
    sweep_run(now=at(2026, 11, 16, 10))
    assert due(w) == [(w.member.pk, 1)]
    assert member_mails(w, mailoutbox) == []


def test_muted_and_snoozed_convoys(quiet_world):
    w = quiet_world
    ConvoyMute.objects.create(user=w.owner, convoy=w.convoy)
    ConvoyMute.objects.create(user=w.member, convoy=w.convoy, until=at(2026, 11, 20, 0).date())
    sweep_run(now=at(2026, 11, 16, 10))
    assert due(w) == []
    sweep_run(now=at(2026, 11, 23, 10))  # the snooze is over, the mute is not
    assert due(w) == [(w.member.pk, 1)]


def test_a_member_in_another_zone_is_reminded_at_their_own_morning(quiet_world):
    w = quiet_world
    w.member.timezone = "America/New_York"
    w.member.save()
    sweep_run(now=at(2026, 11, 16, 10))  # 04:00 in New York
    assert due(w) == [(w.owner.pk, 1)]
    sweep_run(now=at(2026, 11, 16, 9, 0, tz=ZoneInfo("America/New_York")))
    assert due(w) == sorted([(w.owner.pk, 1), (w.member.pk, 1)])


def test_a_digest_listing_the_items_instead_of_single_mails(quiet_world, mailoutbox):
    w = quiet_world
    NotificationPreference.objects.create(user=w.owner, kind="reminder.update_due", channel="daily")
    sweep_run(now=at(2026, 11, 16, 10))
    assert member_mails(w, mailoutbox) == [w.member.email]
    sweep_run(now=at(2026, 11, 17, 9, 0))  # next morning: the daily digest
    assert member_mails(w, mailoutbox) == sorted([w.member.email, w.owner.email])
    digest = next(m for m in mailoutbox if m.to == [w.owner.email])
    assert digest.subject == "Konvoi: Ihre tägliche Zusammenfassung (1 Eintrag)"
    assert "Sanitär Schulte" in digest.body
    sweep_run(now=at(2026, 11, 17, 12, 0))
    sweep_run(now=at(2026, 11, 18, 9, 0))  # nothing new waiting: no empty digest
    assert len(member_mails(w, mailoutbox)) == 2


def test_the_facilitator_gets_one_weekly_digest(quiet_world, mailoutbox):
    w = quiet_world
    sweep_run(now=at(2026, 11, 30, 9, 30))  # Monday
    sweep_run(now=at(2026, 12, 1, 9, 30))
    digests = Notification.objects.filter(kind=NotificationKind.FACILITATOR_DIGEST, convoy=w.convoy)
    assert list(digests.values_list("recipient_id", flat=True)) == [w.facilitator.pk]
    mail = next(m for m in mailoutbox if m.to == [w.facilitator.email])
    assert "Sanitär Schulte" in mail.body  # listed as quiet after two periods
    assert mail.subject == "Konvoi: wöchentliche Zusammenfassung für Digitalisierungs-Konvoi Hagen"


def test_sweep_twice_sends_each_reminder_once(quiet_world, mailoutbox):
    now = at(2026, 11, 16, 10)
    sweep_run(now=now)
    sweep_run(now=now)
    assert Notification.objects.filter(kind=NotificationKind.UPDATE_DUE).count() == 2
    assert len(member_mails(quiet_world, mailoutbox)) == 2


def test_a_sweep_that_crashes_mid_batch_and_runs_again_skips_nothing(
    world, monkeypatch, mailoutbox
):
    from tests.factories import CompanyMemberFactory, MembershipFactory

    memberships = []
    for _ in range(6):
        m = MembershipFactory(convoy=world.convoy)
        CompanyMemberFactory(company=m.company)
        memberships.append(m)
    Membership.objects.update(joined_at=at(2026, 11, 2, 10))
    monkeypatch.setattr(sweep, "BATCH", 2)
    real = sweep._insert_sql
    calls = {"n": 0}

    def crash_on_third(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(sweep, "_insert_sql", crash_on_third)
    with pytest.raises(RuntimeError):
        sweep_run(now=at(2026, 11, 16, 10))
    partial = Notification.objects.filter(kind=NotificationKind.UPDATE_DUE).count()
    assert 0 < partial < 9
    monkeypatch.setattr(sweep, "_insert_sql", real)
    sweep_run(now=at(2026, 11, 16, 10))
    # 6 new companies with one member each, owner and member of world.company, and the
    # owner of the other convoy's company (every membership "joined" on 2 November).
    assert Notification.objects.filter(kind=NotificationKind.UPDATE_DUE).count() == 9
    update_due = Notification.objects.filter(kind=NotificationKind.UPDATE_DUE)
    expected = sorted(update_due.values_list("recipient__email", flat=True))
    assert sorted(m.to[0] for m in mailoutbox if m.to[0] in expected) == expected


def test_send_reminders_command_takes_now(quiet_world, capsys):
    call_command("send_reminders", "--now", "2026-11-16T09:30:00+01:00")
    assert "reminder.update_due: 2" in capsys.readouterr().out
    assert Notification.objects.filter(kind=NotificationKind.UPDATE_DUE).count() == 2
