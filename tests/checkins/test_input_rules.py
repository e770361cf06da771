"""Check-in input that once passed validation and broke later: a title with a line break
(the .ics export answered 500 for everyone) and a start inside the spring-forward gap (a raw
constraint name instead of a message)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from icalendar import Calendar

from checkins.calendars import calendar_build
from checkins.models import CheckIn
from checkins.services import checkin_schedule, checkin_update
from convoys.models import Event
from tests.factories import CheckInFactory

BERLIN = ZoneInfo("Europe/Berlin")


def domain_state():
    # Check-ins and the event log: what a refused check-in write must leave as it was.
    return list(CheckIn.objects.order_by("pk").values_list()), Event.objects.count()


def _body(**fields):
    return {
        "title": "Check-in",
        "starts_at": "2027-06-10T17:00:00+02:00",
        "ends_at": "2027-06-10T19:00:00+02:00",
        **fields,
    }


@pytest.mark.parametrize("title", ["Erster\nZweiter", "Erster\r\nZweiter", "Titel\u2028neu"])
def test_a_title_with_a_line_break_is_refused_by_the_api(title, world, client_for):
    client = client_for(world.facilitator)
    checkin = CheckInFactory(convoy=world.convoy, title="Vorher")
    before = domain_state()

    created = client.post(
        f"/api/v1/convoys/{world.convoy.pk}/checkins/",
        _body(title=title),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    changed = client.patch(f"/api/v1/checkins/{checkin.pk}/", {"title": title}, format="json")

    assert created.status_code == 400, created.content
    assert created.json() == {"title": ["Please write this on a single line."]}
    assert changed.status_code == 400
    assert list(changed.json()) == ["title"]
    assert domain_state() == before


def test_the_title_is_stored_as_one_normalised_line(world):
    checkin = checkin_schedule(
        actor=world.facilitator,
        convoy=world.convoy,
        title="  Jour   fixe\tim  Juni ",
        starts_at=datetime(2027, 6, 10, 17, tzinfo=BERLIN),
        ends_at=datetime(2027, 6, 10, 19, tzinfo=BERLIN),
    )
    assert checkin.title == "Jour fixe im Juni"


def test_the_web_form_refuses_a_title_with_a_line_break(world, client):
    client.force_login(world.facilitator)
    response = client.post(
        f"/convoys/{world.convoy.pk}/checkins/new/",
        {
            "title": "Erster\nZweiter",
            "starts_at": "2027-06-10T17:00",
            "ends_at": "2027-06-10T19:00",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "Please write this on a single line." in response.content.decode()
    assert not CheckIn.objects.exists()


def test_ics_of_a_stored_multiline_title_is_valid_for_everyone(world, client_for):
    # Stored before titles were single-line (or by any path around the service).
    checkin = CheckInFactory(convoy=world.convoy, title="Erster\nZweiter; Teil, 2")
    response = client_for(world.member).get(f"/api/v1/checkins/{checkin.pk}/ics/")
    assert response.status_code == 200, response.content
    calendar = Calendar.from_ical(response.content)
    # X- properties come back from the parser still escaped: the escaped text is the point.
    assert b"\r\nX-WR-CALNAME:Erster\\nZweiter\\; Teil\\, 2\r\n" in response.content
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]).startswith("Erster\nZweiter; Teil, 2 (")
    assert b"\r\nZweiter" not in response.content  # escaped, not a new content line


def test_calendar_name_is_escaped_text():
    assert b"X-WR-CALNAME:a\\nb\\;c\\,d\r\n" in calendar_build([], name="a\nb;c,d")


# --- the spring-forward gap: 2027-03-28, 02:00 CET → 03:00 CEST in Berlin ----------------------

GAP_MESSAGE = (
    "This time does not exist in the time zone Europe/Berlin (the clocks are put forward that "
    "night). Please choose another time."
)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        # Naive times are read in the server's zone (Berlin): 02:30 does not exist that night.
        (
            {
                "starts_at": "2027-03-28T02:30:00",
                "ends_at": "2027-03-28T03:15:00",
                "rsvp_deadline": "2027-03-27T12:00:00",
            },
            "starts_at",
        ),
        ({"starts_at": "2027-03-28T01:00:00", "ends_at": "2027-03-28T02:15:00"}, "ends_at"),
        (
            {
                "starts_at": "2027-03-28T04:00:00",
                "ends_at": "2027-03-28T05:00:00",
                "rsvp_deadline": "2027-03-28T02:59:00",
            },
            "rsvp_deadline",
        ),
    ],
    ids=["start", "end", "deadline"],
)
def test_a_time_in_the_spring_forward_gap_is_refused_naming_the_field(
    fields, field, world, client_for
):
    before = domain_state()
    response = client_for(world.facilitator).post(
        f"/api/v1/convoys/{world.convoy.pk}/checkins/",
        _body(**fields),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400, response.content
    assert response.json() == {field: [GAP_MESSAGE]}
    assert domain_state() == before


def test_rescheduling_into_the_gap_is_refused(world, client_for):
    checkin = CheckInFactory(convoy=world.convoy)
    before = domain_state()
    response = client_for(world.facilitator).patch(
        f"/api/v1/checkins/{checkin.pk}/",
        {
            "starts_at": "2027-03-28T02:30:00",
            "ends_at": "2027-03-28T03:15:00",
            "rsvp_deadline": "2027-03-27T12:00:00",
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400, response.content
    assert response.json() == {"starts_at": [GAP_MESSAGE]}
    assert domain_state() == before


def test_the_service_refuses_a_gap_time_whatever_calls_it(world):
    with pytest.raises(ValidationError) as excinfo:
        checkin_schedule(
            actor=world.facilitator,
            convoy=world.convoy,
            title="Nachts",
            starts_at=datetime(2027, 3, 28, 2, 30, tzinfo=BERLIN),
            ends_at=datetime(2027, 3, 28, 3, 15, tzinfo=BERLIN),
        )
    assert set(excinfo.value.message_dict) == {"starts_at", "rsvp_deadline"}


def test_times_around_the_gap_and_in_the_repeated_hour_are_accepted(world):
    checkin = checkin_schedule(
        actor=world.facilitator,
        convoy=world.convoy,
        title="Kurz vor dem Sprung",
        starts_at=datetime(2027, 3, 28, 1, 30, tzinfo=BERLIN),
        ends_at=datetime(2027, 3, 28, 3, 30, tzinfo=BERLIN),
    )
    checkin.refresh_from_db()  # (same-zone arithmetic ignores offsets; stored values are UTC)
    assert checkin.ends_at - checkin.starts_at == timedelta(hours=1)
    moved = checkin_update(
        actor=world.facilitator,
        checkin=checkin,
        starts_at=datetime(2027, 10, 31, 2, 30, tzinfo=BERLIN),  # the repeated hour: exists
        ends_at=datetime(2027, 10, 31, 4, 0, tzinfo=BERLIN),
        rsvp_deadline=datetime(2027, 10, 30, 12, 0, tzinfo=BERLIN),
    )
    assert moved.sequence == 1
