"""The check-in rules that have one home (checkins.models): the rule of a check-in's times,
asked by the model, the API serializer and the page form alike, and whether RSVPs are open."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from checkins.api.serializers import CheckInInput
from checkins.models import CheckIn, CheckInStatus, checkin_time_errors, rsvp_open
from frontend.checkin_forms import CheckInForm
from tests.factories import CheckInFactory

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2030, 5, 6, 10, 0, tzinfo=BERLIN)

CASES = [
    # (starts_at, ends_at, rsvp_deadline) → fields in error
    ((START, START + timedelta(hours=1), START), set()),
    ((START, START, None), {"ends_at"}),
    ((START, START - timedelta(hours=1), START + timedelta(hours=1)), {"ends_at", "rsvp_deadline"}),
    ((START, START + timedelta(hours=1), START + timedelta(minutes=1)), {"rsvp_deadline"}),
    ((START.replace(year=1999), START + timedelta(hours=1), None), {"starts_at"}),
    # 02:30 on the spring-forward night does not exist in Berlin.
    ((datetime(2030, 3, 31, 2, 30, tzinfo=BERLIN), START, None), {"starts_at"}),
]


@pytest.mark.parametrize(("times", "fields"), CASES)
def test_time_rule(times, fields):
    starts_at, ends_at, rsvp_deadline = times
    errors = checkin_time_errors(starts_at=starts_at, ends_at=ends_at, rsvp_deadline=rsvp_deadline)
    assert set(errors) == fields


def test_a_time_that_is_wrong_on_its_own_is_reported_before_the_order():
    errors = checkin_time_errors(
        starts_at=START.replace(year=2101), ends_at=START, rsvp_deadline=None
    )
    assert set(errors) == {"starts_at"}


@pytest.mark.parametrize(("times", "fields"), CASES[:5])
def test_model_serializer_and_form_say_the_same(times, fields):
    starts_at, ends_at, rsvp_deadline = times
    expected = checkin_time_errors(
        starts_at=starts_at, ends_at=ends_at, rsvp_deadline=rsvp_deadline
    )
    checkin = CheckIn(
        starts_at=starts_at, ends_at=ends_at, rsvp_deadline=rsvp_deadline or starts_at
    )
    try:
        checkin.clean()
        model = {}
    except ValidationError as exc:
        model = {k: v[0] for k, v in exc.message_dict.items()}
    if rsvp_deadline is not None:
        assert model == expected

    def text(value):
        return None if value is None else value.astimezone(BERLIN).strftime("%Y-%m-%dT%H:%M")

    data = {
        "title": "Check-in",
        "starts_at": starts_at.isoformat(),
        "ends_at": ends_at.isoformat(),
    }
    if rsvp_deadline is not None:
        data["rsvp_deadline"] = rsvp_deadline.isoformat()
    serializer = CheckInInput(data=data)
    serializer.is_valid()
    assert {k: str(v[0]) for k, v in serializer.errors.items()} == expected

    with timezone.override(BERLIN):
        form = CheckInForm(
            data={
                "title": "Check-in",
                "starts_at": text(starts_at),
                "ends_at": text(ends_at),
                "rsvp_deadline": text(rsvp_deadline) or "",
            }
        )
        form.is_valid()
    assert {k: v[0] for k, v in form.errors.items()} == expected


@pytest.mark.django_db
def test_rsvp_open_until_the_deadline_of_a_scheduled_checkin(world):
    checkin = CheckInFactory(convoy=world.convoy)
    deadline = checkin.rsvp_deadline
    assert rsvp_open(checkin, deadline)
    assert rsvp_open(checkin)
    assert not rsvp_open(checkin, deadline + timedelta(seconds=1))
    checkin.status = CheckInStatus.CANCELLED
    assert not rsvp_open(checkin, deadline - timedelta(days=1))
