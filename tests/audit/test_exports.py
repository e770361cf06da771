"""Downloads of other people's personal data (attendance lists, the convoy workbook), on the
web and in the API: one EXPORT_DOWNLOADED row about the person who downloaded it."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from audit.models import Action
from tests.audit.helpers import mark, since
from tests.factories import CheckInFactory


@pytest.fixture
def checkin(world):
    return CheckInFactory(convoy=world.convoy)


def web(user) -> Client:
    client = Client(REMOTE_ADDR="203.0.113.4")
    client.force_login(user)
    return client


def api(user) -> APIClient:
    client = APIClient(REMOTE_ADDR="203.0.113.4")
    client.force_authenticate(user=user)
    return client


@pytest.mark.parametrize("surface", ["web", "api"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_attendance_download_is_recorded(world, checkin, surface, fmt):
    client = web(world.facilitator) if surface == "web" else api(world.facilitator)
    prefix = "" if surface == "web" else "/api/v1"
    start = mark()
    r = client.get(f"{prefix}/checkins/{checkin.pk}/attendance.{fmt}")
    assert r.status_code == 200
    [row] = since(start)
    assert row.action == Action.EXPORT_DOWNLOADED
    assert (row.user_id, row.actor_id) == (world.facilitator.pk, world.facilitator.pk)
    assert row.target == f"checkin:{checkin.pk}"
    assert row.data == {"export": "attendance", "format": fmt}
    assert str(row.ip_address) == "203.0.113.4"


@pytest.mark.parametrize("surface", ["web", "api"])
def test_a_convoy_export_download_is_recorded(world, surface):
    client = web(world.facilitator) if surface == "web" else api(world.facilitator)
    prefix = "" if surface == "web" else "/api/v1"
    start = mark()
    r = client.get(f"{prefix}/convoys/{world.convoy.pk}/export.xlsx")
    assert r.status_code == 200
    [row] = since(start)
    assert (row.action, row.user_id, row.target, row.data) == (
        Action.EXPORT_DOWNLOADED,
        world.facilitator.pk,
        f"convoy:{world.convoy.pk}",
        {"export": "convoy", "format": "xlsx"},
    )


def test_a_refused_download_writes_nothing(world, checkin):
    start = mark()
    assert api(world.owner).get(f"/api/v1/checkins/{checkin.pk}/attendance.xlsx").status_code == 403
    assert api(world.owner).get(f"/api/v1/convoys/{world.convoy.pk}/export.xlsx").status_code == 403
    assert since(start) == []
