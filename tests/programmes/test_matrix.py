# ruff: noqa: E501 - the matrix is a table; its rows stay on one line each
"""Who may do what in a programme, over the API and on pages: every programme endpoint × every
programme role, as one table (the convoy matrix is tests/test_authorization_matrix.py).

Outsiders get 404; coaches see aggregates but not the content of convoys they do not
facilitate; only managers get the report; a refused request changes nothing.
"""

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from events.keys import registration_token_of
from events.models import OpenEvent
from programmes.services import company_record_create
from tests.support.domain import domain_state

PROGRAMME_ROLES = (
    "anonymous",
    "outsider",
    "member",
    "outside_facilitator",
    "other_coach",
    "coach",
    "manager",
)


@dataclass(frozen=True)
class Endpoint:
    method: str
    # placeholders: {programme} {other_programme} {slug} {record} {company} {service}
    # {convoy} {other_convoy} {staff} {staff_token} {staff_invitation} {unknown}
    # {event} {draft_event} {past_event} {other_event} {registration} {registration_token}
    # {other_registration} {other_registration_token}
    # {check} {draft_check} {other_check} {public_check_token}
    path: str
    body: Any  # None, a dict, or a callable (world, programme_world) -> dict
    expected: tuple[int, ...]  # one status per role, in PROGRAMME_ROLES order

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def E(method, path, body, *expected):  # reads as a table row
    assert len(expected) == len(PROGRAMME_ROLES), path
    return Endpoint(method, path, body, expected)


def _register_bare_duplicate(world, pw):
    """A bare register entry (no accounts) to merge into {record}."""
    record = company_record_create(
        programme=pw.programme,
        by=pw.manager,
        name="Sanitär Schulte (Besuch)",
        sector="craft",
        size="2-9",
        city="Hagen",
        postcode="58095",
    )
    return {"duplicate": record.pk}


_REGISTER_BAKERY = {
    "name": "Bäckerei Sonnenschein",
    "sector": "craft",
    "size": "2-9",
    "city": "Hagen",
    "postcode": "58095",
}
_REGISTER_SERVICE = {"kind": "visit", "category": "test_before_invest", "date": "2026-01-15"}


def _event_body(world, pw):
    """A new event a month ahead (times without an offset: the programme's zone)."""
    day = (timezone.now() + timedelta(days=30)).date()
    return {
        "title": "KI im Betrieb",
        "starts_at": f"{day}T14:00",
        "ends_at": f"{day}T19:00",
        "capacity": 30,
        "registration_deadline": f"{day - timedelta(days=1)}T12:00",
    }


def _door_open(world, pw):
    """{event} is happening now (the door is open); check Rita in."""
    now = timezone.now()
    OpenEvent.objects.filter(pk=pw.event.pk).update(
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=3),
        registration_deadline=now - timedelta(hours=2),
    )
    return {"registration": pw.registration.pk}


def _door_open_walk_in(world, pw):
    _door_open(world, pw)
    return {"name": "Walter Walk", "company_name": "Spontan GmbH", "postcode": "58095"}


def _door_open_foreign(world, pw):
    _door_open(world, pw)
    return {"registration": pw.other_registration.pk}


_REGISTRANT = {
    "name": "Paul Public",
    "email": "paul@public.example",
    "company_name": "Malerei Farbenfroh",
    "postcode": "58095",
    "size": "10-49",
    "sector": "craft",
    "consent": True,
}


