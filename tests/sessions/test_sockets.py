"""Ending a session from another device closes that browser's open sockets at once (the
person's credentials group is told; each socket re-checks its login and the one whose session
is gone closes); the sockets of the device that did it stay open. In-process (in-memory
channel layer), nothing mocked."""

import asyncio
import time

import pytest
from channels.routing import URLRouter
from django.db import OperationalError, transaction
from django.test import Client

from accounts.consumers import CLOSE_TOKEN_REVOKED
from accounts.models import UserSession
from convoys.events import event_record
from convoys.routing import websocket_urlpatterns
from notifications.routing import websocket_urlpatterns as notification_urlpatterns
from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    ConvoyFactory,
    FacilitatorFactory,
    MembershipFactory,
    UserFactory,
)
from tests.sessions.support import session_without_row, store
from tests.support.sockets import WebsocketCommunicator, drain_until_closed

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_memory_layer")]


@pytest.fixture(autouse=True)
def slow_recheck(settings):
    # Far beyond the test's run: whatever closes here, closes at once, not by the timer.
    settings.SOCKET_RECHECK_SECONDS = 600


@pytest.fixture
def people():
    convoy = ConvoyFactory()
    FacilitatorFactory(convoy=convoy)
    company = CompanyFactory()
    frank = UserFactory(email="frank@example.com")
    CompanyMemberFactory(company=company, user=frank, role="member")
    MembershipFactory(convoy=convoy, company=company)
    return {"convoy": convoy, "frank": frank}


def socket(user, path: str, session) -> WebsocketCommunicator:
    comm = WebsocketCommunicator(URLRouter(websocket_urlpatterns + notification_urlpatterns), path)
    comm.scope["user"] = user
    comm.scope["session"] = session
    return comm


def write(fn, *args):
    """A write beside open sockets; SQLite's shared-cache test database may say "locked"."""
    for _attempt in range(50):
        try:
            return fn(*args)
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise
            time.sleep(0.02)
    return fn(*args)


def record(convoy, n: int) -> None:
    for i in range(n):
        with transaction.atomic():
            event_record(convoy_id=convoy.pk, kind="update.posted", data={"i": i}, actor=None)


def events(messages: list[dict]) -> list[dict]:
    return [m for m in messages if m["type"] == "event"]


def revoke_on_the_page(session_key: str, row_id: int) -> None:
    client = Client()
    client.cookies["sessionid"] = session_key
    response = client.post(f"/profile/sessions/{row_id}/revoke/")
    assert response.status_code == 302, response.status_code


def test_ending_a_session_closes_its_sockets_at_once(people):
    frank, convoy = people["frank"], people["convoy"]
    here, phone = session_without_row(frank), session_without_row(frank)
    row = UserSession.objects.create(user=frank, session_key=phone.session_key)
    feed = f"/ws/convoys/{convoy.pk}/?after=0"

    async def scenario():
        phone_feed = socket(frank, feed, store(phone.session_key))
        phone_bell = socket(frank, "/ws/notifications/", store(phone.session_key))
        this = socket(frank, feed, store(here.session_key))
        for comm in (phone_feed, phone_bell, this):
            connected, _ = await comm.connect(timeout=5)  # several at once, busy CI
            assert connected
        for comm in (phone_feed, this):
            await comm.receive_json_from(timeout=3)  # "live" (or the first presence)
        await asyncio.to_thread(write, revoke_on_the_page, here.session_key, row.pk)
        await asyncio.sleep(0.3)
        await asyncio.to_thread(write, record, convoy, 1)
        closed = [await drain_until_closed(c, timeout=2) for c in (phone_feed, phone_bell)]
        seen: list[dict] = []
        while not events(seen):
            seen.append(await this.receive_json_from(timeout=3))
        await this.disconnect()
        return closed, events(seen)

    closed, seen_here = asyncio.run(scenario())
    for messages, code in closed:
        assert code == CLOSE_TOKEN_REVOKED
        assert events(messages) == []
    assert [e["seq"] for e in seen_here] == [1]
