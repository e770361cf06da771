"""The staff API of open events as the contract: events of a programme, their registrations
(e-mail addresses only where the privacy rule allows), the door check-in and walk-ins. Who
may call what is the programme matrix (tests/programmes/test_matrix.py); here the shapes,
the rules behind them and the errors naming the field, with nothing changed."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import OpenEvent, Registration
from events.services import registration_create
from tests.factories import OpenEventFactory, RegistrationFactory
from tests.support.domain import domain_state

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


def _day(days: int = 30):
    """A date a month ahead (naive wall-clock times are read in the programme's zone)."""
    return (timezone.now() + timedelta(days=days)).astimezone(BERLIN).date()


def _new_event(pw, **overrides):
    day = _day()
    body = {
        "title": "KI im Betrieb",
        "description": "Vorträge und Gespräche.",
        "format": "workshop",
        "starts_at": f"{day}T14:00",
        "ends_at": f"{day}T19:00",
        "location": "Kantine der Stadtwerke, Hagen",
        "capacity": 30,
        "registration_deadline": f"{day - timedelta(days=1)}T12:00",
        "max_per_company": 2,
        "questions": [{"key": "topic", "label": "Ihr Thema?", "required": False}],
    }
    body.update(overrides)
    return body


def _door_open_event(pw, **overrides):
    """An event happening now: the door is open."""
    now = timezone.now()
    values = {
        "programme": pw.programme,
        "starts_at": now - timedelta(hours=1),
        "ends_at": now + timedelta(hours=3),
        "registration_deadline": now - timedelta(hours=2),
    }
    values.update(overrides)
    return OpenEventFactory(**values)


def _en(client):
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


# --- events -----------------------------------------------------------------------------------


def test_coach_creates_event_public_at_once(programme_world, client_for):
    pw = programme_world
    response = client_for(pw.coach).post(
        f"/api/v1/programmes/{pw.programme.pk}/events/", _new_event(pw), format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    event = OpenEvent.objects.get(pk=body["id"])
    assert body["public_url"] == (f"{settings.SITE_URL}/p/{pw.programme.slug}/events/{event.pk}/")
    assert body["status"] == "published"
    assert event.created_by == pw.coach
    assert event.max_per_company == 2
    assert event.questions == [{"key": "topic", "label": "Ihr Thema?", "required": False}]
    # 14:00 wall-clock time in Berlin, returned with Berlin's offset that day.
    day = _day()
    starts = datetime(day.year, day.month, day.day, 14, tzinfo=BERLIN)
    assert event.starts_at == starts
    assert body["starts_at"] == starts.isoformat()
    assert body["timezone"] == "Europe/Berlin"
    assert body["seats_left"] == 30
    assert (body["registered_count"], body["waitlisted_count"], body["attended_count"]) == (
        0,
        0,
        0,
    )


def test_event_times_follow_the_programmes_zone(programme_world, client_for):
    pw = programme_world
    pw.programme.timezone = "America/New_York"
    pw.programme.save(update_fields=["timezone"])
    response = client_for(pw.manager).post(
        f"/api/v1/programmes/{pw.programme.pk}/events/", _new_event(pw), format="json"
    )

    assert response.status_code == 201, response.content
    event = OpenEvent.objects.get(pk=response.json()["id"])
    local = event.starts_at.astimezone(ZoneInfo("America/New_York"))
    assert (local.hour, local.minute) == (14, 0)
    assert response.json()["starts_at"] == local.isoformat()


def test_event_with_an_offset_keeps_its_instant(programme_world, client_for):
    pw = programme_world
    day = _day()
    body = _new_event(pw, starts_at=f"{day}T13:00:00Z", ends_at=f"{day}T18:00:00Z")
    response = client_for(pw.coach).post(
        f"/api/v1/programmes/{pw.programme.pk}/events/", body, format="json"
    )

    assert response.status_code == 201, response.content
    event = OpenEvent.objects.get(pk=response.json()["id"])
    assert event.starts_at == datetime(day.year, day.month, day.day, 13, tzinfo=UTC)


def test_draft_is_not_public_until_published(programme_world, client_for):
    pw = programme_world
    client = client_for(pw.coach)
    response = client.post(
        f"/api/v1/programmes/{pw.programme.pk}/events/", _new_event(pw, draft=True), format="json"
    )
    assert response.status_code == 201
    event_id = response.json()["id"]
    assert response.json()["status"] == "draft"
    assert client_for(None).get(f"/api/v1/public/events/{event_id}/").status_code == 404

    published = client.post(f"/api/v1/events/{event_id}/publish/")

    assert published.status_code == 200
    assert published.json()["status"] == "published"
    assert client_for(None).get(f"/api/v1/public/events/{event_id}/").status_code == 200


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": "viele"}, "capacity"),
        ({"format": "party"}, "format"),
        ({"starts_at": "morgen"}, "starts_at"),
        ({"starts_at": "0050-01-01T14:00"}, "starts_at"),
        ({"registration_deadline": "9999-12-31T23:59"}, "registration_deadline"),
        ({"online_url": "zoom"}, "online_url"),
        ({"max_per_company": 0}, "max_per_company"),
        ({"questions": [{"key": "Bad Key!", "label": "?"}]}, "questions"),
        ({"questions": "topic"}, "questions"),
    ],
)
def test_bad_event_input_is_a_400_naming_the_field(programme_world, client_for, overrides, field):
    pw = programme_world
    before = domain_state()
    response = client_for(pw.coach).post(
        f"/api/v1/programmes/{pw.programme.pk}/events/", _new_event(pw, **overrides), format="json"
    )

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert domain_state() == before