# The API (paths under /api/v1).
# fmt: off
PROGRAMME_MATRIX: list[Endpoint] = [
    # method  path                              body          anon outs memb ofac ocoa coac mana
    # --- staff ---
    E("GET", "/programmes/", None, 401, 200, 200, 200, 200, 200, 200),
    E("POST", "/programmes/", {"name": "Neues Zentrum", "region": "NRW"}, 401, 201, 201, 201, 201, 201, 201),
    E("POST", "/programmes/", {"region": "NRW"}, 401, 400, 400, 400, 400, 400, 400),
    E("GET", "/programmes/{programme}/", None, 401, 404, 404, 404, 404, 200, 200),
    E("GET", "/programmes/{other_programme}/", None, 401, 404, 404, 404, 200, 404, 404),
    E("GET", "/programmes/{unknown}/", None, 401, 404, 404, 404, 404, 404, 404),
    E("PATCH", "/programmes/{programme}/", {"region": "Sauerland"}, 401, 404, 404, 404, 404, 403, 200),
    E("PATCH", "/programmes/{programme}/", {"slug": "events"}, 401, 404, 404, 404, 404, 403, 400),
    E("GET", "/programmes/{programme}/staff/", None, 401, 404, 404, 404, 404, 200, 200),
    E("POST", "/programmes/{programme}/staff/", {"email": "neu@example.com", "role": "coach"}, 401, 404, 404, 404, 404, 403, 201),
    E("POST", "/programmes/{programme}/staff/", {"email": "neu@example.com", "role": "boss"}, 401, 404, 404, 404, 404, 403, 400),
    E("PATCH", "/programmes/{programme}/staff/{staff}/", {"role": "manager"}, 401, 404, 404, 404, 404, 403, 200),
    E("DELETE", "/programmes/{programme}/staff/{staff}/", None, 401, 404, 404, 404, 404, 204, 204),
    E("GET", "/programmes/{programme}/staff-invitations/", None, 401, 404, 404, 404, 404, 403, 200),
    E("DELETE", "/programmes/{programme}/staff-invitations/{unknown}/", None, 401, 404, 404, 404, 404, 403, 404),
    E("DELETE", "/programmes/{programme}/staff-invitations/{staff_invitation}/", None, 401, 404, 404, 404, 404, 403, 204),
    # Addressed to neuer-coach@example.com, which none of the roles is.
    E("POST", "/programme-invitations/{staff_token}/accept/", None, 401, 403, 403, 403, 403, 403, 403),
    E("POST", "/programme-invitations/{unknown}/accept/", None, 401, 400, 400, 400, 400, 400, 400),
    E("POST", "/convoys/", lambda w, pw: {"name": "Konvoi Neu", "programme": pw.programme.pk}, 401, 400, 400, 400, 400, 201, 201),
    E("POST", "/convoys/", lambda w, pw: {"name": "Konvoi Neu", "programme": pw.other_programme.pk}, 401, 400, 400, 400, 201, 400, 400),
    E("PATCH", "/convoys/{other_convoy}/", lambda w, pw: {"programme": pw.programme.pk}, 401, 404, 404, 400, 404, 404, 404),
    E("PATCH", "/convoys/{convoy}/", {"programme": None}, 401, 404, 403, 404, 404, 404, 404),
    E("POST", "/programmes/{programme}/staff/", lambda w, pw: {"email": pw.outsider.email, "role": "manager"}, 401, 404, 404, 404, 404, 403, 201),
    # --- register ---
    E("GET", "/programmes/{programme}/companies/", None, 401, 404, 404, 404, 404, 200, 200),
    E("GET", "/programmes/{programme}/companies/?stage=lead&size_class=micro&q=a", None, 401, 404, 404, 404, 404, 200, 200),
    E("GET", "/programmes/{other_programme}/companies/", None, 401, 404, 404, 404, 200, 404, 404),
    E("POST", "/programmes/{programme}/companies/", _REGISTER_BAKERY, 401, 404, 404, 404, 404, 201, 201),
    E("POST", "/programmes/{programme}/companies/", {**_REGISTER_BAKERY, "sector": "bakery"}, 401, 404, 404, 404, 404, 400, 400),
    E("GET", "/programmes/{programme}/companies/duplicates/", None, 401, 404, 404, 404, 404, 200, 200),
    E("GET", "/programmes/{programme}/companies/{record}/", None, 401, 404, 404, 404, 404, 200, 200),
    E("GET", "/programmes/{other_programme}/companies/{record}/", None, 401, 404, 404, 404, 404, 404, 404),
    E("GET", "/programmes/{programme}/companies/{unknown}/", None, 401, 404, 404, 404, 404, 404, 404),
    E("PATCH", "/programmes/{programme}/companies/{record}/", {"contact_name": "Olaf Owner"}, 401, 404, 404, 404, 404, 200, 200),
    E("PATCH", "/programmes/{programme}/companies/{record}/", {"name": "Anders"}, 401, 404, 404, 404, 404, 400, 400),
    E("POST", "/programmes/{programme}/companies/{record}/merge/", _register_bare_duplicate, 401, 404, 404, 404, 404, 200, 200),
    E("POST", "/programmes/{programme}/companies/{record}/merge/", lambda w, pw: {"duplicate": pw.record.pk}, 401, 404, 404, 404, 404, 400, 400),
    E("POST", "/programmes/{other_programme}/companies/{record}/merge/", _register_bare_duplicate, 401, 404, 404, 404, 404, 404, 404),
    E("GET", "/programmes/{programme}/services/", None, 401, 404, 404, 404, 404, 200, 200),
    E("GET", "/programmes/{programme}/services/?kind=visit&from=2026-01-01", None, 401, 404, 404, 404, 404, 200, 200),
    E("POST", "/programmes/{programme}/services/", lambda w, pw: {**_REGISTER_SERVICE, "company": w.company.pk}, 401, 404, 404, 404, 404, 201, 201),
    E("POST", "/programmes/{programme}/services/", lambda w, pw: {**_REGISTER_SERVICE, "company": w.other_company.pk}, 401, 404, 404, 404, 404, 400, 400),
    E("POST", "/programmes/{other_programme}/services/", lambda w, pw: {**_REGISTER_SERVICE, "company": w.company.pk}, 401, 404, 404, 404, 400, 404, 404),
    E("GET", "/programmes/{programme}/services/{service}/", None, 401, 404, 404, 404, 404, 200, 200),
    E("GET", "/programmes/{other_programme}/services/{service}/", None, 401, 404, 404, 404, 404, 404, 404),
    E("PATCH", "/programmes/{programme}/services/{service}/", {"minutes": 45, "notes": "Kasse"}, 401, 404, 404, 404, 404, 200, 200),
    E("PATCH", "/programmes/{programme}/services/{service}/", {"minutes": 0}, 401, 404, 404, 404, 404, 400, 400),
    E("DELETE", "/programmes/{programme}/services/{service}/", None, 401, 404, 404, 404, 404, 204, 204),
    E("DELETE", "/programmes/{other_programme}/services/{service}/", None, 401, 404, 404, 404, 404, 404, 404),
    # --- overview ---
    E("GET", "/programmes/{programme}/convoys/", None, 401, 404, 404, 404, 404, 200, 200),
    E("GET", "/programmes/{programme}/convoys/?status=active&needs_attention=true", None, 401, 404, 404, 404, 404, 200, 200),
    E("GET", "/programmes/{programme}/convoys/?status=sunk", None, 401, 404, 404, 404, 404, 400, 400),
    E("GET", "/programmes/{other_programme}/convoys/", None, 401, 404, 404, 404, 200, 404, 404),
    E("GET", "/programmes/{unknown}/convoys/", None, 401, 404, 404, 404, 404, 404, 404),
    E("POST", "/programmes/{programme}/convoys/", {}, 401, 405, 405, 405, 405, 405, 405),
    # --- report ---
    E("GET", "/programmes/{programme}/report/?from=9999-12-30&to=9999-12-31", None, 401, 404, 404, 404, 404, 403, 400),
    E("GET", "/programmes/{programme}/report.xlsx?from=0001-01-01&to=2026-06-30", None, 401, 404, 404, 404, 404, 403, 400),
    E("GET", "/programmes/{programme}/report.csv?from=2026-01-01&to=9999-12-31", None, 401, 404, 404, 404, 404, 403, 400),
    # the programme report (managers only) — JSON, XLSX, CSV; a bad period is 400 for a manager only
    E("GET", "/programmes/{programme}/report/?from=2026-01-01&to=2026-06-30", None, 401, 404, 404, 404, 404, 403, 200),
    E("GET", "/programmes/{programme}/report.xlsx?from=2026-01-01&to=2026-06-30", None, 401, 404, 404, 404, 404, 403, 200),
    E("GET", "/programmes/{programme}/report.csv?from=2026-01-01&to=2026-06-30", None, 401, 404, 404, 404, 404, 403, 200),
    E("GET", "/programmes/{programme}/report/?from=2026-06-30&to=2026-01-01", None, 401, 404, 404, 404, 404, 403, 400),
    E("GET", "/programmes/{programme}/report/", None, 401, 404, 404, 404, 404, 403, 400),
    E("GET", "/programmes/{other_programme}/report/?from=2026-01-01&to=2026-06-30", None, 401, 404, 404, 404, 403, 404, 404),
    E("GET", "/programmes/{unknown}/report.csv?from=2026-01-01&to=2026-06-30", None, 401, 404, 404, 404, 404, 404, 404),
    # --- open events (staff) ---
    E("GET", "/programmes/{programme}/events/", None, 401, 404, 404, 404, 404, 200, 200),
    E("GET", "/programmes/{other_programme}/events/", None, 401, 404, 404, 404, 200, 404, 404),
    E("GET", "/programmes/{unknown}/events/", None, 401, 404, 404, 404, 404, 404, 404),
    E("POST", "/programmes/{programme}/events/", _event_body, 401, 404, 404, 404, 404, 201, 201),
    E("POST", "/programmes/{programme}/events/", lambda w, pw: {**_event_body(w, pw), "capacity": 0}, 401, 404, 404, 404, 404, 400, 400),
    E("POST", "/programmes/{other_programme}/events/", _event_body, 401, 404, 404, 404, 201, 404, 404),
    E("GET", "/events/{event}/", None, 401, 404, 404, 404, 404, 200, 200),
    E("GET", "/events/{draft_event}/", None, 401, 404, 404, 404, 404, 200, 200),
    E("GET", "/events/{other_event}/", None, 401, 404, 404, 404, 200, 404, 404),
    E("GET", "/events/{unknown}/", None, 401, 404, 404, 404, 404, 404, 404),
    E("PATCH", "/events/{event}/", {"location": "Rathaus Hagen"}, 401, 404, 404, 404, 404, 200, 200),
    E("PATCH", "/events/{event}/", {"capacity": 0}, 401, 404, 404, 404, 404, 400, 400),
    E("PATCH", "/events/{other_event}/", {"location": "Rathaus Hagen"}, 401, 404, 404, 404, 200, 404, 404),
    E("POST", "/events/{draft_event}/publish/", None, 401, 404, 404, 404, 404, 200, 200),
    E("POST", "/events/{event}/cancel/", None, 401, 404, 404, 404, 404, 200, 200),
    E("POST", "/events/{other_event}/cancel/", None, 401, 404, 404, 404, 200, 404, 404),
    E("GET", "/events/{event}/registrations/", None, 401, 404, 404, 404, 404, 200, 200),
    E("GET", "/events/{event}/registrations/?q=rita&status=registered", None, 401, 404, 404, 404, 404, 200, 200),
    E("GET", "/events/{event}/registrations/?status=maybe", None, 401, 404, 404, 404, 404, 400, 400),
    E("GET", "/events/{other_event}/registrations/", None, 401, 404, 404, 404, 200, 404, 404),
    E("POST", "/events/{event}/attendance/", _door_open, 401, 404, 404, 404, 404, 200, 200),
    # the door opens 12 h before the start: {event} is in two weeks
    E("POST", "/events/{event}/attendance/", lambda w, pw: {"registration": pw.registration.pk}, 401, 404, 404, 404, 404, 400, 400),
    E("POST", "/events/{event}/attendance/", _door_open_foreign, 401, 404, 404, 404, 404, 400, 400),
    E("POST", "/events/{other_event}/attendance/", lambda w, pw: {"registration": pw.other_registration.pk}, 401, 404, 404, 404, 400, 404, 404),
    E("POST", "/events/{event}/attendance/", {"code": "ZZZZ9999"}, 401, 404, 404, 404, 404, 400, 400),
    E("DELETE", "/events/{event}/attendance/{registration}/", None, 401, 404, 404, 404, 404, 400, 400),
    E("DELETE", "/events/{event}/attendance/{other_registration}/", None, 401, 404, 404, 404, 404, 404, 404),
    E("POST", "/events/{event}/walk-ins/", _door_open_walk_in, 401, 404, 404, 404, 404, 201, 201),
    E("POST", "/events/{event}/walk-ins/", {"name": "Walter Walk"}, 401, 404, 404, 404, 404, 400, 400),
    # --- open events (public: anyone, logged in or not, alike) ---
    E("GET", "/public/programmes/{slug}/events/", None, 200, 200, 200, 200, 200, 200, 200),
    E("GET", "/public/programmes/{unknown}/events/", None, 404, 404, 404, 404, 404, 404, 404),
    E("GET", "/public/events/{event}/", None, 200, 200, 200, 200, 200, 200, 200),
    E("GET", "/public/events/{other_event}/", None, 200, 200, 200, 200, 200, 200, 200),
    E("GET", "/public/events/{draft_event}/", None, 404, 404, 404, 404, 404, 404, 404),
    E("GET", "/public/events/{unknown}/", None, 404, 404, 404, 404, 404, 404, 404),
    E("POST", "/public/events/{event}/registrations/", _REGISTRANT, 201, 201, 201, 201, 201, 201, 201),
    E("POST", "/public/events/{event}/registrations/", {**_REGISTRANT, "consent": False}, 400, 400, 400, 400, 400, 400, 400),
    E("POST", "/public/events/{event}/registrations/", {**_REGISTRANT, "website": "https://spam.example"}, 400, 400, 400, 400, 400, 400, 400),
    E("POST", "/public/events/{past_event}/registrations/", _REGISTRANT, 400, 400, 400, 400, 400, 400, 400),
    E("POST", "/public/events/{draft_event}/registrations/", _REGISTRANT, 404, 404, 404, 404, 404, 404, 404),
    E("GET", "/public/registrations/{registration_token}/", None, 200, 200, 200, 200, 200, 200, 200),
    E("GET", "/public/registrations/{unknown}/", None, 404, 404, 404, 404, 404, 404, 404),
    E("POST", "/public/registrations/{registration_token}/cancel/", None, 200, 200, 200, 200, 200, 200, 200),
    E("POST", "/public/registrations/{unknown}/cancel/", None, 404, 404, 404, 404, 404, 404, 404),
    E("POST", "/public/registrations/{registration_token}/contact/", {"answer": "no"}, 200, 200, 200, 200, 200, 200, 200),
    E("POST", "/public/registrations/{registration_token}/contact/", {"answer": "maybe"}, 400, 400, 400, 400, 400, 400, 400),
    E("POST", "/public/registrations/{unknown}/contact/", {"answer": "no"}, 404, 404, 404, 404, 404, 404, 404),
    # --- open events: a registration's company in the register (issue 15, part REGISTER) ---
    E("GET", "/events/{event}/registrations/{registration}/company-suggestions/", None, 401, 404, 404, 404, 404, 200, 200),
    E("GET", "/events/{other_event}/registrations/{other_registration}/company-suggestions/", None, 401, 404, 404, 404, 200, 404, 404),
    E("GET", "/events/{event}/registrations/{other_registration}/company-suggestions/", None, 401, 404, 404, 404, 404, 404, 404),
    E("GET", "/events/{unknown}/registrations/{registration}/company-suggestions/", None, 401, 404, 404, 404, 404, 404, 404),
    E("POST", "/events/{event}/registrations/{registration}/company/", lambda w, pw: {"record": pw.record.pk}, 401, 404, 404, 404, 404, 200, 200),
    E("POST", "/events/{event}/registrations/{registration}/company/", {"create": True, "city": "Hagen"}, 401, 404, 404, 404, 404, 200, 200),
    E("POST", "/events/{event}/registrations/{registration}/company/", {}, 401, 404, 404, 404, 404, 400, 400),
    E("POST", "/events/{event}/registrations/{registration}/company/", {"record": 987654}, 401, 404, 404, 404, 404, 400, 400),
    E("POST", "/events/{other_event}/registrations/{other_registration}/company/", {"create": True, "city": "Bonn"}, 401, 404, 404, 404, 200, 404, 404),
    E("POST", "/events/{event}/registrations/{other_registration}/company/", {"create": True, "city": "Hagen"}, 401, 404, 404, 404, 404, 404, 404),
    E("GET", "/events/{event}/registrations/{registration}/company/", None, 401, 405, 405, 405, 405, 405, 405),
    # The Digitalisierungs-Check (issue 16): the questionnaire and the anonymous check for anyone; a company's check for its members and, advisor-assisted, the programme's staff.
    E("GET",    "/check/questionnaire/",                       None,                     200, 200, 200, 200, 200, 200, 200),
    E("POST",   "/public/checks/",                             lambda w, pw: {"programme": pw.programme.slug}, 201, 201, 201, 201, 201, 201, 201),
    E("GET",    "/public/checks/{public_check_token}/",        None,                     200, 200, 200, 200, 200, 200, 200),
    E("GET",    "/public/checks/{unknown}/",                   None,                     404, 404, 404, 404, 404, 404, 404),
    E("GET",    "/public/checks/{public_check_token}/answers/", None,                    200, 200, 200, 200, 200, 200, 200),
    E("PUT",    "/public/checks/{public_check_token}/answers/", {"answers": {}},         200, 200, 200, 200, 200, 200, 200),
    E("POST",   "/public/checks/{public_check_token}/submit/", None,                     400, 400, 400, 400, 400, 400, 400),
    E("POST",   "/public/checks/{public_check_token}/contact/", {"email": "a@example.com", "consent": True}, 400, 400, 400, 400, 400, 400, 400),
    E("POST",   "/public/checks/{public_check_token}/confirm/", {"proof": "x", "accept": True}, 400, 400, 400, 400, 400, 400, 400),
    E("DELETE", "/public/checks/{public_check_token}/",        None,                     204, 204, 204, 204, 204, 204, 204),
    E("DELETE", "/public/checks/{unknown}/",                   None,                     404, 404, 404, 404, 404, 404, 404),
    E("POST",   "/checks/",                                    lambda w, pw: {"company": w.company.pk}, 401, 404, 201, 404, 404, 201, 201),
    E("GET",    "/checks/{check}/",                            None,                     401, 404, 200, 404, 404, 404, 404),
    E("GET",    "/checks/{other_check}/",                      None,                     401, 404, 404, 200, 404, 404, 404),
]


