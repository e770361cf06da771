"""The public pages of open events, for people without an account: the programme page's list,
the event page with its registration form, the registrant's page (opened by the token), the
calendar file and self-cancel. German and English, 404s, the form's refusals (nothing created),
and constant queries on the programme page."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.formats import date_format, time_format

from events.keys import registration_by_token, registration_token_of
from events.models import Registration
from tests.factories import OpenEventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
DE = {"HTTP_ACCEPT_LANGUAGE": "de"}

FORM = {
    "name": "Petra Neu",
    "email": "petra@baeckerei-neu.example",
    "company_name": "Bäckerei Neu GmbH",
    "postcode": "58095",
    "size": "10-49",
    "sector": "craft",
    "consent": "on",
}


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    # The rate limit counts in the cache; each test starts from zero.
    cache.clear()
    yield
    cache.clear()


def _event_url(event) -> str:
    return f"/p/{event.programme.slug}/events/{event.pk}/"


def _post(event, data=None, client=None, **extra):
    return (client or Client()).post(_event_url(event), {**FORM, **(data or {})}, **extra)


def _token_from(response) -> str:
    match = re.match(r"^/registrations/([^/]+)/", response["Location"])
    assert match, response["Location"]
    return match.group(1)


# --- the programme page -------------------------------------------------------------------


def test_programme_page_lists_upcoming_published_events_only(programme_world):
    pw = programme_world
    response = Client().get(f"/p/{pw.programme.slug}/", **EN)
    assert response.status_code == 200
    html = response.content.decode()
    listing = html[html.index('data-testid="programme-events"') :]
    assert pw.event.title in listing
    assert f'href="/p/{pw.programme.slug}/events/{pw.event.pk}/"' in listing
    assert "39 seats left" in listing  # 40 seats, Rita has one
    assert "Kantine der Stadtwerke, Hagen" in listing
    assert pw.draft_event.title not in html
    assert pw.past_event.title not in html
    assert pw.other_event.title not in html
    # Nobody's name is on the public page.
    assert "Rita Registrant" not in html


def test_programme_page_shows_the_waiting_list_and_closed_registration(programme_world):
    pw = programme_world
    full = OpenEventFactory(programme=pw.programme, title="Volles Haus", capacity=1)
    RegistrationFactory(event=full)
    start = timezone.now() + timedelta(hours=6)
    closed = OpenEventFactory(
        programme=pw.programme,
        title="Heute Abend",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        registration_deadline=timezone.now() - timedelta(hours=1),
    )
    html = Client().get(f"/p/{pw.programme.slug}/", **EN).content.decode()
    full_item = html[html.index(full.title) :].split("</li>")[0]
    assert "Fully booked: waiting list" in full_item
    closed_item = html[html.index(closed.title) :].split("</li>")[0]
    assert "Registration is closed" in closed_item


@pytest.mark.parametrize(("language", "zone"), [("de", "Europe/Berlin"), ("en", "Asia/Tokyo")])
def test_programme_page_dates_in_the_language_and_the_programme_zone(
    programme_world, language, zone
):
    pw = programme_world
    pw.programme.timezone = zone
    pw.programme.save()
    response = Client().get(f"/p/{pw.programme.slug}/", HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    local = timezone.localtime(pw.event.starts_at, ZoneInfo(zone))
    with translation.override(language):
        day = date_format(local, "DATE_FORMAT")
        hour = time_format(local, "TIME_FORMAT")
    assert f"{day}, {hour}" in html


def _programme_page_queries(pw) -> int:
    client = Client()
    url = f"/p/{pw.programme.slug}/"
    client.get(url)  # warm: caches of the header
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_programme_page_queries_do_not_grow_with_events(programme_world):
    pw = programme_world
    for i in range(2):
        event = OpenEventFactory(programme=pw.programme, title=f"Mehr {i}")
        RegistrationFactory(event=event)
    small = _programme_page_queries(pw)
    for i in range(8):
        event = OpenEventFactory(programme=pw.programme, title=f"Noch mehr {i}", capacity=2)
        RegistrationFactory.create_batch(3, event=event)
    large = _programme_page_queries(pw)
    html = Client().get(f"/p/{pw.programme.slug}/").content.decode()
    assert html.count('data-testid="programme-event"') == 11
    assert large == small


# --- the event page -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "words"),
    [
        (EN, ["Register", "Your name", "Company name", "Postcode", "39 seats left"]),
        (DE, ['<html lang="de">', "Datenschutzerklärung"]),
    ],
)
def test_event_page_in_both_languages(programme_world, headers, words):
    pw = programme_world
    response = Client().get(_event_url(pw.event), **headers)
    assert response.status_code == 200
    html = response.content.decode()
    assert pw.event.title in html
    assert html.count("<h1") == 1
    for word in words:
        assert word in html
    assert 'name="consent"' in html
    assert 'name="contact_consent"' in html
    # The privacy notice is linked from the consent, and the programme's privacy contact.
    assert 'href="/privacy/"' in html or 'href="/datenschutz/"' in html
    assert "Rita Registrant" not in html
    assert "rita@holzwurm.example" not in html


def test_event_page_honeypot_is_hidden_from_people_and_screen_readers(programme_world):
    html = Client().get(_event_url(programme_world.event)).content.decode()
    honeypot = re.search(r'<div class="visually-hidden" aria-hidden="true">(.*?)</div>', html, re.S)
    assert honeypot, "the honeypot is in an aria-hidden, off-screen box"
    assert 'name="website"' in honeypot.group(1)
    assert 'tabindex="-1"' in honeypot.group(1)
    assert 'autocomplete="off"' in honeypot.group(1)


def test_event_page_description_is_plain_text(programme_world):
    pw = programme_world
    pw.event.description = "Erste Zeile\nZweite <script>alert(1)</script> Zeile"
    pw.event.save()
    html = Client().get(_event_url(pw.event)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Erste Zeile<br>Zweite" in html


@pytest.mark.parametrize(
    "path",
    [
        "/p/{slug}/events/{draft}/",
        "/p/{slug}/events/{unknown}/",
        "/p/{slug}/events/{other}/",  # another programme's event under this slug
        "/p/{other_slug}/events/{event}/",
        "/p/nirgendwo/events/{event}/",
    ],
)
def test_event_page_404(programme_world, path):
    pw = programme_world
    url = path.format(
        slug=pw.programme.slug,
        other_slug=pw.other_programme.slug,
        draft=pw.draft_event.pk,
        unknown=987654,
        other=pw.other_event.pk,
        event=pw.event.pk,
    )
    assert Client().get(url).status_code == 404
    assert Client().post(url, FORM).status_code == 404
    assert Registration.objects.filter(email=FORM["email"]).count() == 0


def test_cancelled_event_says_so_without_a_form(programme_world):
    pw = programme_world
    pw.event.status = "cancelled"
    pw.event.cancelled_at = timezone.now()
    pw.event.save()
    response = Client().get(_event_url(pw.event), **EN)
    assert response.status_code == 200
    html = response.content.decode()
    assert "This event has been cancelled." in html
    assert 'data-testid="registration-form"' not in html
    response = _post(pw.event, **EN)
    assert response.status_code == 400
    assert Registration.objects.filter(email=FORM["email"]).count() == 0


def test_after_the_deadline_registration_is_closed(programme_world):
    pw = programme_world
    pw.event.registration_deadline = timezone.now() - timedelta(minutes=1)
    pw.event.save()
    response = Client().get(_event_url(pw.event), **EN)
    html = response.content.decode()
    assert "Registration is closed" in html
    assert 'data-testid="registration-form"' not in html
    response = _post(pw.event, **EN)
    assert response.status_code == 400
    assert "Registration is closed" in response.content.decode()
    assert Registration.objects.filter(email=FORM["email"]).count() == 0


def test_a_past_event_says_it_took_place(programme_world):
    pw = programme_world
    response = Client().get(_event_url(pw.past_event), **EN)
    assert response.status_code == 200
    html = response.content.decode()
    assert "This event has taken place." in html
    assert 'data-testid="registration-form"' not in html
    assert "Paula Past" not in html
    assert _post(pw.past_event, **EN).status_code == 400
    assert Registration.objects.filter(email=FORM["email"]).count() == 0


def _event_page_queries(event) -> int:
    client = Client()
    client.get(_event_url(event))  # warm: caches of the header
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_event_url(event))
    assert response.status_code == 200
    return len(queries)


def test_event_page_queries_do_not_grow_with_registrations(programme_world):
    pw = programme_world
    event = OpenEventFactory(programme=pw.programme, capacity=30)
    RegistrationFactory(event=event)
    small = _event_page_queries(event)
    RegistrationFactory.create_batch(20, event=event)
    RegistrationFactory.create_batch(5, event=event, status="waitlisted")
    large = _event_page_queries(event)
    assert "9 seats left" in Client().get(_event_url(event), **EN).content.decode()
    assert large == small


# --- registering ----------------------------------------------------------------------------


def test_registering_creates_one_registration_and_redirects_to_its_page(
    programme_world, django_capture_on_commit_callbacks
):
    pw = programme_world
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(pw.event, client=client, **EN)
    assert response.status_code == 302, response.content.decode()[:2000]
    registration = Registration.objects.get(email=FORM["email"])
    assert Registration.objects.filter(event=pw.event).count() == 2
    assert registration.status == "registered"
    assert registration.event == pw.event
    assert registration.company_name == "Bäckerei Neu GmbH"
    assert registration.size == "10-49"
    assert registration.sector == "craft"
    assert registration.contact_consent is False
    assert registration.language == "en"
    token = _token_from(response)
    assert registration_by_token(token=token) == registration

    page = client.get(response["Location"], **EN)
    assert page.status_code == 200
    html = page.content.decode()
    assert "You are registered." in html
    assert registration.code in html
    assert f"/registrations/{token}/event.ics" in html
    assert f"/registrations/{token}/cancel/" in html
    assert 'data-testid="door-qr"' in html and "<svg" in html
    # The confirmation e-mail (after commit; CELERY eager) carries the same page's link.
    assert [m.to for m in mail.outbox] == [[FORM["email"]]]
    assert f"/registrations/{token}/" in mail.outbox[0].body


def test_contact_consent_is_separate_and_optional(programme_world):
    response = _post(programme_world.event, {"contact_consent": "on"})
    assert response.status_code == 302
    assert Registration.objects.get(email=FORM["email"]).contact_consent is True


def test_a_full_event_puts_people_on_the_waiting_list(programme_world):
    pw = programme_world
    full = OpenEventFactory(programme=pw.programme, capacity=1)
    RegistrationFactory(event=full)
    page = Client().get(_event_url(full), **EN).content.decode()
    assert "Join the waiting list" in page
    response = _post(full, **EN)
    assert response.status_code == 302
    html = Client().get(response["Location"], **EN).content.decode()
    assert "You are on the waiting list, in position 1." in html
    assert 'data-testid="door-ticket"' not in html
    assert Registration.objects.get(email=FORM["email"]).status == "waitlisted"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"consent": ""}, "consent", "Please agree to the processing of your registration."),
        ({"email": "kein-at"}, "email", "Enter a valid email address."),
        ({"name": ""}, "name", "This field is required."),
        ({"size": "huge"}, "size", "Select a valid choice."),
        ({"sector": ""}, "sector", "This field is required."),
    ],
)
def test_form_errors_are_on_their_fields_and_nothing_is_created(
    programme_world, change, field, message
):
    pw = programme_world
    data = {**FORM, **change}
    data = {k: v for k, v in data.items() if v != ""}
    response = Client().post(_event_url(pw.event), data, **EN)
    assert response.status_code == 400
    html = response.content.decode()
    error = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', html, re.S)
    assert error, html[:3000]
    assert message in error.group(1)
    tag = re.search(rf'<(?:input|select)[^>]*name="{field}"[^>]*>', html)
    assert tag and f"id_{field}_error" in tag.group(0), "the error is tied to its field"
    assert Registration.objects.filter(event=pw.event).count() == 1


def test_the_company_cap_is_a_form_error(programme_world):
    pw = programme_world
    capped = OpenEventFactory(programme=pw.programme, max_per_company=1)
    assert _post(capped).status_code == 302
    # The same company: legal form, case and spaces in the postcode do not count.
    response = _post(
        capped,
        {"name": "Paul Neu", "email": "paul@baeckerei-neu.example", "company_name": "bäckerei neu"},
        **EN,
    )
    assert response.status_code == 400
    assert 'data-testid="form-errors"' in response.content.decode() or "errorlist" in (
        response.content.decode()
    )
    assert Registration.objects.filter(event=capped).count() == 1


def test_the_honeypot_creates_nothing(programme_world):
    pw = programme_world
    response = _post(pw.event, {"website": "https://spam.example"}, **EN)
    assert response.status_code == 400
    assert "Your registration could not be sent." in response.content.decode()
    assert Registration.objects.filter(event=pw.event).count() == 1
    assert len(mail.outbox) == 0


def test_the_rate_limit_answers_429(programme_world, settings):
    pw = programme_world
    settings.EVENT_REGISTRATIONS_PER_HOUR = 2
    for i in range(2):
        response = _post(
            pw.event,
            {"email": f"person{i}@example.com", "company_name": f"Betrieb {i}"},
            REMOTE_ADDR="203.0.113.7",
        )
        assert response.status_code == 302
    response = _post(pw.event, REMOTE_ADDR="203.0.113.7", **EN)
    assert response.status_code == 429
    assert "many registrations from your network" in response.content.decode()
    assert Registration.objects.filter(event=pw.event).count() == 3
    # Another address is not held back.
    assert _post(pw.event, REMOTE_ADDR="203.0.113.8").status_code == 302


def test_required_questions_are_asked_and_answered(programme_world):
    pw = programme_world
    event = OpenEventFactory(
        programme=pw.programme,
        questions=[
            {"key": "diet", "label": "Essenswünsche", "required": False},
            {"key": "topic", "label": "Ihr Thema", "required": True},
        ],
    )
    html = Client().get(_event_url(event)).content.decode()
    assert "Essenswünsche" in html
    assert 'name="answer_topic"' in html
    response = _post(event, **EN)
    assert response.status_code == 400
    assert 'id="id_answer_topic_error"' in response.content.decode()
    assert Registration.objects.filter(event=event).count() == 0
    response = _post(event, {"answer_topic": "Kassensystem"})
    assert response.status_code == 302
    assert Registration.objects.get(event=event).answers == {"topic": "Kassensystem"}


def test_an_anonymous_first_visit_can_post_with_csrf_checks_on(programme_world):
    pw = programme_world
    client = Client(enforce_csrf_checks=True)
    page = client.get(_event_url(pw.event))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token
    response = client.post(_event_url(pw.event), {**FORM, "csrfmiddlewaretoken": token.group(1)})
    assert response.status_code == 302
    # Without the token: refused.
    other = Client(enforce_csrf_checks=True)
    assert other.post(_event_url(pw.event), FORM).status_code == 403


# --- the registrant's page -------------------------------------------------------------


def test_the_token_page_is_private_and_reveals_nothing_of_others(programme_world):
    pw = programme_world
    response = Client().get(f"/registrations/{pw.registration_token}/", **EN)
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    html = response.content.decode()
    assert '<meta name="robots" content="noindex">' in html
    assert "Rita Registrant" in html
    assert pw.registration.code in html
    others = Registration.objects.exclude(pk=pw.registration.pk)
    for other in others:
        assert other.name not in html
        assert other.email not in html
        assert other.code not in html
    # Seats are not told to the registrant either beyond their own state.
    assert "seats left" not in html


@pytest.mark.parametrize("suffix", ["", "cancel/", "event.ics"])
def test_a_wrong_token_is_404(programme_world, suffix):
    assert Client().get(f"/registrations/not-a-token/{suffix}").status_code == 404
    token = registration_token_of(programme_world.registration)
    assert Client().get(f"/registrations/{token[:-1]}x/{suffix}").status_code == 404


def test_the_video_link_is_only_for_registered_people(programme_world):
    pw = programme_world
    online = OpenEventFactory(
        programme=pw.programme, capacity=1, location="", online_url="https://video.example/raum"
    )
    seated = RegistrationFactory(event=online)
    waiting = RegistrationFactory(event=online, status="waitlisted")
    public = Client().get(_event_url(online)).content.decode()
    assert "https://video.example/raum" not in public
    html = Client().get(f"/registrations/{registration_token_of(seated)}/").content.decode()
    assert "https://video.example/raum" in html
    html = Client().get(f"/registrations/{registration_token_of(waiting)}/").content.decode()
    assert "https://video.example/raum" not in html


def test_the_calendar_file_names_nobody(programme_world):
    pw = programme_world
    response = Client().get(f"/registrations/{pw.registration_token}/event.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Referrer-Policy"] == "no-referrer"
    body = response.content.decode()
    assert "BEGIN:VEVENT" in body
    assert pw.event.title in body
    assert "Rita" not in body
    assert "rita@holzwurm.example" not in body


def test_cancel_confirm_then_cancel_once(programme_world):
    pw = programme_world
    client = Client()
    url = f"/registrations/{pw.registration_token}/cancel/"
    confirm = client.get(url, **EN)
    assert confirm.status_code == 200
    assert "Cancel your registration?" in confirm.content.decode()
    assert confirm["Cache-Control"] == "private, no-store"
    # The token goes to no other site (no-referrer would make the browser post the form
    # with "Origin: null", which the CSRF check refuses).
    assert confirm["Referrer-Policy"] == "same-origin"
    pw.registration.refresh_from_db()
    assert pw.registration.status == "registered"

    response = client.post(url, **EN)
    assert response.status_code == 302
    assert response["Location"] == f"/registrations/{pw.registration_token}/"
    pw.registration.refresh_from_db()
    assert pw.registration.status == "cancelled"
    html = client.get(response["Location"], **EN).content.decode()
    assert "Your registration is cancelled." in html
    assert 'data-testid="registration-cancel"' not in html
    assert 'data-testid="door-ticket"' not in html

    # A second go changes nothing and is no error.
    cancelled_at = pw.registration.cancelled_at
    assert client.post(url).status_code == 302
    pw.registration.refresh_from_db()
    assert pw.registration.cancelled_at == cancelled_at
    # The other registration of the event is untouched.
    assert Registration.objects.filter(event=pw.event, status="registered").count() == 0
    assert pw.other_registration.__class__.objects.get(pk=pw.other_registration.pk).status == (
        "registered"
    )


def test_a_waitlisted_person_can_cancel_and_the_first_in_line_moves_up(programme_world):
    pw = programme_world
    full = OpenEventFactory(programme=pw.programme, capacity=1)
    seated = RegistrationFactory(event=full)
    first = _post(full, {"email": "erste@example.com", "company_name": "Erster Betrieb"})
    second = _post(full, {"email": "zweite@example.com", "company_name": "Zweiter Betrieb"})
    second_token = _token_from(second)
    first_token = _token_from(first)
    assert Client().post(f"/registrations/{second_token}/cancel/").status_code == 302
    assert registration_by_token(token=second_token).status == "cancelled"
    # The seated person cancels: the first waitlisted moves up.
    assert (
        Client().post(f"/registrations/{registration_token_of(seated)}/cancel/").status_code == 302
    )
    assert registration_by_token(token=first_token).status == "registered"
    html = Client().get(f"/registrations/{first_token}/", **EN).content.decode()
    assert "You are registered." in html


def test_nothing_to_cancel_once_the_event_is_cancelled(programme_world):
    pw = programme_world
    pw.event.status = "cancelled"
    pw.event.cancelled_at = timezone.now()
    pw.event.save()
    page = f"/registrations/{pw.registration_token}/"
    html = Client().get(page, **EN).content.decode()
    assert "This event has been cancelled." in html
    assert 'data-testid="registration-cancel"' not in html
    assert 'data-testid="door-ticket"' not in html
    for method in ("get", "post"):
        response = getattr(Client(), method)(f"{page}cancel/")
        assert response.status_code == 302
        assert response["Location"] == page
    pw.registration.refresh_from_db()
    assert pw.registration.status == "registered"
    # The calendar file now takes the entry out of the calendar.
    body = Client().get(f"{page}event.ics").content.decode()
    assert "METHOD:CANCEL" in body


# --- what the registrant is told (fix round) ----------------------------------------------------


def _ics(token: str, language: str = "de"):
    from icalendar import Calendar

    response = Client().get(f"/registrations/{token}/event.ics", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.content)
    (vevent,) = calendar.walk("VEVENT")
    return calendar, vevent, response.content.decode()


def test_the_calendar_file_by_status_video_link_tentative_and_cancel(programme_world):
    pw = programme_world
    online = OpenEventFactory(
        programme=pw.programme, capacity=1, location="", online_url="https://video.example/raum"
    )
    seated = RegistrationFactory(event=online, email="sitz@example.com")
    waiting = RegistrationFactory(event=online, status="waitlisted", email="warte@example.com")
    gone = RegistrationFactory(
        event=online, status="cancelled", cancelled_at=timezone.now(), email="weg@example.com"
    )
    public = f"/p/{pw.programme.slug}/events/{online.pk}/"

    calendar, vevent, body = _ics(registration_token_of(seated))
    assert calendar["METHOD"] == "PUBLISH"
    assert vevent["STATUS"] == "CONFIRMED"
    assert "https://video.example/raum" in body
    # Calendar entries are shared: the public event page, never the token page.
    assert str(vevent["URL"]).endswith(public)
    assert "/registrations/" not in body

    calendar, vevent, body = _ics(registration_token_of(waiting), "en")
    assert calendar["METHOD"] == "PUBLISH"
    assert vevent["STATUS"] == "TENTATIVE"
    assert str(vevent["SUMMARY"]).endswith("(waiting list)")
    _calendar, german, _body = _ics(registration_token_of(waiting))
    assert str(german["SUMMARY"]).endswith("(Warteliste)")
    assert "video.example" not in body
    assert "/registrations/" not in body

    calendar, vevent, body = _ics(registration_token_of(gone))
    assert calendar["METHOD"] == "CANCEL"
    assert vevent["STATUS"] == "CANCELLED"
    assert str(vevent["ATTENDEE"]) == "mailto:weg@example.com"
    assert vevent.decoded("DTSTAMP") >= timezone.now() - timedelta(minutes=1)
    assert vevent["SEQUENCE"] == online.sequence
    assert "video.example" not in body
    assert "/registrations/" not in body


def test_a_waitlisted_person_is_offered_a_tentative_entry(programme_world):
    pw = programme_world
    full = OpenEventFactory(programme=pw.programme, capacity=1)
    seated = RegistrationFactory(event=full)
    waiting = RegistrationFactory(event=full, status="waitlisted")
    html = Client().get(f"/registrations/{registration_token_of(waiting)}/", **EN).content.decode()
    assert "Save the date (waiting list)" in html
    assert "Add to calendar" not in html
    html = Client().get(f"/registrations/{registration_token_of(seated)}/", **EN).content.decode()
    assert "Add to calendar" in html
    assert "Save the date (waiting list)" not in html


def _cancel(token: str):
    client = Client()
    response = client.post(f"/registrations/{token}/cancel/", **EN)
    assert response.status_code == 302
    return client.get(response["Location"], **EN).content.decode()


def test_the_pages_say_the_seat_goes_on_only_when_it_does(programme_world):
    pw = programme_world
    full = OpenEventFactory(programme=pw.programme, capacity=1)
    seated = RegistrationFactory(event=full)
    waiting = RegistrationFactory(event=full, status="waitlisted")
    goes_on = "Your seat goes to the next person on the waiting list."
    gone_on = "Your seat has gone to the next person"

    # A waitlisted person leaves the waiting list: nobody's seat moves.
    confirm = Client().get(f"/registrations/{registration_token_of(waiting)}/cancel/", **EN)
    assert "You leave the waiting list." in confirm.content.decode()
    html = _cancel(registration_token_of(waiting))
    assert "You are no longer on the waiting list." in html
    assert gone_on not in html

    # Nobody waits any more: the seat just becomes free.
    confirm = Client().get(f"/registrations/{registration_token_of(seated)}/cancel/", **EN)
    assert goes_on not in confirm.content.decode()
    assert "Your seat becomes free again." in confirm.content.decode()
    html = _cancel(registration_token_of(seated))
    assert "Your registration is cancelled." in html
    assert gone_on not in html
    # Opened later: still no such claim.
    html = Client().get(f"/registrations/{registration_token_of(seated)}/", **EN).content.decode()
    assert gone_on not in html


def test_the_seat_goes_on_when_someone_waits(programme_world):
    pw = programme_world
    full = OpenEventFactory(programme=pw.programme, capacity=1)
    seated = RegistrationFactory(event=full)
    waiting = RegistrationFactory(event=full, status="waitlisted")
    confirm = Client().get(f"/registrations/{registration_token_of(seated)}/cancel/", **EN)
    assert "Your seat goes to the next person on the waiting list." in confirm.content.decode()
    html = _cancel(registration_token_of(seated))
    assert "Your seat has gone to the next person on the waiting list." in html
    waiting.refresh_from_db()
    assert waiting.status == "registered"


@pytest.mark.parametrize(("headers", "words"), [(DE, "Ortszeit Berlin"), (EN, "Berlin time")])
def test_the_zone_is_named_in_words_not_by_its_key(programme_world, headers, words):
    pw = programme_world
    pages = [
        f"/p/{pw.programme.slug}/",
        _event_url(pw.event),
        f"/registrations/{pw.registration_token}/",
        f"/registrations/{pw.registration_token}/cancel/",
    ]
    for page in pages:
        html = Client().get(page, **headers).content.decode()
        assert words in html, page
        assert "Europe/Berlin" not in html, page


def test_an_address_longer_than_the_model_holds_is_a_form_error(programme_world):
    pw = programme_world
    long_address = "a" * 64 + "@" + ".".join(["b" * 60] * 3) + ".example"
    assert 254 < len(long_address) <= 320
    response = _post(pw.event, {"email": long_address}, **EN)
    assert response.status_code == 400
    assert "at most 254 characters" in response.content.decode()
    assert not Registration.objects.filter(email=long_address).exists()
