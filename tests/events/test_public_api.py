"""The public API of open events as the contract: anyone reads a programme's upcoming events
and registers without an account; the token from the answer opens the registrant's own
registration and cancels it once. No public answer tells anything about other registrants
(seats left only); registering is guarded by a honeypot and a rate limit per address."""

import json
from datetime import timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events import mails
from events.keys import registration_token_of
from events.models import Registration
from events.services import registration_create
from tests.factories import OpenEventFactory, RegistrationFactory, UserFactory
from tests.support.domain import domain_state

pytestmark = pytest.mark.django_db

PERSON = {
    "name": "Paul Public",
    "email": "paul@public.example",
    "company_name": "Malerei Farbenfroh GmbH",
    "postcode": "58095",
    "size": "10-49",
    "sector": "craft",
    "consent": True,
}


def _register(client, event, **overrides):
    body = {**PERSON, **overrides}
    return client.post(
        f"/api/v1/public/events/{event.pk}/registrations/",
        json.dumps(body),
        content_type="application/json",
    )


def _en():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


# --- reading ----------------------------------------------------------------------------------


def test_programme_lists_its_upcoming_published_events(programme_world):
    pw = programme_world
    response = Client().get(f"/api/v1/public/programmes/{pw.programme.slug}/events/")

    assert response.status_code == 200
    rows = response.json()["results"]
    # Not the draft, not the past event, not the other programme's.
    assert [row["id"] for row in rows] == [pw.event.pk]
    row = rows[0]
    assert row["title"] == "Digitalisierung im Handwerk"
    assert row["seats_left"] == 39
    assert row["registration_open"] is True
    assert row["public_url"] == (f"{settings.SITE_URL}/p/{pw.programme.slug}/events/{pw.event.pk}/")
    assert Client().get("/api/v1/public/programmes/unbekannt/events/").status_code == 404


def test_public_list_queries_do_not_grow(programme_world):
    pw = programme_world
    url = f"/api/v1/public/programmes/{pw.programme.slug}/events/"

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert Client().get(url).status_code == 200
        return len(queries)

    small = count()
    for _ in range(5):
        event = OpenEventFactory(programme=pw.programme)
        for _ in range(4):
            RegistrationFactory(event=event)
    assert count() == small


def test_event_detail_in_the_programmes_zone(programme_world):
    pw = programme_world
    event = OpenEventFactory(
        programme=pw.programme,
        online_url="https://video.example/raum-7",
        max_per_company=2,
        questions=[{"key": "topic", "label": "Ihr Thema?", "required": True}],
    )

    response = Client().get(f"/api/v1/public/events/{event.pk}/")

    assert response.status_code == 200
    body = response.json()
    local = event.starts_at.astimezone(ZoneInfo("Europe/Berlin"))
    assert body["starts_at"] == local.isoformat()
    assert body["starts_at"].endswith(("+01:00", "+02:00"))
    assert body["timezone"] == "Europe/Berlin"
    assert body["online"] is True
    assert "video.example" not in response.content.decode()  # the link: registrants only
    assert body["questions"] == [{"key": "topic", "label": "Ihr Thema?", "required": True}]
    assert (body["capacity"], body["seats_left"], body["max_per_company"]) == (40, 40, 2)
    assert body["cancelled"] is False


def test_drafts_and_unknown_events_are_404_cancelled_ones_say_so(programme_world):
    pw = programme_world
    cancelled = OpenEventFactory(programme=pw.programme, status="cancelled")

    assert Client().get(f"/api/v1/public/events/{pw.draft_event.pk}/").status_code == 404
    assert Client().get("/api/v1/public/events/987654/").status_code == 404
    response = Client().get(f"/api/v1/public/events/{cancelled.pk}/")
    assert response.status_code == 200
    assert response.json()["cancelled"] is True
    assert response.json()["registration_open"] is False


# --- registering ------------------------------------------------------------------------------


def test_register_gets_a_seat_and_a_token(programme_world):
    pw = programme_world
    response = _register(Client(HTTP_ACCEPT_LANGUAGE="en"), pw.event, contact_consent=True)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "registered"
    assert "position" not in body
    registration = Registration.objects.get(email="paul@public.example")
    assert body["cancel_token"] == registration_token_of(registration)
    assert registration.contact_consent is True
    assert registration.consent_at is not None
    assert registration.language == "en"
    assert set(body) == {"status", "cancel_token"}