# Pages (anonymous: 302 to the login page, except public pages).
# fmt: off
PROGRAMME_WEB_MATRIX: list[Endpoint] = [
    # --- staff ---
    E("GET", "/programmes/", None, 302, 200, 200, 200, 200, 200, 200),
    E("POST", "/programmes/", {"name": "Neues Zentrum", "region": "NRW"}, 302, 302, 302, 302, 302, 302, 302),
    E("GET", "/programmes/{programme}/", None, 302, 404, 404, 404, 404, 200, 200),
    E("GET", "/programmes/{programme}/staff/", None, 302, 404, 404, 404, 404, 200, 200),
    E("POST", "/programmes/{programme}/staff/", {"email": "neu@example.com", "role": "coach"}, 302, 404, 404, 404, 404, 403, 302),
    E("POST", "/programmes/{programme}/staff/{staff}/role/", {"role": "manager"}, 302, 404, 404, 404, 404, 403, 302),
    E("POST", "/programmes/{programme}/staff/{staff}/remove/", None, 302, 404, 404, 404, 404, 302, 302),
    E("POST", "/programmes/{programme}/staff-invitations/{unknown}/revoke/", None, 302, 404, 404, 404, 404, 403, 404),
    E("GET", "/programmes/{programme}/settings/", None, 302, 404, 404, 404, 404, 403, 200),
    E("POST", "/programmes/{programme}/settings/", {"name": "KZ Hagen", "slug": "kz-hagen", "region": "NRW", "check_t1_months": "6", "check_t2_months": "12"}, 302, 404, 404, 404, 404, 403, 302),
    # The invitation page: anyone may open it (it asks to sign up or log in); an account of
    # another address gets 403 and the way to log out.
    E("GET", "/programme-invitations/{staff_token}/", None, 200, 403, 403, 403, 403, 403, 403),
    E("POST", "/programme-invitations/{staff_token}/", None, 200, 403, 403, 403, 403, 403, 403),
    E("GET", "/p/{slug}/", None, 200, 200, 200, 200, 200, 200, 200),
    E("GET", "/p/{unknown}/", None, 404, 404, 404, 404, 404, 404, 404),
    E("GET", "/programmes/{programme}/staff/{staff}/remove/", None, 302, 404, 404, 404, 404, 200, 200),
    E("POST", "/programmes/{programme}/staff/", lambda w, pw: {"email": pw.outsider.email, "role": "coach"}, 302, 404, 404, 404, 404, 403, 302),
    # --- register ---
    E("GET", "/programmes/{programme}/companies/", None, 302, 404, 404, 404, 404, 200, 200),
    E("GET", "/programmes/{programme}/companies/?q=schulte&stage=enrolled", None, 302, 404, 404, 404, 404, 200, 200),
    E("GET", "/programmes/{programme}/companies/new/", None, 302, 404, 404, 404, 404, 200, 200),
    E("POST", "/programmes/{programme}/companies/new/", _REGISTER_BAKERY, 302, 404, 404, 404, 404, 302, 302),
    E("POST", "/programmes/{programme}/companies/new/", {**_REGISTER_BAKERY, "name": "Sanitär Schulte GmbH", "postcode": ""}, 302, 404, 404, 404, 404, 400, 400),
    E("GET", "/programmes/{programme}/companies/duplicates/", None, 302, 404, 404, 404, 404, 200, 200),
    E("GET", "/programmes/{programme}/companies/{record}/", None, 302, 404, 404, 404, 404, 200, 200),
    E("GET", "/programmes/{other_programme}/companies/{record}/", None, 302, 404, 404, 404, 404, 404, 404),
    E("GET", "/programmes/{programme}/companies/{record}/edit/", None, 302, 404, 404, 404, 404, 200, 200),
    E("POST", "/programmes/{programme}/companies/{record}/edit/", {"contact_name": "Olaf Owner"}, 302, 404, 404, 404, 404, 302, 302),
    E("GET", "/programmes/{programme}/companies/{record}/services/new/", None, 302, 404, 404, 404, 404, 200, 200),
    E("POST", "/programmes/{programme}/companies/{record}/services/new/", {"service-kind": "visit", "service-category": "test_before_invest", "service-date": "2026-01-15"}, 302, 404, 404, 404, 404, 302, 302),
    E("GET", "/programmes/{programme}/companies/{record}/merge/{record}/", None, 302, 404, 404, 404, 404, 200, 200),
    E("POST", "/programmes/{programme}/companies/{record}/merge/{record}/", None, 302, 404, 404, 404, 404, 400, 400),
    E("GET", "/programmes/{programme}/services/{service}/edit/", None, 302, 404, 404, 404, 404, 200, 200),
    E("POST", "/programmes/{programme}/services/{service}/edit/", {"service-kind": "consultation", "service-category": "skills_training", "service-date": "2026-01-15"}, 302, 404, 404, 404, 404, 302, 302),
    E("GET", "/programmes/{programme}/services/{service}/delete/", None, 302, 404, 404, 404, 404, 200, 200),
    E("POST", "/programmes/{programme}/services/{service}/delete/", None, 302, 404, 404, 404, 404, 302, 302),
    E("POST", "/programmes/{other_programme}/services/{service}/delete/", None, 302, 404, 404, 404, 404, 404, 404),
    # --- overview ---
    E("GET", "/programmes/{programme}/convoys/", None, 302, 404, 404, 404, 404, 200, 200),
    E("GET", "/programmes/{programme}/convoys/?status=closed&attention=1", None, 302, 404, 404, 404, 404, 200, 200),
    E("GET", "/programmes/{other_programme}/convoys/", None, 302, 404, 404, 404, 200, 404, 404),
    E("GET", "/programmes/{unknown}/convoys/", None, 302, 404, 404, 404, 404, 404, 404),
    E("POST", "/programmes/{programme}/convoys/", None, 302, 405, 405, 405, 405, 405, 405),
    # --- report ---
    E("GET", "/programmes/{programme}/report/?from=9999-12-30&to=9999-12-31", None, 302, 404, 404, 404, 404, 403, 200),
    # the programme report page (GET only: a POST is 405 for anyone logged in)
    E("GET", "/programmes/{programme}/report/", None, 302, 404, 404, 404, 404, 403, 200),
    E("GET", "/programmes/{programme}/report/?from=2026-01-01&to=2026-06-30", None, 302, 404, 404, 404, 404, 403, 200),
    E("GET", "/programmes/{programme}/report/?from=2026-06-30&to=2026-01-01", None, 302, 404, 404, 404, 404, 403, 200),
    E("GET", "/programmes/{other_programme}/report/", None, 302, 404, 404, 404, 403, 404, 404),
    E("POST", "/programmes/{programme}/report/", {}, 302, 405, 405, 405, 405, 405, 405),
    # --- open events, public (no account; part PUBLIC) ---
    E("GET", "/p/{slug}/events/{event}/", None, 200, 200, 200, 200, 200, 200, 200),
    E("GET", "/p/{slug}/events/{past_event}/", None, 200, 200, 200, 200, 200, 200, 200),
    E("POST", "/p/{slug}/events/{past_event}/", {"name": "Petra Neu", "email": "petra@neu.example", "company_name": "Bäckerei Neu", "postcode": "58095", "size": "2-9", "sector": "craft", "consent": "on"}, 400, 400, 400, 400, 400, 400, 400),
    E("POST", "/p/{slug}/events/{event}/", {"name": "Petra Neu", "email": "petra@neu.example", "company_name": "Bäckerei Neu", "postcode": "58095", "size": "2-9", "sector": "craft"}, 400, 400, 400, 400, 400, 400, 400),
    E("POST", "/p/{slug}/events/{event}/", {"name": "Petra Neu", "email": "petra@neu.example", "company_name": "Bäckerei Neu", "postcode": "58095", "size": "2-9", "sector": "craft", "consent": "on", "website": "https://spam.example"}, 400, 400, 400, 400, 400, 400, 400),
    E("GET", "/p/{slug}/events/{draft_event}/", None, 404, 404, 404, 404, 404, 404, 404),
    E("GET", "/p/{slug}/events/{other_event}/", None, 404, 404, 404, 404, 404, 404, 404),
    E("GET", "/p/{slug}/events/{unknown}/", None, 404, 404, 404, 404, 404, 404, 404),
    E("POST", "/p/{slug}/events/{draft_event}/", None, 404, 404, 404, 404, 404, 404, 404),
    E("GET", "/registrations/{registration_token}/", None, 200, 200, 200, 200, 200, 200, 200),
    E("GET", "/registrations/{registration_token}/cancel/", None, 200, 200, 200, 200, 200, 200, 200),
    E("GET", "/registrations/{registration_token}/event.ics", None, 200, 200, 200, 200, 200, 200, 200),
    E("GET", "/registrations/{unknown}/", None, 404, 404, 404, 404, 404, 404, 404),
    E("GET", "/registrations/{registration_token}/confirm/", None, 200, 200, 200, 200, 200, 200, 200),
    E("POST", "/registrations/{unknown}/confirm/", {"answer": "no"}, 404, 404, 404, 404, 404, 404, 404),
    E("GET", "/registrations/{unknown}/confirm/", None, 404, 404, 404, 404, 404, 404, 404),
    E("GET", "/registrations/{unknown}/cancel/", None, 404, 404, 404, 404, 404, 404, 404),
    E("POST", "/registrations/{unknown}/cancel/", None, 404, 404, 404, 404, 404, 404, 404),
    E("GET", "/registrations/{unknown}/event.ics", None, 404, 404, 404, 404, 404, 404, 404),
    E("POST", "/registrations/{registration_token}/", None, 405, 405, 405, 405, 405, 405, 405),
    # --- open events: the staff's pages (issue 15, part STAFF) ---
    E("GET", "/programmes/{programme}/events/", None, 302, 404, 404, 404, 404, 200, 200),
    E("GET", "/programmes/{other_programme}/events/", None, 302, 404, 404, 404, 200, 404, 404),
    E("GET", "/programmes/{unknown}/events/", None, 302, 404, 404, 404, 404, 404, 404),
    E("GET", "/programmes/{programme}/events/new/", None, 302, 404, 404, 404, 404, 200, 200),
    E("POST", "/programmes/{programme}/events/new/", {"title": "Werkstatt KI", "format": "workshop", "starts_at_0": "2030-03-12", "starts_at_1": "14:00", "ends_at_0": "2030-03-12", "ends_at_1": "19:00", "capacity": "30", "registration_deadline_0": "2030-03-10", "registration_deadline_1": "12:00"}, 302, 404, 404, 404, 404, 302, 302),
    E("POST", "/programmes/{programme}/events/new/", {"title": "Werkstatt KI", "format": "workshop", "starts_at_0": "2030-03-12", "starts_at_1": "14:00", "ends_at_0": "2030-03-12", "ends_at_1": "13:00", "capacity": "30", "registration_deadline_0": "2030-03-10", "registration_deadline_1": "12:00"}, 302, 404, 404, 404, 404, 400, 400),
    E("GET", "/programmes/{programme}/events/{event}/", None, 302, 404, 404, 404, 404, 200, 200),
    E("GET", "/programmes/{programme}/events/{event}/?q=rita&status=no_show", None, 302, 404, 404, 404, 404, 200, 200),
    E("GET", "/programmes/{programme}/events/{draft_event}/", None, 302, 404, 404, 404, 404, 200, 200),
    E("GET", "/programmes/{programme}/events/{other_event}/", None, 302, 404, 404, 404, 404, 404, 404),
    E("GET", "/programmes/{other_programme}/events/{other_event}/", None, 302, 404, 404, 404, 200, 404, 404),
    E("GET", "/programmes/{other_programme}/events/{event}/", None, 302, 404, 404, 404, 404, 404, 404),
    E("GET", "/programmes/{programme}/events/{unknown}/", None, 302, 404, 404, 404, 404, 404, 404),
    E("GET", "/programmes/{programme}/events/{event}/edit/", None, 302, 404, 404, 404, 404, 200, 200),
    E("POST", "/programmes/{programme}/events/{event}/edit/", {"title": "Digitalisierung im Handwerk", "format": "info_event", "starts_at_0": "2030-03-12", "starts_at_1": "14:00", "ends_at_0": "2030-03-12", "ends_at_1": "19:00", "capacity": "40", "registration_deadline_0": "2030-03-10", "registration_deadline_1": "12:00"}, 302, 404, 404, 404, 404, 302, 302),
    E("POST", "/programmes/{programme}/events/{event}/edit/", {"title": "", "capacity": "0"}, 302, 404, 404, 404, 404, 400, 400),
    E("POST", "/programmes/{programme}/events/{draft_event}/publish/", None, 302, 404, 404, 404, 404, 302, 302),
    E("POST", "/programmes/{other_programme}/events/{other_event}/publish/", None, 302, 404, 404, 404, 302, 404, 404),
    E("GET", "/programmes/{programme}/events/{event}/cancel/", None, 302, 404, 404, 404, 404, 200, 200),
    E("POST", "/programmes/{programme}/events/{draft_event}/cancel/", None, 302, 404, 404, 404, 404, 302, 302),
    E("POST", "/programmes/{programme}/events/{other_event}/cancel/", None, 302, 404, 404, 404, 404, 404, 404),
    E("GET", "/programmes/{programme}/events/{event}/door/", None, 302, 404, 404, 404, 404, 200, 200),
    E("GET", "/programmes/{programme}/events/{event}/door/?q=rita", None, 302, 404, 404, 404, 404, 200, 200),
    E("GET", "/programmes/{programme}/events/{event}/door/count/", None, 302, 404, 404, 404, 404, 200, 200),
    E("POST", "/programmes/{programme}/events/{event}/door/", None, 302, 405, 405, 405, 405, 405, 405),
    # check-in is not open two weeks ahead: refused with a message (302 back to the door), nothing changes
    E("POST", "/programmes/{programme}/events/{event}/check-in/", lambda w, pw: {"registration": pw.registration.pk}, 302, 404, 404, 404, 404, 302, 302),
    E("POST", "/programmes/{programme}/events/{event}/check-in/", lambda w, pw: {"registration": pw.other_registration.pk}, 302, 404, 404, 404, 404, 404, 404),
    E("POST", "/programmes/{programme}/events/{event}/check-in/", {"code": "ZZZZ2222"}, 302, 404, 404, 404, 404, 302, 302),
    E("POST", "/programmes/{programme}/events/{other_event}/check-in/", {"code": "ZZZZ2222"}, 302, 404, 404, 404, 404, 404, 404),
    E("POST", "/programmes/{programme}/events/{event}/check-in/{registration}/undo/", None, 302, 404, 404, 404, 404, 302, 302),
    E("POST", "/programmes/{programme}/events/{event}/check-in/{other_registration}/undo/", None, 302, 404, 404, 404, 404, 404, 404),
    E("POST", "/programmes/{programme}/events/{event}/walk-ins/", {"name": "Wilma Walk", "company_name": "Walk GmbH", "postcode": "58095"}, 302, 404, 404, 404, 404, 400, 400),
    E("GET", "/programmes/{programme}/events/{past_event}/messages/", None, 302, 404, 404, 404, 404, 200, 200),
    # Paula Past, the past event's attendee, did not agree to be contacted: nobody to write to (400, the field named)
    E("POST", "/programmes/{programme}/events/{past_event}/messages/", {"segment": "attendees", "subject": "Folien", "body": "Die Folien zum Nachlesen."}, 302, 404, 404, 404, 404, 400, 400),
    E("POST", "/programmes/{programme}/events/{past_event}/messages/", {"segment": "everyone", "subject": "Folien"}, 302, 404, 404, 404, 404, 400, 400),
    E("GET", "/programmes/{programme}/events/{event}/registrations.xlsx", None, 302, 404, 404, 404, 404, 200, 200),
    E("GET", "/programmes/{programme}/events/{event}/registrations.csv", None, 302, 404, 404, 404, 404, 200, 200),
    E("GET", "/programmes/{programme}/events/{other_event}/registrations.csv", None, 302, 404, 404, 404, 404, 404, 404),
    E("GET", "/programmes/{other_programme}/events/{other_event}/registrations.xlsx", None, 302, 404, 404, 404, 200, 404, 404),
    # --- open events: a registration's company in the register (issue 15, part REGISTER) ---
    E("GET", "/programmes/{programme}/events/{event}/registrations/{registration}/company/", None, 302, 404, 404, 404, 404, 200, 200),
    E("GET", "/programmes/{programme}/events/{event}/registrations/{registration}/company/?q=schulte", None, 302, 404, 404, 404, 404, 200, 200),
    E("GET", "/programmes/{other_programme}/events/{other_event}/registrations/{other_registration}/company/", None, 302, 404, 404, 404, 200, 404, 404),
    E("GET", "/programmes/{programme}/events/{event}/registrations/{other_registration}/company/", None, 302, 404, 404, 404, 404, 404, 404),
    E("GET", "/programmes/{other_programme}/events/{event}/registrations/{registration}/company/", None, 302, 404, 404, 404, 404, 404, 404),
    E("GET", "/programmes/{programme}/events/{unknown}/registrations/{registration}/company/", None, 302, 404, 404, 404, 404, 404, 404),
    E("POST", "/programmes/{programme}/events/{event}/registrations/{registration}/company/", lambda w, pw: {"record": pw.record.pk}, 302, 404, 404, 404, 404, 302, 302),
    E("POST", "/programmes/{programme}/events/{event}/registrations/{registration}/company/", {"create": "1", "city": "Hagen", "size": "2-9", "sector": "craft"}, 302, 404, 404, 404, 404, 302, 302),
    E("POST", "/programmes/{programme}/events/{event}/registrations/{registration}/company/", {"create": "1", "city": ""}, 302, 404, 404, 404, 404, 400, 400),
    E("POST", "/programmes/{programme}/events/{event}/registrations/{registration}/company/", {"record": "abc"}, 302, 404, 404, 404, 404, 400, 400),
    E("POST", "/programmes/{programme}/events/{event}/registrations/{other_registration}/company/", {"create": "1", "city": "Hagen", "size": "2-9", "sector": "craft"}, 302, 404, 404, 404, 404, 404, 404),
    # The Digitalisierungs-Check (issue 16): public token pages answer everyone alike; a company's check pages its members (and its convoys' facilitators read); a coach starts a check with a company of the register.
    E("GET", "/p/{slug}/check/", None, 200, 200, 200, 200, 200, 200, 200),
    E("GET", "/p/{unknown}/check/", None, 404, 404, 404, 404, 404, 404, 404),
    E("GET", "/check/", None, 200, 200, 200, 200, 200, 200, 200),
    E("GET", "/check/{public_check_token}/step/0/", None, 200, 200, 200, 200, 200, 200, 200),
    E("GET", "/check/{public_check_token}/step/1/", None, 200, 200, 200, 200, 200, 200, 200),
    E("GET", "/check/{public_check_token}/step/9/", None, 404, 404, 404, 404, 404, 404, 404),
    E("GET", "/check/{unknown}/step/1/", None, 404, 404, 404, 404, 404, 404, 404),
    E("GET", "/check/{unknown}/result/", None, 404, 404, 404, 404, 404, 404, 404),
    E("GET", "/check/{public_check_token}/confirm/", None, 200, 200, 200, 200, 200, 200, 200),
    E("GET", "/check/{public_check_token}/delete/", None, 200, 200, 200, 200, 200, 200, 200),
    E("POST", "/check/{unknown}/delete/", None, 404, 404, 404, 404, 404, 404, 404),
    # "start this project" asks to sign in first; a draft has no suggestions yet (back to it)
    E("GET", "/check/{public_check_token}/projects/website/", None, 302, 302, 302, 302, 302, 302, 302),
    E("GET", "/checks/{check}/result/", None, 302, 404, 200, 404, 404, 404, 404),
    E("GET", "/checks/{check}/print/", None, 302, 404, 200, 404, 404, 404, 404),
    # other_company is in other_convoy, which outside_facilitator runs: they read its results
    E("GET", "/checks/{other_check}/result/", None, 302, 404, 404, 200, 404, 404, 404),
    E("GET", "/checks/{draft_check}/step/1/", None, 302, 404, 200, 404, 404, 404, 404),
    E("POST", "/checks/{draft_check}/step/1/", {}, 302, 404, 302, 404, 404, 404, 404),
    E("GET", "/checks/{check}/step/1/", None, 302, 404, 302, 404, 404, 404, 404),
    E("POST", "/checks/{check}/projects/website/", None, 302, 404, 302, 404, 404, 404, 404),
    E("POST", "/checks/{other_check}/projects/website/", None, 302, 404, 404, 404, 404, 404, 404),
    E("POST", "/programmes/{programme}/companies/{record}/checks/new/", {"check-stage": "T0"}, 302, 404, 404, 404, 404, 302, 302),
    E("POST", "/programmes/{programme}/companies/{record}/checks/new/", {"check-stage": "T9"}, 302, 404, 404, 404, 404, 302, 302),
    E("POST", "/programmes/{other_programme}/companies/{record}/checks/new/", {"check-stage": "T0"}, 302, 404, 404, 404, 404, 404, 404),
]
# fmt: on


