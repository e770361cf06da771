"""Open sockets re-check their login and access every SOCKET_RECHECK_SECONDS: what a lost
publish, a logout, a password reset, a deactivated account or a deleted token would otherwise
leave open is closed within that time, and nothing is sent after the close.

In-process (in-memory channel layer), any database; the publishes are lost on purpose by
changing rows directly, as a service would whose publish failed.
"""

import asyncio
import time
from importlib import import_module

import pytest
from channels.routing import URLRouter
from django.conf import settings as django_settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import OperationalError, transaction

from accounts.consumers import CLOSE_TOKEN_REVOKED
from accounts.models import ApiToken
from accounts.services import api_token_create
from companies.models import CompanyMember
from convoys.consumers import CLOSE_FORBIDDEN
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
RECHECK = 0.2


@pytest.fixture(autouse=True)
def fast_recheck(settings):
    settings.SOCKET_RECHECK_SECONDS = RECHECK


@pytest.fixture
def world():
    convoy = ConvoyFactory()
    FacilitatorFactory(convoy=convoy)
    company = CompanyFactory()
    member = UserFactory()
    CompanyMemberFactory(company=company, user=member, role="member")
    MembershipFactory(convoy=convoy, company=company)
    return {"convoy": convoy, "member": member}


def socket(user, path: str, **scope) -> WebsocketCommunicator:
    comm = WebsocketCommunicator(URLRouter(websocket_urlpatterns + notification_urlpatterns), path)
    comm.scope["user"] = user
    comm.scope.update(scope)
    return comm


def record(convoy, n: int) -> None:
    for i in range(n):
        with transaction.atomic():
            event_record(convoy_id=convoy.pk, kind="update.posted", data={"i": i}, actor=None)


def write(fn, *args):
    """A write beside open sockets. The SQLite test database (in memory, shared cache) answers
    "table is locked" instead of waiting while a socket's re-check reads: try again."""
    for _attempt in range(50):
        try:
            return fn(*args)
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise
            time.sleep(0.02)
    return fn(*args)


def lose_access_then_record(world, comm, change) -> tuple[list[dict], int | None]:
    """Open the feed, make the change with no publish, let a re-check pass, record events."""

    async def scenario():
        await comm.connect()
        await comm.receive_json_from(timeout=3)  # "live" (or the first presence)
        await asyncio.to_thread(write, change)
        await asyncio.sleep(RECHECK * 4)
        await asyncio.to_thread(write, record, world["convoy"], 2)
        return await drain_until_closed(comm)

    return asyncio.run(scenario())


def events(messages: list[dict]) -> list[dict]:
    return [m for m in messages if m["type"] == "event"]


def test_removed_from_the_company_with_the_publish_lost_closes_forbidden(world):
    comm = socket(world["member"], f"/ws/convoys/{world['convoy'].pk}/?after=0")
    messages, code = lose_access_then_record(
        world, comm, lambda: CompanyMember.objects.filter(user=world["member"]).delete()
    )
    assert code == CLOSE_FORBIDDEN
    assert events(messages) == []


def test_a_token_gone_without_its_publish_closes_the_socket(world):
    token, _secret = api_token_create(user=world["member"], name="script")
    comm = socket(world["member"], f"/ws/convoys/{world['convoy'].pk}/?after=0", token_id=token.pk)
    messages, code = lose_access_then_record(
        world, comm, lambda: ApiToken.objects.filter(pk=token.pk).delete()
    )
    assert code == CLOSE_TOKEN_REVOKED
    assert events(messages) == []


def test_a_deactivated_account_is_closed(world):
    member = world["member"]
    comm = socket(member, f"/ws/convoys/{world['convoy'].pk}/?after=0")
    messages, code = lose_access_then_record(
        world, comm, lambda: type(member).objects.filter(pk=member.pk).update(is_active=False)
    )
    assert code == CLOSE_TOKEN_REVOKED
    assert events(messages) == []


def login_session(user):
    store = import_module(django_settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return store


@pytest.mark.parametrize("how", ["logout", "password reset"])
def test_a_browser_socket_ends_with_its_session(world, how):
    member = world["member"]
    session = login_session(member)

    def end_session():
        if how == "logout":
            session.delete()
        else:
            member.set_password("An0ther-secret!")
            member.save(update_fields=["password"])

    comm = socket(member, f"/ws/convoys/{world['convoy'].pk}/?after=0", session=session)
    messages, code = lose_access_then_record(world, comm, end_session)
    assert code == CLOSE_TOKEN_REVOKED
    assert events(messages) == []


def test_the_notification_socket_ends_with_its_token(world):
    token, _secret = api_token_create(user=world["member"], name="script")
    comm = socket(world["member"], "/ws/notifications/", token_id=token.pk)

    async def scenario():
        connected, _ = await comm.connect()
        assert connected
        await asyncio.to_thread(write, ApiToken.objects.filter(pk=token.pk).delete)
        return await drain_until_closed(comm)

    messages, code = asyncio.run(scenario())
    assert code == CLOSE_TOKEN_REVOKED
    assert messages == []


def test_a_socket_still_allowed_stays_open_across_rechecks(world):
    member = world["member"]
    session = login_session(member)
    token, _secret = api_token_create(user=member, name="script")

    async def scenario():
        browser = socket(member, f"/ws/convoys/{world['convoy'].pk}/?after=0", session=session)
        script = socket(member, f"/ws/convoys/{world['convoy'].pk}/?after=0", token_id=token.pk)
        for comm in (browser, script):
            await comm.connect()
        await asyncio.sleep(RECHECK * 4)
        await asyncio.to_thread(write, record, world["convoy"], 1)
        seen = []
        for comm in (browser, script):
            messages = []
            while not events(messages):
                messages.append(await comm.receive_json_from(timeout=3))
            seen.append(events(messages))
            await comm.disconnect()
        return seen

    for received in asyncio.run(scenario()):
        assert [e["seq"] for e in received] == [1]