def test_full_event_puts_people_on_the_waiting_list_in_order(programme_world):
    pw = programme_world
    event = OpenEventFactory(programme=pw.programme, capacity=1)
    client = Client()

    first = _register(client, event, email="a@example.com", company_name="A")
    second = _register(client, event, email="b@example.com", company_name="B")
    third = _register(client, event, email="c@example.com", company_name="C")

    assert first.json()["status"] == "registered"
    assert (second.json()["status"], second.json()["position"]) == ("waitlisted", 1)
    assert (third.json()["status"], third.json()["position"]) == ("waitlisted", 2)
    detail = client.get(f"/api/v1/public/events/{event.pk}/").json()
    assert detail["seats_left"] == 0
    assert detail["registration_open"] is True  # full still takes people: the waiting list


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"consent": False}, "consent"),
        ({"consent": None}, "consent"),
        ({"email": "kein-at"}, "email"),
        ({"name": ""}, "name"),
        ({"size": "huge"}, "size"),
        ({"sector": "space"}, "sector"),
        ({"answers": {"unknown": "x"}}, "answers"),
        ({"answers": "x"}, "answers"),
    ],
)
def test_bad_registrations_are_400s_naming_the_field(programme_world, overrides, field):
    pw = programme_world
    before = domain_state()

    response = _register(_en(), pw.event, **overrides)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert field in response.json(), response.json()
    assert domain_state() == before


def test_consent_is_required_in_the_callers_language(programme_world):
    pw = programme_world
    body = {key: value for key, value in PERSON.items() if key != "consent"}

    english = _en().post(
        f"/api/v1/public/events/{pw.event.pk}/registrations/",
        json.dumps(body),
        content_type="application/json",
    )
    german = _register(Client(HTTP_ACCEPT_LANGUAGE="de"), pw.event, name="")

    assert english.status_code == 400
    assert list(english.json()) == ["consent"]
    assert "agree to the processing" in english.json()["consent"][0]
    assert german.json()["name"] == ["Dieses Feld darf nicht leer sein."]
    assert not Registration.objects.filter(email=PERSON["email"]).exists()


def test_required_question_must_be_answered(programme_world):
    pw = programme_world
    event = OpenEventFactory(
        programme=pw.programme,
        questions=[{"key": "topic", "label": "Your topic", "required": True}],
    )

    missing = _register(_en(), event)
    answered = _register(_en(), event, answers={"topic": "Kasse"})

    assert missing.status_code == 400
    assert "answers" in missing.json()
    assert answered.status_code == 201
    assert Registration.objects.get(event=event).answers == {"topic": "Kasse"}


def test_per_company_cap_counts_the_same_company(programme_world):
    pw = programme_world
    event = OpenEventFactory(programme=pw.programme, max_per_company=1)

    first = _register(_en(), event)
    # The same company: legal form, case and spaces in the postcode do not count.
    second = _register(
        _en(), event, email="kollegin@public.example", company_name="malerei farbenfroh"
    )
    elsewhere = _register(_en(), event, email="x@public.example", postcode="58097")

    assert first.status_code == 201
    assert second.status_code == 400
    assert "company_name" in second.json()
    assert elsewhere.status_code == 201


def test_registration_closes_at_the_deadline(programme_world):
    pw = programme_world
    now = timezone.now()
    event = OpenEventFactory(
        programme=pw.programme,
        starts_at=now + timedelta(hours=5),
        ends_at=now + timedelta(hours=8),
        registration_deadline=now - timedelta(minutes=1),
    )
    before = domain_state()

    response = _register(_en(), event)
    detail = Client().get(f"/api/v1/public/events/{event.pk}/").json()

    assert response.status_code == 400
    assert response.json()["non_field_errors"][0].startswith("Registration closed")
    assert detail["registration_open"] is False
    assert domain_state() == before


def test_cancelled_and_draft_events_take_no_registrations(programme_world):
    pw = programme_world
    cancelled = OpenEventFactory(programme=pw.programme, status="cancelled")

    assert _register(_en(), cancelled).status_code == 400
    assert _register(_en(), pw.draft_event).status_code == 404
    assert not Registration.objects.filter(email=PERSON["email"]).exists()


def test_honeypot_refuses_without_saying_why(programme_world):
    pw = programme_world
    before = domain_state()

    response = _register(_en(), pw.event, website="https://spam.example")

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["This registration was not accepted."]}
    assert domain_state() == before


