"""Concurrent RSVPs on PostgreSQL, in real threads with their own connections: never more
confirmed than the seats, the waitlist in the order answers were taken, and promotions in
that order when seats free up at the same time."""

import threading

import pytest
from django.db import connection

from checkins.models import Rsvp
from checkins.services import rsvp_set
from convoys.models import Event
from notifications.models import Notification
from tests.factories import CheckInFactory, CompanyMemberFactory, UserFactory
from tests.support.services import require_postgres

pytestmark = [pytest.mark.postgres]


def run_at_once(calls) -> list[BaseException]:
    """Run each call in its own thread, all released together; return what they raised."""
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def worker(call):
        try:
            barrier.wait()
            call()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


def waitlist(checkin) -> list[int]:
    return list(
        Rsvp.objects.filter(checkin=checkin, status="waitlisted")
        .order_by("queued_at", "id")
        .values_list("user_id", flat=True)
    )


def answer_order(checkin) -> list[int]:
    """Who answered yes, in the order the log recorded it (the order of the row lock)."""
    return [
        e.data["rsvp"]["user"]
        for e in Event.objects.filter(kind="rsvp.changed").order_by("seq")
        if e.data["checkin"]["id"] == checkin.pk and e.data["rsvp"]["response"] == "yes"
    ]


def test_twenty_at_once_for_five_seats(transactional_db, world):
    require_postgres()
    checkin = CheckInFactory(convoy=world.convoy, capacity=5)
    people = [UserFactory() for _ in range(20)]
    for person in people:
        CompanyMemberFactory(company=world.company, user=person)

    errors = run_at_once(
        [lambda p=p: rsvp_set(actor=p, checkin=checkin, response="yes") for p in people]
    )

    assert errors == []
    statuses = list(Rsvp.objects.filter(checkin=checkin).values_list("status", flat=True))
    assert statuses.count("confirmed") == 5
    assert statuses.count("waitlisted") == 15
    order = answer_order(checkin)
    assert sorted(order) == sorted(p.pk for p in people)
    confirmed = set(
        Rsvp.objects.filter(checkin=checkin, status="confirmed").values_list("user_id", flat=True)
    )
    assert confirmed == set(order[:5])  # the first five to get the lock
    assert waitlist(checkin) == order[5:]  # the rest, in the order they got it
    seats = [
        e.data["checkin"]["seats"]["confirmed"]
        for e in Event.objects.filter(kind="rsvp.changed").order_by("seq")
    ]
    assert seats == [1, 2, 3, 4, 5] + [5] * 15  # every event carries the count of its moment

    # Three seated people cancel at the same time: the first three in line move up, each
    # is told, the rest keep their order.
    line = waitlist(checkin)
    leaving = list(confirmed)[:3]
    errors = run_at_once(
        [
            lambda p=p: rsvp_set(actor=people_by_id(people)[p], checkin=checkin, response="no")
            for p in leaving
        ]
    )
    assert errors == []
    now_confirmed = set(
        Rsvp.objects.filter(checkin=checkin, status="confirmed").values_list("user_id", flat=True)
    )
    assert now_confirmed == (confirmed - set(leaving)) | set(line[:3])
    assert waitlist(checkin) == line[3:]
    promoted = Notification.objects.filter(kind="checkin.promoted")
    assert sorted(promoted.values_list("recipient_id", flat=True)) == sorted(line[:3])


def people_by_id(people):
    return {p.pk: p for p in people}


def test_many_answers_of_one_person_at_once_leave_one_row(transactional_db, world):
    require_postgres()
    checkin = CheckInFactory(convoy=world.convoy, capacity=1)
    responses = ["yes", "no", "maybe", "yes", "no", "yes"]
    errors = run_at_once(
        [lambda r=r: rsvp_set(actor=world.owner, checkin=checkin, response=r) for r in responses]
    )
    assert errors == []
    (rsvp,) = Rsvp.objects.filter(checkin=checkin)
    assert rsvp.status in {"confirmed", "declined", "tentative"}
