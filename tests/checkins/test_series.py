"""Recurring check-ins (issue 12: 6): a series every N weeks at the same local wall-clock time
across a DST change, each occurrence an ordinary check-in; changes and cancellations of one
or of all following; reinstating a cancelled check-in with its RSVPs."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from checkins.models import CheckIn, CheckInSeries, CheckInStatus, Rsvp, RsvpStatus
from checkins.services import (
    Repeat,
    checkin_cancel,
    checkin_reinstate,
    checkin_schedule,
    checkin_update,
    rsvp_set,
)
from convoys.models import Event
from notifications.kinds import notification_title
from notifications.models import Notification, NotificationKind
from tests.support.domain import domain_state

BERLIN = ZoneInfo("Europe/Berlin")
# Thursday 15 October 2026 is before the clocks go back (25 October); the third meeting is
# after it. Far enough ahead of the test clock (November 2026) only in 2027, so 2027.
AUTUMN = datetime(2027, 10, 14, 16, 0, tzinfo=BERLIN)  # clocks go back on 31 October 2027
SPRING = datetime(2027, 3, 18, 16, 0, tzinfo=BERLIN)  # clocks go forward on 28 March 2027


def _series(world, start=AUTUMN, **repeat) -> list[CheckIn]:
    first = checkin_schedule(
        actor=world.facilitator,
        convoy=world.convoy,
        title="Konvoi-Treffen",
        starts_at=start,
        ends_at=start + timedelta(minutes=60),
        rsvp_deadline=start - timedelta(days=1),
        location="Hagen",
        capacity=2,
        repeat=Repeat(**repeat),
    )
    return list(CheckIn.objects.filter(series=first.series).order_by("starts_at"))


def _local(value: datetime) -> tuple:
    local = value.astimezone(BERLIN)
    return (local.date().isoformat(), local.strftime("%H:%M"))


def _changed_notifications(world):
    return Notification.objects.filter(
        kind=NotificationKind.CHECKIN_CHANGED, recipient=world.member
    ).order_by("id")


def test_series_keeps_the_local_time_across_the_autumn_change(world):
    checkins = _series(world, every_weeks=1, count=4)
    assert [_local(c.starts_at) for c in checkins] == [
        ("2027-10-14", "16:00"),
        ("2027-10-21", "16:00"),
        ("2027-10-28", "16:00"),
        ("2027-11-04", "16:00"),
    ]
    # The same wall-clock time is another instant once the clocks went back.
    assert [c.starts_at.astimezone(UTC).hour for c in checkins] == [14, 14, 14, 15]
    assert {c.ends_at - c.starts_at for c in checkins} == {timedelta(minutes=60)}
    # The RSVP deadline is the day before at 16:00 local time for each.
    assert [_local(c.rsvp_deadline) for c in checkins] == [
        ("2027-10-13", "16:00"),
        ("2027-10-20", "16:00"),
        ("2027-10-27", "16:00"),
        ("2027-11-03", "16:00"),
    ]
    (series,) = CheckInSeries.objects.all()
    assert series.every_weeks == 1 and series.convoy == world.convoy
    assert {c.series_id for c in checkins} == {series.pk}
    assert {(c.title, c.location, c.capacity, c.status) for c in checkins} == {
        ("Konvoi-Treffen", "Hagen", 2, CheckInStatus.SCHEDULED)
    }
    scheduled = Event.objects.filter(convoy=world.convoy, kind="checkin.scheduled")
    assert sorted(e.data["checkin"]["id"] for e in scheduled) == [c.pk for c in checkins]
    # Told once for the whole series, with every meeting for the calendar.
    (told,) = _changed_notifications(world)
    assert told.data["change"] == "scheduled"
    assert told.data["occurrences"] == [c.pk for c in checkins]


def test_series_keeps_the_local_time_across_the_spring_change(world):
    checkins = _series(world, start=SPRING, every_weeks=2, count=3)
    assert [_local(c.starts_at) for c in checkins] == [
        ("2027-03-18", "16:00"),
        ("2027-04-01", "16:00"),
        ("2027-04-15", "16:00"),
    ]
    assert [c.starts_at.astimezone(UTC).hour for c in checkins] == [15, 14, 14]


def test_series_until_a_date_includes_that_day(world):
    checkins = _series(world, every_weeks=4, until=date(2027, 12, 9))
    assert [_local(c.starts_at)[0] for c in checkins] == [
        "2027-10-14",
        "2027-11-11",
        "2027-12-09",
    ]


@pytest.mark.parametrize(
    "repeat",
    [
        {"every_weeks": 0, "count": 3},
        {"every_weeks": 9, "count": 3},
        {"every_weeks": 1, "count": 1},
        {"every_weeks": 1, "count": 13},
        {"every_weeks": 1, "count": 3, "until": date(2027, 12, 1)},
        {"every_weeks": 1},
        {"every_weeks": 1, "until": date(2027, 10, 20)},  # only one meeting
        {"every_weeks": 1, "until": date(2028, 6, 1)},  # more than twelve
    ],
)
def test_a_series_out_of_bounds_is_refused_and_writes_nothing(world, repeat):
    before = domain_state()
    with pytest.raises(ValidationError) as refused:
        _series(world, **repeat)
    assert "repeat" in refused.value.message_dict
    assert domain_state() == before
    assert not CheckInSeries.objects.exists()


def test_rsvps_and_seats_work_per_occurrence(world):
    first, second, *_rest = _series(world, every_weeks=1, count=3)
    rsvp_set(actor=world.member, checkin=second, response="yes")
    rsvp_set(actor=world.owner, checkin=second, response="yes")
    rsvp_set(actor=world.facilitator, checkin=second, response="yes")
    statuses = dict(Rsvp.objects.filter(checkin=second).values_list("user_id", "status"))
    assert statuses[world.facilitator.pk] == RsvpStatus.WAITLISTED  # two seats
    assert not Rsvp.objects.filter(checkin=first).exists()


def test_change_this_and_all_following_moves_the_time_of_day_across_dst(world):
    checkins = _series(world, every_weeks=1, count=4)
    before_notified = _changed_notifications(world).count()
    second = checkins[1]
    checkin_update(
        actor=world.facilitator,
        checkin=second,
        scope="following",
        title="Konvoi-Abend",
        starts_at=second.starts_at + timedelta(hours=1),
        ends_at=second.starts_at + timedelta(hours=2, minutes=30),
        location="Hagen, Raum 2",
    )
    after = list(CheckIn.objects.filter(series=second.series).order_by("starts_at"))
    assert [_local(c.starts_at) for c in after] == [
        ("2027-10-14", "16:00"),  # before "this": untouched
        ("2027-10-21", "17:00"),
        ("2027-10-28", "17:00"),
        ("2027-11-04", "17:00"),  # after the change of clocks: still 17:00 local
    ]
    assert [c.ends_at - c.starts_at for c in after] == [
        timedelta(hours=1),
        *[timedelta(hours=1, minutes=30)] * 3,
    ]
    assert [c.title for c in after] == ["Konvoi-Treffen", *["Konvoi-Abend"] * 3]
    assert [c.location for c in after] == ["Hagen", *["Hagen, Raum 2"] * 3]
    assert [c.sequence for c in after] == [0, 1, 1, 1]
    # Each has this one's RSVP deadline (it did not change: the day before at 16:00).
    assert [_local(c.rsvp_deadline) for c in after[1:]] == [
        ("2027-10-20", "16:00"),
        ("2027-10-27", "16:00"),
        ("2027-11-03", "16:00"),
    ]
    updated = Event.objects.filter(convoy=world.convoy, kind="checkin.updated")
    assert sorted(e.data["checkin"]["id"] for e in updated) == [c.pk for c in after[1:]]
    # One message per person for the whole change.
    told = list(_changed_notifications(world))[before_notified:]
    assert len(told) == 1
    assert told[0].data["change"] == "rescheduled"
    assert told[0].data["occurrences"] == [c.pk for c in after[1:]]


def test_following_carries_only_what_changed_here(world):
    checkins = _series(world, every_weeks=1, count=3)
    checkin_update(actor=world.facilitator, checkin=checkins[2], title="Sondertermin")
    # The form sends every field; only the capacity differs from the second meeting.
    second = checkins[1]
    checkin_update(
        actor=world.facilitator,
        checkin=second,
        scope="following",
        title=second.title,
        starts_at=second.starts_at,
        ends_at=second.ends_at,
        rsvp_deadline=second.rsvp_deadline,
        location=second.location,
        capacity=5,
    )
    after = list(CheckIn.objects.filter(series=second.series).order_by("starts_at"))
    assert [c.title for c in after] == ["Konvoi-Treffen", "Konvoi-Treffen", "Sondertermin"]
    assert [c.capacity for c in after] == [2, 5, 5]
    assert [_local(c.starts_at)[1] for c in after] == ["16:00"] * 3


def test_change_of_one_leaves_the_others(world):
    checkins = _series(world, every_weeks=1, count=3)
    checkin_update(
        actor=world.facilitator,
        checkin=checkins[1],
        scope="one",
        starts_at=checkins[1].starts_at + timedelta(hours=2),
        ends_at=checkins[1].ends_at + timedelta(hours=2),
    )
    after = list(CheckIn.objects.filter(series=checkins[0].series).order_by("starts_at"))
    assert [_local(c.starts_at)[1] for c in after] == ["16:00", "18:00", "16:00"]


def test_an_unknown_scope_is_refused(world):
    checkins = _series(world, every_weeks=1, count=2)
    with pytest.raises(ValidationError) as refused:
        checkin_update(actor=world.facilitator, checkin=checkins[0], scope="all", title="X")
    assert "scope" in refused.value.message_dict
    with pytest.raises(ValidationError):
        checkin_cancel(actor=world.facilitator, checkin=checkins[0], scope="everything")
    assert not CheckIn.objects.filter(status=CheckInStatus.CANCELLED).exists()


def test_cancel_this_and_all_following(world):
    checkins = _series(world, every_weeks=2, count=4)
    checkin_cancel(actor=world.facilitator, checkin=checkins[0])  # one, to show it is skipped
    before = _changed_notifications(world).count()
    checkin_cancel(actor=world.facilitator, checkin=checkins[1], scope="following")
    after = list(CheckIn.objects.filter(series=checkins[0].series).order_by("starts_at"))
    assert [c.status for c in after] == [CheckInStatus.CANCELLED] * 4
    assert [c.sequence for c in after] == [1, 1, 1, 1]
    told = list(_changed_notifications(world))[before:]
    assert len(told) == 1
    assert told[0].data["change"] == "cancelled"
    assert told[0].data["occurrences"] == [c.pk for c in after[1:]]


def test_reinstate_brings_a_cancelled_checkin_back_with_its_rsvps(world):
    first = _series(world, every_weeks=1, count=2)[0]
    rsvp_set(actor=world.member, checkin=first, response="yes")
    rsvp_set(actor=world.owner, checkin=first, response="maybe")
    checkin_cancel(actor=world.facilitator, checkin=first)
    checkin_reinstate(actor=world.facilitator, checkin=first)
    first.refresh_from_db()
    assert first.status == CheckInStatus.SCHEDULED
    assert first.sequence == 2  # cancelled (1), back (2): calendars show it again
    assert dict(Rsvp.objects.filter(checkin=first).values_list("user_id", "status")) == {
        world.member.pk: RsvpStatus.CONFIRMED,
        world.owner.pk: RsvpStatus.TENTATIVE,
    }
    event = Event.objects.filter(convoy=world.convoy).order_by("-seq").first()
    assert event.kind == "checkin.updated"
    assert event.data["fields"] == ["status"]
    assert event.data["checkin"]["status"] == "scheduled"
    told = _changed_notifications(world).last()
    assert told.data["change"] == "reinstated"
    with translation.override("de"):
        assert notification_title(told).startswith("Findet doch statt:")
    with translation.override("en"):
        assert notification_title(told).startswith("Back on:")


def test_reinstate_is_refused_once_begun_or_when_not_cancelled(world):
    first = _series(world, every_weeks=1, count=2)[0]
    with pytest.raises(ValidationError):
        checkin_reinstate(actor=world.facilitator, checkin=first)  # not cancelled
    checkin_cancel(actor=world.facilitator, checkin=first)
    before = domain_state()
    with pytest.raises(ValidationError) as refused:
        checkin_reinstate(
            actor=world.facilitator, checkin=first, now=first.starts_at + timedelta(minutes=1)
        )
    assert "status" in refused.value.message_dict
    assert domain_state() == before
    first.refresh_from_db()
    assert first.status == CheckInStatus.CANCELLED


def test_only_a_facilitator_schedules_changes_or_reinstates(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        checkin_schedule(
            actor=world.member,
            convoy=world.convoy,
            title="X",
            starts_at=AUTUMN,
            ends_at=AUTUMN + timedelta(hours=1),
            repeat=Repeat(every_weeks=1, count=3),
        )
    assert not CheckInSeries.objects.exists()
    first = _series(world, every_weeks=1, count=2)[0]
    checkin_cancel(actor=world.facilitator, checkin=first)
    with pytest.raises(PermissionDenied):
        checkin_reinstate(actor=world.member, checkin=first)


# --- the API: POST with `repeat`, PATCH with `scope` and `status` ---------------------------

API_NEW = {
    "title": "Konvoi-Treffen",
    "starts_at": "2027-10-14T16:00:00+02:00",
    "ends_at": "2027-10-14T17:00:00+02:00",
    "rsvp_deadline": "2027-10-13T16:00:00+02:00",
    "location": "Hagen",
}


def test_api_schedules_a_series_and_changes_all_following(world, client_for):
    api = client_for(world.facilitator)
    response = api.post(
        f"/api/v1/convoys/{world.convoy.pk}/checkins/",
        {**API_NEW, "repeat": {"every_weeks": 1, "count": 3}},
        format="json",
    )
    assert response.status_code == 201, response.content
    first = response.json()
    assert first["series"] is not None
    listed = api.get(f"/api/v1/convoys/{world.convoy.pk}/checkins/").json()["results"]
    series = sorted((c for c in listed if c["series"] == first["series"]), key=lambda c: c["id"])
    assert len(series) == 3
    # Across the change of clocks on 31 October: 16:00 local each time.
    assert [c["starts_at"][11:16] for c in series] == ["16:00", "16:00", "16:00"]
    assert [_local(CheckIn.objects.get(pk=c["id"]).starts_at) for c in series] == [
        ("2027-10-14", "16:00"),
        ("2027-10-21", "16:00"),
        ("2027-10-28", "16:00"),
    ]

    second = series[1]["id"]
    response = api.patch(
        f"/api/v1/checkins/{second}/",
        {"scope": "following", "starts_at": "2027-10-21T18:00:00+02:00",
         "ends_at": "2027-10-21T19:00:00+02:00"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 200, response.content
    after = CheckIn.objects.filter(series_id=first["series"]).order_by("starts_at")
    assert [_local(c.starts_at)[1] for c in after] == ["16:00", "18:00", "18:00"]

    response = api.patch(
        f"/api/v1/checkins/{second}/", {"scope": "following", "status": "cancelled"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert [c.status for c in after.all()] == ["scheduled", "cancelled", "cancelled"]
    # Undo: one of them comes back.
    response = api.patch(f"/api/v1/checkins/{second}/", {"status": "scheduled"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "scheduled"
    assert [c.status for c in after.all()] == ["scheduled", "scheduled", "cancelled"]


@pytest.mark.parametrize(
    "repeat",
    [
        {"every_weeks": 9, "count": 3},
        {"every_weeks": 1, "count": 13},
        {"every_weeks": 1},
        {"every_weeks": 1, "count": 3, "until": "2027-12-01"},
        {"every_weeks": 1, "until": "2028-06-01"},
        {"every_weeks": "oft", "count": 3},
    ],
)
def test_api_refuses_a_bad_repeat_with_400_and_writes_nothing(world, client_for, repeat):
    before = domain_state()
    response = client_for(world.facilitator).post(
        f"/api/v1/convoys/{world.convoy.pk}/checkins/",
        {**API_NEW, "repeat": repeat},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400, response.content
    assert "repeat" in response.json()
    assert domain_state() == before


def test_api_refuses_a_bad_scope_and_reinstating_a_past_checkin(world, client_for):
    from tests.factories import CheckInFactory

    api = client_for(world.facilitator)
    checkin = CheckInFactory(convoy=world.convoy)
    response = api.patch(f"/api/v1/checkins/{checkin.pk}/", {"scope": "all"}, format="json")
    assert response.status_code == 400 and "scope" in response.json()
    start = datetime(2020, 1, 1, 12, tzinfo=UTC)
    past = CheckInFactory(
        convoy=world.convoy,
        status=CheckInStatus.CANCELLED,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        rsvp_deadline=start,
    )
    before = domain_state()
    response = api.patch(f"/api/v1/checkins/{past.pk}/", {"status": "scheduled"}, format="json")
    assert response.status_code == 400 and "status" in response.json()
    assert domain_state() == before
    # A member may not reinstate (403), an outsider does not see it (404).
    cancelled = CheckInFactory(convoy=world.convoy, status=CheckInStatus.CANCELLED)
    member = client_for(world.member).patch(
        f"/api/v1/checkins/{cancelled.pk}/", {"status": "scheduled"}, format="json"
    )
    assert member.status_code == 403
    outsider = client_for(world.outsider).patch(
        f"/api/v1/checkins/{cancelled.pk}/", {"status": "scheduled"}, format="json"
    )
    assert outsider.status_code == 404
    cancelled.refresh_from_db()
    assert cancelled.status == CheckInStatus.CANCELLED


def test_a_new_rsvp_deadline_for_all_following_keeps_the_same_notice_in_local_time(world):
    checkins = _series(world, every_weeks=1, count=3)
    first = checkins[0]
    # Answers until two days before at 12:00 (the first meeting is still in summer time).
    checkin_update(
        actor=world.facilitator,
        checkin=first,
        scope="following",
        rsvp_deadline=datetime(2027, 10, 12, 12, 0, tzinfo=BERLIN),
    )
    after = list(CheckIn.objects.filter(series=first.series).order_by("starts_at"))
    assert [_local(c.rsvp_deadline) for c in after] == [
        ("2027-10-12", "12:00"),
        ("2027-10-19", "12:00"),
        ("2027-10-26", "12:00"),
    ]
    assert [_local(c.starts_at)[1] for c in after] == ["16:00"] * 3


def test_a_meeting_that_falls_into_the_skipped_hour_moves_to_the_time_it_names_after(world):
    # Sundays 02:30; on 28 March 2027 the clocks jump from 02:00 to 03:00.
    start = datetime(2027, 3, 21, 2, 30, tzinfo=BERLIN)
    checkins = _series(world, start=start, every_weeks=1, count=3)
    assert [_local(c.starts_at) for c in checkins] == [
        ("2027-03-21", "02:30"),
        ("2027-03-28", "03:30"),  # 02:30 does not exist that night
        ("2027-04-04", "02:30"),
    ]
    assert {c.ends_at - c.starts_at for c in checkins} == {timedelta(minutes=60)}
