"""A password change closes the person's open sockets of other sessions and of API tokens at
once (not only at the next periodic re-check): the change tells the person's credentials
group, and every socket re-checks its login then. In-process (in-memory channel layer).

The socket of the session that made the change closes too: Django gives that session a new
key on a password change (update_session_auth_hash), so the socket's old key no longer exists;
the browser reconnects (live.js stops only on 4403) with its new, valid cookie.
"""

import asyncio
import time
from importlib import import_module

import pytest
from channels.routing import URLRouter
from django.conf import settings as django_settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import OperationalError, transaction
from django.test import Client

from accounts.consumers import CLOSE_TOKEN_REVOKED
from accounts.services import api_token_create, user_password_set
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
from tests.support.sockets import WebsocketCommunicator, drain_until_closed

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_memory_layer")]
PASSWORD = "correct-horse-42"
NEW_PASSWORD = "Neues-Passwort-2026"


@pytest.fixture(autouse=True)
def slow_recheck(settings):
    # Far beyond the test's run: whatever closes here, closes at once, not by the timer.
    settings.SOCKET_RECHECK_SECONDS = 600


@pytest.fixture
def world():
    convoy = ConvoyFactory()
    FacilitatorFactory(convoy=convoy)
    company = CompanyFactory()
    frank = UserFactory(email="frank@example.com")
    CompanyMemberFactory(company=company, user=frank, role="member")
    MembershipFactory(convoy=convoy, company=company)
    return {"convoy": convoy, "frank": frank}


def login_session(user):
    store = import_module(django_settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return store


def session_store(key: str):
    return import_module(django_settings.SESSION_ENGINE).SessionStore(session_key=key)


def socket(user, path: str, **scope) -> WebsocketCommunicator:
    comm = WebsocketCommunicator(URLRouter(websocket_urlpatterns + notification_urlpatterns), path)
    comm.scope["user"] = user
    comm.scope.update(scope)
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


def change_password_on_the_page(session_key: str) -> Client:
    client = Client()
    client.cookies[django_settings.SESSION_COOKIE_NAME] = session_key
    response = client.post(
        "/profile/password/",
        {"password-old_password": PASSWORD, "password-new_password": NEW_PASSWORD},
    )
    assert response.status_code == 302, response.status_code
    return client


def test_a_password_change_closes_the_other_sessions_and_tokens_sockets_at_once(world):
    frank, convoy = world["frank"], world["convoy"]
    s1, s2 = login_session(frank), login_session(frank)
    token, _secret = api_token_create(user=frank, name="script")
    feed = f"/ws/convoys/{convoy.pk}/?after=0"

    async def scenario():
        other = socket(frank, feed, session=s2)
        script = socket(frank, feed, token_id=token.pk)
        bell = socket(frank, "/ws/notifications/", session=s2)
        this = socket(frank, feed, session=s1)
        for comm in (other, script, bell, this):
            connected, _ = await comm.connect(timeout=5)  # several at once, busy CI
            assert connected
        for comm in (other, script, this):
            await comm.receive_json_from(timeout=3)  # "live" (or the first presence)
        client = await asyncio.to_thread(write, change_password_on_the_page, s1.session_key)
        await asyncio.sleep(0.3)
        await asyncio.to_thread(write, record, convoy, 2)
        results = [await drain_until_closed(c, timeout=2) for c in (other, script, bell, this)]

        # The browser that changed it reconnects with its new cookie and is served.
        new_key = client.cookies[django_settings.SESSION_COOKIE_NAME].value
        assert new_key != s1.session_key
        again = socket(frank, feed, session=session_store(new_key))
        connected, _ = await again.connect(timeout=5)
        assert connected
        await asyncio.to_thread(write, record, convoy, 1)
        seen: list[dict] = []
        while 3 not in [e["seq"] for e in events(seen)]:
            seen.append(await again.receive_json_from(timeout=3))
        await again.disconnect()
        return results, events(seen)

    results, seen_after = asyncio.run(scenario())
    for messages, code in results:
        assert code == CLOSE_TOKEN_REVOKED
        assert events(messages) == []
    assert [e["seq"] for e in seen_after] == [1, 2, 3]  # replayed from 0, then live


def test_a_password_reset_closes_every_session_socket_at_once(world):
    frank, convoy = world["frank"], world["convoy"]
    session = login_session(frank)

    async def scenario():
        comm = socket(frank, f"/ws/convoys/{convoy.pk}/?after=0", session=session)
        await comm.connect()
        await comm.receive_json_from(timeout=3)
        await asyncio.to_thread(write, lambda: user_password_set(user=frank, password=NEW_PASSWORD))
        await asyncio.sleep(0.3)
        await asyncio.to_thread(write, record, convoy, 1)
        return await drain_until_closed(comm, timeout=2)

    messages, code = asyncio.run(scenario())
    assert code == CLOSE_TOKEN_REVOKED
    assert events(messages) == []


def test_a_password_change_of_someone_else_leaves_a_socket_open(world):
    frank, convoy = world["frank"], world["convoy"]
    session = login_session(frank)
    stranger = UserFactory()

    async def scenario():
        comm = socket(frank, f"/ws/convoys/{convoy.pk}/?after=0", session=session)
        await comm.connect()
        await asyncio.to_thread(
            write, lambda: user_password_set(user=stranger, password=NEW_PASSWORD)
        )
        await asyncio.sleep(0.3)
        await asyncio.to_thread(write, record, convoy, 1)
        messages = []
        while not events(messages):
            messages.append(await comm.receive_json_from(timeout=3))
        await comm.disconnect()
        return events(messages)

    assert [e["seq"] for e in asyncio.run(scenario())] == [1]


@pytest.mark.parametrize("how", ["deleted", "expired", "cycled"])
def test_the_recheck_refuses_a_session_that_no_longer_exists(world, how):
    """The periodic re-check reads the session afresh: gone (logout), past its expiry, or
    replaced by a new key (a password change in that browser) means closed."""
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from accounts.consumers import credentials_valid

    frank = world["frank"]
    session = login_session(frank)
    scope = {"user": frank, "session": session}
    assert credentials_valid(scope)
    if how == "deleted":
        session_store(session.session_key).delete()
    elif how == "expired":
        Session.objects.filter(session_key=session.session_key).update(
            expire_date=timezone.now() - timedelta(seconds=1)
        )
    else:
        store = session_store(session.session_key)
        store.load()
        store.cycle_key()
        store.save()
    assert not credentials_valid(scope)
