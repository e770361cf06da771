"""Check-in services: scheduling, changes, cancelling, RSVPs with waitlist and promotion,
deadline, reports, notes, the feed secret — with their events and notifications."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from checkins.models import CheckIn, CheckInStatus, Rsvp
from checkins.selectors import seats_count, waitlist_position
from checkins.services import (
    calendar_feed_by_token,
    calendar_feed_rotate,
    checkin_cancel,
    checkin_notes_post,
    checkin_schedule,
    checkin_update,
    report_file,
    rsvp_set,
)
from convoys.models import Event
from notifications.links import notification_path
from notifications.models import Notification
from tests.factories import CheckInFactory, CompanyMemberFactory, UserFactory
from tests.support.domain import domain_state

START = datetime(2031, 10, 6, 15, 0, tzinfo=UTC)


def _people(world, n: int) -> list:
    """n more people of world.company (an active member of world.convoy)."""
    people = [UserFactory() for _ in range(n)]
    for person in people:
        CompanyMemberFactory(company=world.company, user=person)
    return people


def _events(convoy, kind):
    return list(Event.objects.filter(convoy=convoy, kind=kind).order_by("seq"))


def test_schedule_records_event_and_tells_everyone(world, django_capture_on_commit_callbacks):
    checkin = checkin_schedule(
        actor=world.facilitator,
        convoy=world.convoy,
        title="Check-in Oktober",
        starts_at=START,
        ends_at=START + timedelta(hours=2),
        capacity=12,
    )
    assert checkin.rsvp_deadline == START  # defaults to the start
    assert checkin.sequence == 0
    (event,) = _events(world.convoy, "checkin.scheduled")
    assert event.data["checkin"]["id"] == checkin.pk
    assert event.data["checkin"]["seats"] == {"confirmed": 0, "capacity": 12, "waitlisted": 0}
    told = Notification.objects.filter(kind="checkin.changed")
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted(
        [world.owner.pk, world.member.pk]
    )  # not the facilitator who did it, nobody of another convoy
    assert told.first().data == {
        "title": "Check-in Oktober",
        "change": "scheduled",
        "fields": [],
        "starts_at": START.isoformat(),
        "occurrences": [checkin.pk],
    }
    assert notification_path(told.first()) == f"/checkins/{checkin.pk}/"


def test_only_a_facilitator_schedules(world):
    before = domain_state()
    with pytest.raises(PermissionDenied):
        checkin_schedule(
            actor=world.owner,
            convoy=world.convoy,
            title="x",
            starts_at=START,
            ends_at=START + timedelta(hours=1),
        )
    assert domain_state() == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ends_at": START}, "ends_at"),
        ({"rsvp_deadline": START + timedelta(minutes=1)}, "rsvp_deadline"),
        ({"capacity": 0}, "capacity"),
        ({"title": ""}, "title"),
        ({"video_url": "javascript:alert(1)"}, "video_url"),
    ],
)
def test_bad_schedule_names_the_field(world, changes, field):
    values = {"title": "Check-in", "starts_at": START, "ends_at": START + timedelta(hours=1)}
    values.update(changes)
    before = domain_state()
    with pytest.raises(ValidationError) as exc:
        checkin_schedule(actor=world.facilitator, convoy=world.convoy, **values)
    assert field in exc.value.message_dict
    assert domain_state() == before


def test_reschedule_raises_sequence_and_says_what_changed(world):
    checkin = CheckInFactory(
        convoy=world.convoy, starts_at=START, ends_at=START + timedelta(hours=2)
    )
    checkin_update(
        actor=world.facilitator,
        checkin=checkin,
        starts_at=START + timedelta(days=1),
        ends_at=START + timedelta(days=1, hours=2),
    )
    checkin.refresh_from_db()
    assert checkin.sequence == 1
    (event,) = _events(world.convoy, "checkin.updated")
    assert event.data["fields"] == ["starts_at", "ends_at"]
    told = Notification.objects.get(kind="checkin.changed", recipient=world.owner)
    assert told.data["change"] == "rescheduled"
    assert told.data["fields"] == ["starts_at", "ends_at"]

    checkin_update(actor=world.facilitator, checkin=checkin, location="Online")
    checkin.refresh_from_db()
    assert checkin.sequence == 2
    latest = (
        Notification.objects.filter(kind="checkin.changed", recipient=world.owner)
        .order_by("pk")
        .last()
    )
    assert (latest.data["change"], latest.data["fields"]) == ("updated", ["location"])


def test_an_update_that_changes_nothing_does_nothing(world):
    checkin = CheckInFactory(convoy=world.convoy, title="Same")
    before = domain_state()
    checkin_update(actor=world.facilitator, checkin=checkin, title="Same")
    assert domain_state() == before


def test_cancel_raises_sequence_and_refuses_more_answers(world):
    checkin = CheckInFactory(convoy=world.convoy)
    checkin_cancel(actor=world.facilitator, checkin=checkin)
    checkin.refresh_from_db()
    assert (checkin.status, checkin.sequence) == (CheckInStatus.CANCELLED, 1)
    assert _events(world.convoy, "checkin.cancelled")
    told = Notification.objects.get(kind="checkin.changed", recipient=world.member)
    assert told.data["change"] == "cancelled"
    with pytest.raises(ValidationError) as exc:
        rsvp_set(actor=world.owner, checkin=checkin, response="yes")
    assert "response" in exc.value.message_dict
    with pytest.raises(ValidationError):
        checkin_cancel(actor=world.facilitator, checkin=checkin)


def test_yes_beyond_capacity_waits_in_order_and_frees_promote(world):
    checkin = CheckInFactory(convoy=world.convoy, capacity=2)
    a, b, c, d = _people(world, 4)
    assert rsvp_set(actor=a, checkin=checkin, response="yes").status == "confirmed"
    assert rsvp_set(actor=b, checkin=checkin, response="yes").status == "confirmed"
    rc = rsvp_set(actor=c, checkin=checkin, response="yes")
    rd = rsvp_set(actor=d, checkin=checkin, response="yes")
    assert (rc.status, rd.status) == ("waitlisted", "waitlisted")
    assert (waitlist_position(rc), waitlist_position(rd)) == (1, 2)
    assert seats_count(checkin=checkin) == {"confirmed": 2, "capacity": 2, "waitlisted": 2}

    # a yes again keeps the seat (no event, no change)
    seq = world.convoy.__class__.objects.get(pk=world.convoy.pk).last_event_seq
    rsvp_set(actor=a, checkin=checkin, response="yes")
    assert world.convoy.__class__.objects.get(pk=world.convoy.pk).last_event_seq == seq

    # a frees a seat: c (first in line) moves up and is told; d is now first
    rsvp_set(actor=a, checkin=checkin, response="no")
    assert Rsvp.objects.get(user=c).status == "confirmed"
    assert Rsvp.objects.get(user=c).queued_at is None
    assert waitlist_position(Rsvp.objects.get(user=d)) == 1
    promoted = Notification.objects.get(kind="checkin.promoted")
    assert promoted.recipient_id == c.pk
    assert promoted.data == {"title": checkin.title, "starts_at": checkin.starts_at.isoformat()}
    event = _events(world.convoy, "rsvp.changed")[-1]
    assert event.data["promoted"] == [c.pk]
    assert event.data["checkin"]["seats"] == {"confirmed": 2, "capacity": 2, "waitlisted": 1}

    # maybe also frees a seat; a coming back with yes queues behind d
    rsvp_set(actor=b, checkin=checkin, response="maybe")
    assert Rsvp.objects.get(user=d).status == "confirmed"
    assert rsvp_set(actor=a, checkin=checkin, response="yes").status == "waitlisted"


def test_more_seats_promote_the_waitlist_fewer_unseat_nobody(world):
    checkin = CheckInFactory(convoy=world.convoy, capacity=1)
    a, b, c = _people(world, 3)
    for person in (a, b, c):
        rsvp_set(actor=person, checkin=checkin, response="yes")
    checkin_update(actor=world.facilitator, checkin=checkin, capacity=2)
    assert Rsvp.objects.get(user=b).status == "confirmed"
    assert Rsvp.objects.get(user=c).status == "waitlisted"
    checkin_update(actor=world.facilitator, checkin=checkin, capacity=1)
    assert seats_count(checkin=checkin)["confirmed"] == 2
    checkin_update(actor=world.facilitator, checkin=checkin, capacity=None)
    assert Rsvp.objects.get(user=c).status == "confirmed"


def test_after_the_deadline_answers_are_refused_with_the_deadline(world):
    deadline = datetime(2031, 10, 5, 10, 0, tzinfo=UTC)  # 12:00 in Berlin (CEST)
    checkin = CheckInFactory(convoy=world.convoy, starts_at=START, rsvp_deadline=deadline)
    before = domain_state()
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        rsvp_set(
            actor=world.owner, checkin=checkin, response="yes", now=deadline + timedelta(seconds=1)
        )
    (message,) = exc.value.message_dict["response"]
    assert message == "Answers for this check-in closed at 5 Oct 2031, 12:00 (Europe/Berlin)."
    assert domain_state() == before
    # at the deadline itself it still counts
    assert (
        rsvp_set(actor=world.owner, checkin=checkin, response="yes", now=deadline).status
        == "confirmed"
    )


def test_outsiders_cannot_answer(world):
    checkin = CheckInFactory(convoy=world.convoy)
    for person in (world.outsider, world.other_member, world.staff):
        with pytest.raises(PermissionDenied):
            rsvp_set(actor=person, checkin=checkin, response="yes")
    assert not Rsvp.objects.exists()


def test_facilitators_may_answer_too(world):
    checkin = CheckInFactory(convoy=world.convoy)
    assert (
        rsvp_set(actor=world.facilitator, checkin=checkin, response="maybe").status == "tentative"
    )


def test_report_once_per_company_replaced_on_refile(world):
    checkin = CheckInFactory(convoy=world.convoy)
    report_file(actor=world.owner, checkin=checkin, company=world.company, moved="Shop live")
    report = report_file(
        actor=world.member,
        checkin=checkin,
        company=world.company,
        moved="Shop live!",
        help_needed="SEO",
    )
    assert checkin.reports.count() == 1
    assert (report.moved, report.help_needed, report.author) == ("Shop live!", "SEO", world.member)
    assert len(_events(world.convoy, "checkin.report_filed")) == 2
    with pytest.raises(PermissionDenied):
        report_file(
            actor=world.other_member, checkin=checkin, company=world.other_company, moved="x"
        )
    with pytest.raises(PermissionDenied):
        report_file(actor=world.facilitator, checkin=checkin, company=world.company, moved="x")
    with pytest.raises(ValidationError):
        report_file(actor=world.owner, checkin=checkin, company=world.company, moved="  ")


def test_notes_after_the_meeting_make_it_done(world):
    checkin = CheckInFactory(
        convoy=world.convoy,
        starts_at=START,
        ends_at=START + timedelta(hours=2),
        rsvp_deadline=START,
    )
    checkin_notes_post(
        actor=world.facilitator,
        checkin=checkin,
        notes="**Beschlüsse**",
        now=START + timedelta(hours=3),
    )
    checkin.refresh_from_db()
    assert checkin.status == CheckInStatus.DONE
    assert checkin.notes == "**Beschlüsse**"
    assert _events(world.convoy, "checkin.notes_posted")
    with pytest.raises(PermissionDenied):
        checkin_notes_post(actor=world.owner, checkin=checkin, notes="x")


def test_feed_rotation_revokes_the_old_secret(world):
    feed, token = calendar_feed_rotate(user=world.owner)
    assert calendar_feed_by_token(token=token) == feed
    assert token not in feed.token_hash and token != feed.nonce  # only a hash is stored
    _new, new_token = calendar_feed_rotate(user=world.owner)
    assert calendar_feed_by_token(token=token) is None
    assert calendar_feed_by_token(token=new_token).user == world.owner


def test_constraints_hold_without_the_services(world):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        CheckInFactory(convoy=world.convoy, starts_at=START, ends_at=START - timedelta(hours=1))
    checkin = CheckInFactory(convoy=world.convoy)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rsvp.objects.create(checkin=checkin, user=world.owner, response="no", status="confirmed")
    assert CheckIn.objects.count() == 1
