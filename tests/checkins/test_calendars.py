"""iCalendar export: read back with the icalendar library, every check-in is at the exact
instant (also on the nights the clocks change), with a VTIMEZONE for its TZID, a stable UID,
a SEQUENCE that rises, STATUS:CANCELLED when cancelled; the feed URL is secret and revocable."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from checkins.services import calendar_feed_rotate, checkin_cancel, checkin_update
from tests.factories import CheckInFactory, ConvoyFactory, FacilitatorFactory, MembershipFactory

BERLIN = ZoneInfo("Europe/Berlin")


def ics(client, checkin) -> Calendar:
    response = client.get(f"/api/v1/checkins/{checkin.pk}/ics/")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="checkin-{checkin.pk}.ics"'
    return Calendar.from_ical(response.content)


def only_event(calendar: Calendar):
    (event,) = calendar.walk("VEVENT")
    return event


@pytest.mark.parametrize(
    ("local_start", "local_end", "utc_start", "utc_end"),
    [
        # An ordinary evening in summer time.
        ((2026, 6, 10, 17, 0), (2026, 6, 10, 19, 0), (2026, 6, 10, 15, 0), (2026, 6, 10, 17, 0)),
        # Autumn: 03:00 CEST becomes 02:00 CET; 01:30 summer time to 03:30 winter time is 3 h.
        (
            (2026, 10, 25, 1, 30),
            (2026, 10, 25, 3, 30),
            (2026, 10, 24, 23, 30),
            (2026, 10, 25, 2, 30),
        ),
        # Spring: 02:00 CET jumps to 03:00 CEST; 01:30 to 03:30 is one hour.
        ((2026, 3, 29, 1, 30), (2026, 3, 29, 3, 30), (2026, 3, 29, 0, 30), (2026, 3, 29, 1, 30)),
    ],
    ids=["summer", "fall-back-night", "spring-forward-night"],
)
def test_ics_gives_the_exact_instants(
    world, client_for, local_start, local_end, utc_start, utc_end
):
    checkin = CheckInFactory(
        convoy=world.convoy,
        title="Nacht-Check-in",
        starts_at=datetime(*local_start, tzinfo=BERLIN),
        ends_at=datetime(*local_end, tzinfo=BERLIN),
        rsvp_deadline=datetime(*local_start, tzinfo=BERLIN) - timedelta(days=1),
    )
    calendar = ics(client_for(world.member), checkin)
    event = only_event(calendar)
    assert event.decoded("DTSTART") == datetime(*utc_start, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(*utc_end, tzinfo=UTC)
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    (timezone,) = calendar.walk("VTIMEZONE")
    assert timezone["TZID"] == "Europe/Berlin"
    # The VTIMEZONE itself says which offsets apply: both rules of the year are in it.
    assert {str(sub["TZNAME"]) for sub in timezone.subcomponents} == {"CET", "CEST"}


def test_second_pass_of_the_repeated_hour_stays_exact(world, client_for):
    # 02:30 CET on 25 Oct 2026 (the second 02:30 that night) is 01:30 UTC; written in local
    # time with a TZID it would mean the first 02:30 (CEST), an hour early.
    start = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    checkin = CheckInFactory(
        convoy=world.convoy,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        rsvp_deadline=start,
    )
    event = only_event(ics(client_for(world.member), checkin))
    assert event.decoded("DTSTART") == start
    assert event.decoded("DTEND") == start + timedelta(hours=1)


def test_ics_has_the_rfc5545_properties(world, client_for, settings):
    settings.SITE_URL = "https://konvoi.example"
    checkin = CheckInFactory(
        convoy=world.convoy,
        title="Check-in Oktober",
        location="Hagen, Kompetenzzentrum",
        agenda="1. Runde\n2. Sicherheit",
        video_url="https://meet.example/konvoi",
    )
    calendar = ics(client_for(world.owner), checkin)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert "Konvoi" in str(calendar["PRODID"])
    event = only_event(calendar)
    assert str(event["UID"]) == f"checkin-{checkin.pk}@konvoi"
    assert event.decoded("DTSTAMP").tzinfo is not None
    assert event.decoded("SEQUENCE") == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["SUMMARY"]) == "Check-in Oktober (Digitalisierungs-Konvoi Hagen)"
    assert str(event["LOCATION"]) == "Hagen, Kompetenzzentrum"
    assert str(event["URL"]) == f"https://konvoi.example/checkins/{checkin.pk}/"
    description = str(event["DESCRIPTION"])
    assert "2. Sicherheit" in description and "https://meet.example/konvoi" in description


def test_sequence_rises_on_reschedule_and_cancel_uid_stays(world, client_for):
    checkin = CheckInFactory(convoy=world.convoy)
    client = client_for(world.member)
    first = only_event(ics(client, checkin))
    checkin_update(
        actor=world.facilitator,
        checkin=checkin,
        starts_at=checkin.starts_at + timedelta(hours=1),
        ends_at=checkin.ends_at + timedelta(hours=1),
    )
    moved = only_event(ics(client, checkin))
    assert moved.decoded("SEQUENCE") == first.decoded("SEQUENCE") + 1
    assert moved.decoded("DTSTART") == first.decoded("DTSTART") + timedelta(hours=1)
    assert str(moved["UID"]) == str(first["UID"])
    checkin_cancel(actor=world.facilitator, checkin=checkin)
    cancelled = only_event(ics(client, checkin))
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert cancelled.decoded("SEQUENCE") == moved.decoded("SEQUENCE") + 1
    assert str(cancelled["UID"]) == str(first["UID"])


def test_outsiders_get_404_for_the_ics(world, client_for):
    checkin = CheckInFactory(convoy=world.convoy)
    for person in (world.outsider, world.other_member, world.staff):
        response = client_for(person).get(f"/api/v1/checkins/{checkin.pk}/ics/")
        assert response.status_code == 404
    assert client_for(None).get(f"/api/v1/checkins/{checkin.pk}/ics/").status_code == 401


def test_feed_lists_the_persons_checkins_of_all_convoys_including_cancelled(world, client):
    own = CheckInFactory(convoy=world.convoy, title="Hagen")
    cancelled = CheckInFactory(convoy=world.convoy, title="Abgesagt")
    checkin_cancel(actor=world.facilitator, checkin=cancelled)
    # world.owner's company is also in a convoy in New York time.
    ny = ConvoyFactory(name="Konvoi New York", timezone="America/New_York")
    FacilitatorFactory(convoy=ny)
    MembershipFactory(convoy=ny, company=world.company)
    abroad = CheckInFactory(convoy=ny, title="Abroad")
    CheckInFactory(convoy=world.other_convoy, title="Not mine")

    _feed, token = calendar_feed_rotate(user=world.owner)
    response = client.get(f"/calendar/{token}.ics")  # no login: the token is the key
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    events = {str(e["UID"]).split("@")[0]: e for e in calendar.walk("VEVENT")}
    assert set(events) == {f"checkin-{c.pk}" for c in (own, cancelled, abroad)}
    assert str(events[f"checkin-{cancelled.pk}"]["STATUS"]) == "CANCELLED"
    assert events[f"checkin-{abroad.pk}"]["DTSTART"].params["TZID"] == "America/New_York"
    assert events[f"checkin-{abroad.pk}"].decoded("DTSTART") == abroad.starts_at
    assert {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")} == {
        "Europe/Berlin",
        "America/New_York",
    }


def test_revoked_or_unknown_feed_url_is_404(world, client, client_for):
    CheckInFactory(convoy=world.convoy)
    api = client_for(world.member)
    assert api.get("/api/v1/me/calendar/").json() == {"url": None}
    first = api.post("/api/v1/me/calendar/rotate/").json()["url"]
    assert api.get("/api/v1/me/calendar/").json() == {"url": first}
    path = first.split("://", 1)[1].split("/", 1)[1]
    assert client.get(f"/{path}").status_code == 200
    second = api.post("/api/v1/me/calendar/rotate/").json()["url"]
    assert second != first
    assert client.get(f"/{path}").status_code == 404
    assert client.get("/" + second.split("://", 1)[1].split("/", 1)[1]).status_code == 200
    assert client.get("/calendar/not-a-token.ics").status_code == 404


def test_feed_of_someone_who_left_shows_nothing_of_the_convoy(world, client):
    from convoys.models import Membership

    CheckInFactory(convoy=world.convoy)
    _feed, token = calendar_feed_rotate(user=world.member)
    Membership.objects.filter(company=world.company).update(status="left")
    calendar = Calendar.from_ical(client.get(f"/calendar/{token}.ics").content)
    assert calendar.walk("VEVENT") == []


# --- calendars Outlook, Google and Apple read the same (issue 12: 8) -------------------------


def _own_rules(vtimezone):
    """The zone as the VTIMEZONE itself defines it (as Outlook reads it), not as the TZID
    names it: renamed, so that no library looks the name up instead."""
    from icalendar import Timezone

    text = vtimezone.to_ical().decode().replace("Europe/Berlin", "Konvoi-Test/Renamed")
    return Timezone.from_ical(text).to_tz(lookup_tzid=False)


def test_vtimezone_is_written_as_yearly_rules_not_date_lists(world, client_for):
    checkin = CheckInFactory(
        convoy=world.convoy,
        starts_at=datetime(2026, 7, 16, 16, 0, tzinfo=BERLIN),
        ends_at=datetime(2026, 7, 16, 17, 0, tzinfo=BERLIN),
        rsvp_deadline=datetime(2026, 7, 15, 16, 0, tzinfo=BERLIN),
    )
    (vtimezone,) = ics(client_for(world.member), checkin).walk("VTIMEZONE")
    kinds = {sub.name: sub for sub in vtimezone.subcomponents}
    assert set(kinds) == {"STANDARD", "DAYLIGHT"}
    assert len(vtimezone.subcomponents) == 2
    daylight, standard = kinds["DAYLIGHT"], kinds["STANDARD"]
    assert daylight["RRULE"] == {"FREQ": ["YEARLY"], "BYMONTH": [3], "BYDAY": ["-1SU"]}
    assert standard["RRULE"] == {"FREQ": ["YEARLY"], "BYMONTH": [10], "BYDAY": ["-1SU"]}
    assert (str(daylight["TZNAME"]), str(standard["TZNAME"])) == ("CEST", "CET")
    assert daylight["TZOFFSETTO"].td == timedelta(hours=2)
    assert standard["TZOFFSETTO"].td == timedelta(hours=1)
    assert "RDATE" not in daylight and "RDATE" not in standard


@pytest.mark.parametrize(
    ("month", "utc_hour"),
    [(7, 14), (1, 15)],
    ids=["july-summer-time", "january-winter-time"],
)
def test_a_july_and_a_january_checkin_land_at_the_right_instants(
    world, client_for, month, utc_hour
):
    start = datetime(2027, month, 14, 16, 0, tzinfo=BERLIN)
    checkin = CheckInFactory(
        convoy=world.convoy,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        rsvp_deadline=start - timedelta(days=1),
    )
    calendar = ics(client_for(world.member), checkin)
    event = only_event(calendar)
    # Written as local wall time with the convoy's TZID …
    assert event["DTSTART"].to_ical() == f"20270{month}14T160000".encode()
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    # … which, read through the file's own VTIMEZONE rules, is the right instant.
    (vtimezone,) = calendar.walk("VTIMEZONE")
    wall = datetime(2027, month, 14, 16, 0, tzinfo=_own_rules(vtimezone))
    assert wall.astimezone(UTC) == datetime(2027, month, 14, utc_hour, 0, tzinfo=UTC)
    assert event.decoded("DTSTART") == datetime(2027, month, 14, utc_hour, tzinfo=UTC)


def test_a_zone_whose_rule_cannot_be_written_as_rrule_is_written_in_utc(world, client_for):
    # America/Nuuk changes "at -1:00" (the day before): no plain RRULE says that.
    world.convoy.timezone = "America/Nuuk"
    world.convoy.save(update_fields=["timezone"])
    start = datetime(2027, 7, 14, 16, 0, tzinfo=ZoneInfo("America/Nuuk"))
    checkin = CheckInFactory(
        convoy=world.convoy,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        rsvp_deadline=start - timedelta(days=1),
    )
    calendar = ics(client_for(world.member), checkin)
    event = only_event(calendar)
    assert calendar.walk("VTIMEZONE") == []
    assert "TZID" not in event["DTSTART"].params
    assert event["DTSTART"].to_ical().endswith(b"Z")
    assert event.decoded("DTSTART") == start


def test_uid_does_not_depend_on_the_host(world, client_for, settings):
    checkin = CheckInFactory(convoy=world.convoy)
    uids = set()
    for site in ("https://konvoi.example", "http://127.0.0.1:8000", "https://neu.example.org"):
        settings.SITE_URL = site
        uids.add(str(only_event(ics(client_for(world.member), checkin))["UID"]))
    assert uids == {f"checkin-{checkin.pk}@konvoi"}


def test_feed_refreshes_hourly_and_speaks_its_owners_language(world, client):
    CheckInFactory(convoy=world.convoy, video_url="https://meet.example/k")
    world.member.language = "en"
    world.member.timezone = "America/New_York"
    world.member.save(update_fields=["language", "timezone"])
    _feed, token = calendar_feed_rotate(user=world.member)
    # The calendar server asks in German; the feed is its English-speaking owner's.
    response = client.get(f"/calendar/{token}.ics", HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert calendar["REFRESH-INTERVAL"].dt == timedelta(hours=1)
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in response.content
    assert b"X-PUBLISHED-TTL:PT1H" in response.content
    assert str(calendar["X-WR-CALNAME"]) == "Konvoi check-ins"
    assert str(calendar["X-WR-TIMEZONE"]) == "America/New_York"
    description = str(only_event(calendar)["DESCRIPTION"])
    assert "Video link: https://meet.example/k" in description
    assert "Answer and details:" in description

    world.member.language = "de"
    world.member.save(update_fields=["language"])
    german = client.get(f"/calendar/{token}.ics", HTTP_ACCEPT_LANGUAGE="en")
    assert german["Content-Language"] == "de"
    assert "Video link" not in str(only_event(Calendar.from_ical(german.content))["DESCRIPTION"])