@override_settings(EVENT_REGISTRATIONS_PER_HOUR=2)
def test_registrations_are_limited_per_address(programme_world):
    pw = programme_world
    cache.clear()
    client = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="203.0.113.20")

    statuses = [
        _register(client, pw.event, email=f"p{i}@example.com", company_name=f"B{i}").status_code
        for i in range(3)
    ]
    other_address = _register(
        Client(REMOTE_ADDR="203.0.113.21"), pw.event, email="q@example.com", company_name="Q"
    )
    limited = _register(client, pw.event, email="p9@example.com", company_name="B9")

    assert statuses == [201, 201, 429]
    assert other_address.status_code == 201
    assert limited.status_code == 429
    assert "registrations from your network" in limited.json()["detail"]
    assert int(limited["Retry-After"]) > 0
    assert Registration.objects.filter(email__startswith="p").count() == 2


def test_logged_in_browsers_register_without_a_csrf_token(programme_world):
    """The public endpoints authenticate nobody, so a session cookie neither helps nor makes
    CSRF apply: the form works the same for anyone."""
    pw = programme_world
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())

    response = _register(client, pw.event)

    assert response.status_code == 201, response.content
    assert Registration.objects.filter(email=PERSON["email"], event=pw.event).exists()


# --- the registrant's own registration --------------------------------------------------------


def test_own_registration_by_token(programme_world):
    pw = programme_world
    PATCHED_URL = "https://video.example/raum-7"
    pw.event.online_url = PATCHED_URL
    pw.event.save(update_fields=["online_url"])

    response = Client().get(f"/api/v1/public/registrations/{pw.registration_token}/")

    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["status"], body["position"]) == (
        "Rita Registrant",
        "registered",
        None,
    )
    assert body["code"] == pw.registration.code
    assert body["online_url"] == PATCHED_URL
    assert body["event"]["id"] == pw.event.pk
    assert Client().get("/api/v1/public/registrations/falsch/").status_code == 404
    assert Client().get(f"/api/v1/public/registrations/{'x' * 200}/").status_code == 404


def test_waitlisted_registrant_sees_the_position_but_no_link_or_code(programme_world):
    pw = programme_world
    event = OpenEventFactory(
        programme=pw.programme, capacity=1, online_url="https://video.example/raum-7"
    )
    RegistrationFactory(event=event)
    created = registration_create(event=event, consent=True, **_person("w@example.com"))

    body = Client().get(f"/api/v1/public/registrations/{created.token}/").json()

    assert (body["status"], body["position"]) == ("waitlisted", 1)
    assert body["online_url"] == ""
    assert body["code"] is None


def _person(email, **overrides):
    values = {key: value for key, value in PERSON.items() if key != "consent"}
    values.update(email=email, company_name=email.split("@")[0], **overrides)
    return values


def test_cancel_works_once_and_promotes_the_first_in_line(programme_world):
    pw = programme_world
    event = OpenEventFactory(programme=pw.programme, capacity=1)
    seated = registration_create(event=event, consent=True, **_person("s@example.com"))
    first = registration_create(event=event, consent=True, **_person("f@example.com"))
    second = registration_create(event=event, consent=True, **_person("z@example.com"))
    url = f"/api/v1/public/registrations/{seated.token}/cancel/"

    with (
        mock.patch.object(mails.registration_promoted_send, "delay_on_commit") as promoted,
        mock.patch.object(mails.registration_cancelled_send, "delay_on_commit") as cancelled,
    ):
        response = Client().post(url)
        again = _en().post(url)
        german = Client(HTTP_ACCEPT_LANGUAGE="de").post(url)

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    # Works once: the same token again is a conflict (nothing changes), not "not found".
    assert again.status_code == 409, again.content
    assert again.json() == {"detail": "This registration is already cancelled."}
    assert german.status_code == 409
    assert german.json() == {"detail": "Diese Anmeldung ist bereits storniert."}
    assert Client().get(f"/api/v1/public/registrations/{seated.token}/").json()["status"] == (
        "cancelled"
    )
    first.registration.refresh_from_db()
    second.registration.refresh_from_db()
    assert first.registration.status == "registered"
    assert second.registration.status == "waitlisted"
    # The promoted person and the canceller are e-mailed, once each.
    promoted.assert_called_once_with(registration_id=first.registration.pk)
    cancelled.assert_called_once_with(registration_id=seated.registration.pk)
    own = Client().get(f"/api/v1/public/registrations/{second.token}/").json()
    assert own["position"] == 1


def test_cancel_token_opens_only_its_own_registration(programme_world):
    pw = programme_world
    response = Client().post(f"/api/v1/public/registrations/{pw.registration_token}/cancel/")

    assert response.status_code == 200
    pw.registration.refresh_from_db()
    pw.other_registration.refresh_from_db()
    assert pw.registration.status == "cancelled"
    assert pw.other_registration.status == "registered"
    assert Client().post("/api/v1/public/registrations/falsch/cancel/").status_code == 404
    cancelled = RegistrationFactory(event=pw.event, status="cancelled")
    wrong = registration_token_of(cancelled) + "x"
    assert Client().post(f"/api/v1/public/registrations/{wrong}/cancel/").status_code == 404