def _url(endpoint: Endpoint, world, pw) -> str:
    return endpoint.path.format(
        programme=pw.programme.pk,
        other_programme=pw.other_programme.pk,
        slug=pw.programme.slug,
        record=pw.record.pk,
        company=world.company.pk,
        service=pw.service.pk,
        convoy=world.convoy.pk,
        other_convoy=world.other_convoy.pk,
        staff=pw.programme.staff_links.get(user=pw.coach).pk,
        staff_token=pw.staff_invitation_token,
        staff_invitation=pw.staff_invitation.pk,
        event=pw.event.pk,
        draft_event=pw.draft_event.pk,
        past_event=pw.past_event.pk,
        other_event=pw.other_event.pk,
        registration=pw.registration.pk,
        registration_token=pw.registration_token,
        other_registration=pw.other_registration.pk,
        other_registration_token=registration_token_of(pw.other_registration),
        check=pw.check.pk,
        draft_check=pw.draft_check.pk,
        other_check=pw.other_check.pk,
        public_check_token=pw.public_check_token,
        unknown=987654,
    )


@pytest.mark.parametrize("role", PROGRAMME_ROLES)
@pytest.mark.parametrize("endpoint", PROGRAMME_MATRIX, ids=str)
def test_programme_role_gets_expected_status(endpoint, role, world, programme_world, client_for):
    user = None if role == "anonymous" else getattr(programme_world, role)
    body = endpoint.body(world, programme_world) if callable(endpoint.body) else endpoint.body
    expected = endpoint.expected[PROGRAMME_ROLES.index(role)]
    before = domain_state()

    response = client_for(user).generic(
        endpoint.method,
        "/api/v1" + _url(endpoint, world, programme_world),
        data=None if body is None else json.dumps(body),
        content_type="application/json",
    )

    assert response.status_code == expected, response.content[:500]
    if expected >= 400:
        assert response["Content-Type"] == "application/json", response.content
        assert response.json(), "an error must say what is wrong"
        assert domain_state() == before, "a refused request changed data"
    elif endpoint.method == "GET":
        assert domain_state() == before, "a read changed data"


@pytest.mark.parametrize("role", PROGRAMME_ROLES)
@pytest.mark.parametrize("endpoint", PROGRAMME_WEB_MATRIX, ids=str)
def test_programme_role_gets_expected_status_on_pages(endpoint, role, world, programme_world):
    from django.test import Client

    user = None if role == "anonymous" else getattr(programme_world, role)
    body = endpoint.body(world, programme_world) if callable(endpoint.body) else endpoint.body
    expected = endpoint.expected[PROGRAMME_ROLES.index(role)]
    client = Client()
    if user is not None:
        client.force_login(user)
    before = domain_state()

    url = _url(endpoint, world, programme_world)
    response = client.get(url) if endpoint.method == "GET" else client.post(url, body or {})

    assert response.status_code == expected, response.content[:300]
    if user is None and expected == 302:
        assert response["Location"].startswith("/login/")
    if user is None or expected >= 400 or endpoint.method == "GET":
        assert domain_state() == before, "a refused request or a page view changed data"