def test_rules_between_fields_are_400s_in_the_callers_language(programme_world, client_for):
    pw = programme_world
    day = _day()
    body = _new_event(pw, ends_at=f"{day}T13:00")
    url = f"/api/v1/programmes/{pw.programme.pk}/events/"

    english = _en(client_for(pw.coach)).post(url, body, format="json")
    german = client_for(pw.coach).post(url, body, format="json", HTTP_ACCEPT_LANGUAGE="de")

    assert english.status_code == german.status_code == 400
    assert english.json() == {"ends_at": ["The event must end after it starts."]}
    assert list(german.json()) == ["ends_at"]
    late = _new_event(pw, registration_deadline=f"{day}T15:00")
    response = _en(client_for(pw.coach)).post(url, late, format="json")
    assert list(response.json()) == ["registration_deadline"]
    untitled = {key: value for key, value in body.items() if key != "title"}
    english = _en(client_for(pw.coach)).post(url, untitled, format="json")
    german = client_for(pw.coach).post(url, untitled, format="json", HTTP_ACCEPT_LANGUAGE="de")
    assert english.json() == {"title": ["This field is required."]}
    assert german.json() == {"title": ["Dieses Feld ist zwingend erforderlich."]}


def test_programme_event_list_counts_without_registrants(programme_world, client_for):
    pw = programme_world
    RegistrationFactory(event=pw.event, status="waitlisted")
    RegistrationFactory(event=pw.event, status="cancelled")

    response = client_for(pw.coach).get(f"/api/v1/programmes/{pw.programme.pk}/events/")

    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    assert set(rows) == {pw.event.pk, pw.draft_event.pk, pw.past_event.pk}
    row = rows[pw.event.pk]
    assert (row["registered_count"], row["waitlisted_count"], row["seats_left"]) == (1, 1, 39)
    assert rows[pw.past_event.pk]["attended_count"] == 1
    assert "Rita" not in response.content.decode()


def test_patch_changes_the_event_and_reports_counts(programme_world, client_for):
    pw = programme_world
    response = client_for(pw.coach).patch(
        f"/api/v1/events/{pw.event.pk}/",
        {"location": "Rathaus Hagen", "capacity": 10},
        format="json",
    )

    assert response.status_code == 200, response.content
    pw.event.refresh_from_db()
    assert pw.event.location == "Rathaus Hagen"
    assert pw.event.sequence == 1  # registrants are told of the new place
    assert response.json()["seats_left"] == 9


def test_patch_with_fewer_seats_than_registered_is_refused(programme_world, client_for):
    pw = programme_world
    RegistrationFactory(event=pw.event)
    before = domain_state()

    response = _en(client_for(pw.coach)).patch(
        f"/api/v1/events/{pw.event.pk}/", {"capacity": 1}, format="json"
    )

    assert response.status_code == 400
    assert "capacity" in response.json()
    assert domain_state() == before


def test_more_seats_move_the_waiting_list_up(programme_world, client_for):
    pw = programme_world
    event = OpenEventFactory(programme=pw.programme, capacity=1, created_by=pw.coach)
    RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, status="waitlisted")

    response = client_for(pw.coach).patch(
        f"/api/v1/events/{event.pk}/", {"capacity": 2}, format="json"
    )

    assert response.status_code == 200, response.content
    waiting.refresh_from_db()
    assert waiting.status == "registered"
    assert (response.json()["registered_count"], response.json()["seats_left"]) == (2, 0)


def test_cancel_then_the_event_is_read_only(programme_world, client_for):
    pw = programme_world
    client = _en(client_for(pw.manager))

    cancelled = client.post(f"/api/v1/events/{pw.event.pk}/cancel/")
    again = client.post(f"/api/v1/events/{pw.event.pk}/cancel/")
    patched = client.patch(f"/api/v1/events/{pw.event.pk}/", {"title": "Neu"}, format="json")

    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancelled_at"]
    assert again.status_code == 400
    assert again.json() == {"non_field_errors": ["This event is already cancelled."]}
    assert patched.status_code == 400
    assert "non_field_errors" in patched.json()