def test_waitlisted_people_cancel_too(programme_world):
    pw = programme_world
    event = OpenEventFactory(programme=pw.programme, capacity=1)
    RegistrationFactory(event=event)
    waiting = registration_create(event=event, consent=True, **_person("w@example.com"))

    response = Client().post(f"/api/v1/public/registrations/{waiting.token}/cancel/")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["position"] is None


def test_cancel_after_the_event_is_a_400(programme_world):
    pw = programme_world
    registration = RegistrationFactory(event=pw.past_event, name="Peter Past")
    before = domain_state()

    response = _en().post(
        f"/api/v1/public/registrations/{registration_token_of(registration)}/cancel/"
    )

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["The event is over."]}
    assert domain_state() == before


# --- nothing about others ---------------------------------------------------------------------


def test_public_answers_reveal_no_other_registrant(programme_world):
    pw = programme_world
    event = OpenEventFactory(programme=pw.programme, capacity=2, max_per_company=3)
    others = [
        registration_create(
            event=event,
            consent=True,
            contact_consent=True,
            **_person(f"geheim{i}@verborgen.example", name=f"Geheim Person{i}"),
        )
        for i in range(3)
    ]
    mine = _register(Client(), event, company_name="verborgen-eigen")
    token = mine.json()["cancel_token"]
    secrets = [
        "Geheim",
        "verborgen.example",
        "Rita",
        "holzwurm",
        *[other.registration.code for other in others],
    ]

    answers = [
        mine,
        Client().get(f"/api/v1/public/programmes/{pw.programme.slug}/events/"),
        Client().get(f"/api/v1/public/events/{event.pk}/"),
        Client().get(f"/api/v1/public/events/{pw.event.pk}/"),
        Client().get(f"/api/v1/public/registrations/{token}/"),
        _register(_en(), event, email="kein-at"),
    ]

    for answer in answers:
        text = answer.content.decode()
        for secret in secrets:
            assert secret.lower() not in text.lower(), (answer.request["PATH_INFO"], secret)
        for key in ("registered_count", "waitlisted_count", "attended_count", "registrations"):
            assert f'"{key}"' not in text
    detail = answers[2].json()
    assert detail["seats_left"] == 0


# --- malformed bodies -------------------------------------------------------------------------


def _post_raw(client, event, body: bytes):
    return client.post(
        f"/api/v1/public/events/{event.pk}/registrations/", body, content_type="application/json"
    )


def test_broken_json_is_a_400_in_the_callers_language(programme_world):
    pw = programme_world

    english = _post_raw(_en(), pw.event, b'{"name": "Paul",\n "email": }')
    german = _post_raw(
        Client(HTTP_ACCEPT_LANGUAGE="de"), pw.event, b'{"name": "Paul",\n "email": }'
    )

    assert english.status_code == 400
    assert english.json() == {"detail": "The request body is not valid JSON (line 2, column 11)."}
    assert german.status_code == 400
    # German from the translation catalogue (/tmp/konvoi-i18n/fix-api.po until merged).
    assert german.json() == {
        "detail": "Der Inhalt der Anfrage ist kein gültiges JSON (Zeile 2, Spalte 11)."
    }
    assert not Registration.objects.filter(email="paul@public.example").exists()


def test_a_body_not_in_its_declared_encoding_is_a_400(programme_world):
    response = _post_raw(_en(), programme_world.event, b'{"name": "\xff\xfe"}')

    assert response.status_code == 400
    assert response.json() == {"detail": "The request body is not valid JSON."}


@pytest.mark.parametrize(
    "body",
    [
        '{"answer": "yes", "proof": "' + "a" * 5000 + '"}',
        "[" * 60 + "]" * 60,
        "null",
        '{"answer": "yes", "proof": "\\u00e4\\u20ac"}',
        '{"answer": ["no"]}',
    ],
    ids=["huge proof", "deep nesting", "null", "non-ascii proof", "list answer"],
)
def test_the_contact_answer_refuses_odd_bodies_with_a_400(programme_world, body):
    from django.test import Client

    from events.models import Registration

    pw = programme_world
    Registration.objects.filter(pk=pw.registration.pk).update(email_confirmed_at=None)
    response = Client().post(
        f"/api/v1/public/registrations/{pw.registration_token}/contact/",
        body,
        content_type="application/json",
    )
    assert response.status_code == 400, response.content[:300]
    assert Registration.objects.get(pk=pw.registration.pk).email_confirmed_at is None
