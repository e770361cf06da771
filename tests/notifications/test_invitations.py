"""Invitations are announced by convoys (core) through convoys/delivery.py and delivered by
notifications: the e-mail after commit, and once in the app for someone with an account."""

import pytest
from django.db import transaction

from accounts.models import User
from convoys import delivery
from convoys.models import Invitation
from convoys.services import invitation_create, invitation_resend
from notifications.invitations import invitation_mailer
from notifications.models import Notification, NotificationKind


def test_notifications_registers_its_delivery_when_the_app_is_ready():
    assert delivery._deliveries == [invitation_mailer]


def test_an_invitation_to_an_account_is_notified_once_and_mailed_per_link(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = invitation_create(
            actor=world.facilitator, convoy=world.convoy, email=world.outsider.email.upper()
        )
    (note,) = Notification.objects.filter(recipient=world.outsider)
    assert note.kind == NotificationKind.INVITATION and note.convoy_id is None
    assert note.data == {"convoy": world.convoy.name}
    assert [m.to for m in mailoutbox] == [[invitation.email]] and token in mailoutbox[0].body

    with django_capture_on_commit_callbacks(execute=True):
        _, new_token = invitation_resend(actor=world.facilitator, invitation=invitation)
    # A resend renews the link (a second e-mail), not the in-app notification.
    assert Notification.objects.filter(recipient=world.outsider).count() == 1
    assert len(mailoutbox) == 2 and new_token in mailoutbox[1].body


def test_an_invitation_rolled_back_delivers_nothing(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        invitation_create(actor=world.facilitator, convoy=world.convoy, email=world.outsider.email)
        raise RuntimeError("the surrounding change fails")
    assert not Invitation.objects.exists()
    assert not Notification.objects.exists()
    assert mailoutbox == []


def test_a_registered_delivery_hears_each_invitation_inside_its_transaction(world, monkeypatch):
    heard = []

    class Recorder:
        def invitation_sent(self, *, invitation, token, actor, resent):
            in_atomic = transaction.get_connection().in_atomic_block
            heard.append((invitation.pk, token, actor.pk, resent, in_atomic))

    monkeypatch.setattr(delivery, "_deliveries", [])
    delivery.register_invitation_delivery(recorder := Recorder())
    delivery.register_invitation_delivery(recorder)  # twice: still heard once

    invitation, token = invitation_create(
        actor=world.facilitator, convoy=world.convoy, email="neu@example.com"
    )
    _, new_token = invitation_resend(actor=world.facilitator, invitation=invitation)

    me = world.facilitator.pk
    assert heard == [
        (invitation.pk, token, me, False, True),
        (invitation.pk, new_token, me, True, True),
    ]


def test_an_announcement_outside_a_transaction_is_refused():
    # No `db` fixture: nothing wraps this test in a transaction.
    with pytest.raises(RuntimeError):
        delivery.invitation_announce(invitation=Invitation(), token="t", actor=User())