def test_patch_with_bad_input_changes_nothing(programme_world, client_for):
    pw = programme_world
    before = domain_state()
    response = client_for(pw.coach).patch(
        f"/api/v1/events/{pw.event.pk}/", {"capacity": -5, "title": "Neu"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["capacity"]
    assert domain_state() == before


# --- registrations ----------------------------------------------------------------------------


def test_registrations_list_shape_for_a_manager(programme_world, client_for):
    pw = programme_world
    silent = RegistrationFactory(event=pw.event, name="Sven Still", contact_consent=False)

    response = client_for(pw.manager).get(f"/api/v1/events/{pw.event.pk}/registrations/")

    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    rita = rows[pw.registration.pk]
    assert rita["email"] == "rita@holzwurm.example"  # agreed to be contacted
    assert {
        key: rita[key]
        for key in ("name", "company_name", "postcode", "status", "attended", "walk_in")
    } == {
        "name": "Rita Registrant",
        "company_name": "Tischlerei Holzwurm",
        "postcode": "58097",
        "status": "registered",
        "attended": False,
        "walk_in": False,
    }
    assert rita["position"] is None
    assert rita["attended_at"] is None
    assert rita["contact_consent"] is True
    assert "email" not in rows[silent.pk]  # did not agree: the key is absent
    assert "code" not in rita and "token_hash" not in rita


def test_coaches_never_see_addresses(programme_world, client_for):
    pw = programme_world
    response = client_for(pw.coach).get(f"/api/v1/events/{pw.event.pk}/registrations/")

    assert response.status_code == 200
    assert all("email" not in row for row in response.json()["results"])
    assert "rita@holzwurm.example" not in response.content.decode()


def test_registrations_positions_search_and_filter(programme_world, client_for):
    pw = programme_world
    event = OpenEventFactory(programme=pw.programme, capacity=1)
    people = []
    for name, company in [("Anna", "Alpha"), ("Bernd", "Beta"), ("Carla", "Gamma")]:
        people.append(
            registration_create(
                event=event,
                name=name,
                email=f"{name.lower()}@example.com",
                company_name=company,
                postcode="58095",
                size="2-9",
                sector="craft",
                consent=True,
            ).registration
        )
    client = client_for(pw.coach)
    url = f"/api/v1/events/{event.pk}/registrations/"

    everyone = client.get(url).json()["results"]
    waiting = client.get(url, {"status": "waitlisted"}).json()["results"]
    found = client.get(url, {"q": "gamm"}).json()["results"]
    by_code = client.get(url, {"q": people[1].code.lower()}).json()["results"]
    bad = _en(client_for(pw.coach)).get(url, {"status": "maybe"})

    assert [(r["name"], r["status"], r["position"]) for r in everyone] == [
        ("Anna", "registered", None),
        ("Bernd", "waitlisted", 1),
        ("Carla", "waitlisted", 2),
    ]
    assert [r["name"] for r in waiting] == ["Bernd", "Carla"]
    assert [r["name"] for r in found] == ["Carla"]
    assert [r["name"] for r in by_code] == ["Bernd"]
    assert bad.status_code == 400
    assert "status" in bad.json()


@pytest.mark.parametrize("role", ["manager", "coach"])
def test_registrations_list_queries_do_not_grow(programme_world, client_for, role):
    pw = programme_world
    event = OpenEventFactory(programme=pw.programme, capacity=5)
    client = client_for(getattr(pw, role))
    url = f"/api/v1/events/{event.pk}/registrations/"

    def grow(n):
        for i in range(n):
            RegistrationFactory(
                event=event,
                status="waitlisted" if i % 2 else "registered",
                contact_consent=bool(i % 3),
                attended_at=timezone.now() if i % 4 == 0 else None,
            )

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), response.json()["count"]

    grow(3)
    small, small_rows = count()
    grow(27)
    large, large_rows = count()

    assert (small_rows, large_rows) == (3, 30)
    assert small == large


# --- the door ---------------------------------------------------------------------------------


def test_check_in_by_registration_and_again(programme_world, client_for):
    pw = programme_world
    event = _door_open_event(pw)
    registration = RegistrationFactory(event=event, name="Dora Door")
    client = client_for(pw.coach)
    url = f"/api/v1/events/{event.pk}/attendance/"

    first = client.post(url, {"registration": registration.pk}, format="json")
    second = client.post(url, {"registration": registration.pk}, format="json")

    assert first.status_code == 200, first.content
    assert first.json()["already"] is False
    assert first.json()["registration"]["id"] == registration.pk
    assert first.json()["registration"]["attended"] is True
    assert second.json()["already"] is True
    registration.refresh_from_db()
    assert registration.attended_at is not None
    assert registration.checked_in_by == pw.coach


def test_check_in_by_typed_code_lets_a_waitlisted_person_in(programme_world, client_for):
    pw = programme_world
    event = _door_open_event(pw)
    registration = RegistrationFactory(event=event, status="waitlisted")
    typed = f"konvoi:{registration.code[:4].lower()} {registration.code[4:].lower()}"

    response = client_for(pw.manager).post(
        f"/api/v1/events/{event.pk}/attendance/", {"code": typed}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["registration"]["status"] == "registered"
    registration.refresh_from_db()
    assert registration.status == "registered"
    assert registration.attended_at is not None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "registration"),
        ({"code": ""}, "registration"),
        ({"code": "ZZZZ9999"}, "code"),
        ({"registration": "other"}, "registration"),
        ({"registration": 2**63}, "registration"),
        ({"registration": "x"}, "registration"),
    ],
)
def test_bad_check_in_is_a_400_naming_the_field(programme_world, client_for, body, field):
    pw = programme_world
    event = _door_open_event(pw)
    if body.get("registration") == "other":
        body = {"registration": pw.registration.pk}  # of another event
    before = domain_state()

    response = _en(client_for(pw.coach)).post(
        f"/api/v1/events/{event.pk}/attendance/", body, format="json"
    )

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert domain_state() == before


