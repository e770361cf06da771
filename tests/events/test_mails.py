"""The registrants' e-mails, in German and English: the confirmation (seat: time in the
programme's zone named in words, place, door code with an inline QR code, the .ics, the
link to their own page; waiting list: the position and the link to cancel), the promotion,
their own cancellation, the event changed (new time, updated .ics with a higher SEQUENCE) or
cancelled (METHOD:CANCEL); Reply-To the programme's contact; no other registrant anywhere;
HTML escaped, plain text not."""

import re
from datetime import UTC, datetime, timedelta
from email.message import Message
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from icalendar import Calendar

from events.keys import registration_token_of
from events.models import Registration
from events.services import (
    event_cancel,
    event_update,
    registration_cancel,
    registration_create,
    walk_in_register,
)
from tests.factories import OpenEventFactory

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2027, 6, 9, 14, 0, tzinfo=BERLIN)  # a Wednesday
CONTACT = "info@kompetenzzentrum-hagen.example"


@pytest.fixture
def event(programme_world):
    programme = programme_world.programme
    programme.contact_email = CONTACT
    programme.save(update_fields=["contact_email"])
    return OpenEventFactory(
        programme=programme,
        title="Digitaler Feierabend",
        starts_at=START,
        ends_at=START + timedelta(hours=5),
        registration_deadline=START - timedelta(days=1),
        location="Kantine der Stadtwerke, Hagen",
        capacity=1,
    )


@pytest.fixture
def register(django_capture_on_commit_callbacks):
    def make(event, name="Petra Neu", language="en", **extra) -> Registration:
        slug = name.split()[0].lower()
        with django_capture_on_commit_callbacks(execute=True):
            created = registration_create(
                event=event,
                name=name,
                email=f"{slug}@example.com",
                company_name=f"{name} GmbH",
                postcode="58095",
                size="10-49",
                sector="craft",
                consent=True,
                language=language,
                **extra,
            )
        return created.registration

    return make


@pytest.fixture
def cancel(django_capture_on_commit_callbacks):
    def run(registration) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            registration_cancel(registration=registration)

    return run


def parts(message) -> list[Message]:
    return list(message.message().walk())


def text_and_html(message) -> tuple[str, str]:
    (html, _mime) = message.alternatives[0]
    return message.body, html


def calendar_of(message) -> Calendar | None:
    for part in parts(message):
        if part.get_content_type() == "text/calendar":
            assert part.get_param("method") in ("REQUEST", "CANCEL")
            assert part.get_filename() == "event.ics"
            calendar = Calendar.from_ical(part.get_payload(decode=True))
            assert calendar["METHOD"] == part.get_param("method")
            return calendar
    return None


def qr_image(message) -> Message | None:
    for part in parts(message):
        if part.get_content_type() == "image/png":
            return part
    return None


def page_path(registration) -> str:
    return f"/registrations/{registration_token_of(registration)}/"


