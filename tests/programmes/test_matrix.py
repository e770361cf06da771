"""Who may do what in a programme, over the API and on pages: every programme endpoint × every
programme role, as one table (the convoy matrix is tests/test_authorization_matrix.py).

Outsiders get 404; coaches see aggregates but not the content of convoys they do not
facilitate; only managers get the report; a refused request changes nothing.
"""

import json
from dataclasses import dataclass
from typing import Any

import pytest

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
    # {convoy} {other_convoy} {staff} {staff_token} {unknown}
    path: str
    body: Any  # None, a dict, or a callable (world, programme_world) -> dict
    expected: tuple[int, ...]  # one status per role, in PROGRAMME_ROLES order

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def E(method, path, body, *expected):  # reads as a table row
    assert len(expected) == len(PROGRAMME_ROLES), path
    return Endpoint(method, path, body, expected)


# The API (paths under /api/v1). Rows are added by each part of the programme layer.
PROGRAMME_MATRIX: list[Endpoint] = [
    # method  path                              body          anon outs memb ofac ocoa coac mana
]

# Pages (anonymous: 302 to the login page, except public pages).
PROGRAMME_WEB_MATRIX: list[Endpoint] = []


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
