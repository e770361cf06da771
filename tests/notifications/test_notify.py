"""notify(): channels, mutes, quiet hours, idempotent keys, after-commit delivery."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from notifications.models import ConvoyMute, DeliverySettings, Notification, NotificationPreference
from notifications.services import notify

BERLIN = ZoneInfo("Europe/Berlin")


def send(world, ids, *, now=None, key=None, kind="mention"):
    with transaction.atomic():
        return notify(
            recipient_ids=ids,
            kind=kind,
            actor=world.member,
            convoy_id=world.convoy.pk,
            data={"excerpt": "Hallo", "target_title": "Update"},
            key=key,
            now=now,
        )


@pytest.mark.django_db(transaction=True)
def test_needs_the_transaction_of_its_change(world):
    with pytest.raises(RuntimeError):
        notify(
            recipient_ids=[world.owner.pk],
            kind="mention",
            actor=None,
            convoy_id=None,
            data={},
        )


def test_the_actor_is_never_told_and_duplicates_collapse(world):
    assert send(world, [world.member.pk, world.owner.pk, world.owner.pk]) == 1
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [world.owner.pk]


def test_off_and_muted_create_nothing(world):
    NotificationPreference.objects.create(user=world.owner, kind="mention", channel="off")
    ConvoyMute.objects.create(user=world.facilitator, convoy=world.convoy)
    assert send(world, [world.owner.pk, world.facilitator.pk]) == 0


def test_mail_leaves_after_commit_and_only_for_email_channel(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(user=world.facilitator, kind="mention", channel="in_app")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send(world, [world.owner.pk, world.facilitator.pk])
    assert mailoutbox == []
    for callback in callbacks:
        callback()
    assert [m.to for m in mailoutbox] == [[world.owner.email]]
    assert Notification.objects.get(recipient=world.owner).emailed_at is not None


def test_quiet_hours_hold_the_mail_until_they_end(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    DeliverySettings.objects.create(user=world.owner, quiet_from=time(22), quiet_until=time(7))
    night = datetime(2026, 11, 18, 23, 30, tzinfo=BERLIN)
    with django_capture_on_commit_callbacks(execute=True):
        send(world, [world.owner.pk], now=night)
    notification = Notification.objects.get()
    assert notification.email_after == datetime(2026, 11, 19, 7, 0, tzinfo=BERLIN)
    assert mailoutbox == []
    from notifications.sweep import sweep_run

    sweep_run(now=datetime(2026, 11, 19, 6, 59, tzinfo=BERLIN))
    assert mailoutbox == []
    sweep_run(now=datetime(2026, 11, 19, 7, 0, tzinfo=BERLIN))
    assert [m.to for m in mailoutbox] == [[world.owner.email]]
    sweep_run(now=datetime(2026, 11, 19, 8, 0, tzinfo=BERLIN))
    assert len(mailoutbox) == 1


def test_a_natural_key_creates_once(world):
    assert send(world, [world.owner.pk], key="checkin.changed:1:3") == 1
    assert send(world, [world.owner.pk, world.facilitator.pk], key="checkin.changed:1:3") == 1
    assert Notification.objects.count() == 2


def test_pushed_live_with_the_unread_count(world, django_capture_on_commit_callbacks, settings):
    from unittest import mock

    with (
        mock.patch("notifications.events.group_send_safely") as sent,
        django_capture_on_commit_callbacks(execute=True),
    ):
        send(world, [world.owner.pk])
        send(world, [world.owner.pk])
    groups = [c.args[0] for c in sent.call_args_list]
    assert groups == [f"user.{world.owner.pk}", f"user.{world.owner.pk}"]
    last = sent.call_args_list[-1].args[1]["message"]
    assert last["type"] == "notification"
    assert last["unread"] == 2
    assert last["title"].startswith("Mia Member hat Sie erwähnt")
