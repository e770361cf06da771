"""An open event's calendar file: read back with the icalendar library, the times are the
exact instants with the programme's TZID and a rule-based VTIMEZONE; UID stable, SEQUENCE the
event's, STATUS:CANCELLED and METHOD:CANCEL once cancelled; texts in German and English; no
registrant's name anywhere. The QR ticket carries the door code."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import segno
from django.utils import translation
from icalendar import Calendar

from events.calendars import event_calendar, event_method, event_public_url, event_uid
from events.services import event_cancel, event_update
from events.tickets import door_qr_content, door_qr_png, door_qr_svg
from tests.factories import OpenEventFactory, RegistrationFactory

BERLIN = ZoneInfo("Europe/Berlin")


def parsed(content: bytes) -> tuple[Calendar, object]:
    calendar = Calendar.from_ical(content)
    (vevent,) = calendar.walk("VEVENT")
    return calendar, vevent


@pytest.fixture
def event(programme_world):
    return OpenEventFactory(
        programme=programme_world.programme,
        title="Digitaler Feierabend",
        description="Vorträge und Gespräche in der Kantine.",
        starts_at=datetime(2027, 6, 10, 14, 0, tzinfo=BERLIN),
        ends_at=datetime(2027, 6, 10, 19, 0, tzinfo=BERLIN),
        registration_deadline=datetime(2027, 6, 9, 12, 0, tzinfo=BERLIN),
        location="Kantine der Stadtwerke, Hagen",
        online_url="https://video.example/feierabend",
    )


def test_times_carry_the_programme_zone_with_a_rule_based_vtimezone(event):
    calendar, vevent = parsed(event_calendar(event))
    assert calendar["METHOD"] == "PUBLISH"
    assert vevent["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert vevent.decoded("DTSTART") == datetime(2027, 6, 10, 12, 0, tzinfo=UTC)
    assert vevent.decoded("DTEND") == datetime(2027, 6, 10, 17, 0, tzinfo=UTC)
    (zone,) = calendar.walk("VTIMEZONE")
    assert zone["TZID"] == "Europe/Berlin"
    assert {str(sub["TZNAME"]) for sub in zone.subcomponents} == {"CET", "CEST"}
    # Rules (RRULE), not date lists: what desktop Outlook reads right.
    assert all("RRULE" in sub for sub in zone.subcomponents)
    assert vevent["UID"] == f"event-{event.pk}@konvoi" == event_uid(event)
    assert vevent["SEQUENCE"] == 0
    assert vevent["STATUS"] == "CONFIRMED"
    assert str(vevent["LOCATION"]) == "Kantine der Stadtwerke, Hagen"
    assert str(vevent["URL"]).endswith(f"/p/kompetenzzentrum-hagen/events/{event.pk}/")


def test_another_programme_zone_is_written_as_its_own(event):
    programme = event.programme
    programme.timezone = "Europe/London"
    programme.save(update_fields=["timezone"])
    calendar, vevent = parsed(event_calendar(event))
    assert vevent["DTSTART"].params["TZID"] == "Europe/London"
    assert vevent.decoded("DTSTART") == datetime(2027, 6, 10, 12, 0, tzinfo=UTC)
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/London"


@pytest.mark.parametrize(
    ("language", "video", "details"),
    [
        ("de", "Videolink: ", "Details: "),
        ("en", "Video link: ", "Details: "),
    ],
)
def test_summary_and_description_in_the_active_language(event, language, video, details):
    with translation.override(language):
        _calendar, vevent = parsed(event_calendar(event, registered=True))
    assert str(vevent["SUMMARY"]) == "Digitaler Feierabend (Kompetenzzentrum Hagen)"
    description = str(vevent["DESCRIPTION"])
    assert description.startswith("Vorträge und Gespräche in der Kantine.")
    assert f"{video}https://video.example/feierabend" in description
    # The public event page: calendar entries are shared, the token link is not in them.
    assert description.endswith(f"{details}{event_public_url(event)}")
    assert str(vevent["URL"]) == event_public_url(event)


@pytest.mark.parametrize("method", ["PUBLISH", "REQUEST", "CANCEL"])
def test_the_video_link_only_for_a_reader_with_a_seat(event, method):
    event.location = ""
    content = event_calendar(event, method=method, waitlisted=True).decode()
    assert "video.example" not in content
    assert "video.example" not in event_calendar(event, method=method).decode()
    seated = event_calendar(event, method=method, registered=True).decode()
    assert ("video.example" in seated) is (method != "CANCEL")


@pytest.mark.parametrize(("language", "suffix"), [("de", "(Warteliste)"), ("en", "(waiting list)")])
def test_a_waitlisted_reader_gets_a_tentative_entry(event, language, suffix):
    with translation.override(language):
        _calendar, vevent = parsed(event_calendar(event, waitlisted=True))
    assert vevent["STATUS"] == "TENTATIVE"
    assert vevent["TRANSP"] == "TRANSPARENT"
    assert str(vevent["SUMMARY"]) == f"Digitaler Feierabend (Kompetenzzentrum Hagen) {suffix}"


def test_own_cancellation_is_a_cancelled_entry_stamped_now(event):
    now = datetime(2027, 5, 1, 9, 30, tzinfo=UTC)
    content = event_calendar(event, method="CANCEL", email="rita@holzwurm.example", now=now)
    calendar, vevent = parsed(content)
    assert calendar["METHOD"] == "CANCEL"
    assert vevent["STATUS"] == "CANCELLED"
    assert vevent["SEQUENCE"] == event.sequence
    assert vevent.decoded("DTSTAMP") == now
    assert str(vevent["ATTENDEE"]) == "mailto:rita@holzwurm.example"
    assert vevent["ATTENDEE"].params["PARTSTAT"] == "DECLINED"
    # The event itself goes on: the summary does not say it was cancelled.
    assert str(vevent["SUMMARY"]) == "Digitaler Feierabend (Kompetenzzentrum Hagen)"


def test_dtstamp_is_when_the_file_is_made_not_the_last_change(event):
    type(event).objects.filter(pk=event.pk).update(
        updated_at=datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
    )
    event.refresh_from_db()
    before = datetime.now(UTC).replace(microsecond=0)
    for method in ("PUBLISH", "REQUEST", "CANCEL"):
        _calendar, vevent = parsed(event_calendar(event, method=method))
        assert vevent.decoded("DTSTAMP") >= before
        assert vevent.decoded("LAST-MODIFIED") == datetime(2026, 1, 1, 8, 0, tzinfo=UTC)


def test_a_change_raises_the_sequence_and_the_uid_stays(event, programme_world):
    before = parsed(event_calendar(event))[1]
    event_update(
        event=event,
        by=programme_world.coach,
        starts_at=datetime(2027, 6, 10, 15, 0, tzinfo=BERLIN),
    )
    event.refresh_from_db()
    after = parsed(event_calendar(event, method="REQUEST", email="rita@holzwurm.example"))[1]
    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1 == 1
    assert after.decoded("DTSTART") == datetime(2027, 6, 10, 13, 0, tzinfo=UTC)
    # An e-mailed invitation: the organiser and the recipient's own address, without a name.
    assert str(after["ORGANIZER"]).startswith("mailto:")
    assert str(after["ATTENDEE"]) == "mailto:rita@holzwurm.example"
    assert "CN" not in after["ATTENDEE"].params


def test_cancelled_event_is_a_cancel_file(event, programme_world):
    assert event_method(event) == "REQUEST"
    event_cancel(event=event, by=programme_world.manager)
    event.refresh_from_db()
    assert event_method(event) == "CANCEL"
    with translation.override("en"):
        calendar, vevent = parsed(event_calendar(event, method=event_method(event)))
    assert calendar["METHOD"] == "CANCEL"
    assert vevent["STATUS"] == "CANCELLED"
    assert vevent["TRANSP"] == "TRANSPARENT"
    assert vevent["SEQUENCE"] == 1
    assert str(vevent["SUMMARY"]).startswith("Cancelled: Digitaler Feierabend")
    with translation.override("de"):
        _calendar, german = parsed(event_calendar(event, method="CANCEL"))
    assert str(german["SUMMARY"]).startswith("Abgesagt: Digitaler Feierabend")


def test_no_registrant_name_in_the_file(event):
    RegistrationFactory(event=event, name="Rita Registrant", email="rita@holzwurm.example")
    RegistrationFactory(event=event, name="Otto Other", email="otto@example.com")
    for method in ("PUBLISH", "REQUEST", "CANCEL"):
        content = event_calendar(event, method=method, email="rita@holzwurm.example").decode()
        assert "Rita" not in content
        assert "Otto" not in content
        assert "otto@example.com" not in content


def test_a_zone_without_a_rule_gets_utc_times(event):
    # Casablanca's offsets follow Ramadan, not a yearly rule: the file says UTC, exactly.
    programme = event.programme
    programme.timezone = "Africa/Casablanca"
    programme.save(update_fields=["timezone"])
    calendar, vevent = parsed(event_calendar(event))
    assert calendar.walk("VTIMEZONE") == []
    assert vevent.decoded("DTSTART") == event.starts_at
    assert "TZID" not in vevent["DTSTART"].params


def test_the_ticket_qr_code_carries_the_door_code_only(programme_world):
    registration = programme_world.registration
    assert door_qr_content(registration) == f"KONVOI:{registration.code}"
    expected = segno.make(f"KONVOI:{registration.code}", error="m", micro=False)
    svg = door_qr_svg(registration)
    assert (
        svg.startswith("<svg")
        and expected.svg_inline(scale=6, border=4, dark="#000", light="#fff", omitsize=False) == svg
    )
    png = door_qr_png(registration)
    assert png.startswith(b"\x89PNG")
    # Nothing else in it: not the name, not the token.
    assert registration.name.encode() not in png
    assert "Rita" not in svg


def test_event_times_in_the_repeated_hour_stay_exact(programme_world):
    start = datetime(2027, 10, 31, 1, 30, tzinfo=UTC)  # 02:30 CET, the second 02:30 that night
    event = OpenEventFactory(
        programme=programme_world.programme,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        registration_deadline=start - timedelta(days=1),
    )
    _calendar, vevent = parsed(event_calendar(event))
    assert vevent.decoded("DTSTART") == start
    assert vevent.decoded("DTEND") == start + timedelta(hours=2)
