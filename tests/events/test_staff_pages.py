"""The staff's event pages: only the programme's staff get them (404 for everyone else); the
event form creates, changes and cancels through events.services, in the programme's time zone;
the door checks people in by code and by name and registers walk-ins; the registrations list
shows e-mail addresses only where the privacy rule allows; queries stay constant."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.html import escape

from events import services
from events.models import EventStatus, OpenEvent, Registration
from tests.factories import OpenEventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _base(event) -> str:
    return f"/programmes/{event.programme_id}/events/{event.pk}/"


def _now_event(pw, **kwargs) -> OpenEvent:
    """An event running now: the door is open."""
    start = timezone.now() - timedelta(hours=1)
    return OpenEventFactory(
        programme=pw.programme,
        title="Infonachmittag Kantine",
        starts_at=start,
        ends_at=start + timedelta(hours=5),
        registration_deadline=start - timedelta(hours=2),
        **kwargs,
    )


# --- access --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "",
        "edit/",
        "cancel/",
        "door/",
        "door/count/",
        "door/?q=rita",
        "messages/",
        "registrations.xlsx",
        "registrations.csv",
    ],
)
@pytest.mark.parametrize("role", ["outsider", "member", "other_coach", "outside_facilitator"])
def test_event_pages_are_404_for_everyone_but_the_staff(programme_world, path, role):
    pw = programme_world
    response = _client(getattr(pw, role)).get(_base(pw.event) + path)
    assert response.status_code == 404


def test_an_event_under_another_programme_is_404(programme_world):
    pw = programme_world
    # The staff of programme ask for other_event under their own programme's address.
    url = f"/programmes/{pw.programme.pk}/events/{pw.other_event.pk}/"
    assert _client(pw.manager).get(url).status_code == 404
    # …and for their own event under the other programme's address.
    url = f"/programmes/{pw.other_programme.pk}/events/{pw.event.pk}/"
    assert _client(pw.manager).get(url).status_code == 404


def test_anonymous_is_sent_to_log_in(programme_world):
    response = Client().get(_base(programme_world.event) + "door/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_programme_home_has_an_events_card(programme_world):
    pw = programme_world
    response = _client(pw.coach).get(f"/programmes/{pw.programme.pk}/", **EN)
    assert f'href="/programmes/{pw.programme.pk}/events/"' in response.content.decode()


# --- list and form -------------------------------------------------------------------------


def test_list_shows_upcoming_past_and_drafts_with_counts(programme_world):
    pw = programme_world
    response = _client(pw.coach).get(f"/programmes/{pw.programme.pk}/events/", **EN)
    assert response.status_code == 200
    html = response.content.decode()
    upcoming, past = html.split('<h2 id="events-past">')
    assert "Digitalisierung im Handwerk" in upcoming
    assert "Entwurf: KI-Werkstatt" in upcoming and "Draft" in upcoming
    assert "Sprechtag Förderung" in past
    assert "1 of 40 registered" in upcoming
    assert "1 checked in" in past
    assert "EDIH Infotag" not in html


def _form(**overrides) -> dict:
    data = {
        "title": "Werkstatt KI im Betrieb",
        "format": "workshop",
        "description": "Praxisbeispiele",
        "starts_at_0": "2030-03-12",
        "starts_at_1": "14:00",
        "ends_at_0": "2030-03-12",
        "ends_at_1": "19:00",
        "location": "Kantine der Stadtwerke, Hagen",
        "online_url": "",
        "capacity": "30",
        "registration_deadline_0": "2030-03-10",
        "registration_deadline_1": "12:00",
        "max_per_company": "2",
        "question_0": "Was möchten Sie fragen?",
        "question_0_required": "on",
        "question_1": "",
        "question_2": "",
    }
    data.update(overrides)
    return data


def test_create_an_event_in_the_programme_time_zone(programme_world):
    pw = programme_world
    pw.programme.timezone = "Europe/Vienna"
    pw.programme.save(update_fields=["timezone"])
    response = _client(pw.coach).post(f"/programmes/{pw.programme.pk}/events/new/", _form())
    event = OpenEvent.objects.get(title="Werkstatt KI im Betrieb")
    assert response.status_code == 302
    assert response["Location"] == _base(event)
    vienna = ZoneInfo("Europe/Vienna")
    assert event.starts_at == datetime(2030, 3, 12, 14, 0, tzinfo=vienna)
    assert event.ends_at == datetime(2030, 3, 12, 19, 0, tzinfo=vienna)
    assert event.registration_deadline == datetime(2030, 3, 10, 12, 0, tzinfo=vienna)
    assert event.status == EventStatus.PUBLISHED
    assert event.capacity == 30 and event.max_per_company == 2
    assert event.format == "workshop"
    assert event.questions == [{"key": "q1", "label": "Was möchten Sie fragen?", "required": True}]
    assert event.created_by == pw.coach


def test_the_form_says_the_zone_and_create_as_draft_then_publish(programme_world):
    pw = programme_world
    client = _client(pw.manager)
    page = client.get(f"/programmes/{pw.programme.pk}/events/new/", **EN)
    assert "Berlin time" in page.content.decode()
    client.post(f"/programmes/{pw.programme.pk}/events/new/", _form(draft="on"))
    event = OpenEvent.objects.get(title="Werkstatt KI im Betrieb")
    assert event.status == EventStatus.DRAFT
    response = client.post(_base(event) + "publish/")
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED


def test_a_bad_form_is_400_with_the_field_and_creates_nothing(programme_world):
    pw = programme_world
    before = OpenEvent.objects.count()
    response = _client(pw.coach).post(
        f"/programmes/{pw.programme.pk}/events/new/",
        _form(ends_at_1="13:00", capacity="0"),
        **EN,
    )
    assert response.status_code == 400
    assert OpenEvent.objects.count() == before
    form = response.context["form"]
    assert "capacity" in form.errors
    # The end before the start: the service's rule, shown on the form.
    response = _client(pw.coach).post(
        f"/programmes/{pw.programme.pk}/events/new/", _form(ends_at_1="13:00"), **EN
    )
    assert response.status_code == 400
    assert response.context["form"].errors
    assert OpenEvent.objects.count() == before


def test_edit_keeps_question_keys_and_refuses_fewer_seats_than_registered(programme_world):
    pw = programme_world
    event = pw.event
    event.questions = [{"key": "topic", "label": "Thema?", "required": False}]
    event.save(update_fields=["questions"])
    RegistrationFactory(event=event)
    client = _client(pw.coach)
    page = client.get(_base(event) + "edit/")
    assert page.status_code == 200
    assert page.context["form"]["question_0"].value() == "Thema?"
    response = client.post(
        _base(event) + "edit/",
        _form(title="Digitalisierung im Handwerk (neu)", question_0="Welches Thema?"),
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    event.refresh_from_db()
    assert event.title == "Digitalisierung im Handwerk (neu)"
    assert event.questions[0]["key"] == "topic"
    assert event.questions[0]["label"] == "Welches Thema?"
    response = client.post(_base(event) + "edit/", _form(capacity="1"), **EN)
    assert response.status_code == 400
    assert "capacity" in response.context["form"].errors
    event.refresh_from_db()
    assert event.capacity == 30


def test_cancel_asks_first_and_says_everyone_is_told(programme_world):
    pw = programme_world
    client = _client(pw.coach)
    page = client.get(_base(pw.event) + "cancel/", **EN)
    assert page.status_code == 200
    assert "is told by e-mail" in page.content.decode()
    pw.event.refresh_from_db()
    assert pw.event.status == EventStatus.PUBLISHED
    response = client.post(_base(pw.event) + "cancel/")
    assert response.status_code == 302
    pw.event.refresh_from_db()
    assert pw.event.status == EventStatus.CANCELLED
    # Cancelled: read-only, and the door is shut.
    edit = client.get(_base(pw.event) + "edit/")
    assert edit.status_code == 302
    door = client.get(_base(pw.event) + "door/", **EN)
    assert "is cancelled" in door.content.decode()


# --- the event page --------------------------------------------------------------------------


def test_event_page_email_only_for_managers_and_only_with_consent(programme_world):
    pw = programme_world
    pw.event.questions = [{"key": "topic", "label": "Ihr Thema?", "required": False}]
    pw.event.save(update_fields=["questions"])
    pw.registration.answers = {"topic": "E-Rechnung"}
    pw.registration.save(update_fields=["answers"])
    RegistrationFactory(
        event=pw.event, name="Nora Nokontakt", email="nora@example.com", contact_consent=False
    )
    manager = _client(pw.manager).get(_base(pw.event), **EN).content.decode()
    coach = _client(pw.coach).get(_base(pw.event), **EN).content.decode()
    assert "Rita Registrant" in manager and "Nora Nokontakt" in manager
    assert "rita@holzwurm.example" in manager
    assert "nora@example.com" not in manager
    assert "Rita Registrant" in coach
    assert "rita@holzwurm.example" not in coach
    assert "nora@example.com" not in coach
    assert "<dt>Ihr Thema?</dt><dd>E-Rechnung</dd>" in coach
    # Times in the programme's zone, written out.
    start = timezone.localtime(pw.event.starts_at, ZoneInfo("Europe/Berlin"))
    assert start.strftime("%H:%M") in coach and "DATE_FORMAT" not in coach


def test_event_page_search_and_status_filter(programme_world):
    pw = programme_world
    RegistrationFactory(event=pw.event, name="Walter Warte", status="waitlisted")
    client = _client(pw.coach)
    found = client.get(_base(pw.event) + "?q=holzwurm", **EN)
    names = [row["registration"].name for row in found.context["rows"]]
    assert names == ["Rita Registrant"]
    waiting = client.get(_base(pw.event) + "?status=waitlisted", **EN)
    assert [row["registration"].name for row in waiting.context["rows"]] == ["Walter Warte"]
    bad = client.get(_base(pw.event) + "?status=sunk", **EN)
    assert bad.status_code == 200
    assert len(bad.context["rows"]) == 2


def test_event_page_shows_the_public_link_to_copy(programme_world):
    pw = programme_world
    html = _client(pw.coach).get(_base(pw.event), **EN).content.decode()
    assert f"/p/{pw.programme.slug}/events/{pw.event.pk}/" in html
    draft = _client(pw.coach).get(_base(pw.draft_event), **EN).content.decode()
    assert "A draft has no public page yet" in draft
    assert 'data-testid="event-public-url"' not in draft


def _queries(client, url) -> int:
    client.get(url)  # warm: the header's cached programme entry, sessions
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _grow(event, n):
    for i in range(n):
        RegistrationFactory(
            event=event,
            status="waitlisted" if i % 3 == 0 else "registered",
            attended_at=timezone.now() if i % 2 else None,
        )


@pytest.mark.parametrize("page", ["", "door/", "door/count/", "door/?q=Person"])
def test_pages_cost_the_same_queries_at_two_sizes(programme_world, page):
    pw = programme_world
    event = _now_event(pw)
    client = _client(pw.manager)
    url = _base(event) + page
    _grow(event, 3)
    small = _queries(client, url)
    _grow(event, 30)
    assert _queries(client, url) == small


# --- the door ----------------------------------------------------------------------------


def test_door_page_has_count_camera_and_typed_code(programme_world):
    pw = programme_world
    event = _now_event(pw)
    RegistrationFactory(event=event, attended_at=timezone.now())
    RegistrationFactory(event=event)
    response = _client(pw.coach).get(_base(event) + "door/", **EN)
    html = response.content.decode()
    assert response.status_code == 200
    assert "checked in of 2 registered" in html
    assert 'data-testid="door-count-attended">1<' in html
    assert "door.js" in html and "vendor/jsQR.js" in html
    assert 'hx-trigger="every 5s"' in html
    assert "<script>" not in html  # no inline script under the CSP


def test_door_check_in_by_code_with_htmx_then_already(programme_world):
    pw = programme_world
    event = _now_event(pw)
    person = RegistrationFactory(event=event, name="Anna Anders")
    client = _client(pw.coach)
    url = _base(event) + "check-in/"
    response = client.post(
        url, {"code": f"konvoi:{person.code.lower()}"}, HTTP_HX_REQUEST="true", **EN
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Anna Anders is checked in." in html
    assert 'hx-swap-oob="true"' in html and 'door-count-attended">1<' in html
    person.refresh_from_db()
    assert person.attended_at is not None and person.checked_in_by == pw.coach
    again = client.post(url, {"code": person.code}, HTTP_HX_REQUEST="true", **EN)
    at = timezone.localtime(person.attended_at, ZoneInfo("Europe/Berlin")).strftime("%H:%M")
    assert f"Anna Anders was already checked in at {at}." in again.content.decode()


def test_door_check_in_errors_are_said_and_change_nothing(programme_world):
    pw = programme_world
    event = _now_event(pw)
    client = _client(pw.coach)
    url = _base(event) + "check-in/"
    unknown = client.post(url, {"code": "ZZZZZZZZ"}, HTTP_HX_REQUEST="true", **EN)
    assert "Unknown code." in unknown.content.decode()
    empty = client.post(url, {"code": "  "}, HTTP_HX_REQUEST="true", **EN)
    assert "Type the code" in empty.content.decode()
    # A registration of another event: 404, nothing checked in.
    other = RegistrationFactory(event=pw.event)
    assert client.post(url, {"registration": other.pk}).status_code == 404
    assert not Registration.objects.filter(attended_at__isnull=False, event=event).exists()
    # Without htmx: back to the door, the words as a message.
    plain = client.post(url, {"code": "ZZZZZZZZ"}, follow=True, **EN)
    assert "Unknown code." in plain.content.decode()


def test_door_search_by_name_then_check_in_and_undo(programme_world):
    pw = programme_world
    event = _now_event(pw)
    person = RegistrationFactory(event=event, name="Bernd Bäcker", company_name="Backstube")
    RegistrationFactory(event=event, name="Clara Cancelled", status="cancelled")
    client = _client(pw.coach)
    page = client.get(_base(event) + "door/?q=bäck", **EN)
    assert [r.name for r in page.context["results"]] == ["Bernd Bäcker"]
    nobody = client.get(_base(event) + "door/?q=Clara", **EN)
    assert nobody.context["results"] == []
    response = client.post(
        _base(event) + "check-in/",
        {"registration": person.pk, "next": _base(event) + "door/?q=bäck"},
        **EN,
    )
    assert response.status_code == 302
    assert response["Location"] == _base(event) + "door/?q=b%C3%A4ck"
    person.refresh_from_db()
    assert person.attended_at is not None
    undo = client.post(_base(event) + f"check-in/{person.pk}/undo/")
    assert undo.status_code == 302
    person.refresh_from_db()
    assert person.attended_at is None


def test_door_refuses_a_next_address_elsewhere(programme_world):
    pw = programme_world
    event = _now_event(pw)
    person = RegistrationFactory(event=event)
    response = _client(pw.coach).post(
        _base(event) + "check-in/", {"registration": person.pk, "next": "https://evil.example/"}
    )
    assert response["Location"] == _base(event) + "door/"


def test_walk_in_is_registered_and_checked_in(programme_world):
    pw = programme_world
    event = _now_event(pw, capacity=1)
    RegistrationFactory(event=event)  # full: walk-ins are not limited by seats
    client = _client(pw.coach)
    response = client.post(
        _base(event) + "walk-ins/",
        {"name": "Wilma Walk", "company_name": "Walk GmbH", "postcode": "58095"},
        **EN,
    )
    assert response.status_code == 302
    walk = Registration.objects.get(name="Wilma Walk")
    assert walk.walk_in and walk.attended_at is not None and walk.status == "registered"
    assert walk.consent_at is not None and walk.contact_consent is False
    bad = client.post(_base(event) + "walk-ins/", {"name": "Ohne Firma"}, **EN)
    assert bad.status_code == 400
    assert "company_name" in bad.context["walk_in_form"].errors
    assert not Registration.objects.filter(name="Ohne Firma").exists()


def test_the_door_says_when_check_in_is_not_open(programme_world):
    pw = programme_world
    html = _client(pw.coach).get(_base(pw.event) + "door/", **EN).content.decode()
    with translation.override("en"):
        problem = services.check_in_problem(pw.event, now=timezone.now())
    assert problem and escape(problem) in html
    assert 'data-testid="door-problem"' in html
    response = _client(pw.coach).post(
        _base(pw.event) + "check-in/", {"registration": pw.registration.pk}, follow=True, **EN
    )
    assert escape(problem) in response.content.decode()
    pw.registration.refresh_from_db()
    assert pw.registration.attended_at is None


# --- messages after the event ----------------------------------------------------------------


def test_messages_page_counts_recipients_per_segment(programme_world):
    pw = programme_world
    event = pw.past_event
    RegistrationFactory(event=event, contact_consent=True, attended_at=event.starts_at)
    RegistrationFactory(event=event, contact_consent=True)  # a no-show
    RegistrationFactory(event=event, contact_consent=False, attended_at=event.starts_at)
    response = _client(pw.coach).get(_base(event) + "messages/", **EN)
    assert response.status_code == 200
    counts = {value: n for value, _label, n in response.context["segments"]}
    assert counts == {"attendees": 1, "no_shows": 1, "waitlist": 0}
    sent = _client(pw.coach).post(
        _base(event) + "messages/",
        {"segment": "attendees", "subject": "Folien", "body": "Die Folien im Anhang."},
    )
    assert sent.status_code == 302
    assert event.messages.get().subject == "Folien"
    bad = _client(pw.coach).post(_base(event) + "messages/", {"segment": "all"}, **EN)
    assert bad.status_code == 400


def test_the_event_page_leads_each_registration_to_the_company_register(programme_world):
    """Unmatched registrations link to the match page, with the number of register entries of
    the same name and postcode; matched ones name their entry."""
    from django.test import Client

    from events.matching import registration_company_confirm
    from programmes.services import company_record_create

    pw = programme_world
    company_record_create(
        programme=pw.programme,
        by=pw.manager,
        name="Tischlerei Holzwurm GmbH",
        sector="craft",
        size="2-9",
        city="Hagen",
        postcode="58097",
    )
    client = Client()
    client.force_login(pw.coach)
    page = f"/programmes/{pw.programme.pk}/events/{pw.event.pk}/"
    match = f"{page}registrations/{pw.registration.pk}/company/"
    html = client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'href="{match}"' in html
    assert "(1 matching entry)" in html
    registration_company_confirm(
        registration=pw.registration,
        by=pw.coach,
        record=pw.programme.company_records.get(company__name="Tischlerei Holzwurm GmbH"),
    )
    html = client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "In the company register as Tischlerei Holzwurm GmbH" in html
    assert "matching entry" not in html


@pytest.mark.parametrize("year", ["0001", "1999", "9999"])
@pytest.mark.parametrize("field", ["starts_at", "ends_at", "registration_deadline"])
def test_a_date_outside_the_years_is_said_on_its_field(programme_world, year, field):
    """events.services takes times from 2000 to ten years ahead: the form shows the rule on
    the field (no 500, nothing saved), on the new and on the edit form."""
    pw = programme_world
    client = _client(pw.coach)
    before = OpenEvent.objects.count()
    data = _form(**{f"{field}_0": f"{year}-03-12"})
    response = client.post(f"/programmes/{pw.programme.pk}/events/new/", data, **EN)
    assert response.status_code == 400
    assert OpenEvent.objects.count() == before
    errors = response.context["form"].errors[field]
    assert any("Enter a date from 2000" in e for e in errors), errors
    assert "Enter a date from 2000" in response.content.decode()
    starts = pw.event.starts_at
    response = client.post(_base(pw.event) + "edit/", data, **EN)
    assert response.status_code == 400
    assert any("Enter a date from 2000" in e for e in response.context["form"].errors[field])
    pw.event.refresh_from_db()
    assert pw.event.starts_at == starts


def test_staff_pages_name_the_zone_in_words_not_its_key(programme_world):
    pw = programme_world
    client = _client(pw.manager)
    base = f"/programmes/{pw.programme.pk}/events/"
    for path in (base, base + "new/", _base(pw.event), _base(pw.event) + "edit/"):
        page = client.get(path, HTTP_ACCEPT_LANGUAGE="de").content.decode()
        assert "Europe/Berlin" not in page, path
        assert "Ortszeit Berlin" in page, path


def test_the_export_buttons_send_excel_users_to_the_xlsx(programme_world):
    pw = programme_world
    page = _client(pw.manager).get(_base(pw.event), **EN).content.decode()
    assert ">Excel (XLSX)</a>" in page
    assert 'aria-describedby="event-export-help"' in page
    assert "For Excel, take the XLSX file." in page


def test_the_list_gives_the_end_day_of_an_event_past_midnight(programme_world):
    pw = programme_world
    berlin = ZoneInfo("Europe/Berlin")
    OpenEventFactory(
        programme=pw.programme,
        title="Lange Nacht der Digitalisierung",
        starts_at=datetime(2030, 6, 14, 20, 0, tzinfo=berlin),
        ends_at=datetime(2030, 6, 15, 1, 0, tzinfo=berlin),
        registration_deadline=datetime(2030, 6, 13, 12, 0, tzinfo=berlin),
    )
    page = _client(pw.coach).get(f"/programmes/{pw.programme.pk}/events/", **EN)
    html = page.content.decode()
    assert "Now and upcoming" in html
    row = html.split("Lange Nacht der Digitalisierung", 1)[1].split("</p>", 1)[0]
    assert "20:00–Sat, " in row and "01:00" in row, row


def test_the_registration_filter_does_not_mark_its_fields_optional(programme_world):
    pw = programme_world
    html = _client(pw.coach).get(_base(pw.event) + "?q=rita&status=registered", **EN)
    form = (
        html.content.decode().split('data-testid="registration-filter"', 1)[1].split("</form>")[0]
    )
    assert "optional" not in form
    assert 'value="rita"' in form and '<option value="registered" selected>' in form


def test_the_event_page_says_when_a_contact_consent_waits_for_the_address(programme_world):
    pw = programme_world
    Registration.objects.filter(pk=pw.registration.pk).update(email_confirmed_at=None)
    client = _client(pw.manager)
    html = client.get(_base(pw.event), **EN).content.decode()
    assert "Agreed to be contacted; the e-mail address is not confirmed yet." in html
    assert pw.registration.email not in html
    Registration.objects.filter(pk=pw.registration.pk).update(email_confirmed_at=timezone.now())
    html = client.get(_base(pw.event), **EN).content.decode()
    assert "not confirmed yet" not in html
    assert pw.registration.email in html


def test_a_past_event_offers_no_cancel(programme_world):
    pw = programme_world
    html = _client(pw.manager).get(_base(pw.past_event), **EN).content.decode()
    assert 'data-testid="event-cancel-link"' not in html


def test_the_form_reads_clock_change_times_as_the_api_does(programme_world):
    """31 October 2027, Berlin: 02:30 happens twice; the form takes it as the first pass (the
    service's rule, as the API does) instead of Django's refusal."""
    pw = programme_world
    client = _client(pw.coach)
    data = _form(
        starts_at_0="2027-10-31",
        starts_at_1="02:30",
        ends_at_0="2027-10-31",
        ends_at_1="04:00",
        registration_deadline_0="2027-10-30",
    )
    response = client.post(f"/programmes/{pw.programme.pk}/events/new/", data, **EN)
    assert response.status_code == 302, response.content.decode()[:2000]
    event = OpenEvent.objects.get(title="Werkstatt KI im Betrieb")
    assert event.starts_at.utcoffset() is not None
    assert event.starts_at.astimezone(ZoneInfo("UTC")).hour == 0  # 02:30 CEST = 00:30 UTC
