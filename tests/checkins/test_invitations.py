"""Check-in e-mails carry the meeting for the calendar (issue 12: 8): a new or moved
check-in as `text/calendar; method=REQUEST`, a cancelled one as `method=CANCEL`, one file
per check-in of a series, in the recipient's language, read back with icalendar."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from checkins.services import Repeat, checkin_cancel, checkin_schedule, checkin_update

BERLIN = ZoneInfo("Europe/Berlin")
JULY = datetime(2027, 7, 15, 16, 0, tzinfo=BERLIN)


def _calendars(mail) -> list[tuple[str, Calendar, str]]:
    """(method parameter, parsed calendar, file name) of each calendar part of a mail."""
    found = []
    for part in mail.message().walk():
        if part.get_content_type() == "text/calendar":
            found.append(
                (
                    part.get_param("method"),
                    Calendar.from_ical(part.get_payload(decode=True)),
                    part.get_filename(),
                )
            )
    return found


def _mail_to(mailoutbox, user):
    (mail,) = [m for m in mailoutbox if m.to == [user.email]]
    return mail


def _schedule(world, **extra):
    return checkin_schedule(
        actor=world.facilitator,
        convoy=world.convoy,
        title="Konvoi-Treffen Juli",
        starts_at=JULY,
        ends_at=JULY + timedelta(hours=1),
        rsvp_deadline=JULY - timedelta(days=1),
        video_url="https://meet.example/k",
        **extra,
    )


def test_new_moved_and_cancelled_checkins_carry_an_invitation(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    world.member.language = "en"
    world.member.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        checkin = _schedule(world)
    ((method, calendar, filename),) = _calendars(_mail_to(mailoutbox, world.member))
    assert method == "REQUEST" and filename == f"checkin-{checkin.pk}.ics"
    assert str(calendar["METHOD"]) == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"checkin-{checkin.pk}@konvoi"
    assert event.decoded("SEQUENCE") == 0
    assert event.decoded("DTSTART") == datetime(2027, 7, 15, 14, 0, tzinfo=UTC)
    assert str(event["ATTENDEE"]) == f"mailto:{world.member.email}"
    assert event["ATTENDEE"].params["CN"] == "Mia Member"
    assert str(event["ORGANIZER"]).startswith("mailto:")
    assert "Video link: https://meet.example/k" in str(event["DESCRIPTION"])  # English
    # The German-speaking owner gets the same meeting in German.
    ((_m, german, _f),) = _calendars(_mail_to(mailoutbox, world.owner))
    (german_event,) = german.walk("VEVENT")
    assert str(german_event["UID"]) == str(event["UID"])
    assert "Video link" not in str(german_event["DESCRIPTION"])

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        checkin_update(
            actor=world.facilitator,
            checkin=checkin,
            starts_at=JULY + timedelta(hours=1),
            ends_at=JULY + timedelta(hours=2),
        )
    ((method, calendar, _f),) = _calendars(_mail_to(mailoutbox, world.member))
    (event,) = calendar.walk("VEVENT")
    assert method == "REQUEST" and event.decoded("SEQUENCE") == 1
    assert event.decoded("DTSTART") == datetime(2027, 7, 15, 15, 0, tzinfo=UTC)

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        checkin_cancel(actor=world.facilitator, checkin=checkin)
    ((method, calendar, _f),) = _calendars(_mail_to(mailoutbox, world.member))
    (event,) = calendar.walk("VEVENT")
    assert method == "CANCEL" and str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED" and event.decoded("SEQUENCE") == 2
    assert str(event["UID"]) == f"checkin-{checkin.pk}@konvoi"


def test_a_series_mail_carries_one_invitation_per_checkin(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = _schedule(world, repeat=Repeat(every_weeks=2, count=3))
    mail = _mail_to(mailoutbox, world.member)  # one e-mail for the series
    found = _calendars(mail)
    assert [method for method, _c, _f in found] == ["REQUEST"] * 3
    starts = [c.walk("VEVENT")[0].decoded("DTSTART") for _m, c, _f in found]
    assert starts == [first.starts_at + timedelta(weeks=2 * i) for i in range(3)]
    assert len({str(c.walk("VEVENT")[0]["UID"]) for _m, c, _f in found}) == 3