def test_confirmation_of_a_seat_in_english(event, register):
    registration = register(event)
    (message,) = mail.outbox
    assert message.to == ["petra@example.com"]
    assert message.subject == "You are registered: Digitaler Feierabend"
    assert message.reply_to == [f"Kompetenzzentrum Hagen <{CONTACT}>"]
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    text, html = text_and_html(message)
    # A neutral greeting: the address is not confirmed yet, so nothing the registrant typed.
    assert text.startswith("Hello,\n")
    assert "Petra Neu" not in text and "Petra Neu" not in html
    # The time in the programme's zone, the zone named in words.
    assert "When: Wednesday, 9 June 2027, 14:00–19:00 (Berlin time)" in text
    assert "Where: Kantine der Stadtwerke, Hagen" in text
    assert f"Your code for the door: {registration.code}" in text
    assert page_path(registration) in text and page_path(registration) in html
    assert "The calendar file is attached." in text
    assert f"Questions? Write to {CONTACT}" in text
    assert "Imprint" in text and "Privacy notice" in text
    # The QR code as an inline image the HTML shows by its Content-ID.
    image = qr_image(message)
    assert image is not None and image["Content-ID"] == "<door-qr>"
    assert image.get_payload(decode=True).startswith(b"\x89PNG")
    assert 'src="cid:door-qr"' in html
    calendar = calendar_of(message)
    (vevent,) = calendar.walk("VEVENT")
    assert calendar["METHOD"] == "REQUEST"
    assert vevent["UID"] == f"event-{event.pk}@konvoi"
    assert vevent["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert str(vevent["ATTENDEE"]) == "mailto:petra@example.com"
    # Calendar entries are shared: they lead to the public event page, not the token page.
    public = f"/p/kompetenzzentrum-hagen/events/{event.pk}/"
    assert str(vevent["URL"]).endswith(public)
    assert public in str(vevent["DESCRIPTION"])
    assert "/registrations/" not in calendar.to_ical().decode()


def test_confirmation_of_a_seat_in_german(event, register):
    registration = register(event, name="Karl Kunde", language="de")
    (message,) = mail.outbox
    assert message.subject == "Sie sind angemeldet: Digitaler Feierabend"
    text, html = text_and_html(message)
    assert text.startswith("Guten Tag,\n")
    assert "Karl" not in text and "Karl" not in html
    assert "Wann: Mittwoch, 9. Juni 2027, 14:00–19:00 Uhr (Ortszeit Berlin)" in text
    assert "Wo: Kantine der Stadtwerke, Hagen" in text
    assert f"Ihr Code für den Einlass: {registration.code}" in text
    assert "Die Kalenderdatei ist angehängt." in text
    assert 'lang="de"' in html
    assert "Impressum" in text
    (vevent,) = calendar_of(message).walk("VEVENT")
    assert str(vevent["DESCRIPTION"]).endswith(
        f"Details: {settings.SITE_URL}/p/kompetenzzentrum-hagen/events/{event.pk}/"
    )


def test_the_page_link_of_the_e_mail_opens_the_registration(event, register):
    registration = register(event)
    (message,) = mail.outbox
    (url,) = {u for u in re.findall(r"https?://\S+", message.body) if "/registrations/" in u}
    path = url.split("://", 1)[1].split("/", 1)[1]
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/{path}")
    assert response.status_code == 200
    assert registration.code in response.content.decode()


@pytest.mark.parametrize(
    ("language", "subject", "line"),
    [
        (
            "en",
            "On the waiting list: Digitaler Feierabend",
            "“Digitaler Feierabend” is fully booked, so you are on the waiting list, "
            "in position 2.",
        ),
        (
            "de",
            "Auf der Warteliste: Digitaler Feierabend",
            "„Digitaler Feierabend“ ist ausgebucht. Sie stehen auf der Warteliste, auf Platz 2.",
        ),
    ],
)
def test_waitlisted_confirmation_has_the_position_and_the_link(
    event, register, language, subject, line
):
    register(event, name="Erste Person")
    register(event, name="Zweite Person")
    mail.outbox.clear()
    third = register(event, name="Dritte Person", language=language)
    assert third.status == "waitlisted"
    (message,) = mail.outbox
    assert message.subject == subject
    text, html = text_and_html(message)
    assert line in " ".join(text.split())
    assert page_path(third) in text and page_path(third) in html
    # No seat yet: no ticket and no calendar entry.
    assert calendar_of(message) is None
    assert qr_image(message) is None
    # Nobody else is named: not the people ahead in line.
    for other in ("Erste", "Zweite", "Rita"):
        assert other not in text and other not in html


def test_cancel_confirms_and_promotes_the_first_in_line(event, register, cancel):
    first = register(event, name="Erste Person")
    second = register(event, name="Zweite Person", language="de")
    third = register(event, name="Dritte Person")
    mail.outbox.clear()

    cancel(first)
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {"erste@example.com", "zweite@example.com"}
    cancelled = by_recipient["erste@example.com"]
    assert cancelled.subject == "Registration cancelled: Digitaler Feierabend"
    assert "Your registration for “Digitaler Feierabend” is cancelled." in cancelled.body
    assert calendar_of(cancelled)["METHOD"] == "CANCEL"
    assert f"/p/kompetenzzentrum-hagen/events/{event.pk}/" in cancelled.body
    promoted = by_recipient["zweite@example.com"]
    assert promoted.subject == "Ein Platz für Sie: Digitaler Feierabend"
    second.refresh_from_db()
    assert second.status == "registered"
    assert f"Ihr Code für den Einlass: {second.code}" in promoted.body
    assert calendar_of(promoted)["METHOD"] == "REQUEST"
    assert qr_image(promoted) is not None
    assert "Erste" not in promoted.body and "Dritte" not in promoted.body
    third.refresh_from_db()
    assert third.status == "waitlisted"


def test_a_new_time_is_told_with_an_updated_calendar_file(
    event, register, cancel, programme_world, django_capture_on_commit_callbacks
):
    seated = register(event, name="Erste Person", language="de")
    waiting = register(event, name="Zweite Person")
    gone = register(event, name="Dritte Person")
    cancel(gone)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event_update(
            event=event,
            by=programme_world.coach,
            starts_at=START + timedelta(hours=1),
            ends_at=START + timedelta(hours=6),
        )
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {"erste@example.com", "zweite@example.com"}
    german = by_recipient["erste@example.com"]
    assert german.subject == "Geändert: Digitaler Feierabend"
    assert "jetzt Mittwoch, 9. Juni 2027, 15:00–20:00 Uhr (Ortszeit Berlin)" in german.body
    # event_update hands the old time over: "from … → now …".
    assert "14:00–19:00 Uhr (Ortszeit Berlin) → jetzt Mittwoch" in german.body
    assert "Ihr Platz bleibt Ihnen. Die aktualisierte Kalenderdatei ist angehängt." in german.body
    (vevent,) = calendar_of(german).walk("VEVENT")
    assert vevent["SEQUENCE"] == 1
    assert vevent.decoded("DTSTART") == START + timedelta(hours=1)
    english = by_recipient["zweite@example.com"]
    assert english.subject == "Changed: Digitaler Feierabend"
    assert "The time or place of “Digitaler Feierabend” has changed:" in english.body
    assert "now Wednesday, 9 June 2027, 15:00–20:00 (Berlin time)" in english.body
    assert "You stay on the waiting list." in english.body
    assert calendar_of(english) is None
    assert seated.code not in english.body and waiting.code not in german.body


def test_the_old_time_is_shown_when_the_caller_passes_it(event, register):
    from events.mails import registration_changed_send

    registration = register(event)
    mail.outbox.clear()
    event.starts_at = START + timedelta(hours=1)
    event.ends_at = START + timedelta(hours=6)
    event.save()
    registration_changed_send(
        registration_id=registration.pk,
        changed=["starts_at", "ends_at", "location"],
        previous={
            "starts_at": START.isoformat(),
            "ends_at": (START + timedelta(hours=5)).isoformat(),
            "location": "Rathaus <Saal 2>",
        },
    )
    (message,) = mail.outbox
    text, html = text_and_html(message)
    assert (
        "Time: Wednesday, 9 June 2027, 14:00–19:00 (Berlin time) → "
        "now Wednesday, 9 June 2027, 15:00–20:00 (Berlin time)"
    ) in text
    assert "Place: Rathaus <Saal 2> → now Kantine der Stadtwerke, Hagen" in text
    assert "Rathaus &lt;Saal 2&gt;" in html


@pytest.mark.parametrize(
    ("language", "subject", "line"),
    [
        (
            "en",
            "Cancelled: Digitaler Feierabend",
            "We are sorry: “Digitaler Feierabend” has been cancelled",
        ),
        (
            "de",
            "Abgesagt: Digitaler Feierabend",
            "„Digitaler Feierabend“ wurde abgesagt und findet nicht statt",
        ),
    ],
)
def test_cancelled_event_tells_everyone_registered_or_waiting(
    event,
    register,
    cancel,
    programme_world,
    django_capture_on_commit_callbacks,
    language,
    subject,
    line,
):
    register(event, name="Erste Person", language=language)
    register(event, name="Zweite Person", language=language)
    earlier = register(event, name="Dritte Person", language=language)
    cancel(earlier)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event_cancel(event=event, by=programme_world.manager)
    assert sorted(m.to[0] for m in mail.outbox) == ["erste@example.com", "zweite@example.com"]
    for message in mail.outbox:
        assert message.subject == subject
        assert line in message.body
        calendar = calendar_of(message)
        assert calendar["METHOD"] == "CANCEL"
        (vevent,) = calendar.walk("VEVENT")
        assert vevent["STATUS"] == "CANCELLED"
        assert vevent["SEQUENCE"] == 1


def test_html_is_escaped_and_plain_text_is_not(programme_world, register):
    event = OpenEventFactory(
        programme=programme_world.programme, title="Vogt & Partner <live>", capacity=5
    )
    register(event)
    (message,) = mail.outbox
    text, html = text_and_html(message)
    assert "“Vogt & Partner <live>”" in text
    assert "Vogt &amp; Partner &lt;live&gt;" in html
    assert "<live>" not in html
    assert message.subject == "You are registered: Vogt & Partner <live>"


def test_no_address_no_e_mail(event, programme_world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        walk_in_register(
            event=event,
            by=programme_world.coach,
            name="Wanda Walk-in",
            company_name="Laufkundschaft KG",
            postcode="58095",
            now=START + timedelta(minutes=10),
        )
    assert mail.outbox == []


def every_text(message) -> str:
    """The whole e-mail as the recipient's program sees it: text, HTML, attachments."""
    return message.message().as_string() + "".join(
        part.get_payload(decode=True).decode("utf-8", "replace")
        for part in parts(message)
        if part.get_content_type() in ("text/calendar", "text/plain", "text/html")
    )


def test_nothing_the_registrant_typed_is_echoed(
    event, register, cancel, programme_world, django_capture_on_commit_callbacks
):
    # An address nobody confirmed may be anyone's: a stranger's "name" must not reach them.
    lure = "Ihr Konto wird gesperrt – jetzt bestätigen: https://phish.example/x"
    event.questions = [{"key": "wish", "label": "Ihr Wunschthema", "required": False}]
    event.save(update_fields=["questions"])
    seated = register(event, name=lure, language="de", answers={"wish": "Klicken Sie hier"})
    waiting = register(event, name="Zweite Person", language="de")
    cancel(waiting)
    with django_capture_on_commit_callbacks(execute=True):
        event_update(event=event, by=programme_world.coach, location="Rathaus, Saal 2")
    with django_capture_on_commit_callbacks(execute=True):
        event_cancel(event=event, by=programme_world.manager)
    templates = {m.subject.split(":")[0] for m in mail.outbox}
    # Confirmation, waiting list, own cancellation, changed, cancelled: all of them.
    assert len(templates) == 5, templates
    for message in mail.outbox:
        whole = every_text(message)
        assert message.body.startswith("Guten Tag,\n")
        for typed in ("phish.example", "gesperrt", "Klicken Sie hier", "GmbH", "Zweite"):
            assert typed not in whole, (message.subject, typed)
    assert seated.company_name.endswith("GmbH")


def test_the_video_link_reaches_only_people_with_a_seat(
    event, register, cancel, programme_world, django_capture_on_commit_callbacks
):
    url = "https://video.example/feierabend"
    event.online_url = url
    event.save(update_fields=["online_url"])
    register(event, name="Erste Person")
    waiting = register(event, name="Zweite Person")
    later = register(event, name="Dritte Person")
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert url in every_text(by_recipient["erste@example.com"])
    (vevent,) = calendar_of(by_recipient["erste@example.com"]).walk("VEVENT")
    assert url in str(vevent["DESCRIPTION"])
    assert url not in every_text(by_recipient["zweite@example.com"])
    # The waiting list hears of a new time, not of the video link.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event_update(event=event, by=programme_world.coach, online_url=f"{url}-neu")
    assert [m.to[0] for m in mail.outbox] == ["erste@example.com"]
    assert f"{url}-neu" in every_text(mail.outbox[0])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event_update(event=event, by=programme_world.coach, starts_at=START + timedelta(hours=1))
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {"erste@example.com", "zweite@example.com", "dritte@example.com"}
    assert url in every_text(by_recipient["erste@example.com"])
    assert url not in every_text(by_recipient["zweite@example.com"])
    # Leaving the waiting list: neither the e-mail nor its calendar file has it.
    mail.outbox.clear()
    cancel(later)
    (message,) = mail.outbox
    assert calendar_of(message)["METHOD"] == "CANCEL"
    assert url not in every_text(message)
    # The event cancelled: nobody needs the link any more.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event_cancel(event=event, by=programme_world.manager)
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert url not in every_text(message)
    assert waiting.code not in every_text(message)


def test_own_cancellation_cancels_the_calendar_entry_per_rfc_5546(
    event, register, cancel, programme_world, django_capture_on_commit_callbacks
):
    registration = register(event)
    with django_capture_on_commit_callbacks(execute=True):
        event_update(event=event, by=programme_world.coach, location="Rathaus, Saal 2")
    (sent,) = calendar_of(mail.outbox[-1]).walk("VEVENT")
    assert sent["SEQUENCE"] == 1
    mail.outbox.clear()
    before = datetime.now(UTC).replace(microsecond=0)
    cancel(registration)
    (message,) = mail.outbox
    calendar = calendar_of(message)
    (vevent,) = calendar.walk("VEVENT")
    assert calendar["METHOD"] == "CANCEL"
    assert vevent["STATUS"] == "CANCELLED"
    assert vevent["UID"] == sent["UID"]
    assert str(vevent["ATTENDEE"]) == "mailto:petra@example.com"
    assert vevent["ATTENDEE"].params["PARTSTAT"] == "DECLINED"
    # Not lower than the last one sent, and made now: a calendar takes the later file.
    assert vevent["SEQUENCE"] >= sent["SEQUENCE"]
    assert vevent.decoded("DTSTAMP") >= before
    assert vevent.decoded("DTSTAMP") > sent.decoded("DTSTAMP") or (
        vevent.decoded("DTSTAMP") == sent.decoded("DTSTAMP") == before
    )


def test_every_calendar_file_is_stamped_when_it_is_made(event, register):
    event_row = type(event).objects.get(pk=event.pk)
    type(event).objects.filter(pk=event.pk).update(
        updated_at=event_row.updated_at - timedelta(days=30)
    )
    before = datetime.now(UTC).replace(microsecond=0)
    register(event)
    (vevent,) = calendar_of(mail.outbox[0]).walk("VEVENT")
    assert vevent.decoded("DTSTAMP") >= before