def test_check_in_refuses_a_cancelled_registration_and_a_closed_door(programme_world, client_for):
    pw = programme_world
    event = _door_open_event(pw)
    cancelled = RegistrationFactory(event=event, status="cancelled")
    client = _en(client_for(pw.coach))

    refused = client.post(
        f"/api/v1/events/{event.pk}/attendance/", {"code": cancelled.code}, format="json"
    )
    not_yet = client.post(
        f"/api/v1/events/{pw.event.pk}/attendance/",
        {"registration": pw.registration.pk},
        format="json",
    )

    assert refused.status_code == 400
    assert "walk-in" in refused.json()["code"][0]
    assert not_yet.status_code == 400
    assert "registration" in not_yet.json()


def test_undo_a_check_in(programme_world, client_for):
    pw = programme_world
    event = _door_open_event(pw)
    registration = RegistrationFactory(event=event, attended_at=timezone.now())
    client = _en(client_for(pw.coach))
    url = f"/api/v1/events/{event.pk}/attendance/{registration.pk}/"

    undone = client.delete(url)
    again = client.delete(url)
    foreign = client.delete(f"/api/v1/events/{event.pk}/attendance/{pw.registration.pk}/")

    assert undone.status_code == 204
    registration.refresh_from_db()
    assert registration.attended_at is None
    assert again.status_code == 400
    assert "registration" in again.json()
    assert foreign.status_code == 404


def test_walk_in_is_registered_and_checked_in(programme_world, client_for):
    pw = programme_world
    event = _door_open_event(pw, capacity=1)
    RegistrationFactory(event=event)  # full: walk-ins are not limited by the seats

    response = client_for(pw.coach).post(
        f"/api/v1/events/{event.pk}/walk-ins/",
        {"name": "Walter Walk", "company_name": "Spontan GmbH", "postcode": "58095"},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["attended"], body["walk_in"]) == ("registered", True, True)
    registration = Registration.objects.get(pk=body["id"])
    assert registration.consent_at is not None
    assert registration.checked_in_by == pw.coach
    counts = client_for(pw.coach).get(f"/api/v1/events/{event.pk}/").json()
    assert counts["attended_count"] == 1


def test_walk_in_needs_name_company_and_postcode(programme_world, client_for):
    pw = programme_world
    event = _door_open_event(pw)
    before = domain_state()

    response = _en(client_for(pw.coach)).post(
        f"/api/v1/events/{event.pk}/walk-ins/", {"name": "Walter"}, format="json"
    )

    assert response.status_code == 400
    assert {"company_name", "postcode"} <= set(response.json())
    assert domain_state() == before


@pytest.mark.parametrize(
    "starts_at", ["0001-01-01T10:00:00", "0050-01-01T10:00:00+00:00", "9999-12-31T10:00:00"]
)
def test_event_times_at_the_edge_of_the_calendar_are_400s(programme_world, client_for, starts_at):
    pw = programme_world
    response = client_for(pw.coach).post(
        f"/api/v1/programmes/{pw.programme.pk}/events/",
        {
            "title": "Zeitreise",
            "starts_at": starts_at,
            "ends_at": "2027-01-01T12:00:00",
            "capacity": 10,
            "registration_deadline": "2026-12-31T12:00:00",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "starts_at" in response.json()
