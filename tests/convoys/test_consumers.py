"""The convoy and notification sockets in-process (embedded mode: in-memory channel layer, any
database): access after a membership ends, presence heartbeats, hostile frames, origins.

The same rules against real server processes on PostgreSQL and Redis: tests/live/.
"""

import asyncio
import contextlib
import logging
from unittest import mock

import pytest
from channels.routing import URLRouter
from django.db import transaction

from config.ws_auth import origin_allowed, websocket_auth_stack
from convoys import consumers
from convoys.events import event_record
from convoys.models import Convoy, Membership
from convoys.routing import websocket_urlpatterns
from convoys.services import membership_end
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


@pytest.fixture
def world():
    convoy = ConvoyFactory()
    facilitator = UserFactory(name="Fiona Facilitator")
    FacilitatorFactory(convoy=convoy, user=facilitator)
    company = CompanyFactory()
    member = UserFactory(name="Max Member")
    CompanyMemberFactory(company=company, user=member, role="member")
    membership = MembershipFactory(convoy=convoy, company=company)
    return {
        "convoy": convoy,
        "facilitator": facilitator,
        "member": member,
        "membership": membership,
    }


class Publishes:
    """Stands in for convoys.events.event_publish: holds publishes back (late or lost)."""

    def __init__(self) -> None:
        self.held: list[dict] = []

    def __call__(self, *, convoy_id: int, message: dict) -> None:
        self.held.append({"convoy_id": convoy_id, "message": message})

    def release(self) -> None:
        from convoys.events import event_publish

        for publish in self.held:
            event_publish(**publish)
        self.held.clear()


def record(convoy: Convoy, n: int) -> None:
    for i in range(n):
        with transaction.atomic():
            event_record(convoy_id=convoy.pk, kind="update.posted", data={"i": i}, actor=None)


def remove(world, *, publishes: Publishes | None = None) -> int:
    """The facilitator removes the member's company; returns the removal's seq."""
    patch = (
        mock.patch("convoys.events.event_publish", publishes)
        if publishes is not None
        else contextlib.nullcontext()
    )
    with patch:
        membership_end(actor=world["facilitator"], membership=world["membership"])
    return Convoy.objects.get(pk=world["convoy"].pk).last_event_seq


def communicator(convoy, user, query: str = "", path: str | None = None) -> WebsocketCommunicator:
    comm = WebsocketCommunicator(
        URLRouter(websocket_urlpatterns + notification_urlpatterns),
        path or f"/ws/convoys/{convoy.pk}/{query}",
    )
    comm.scope["user"] = user
    return comm


async def receive_until(comm, kind: str, timeout: float = 3) -> list[dict]:
    seen = []
    while True:
        message = await comm.receive_json_from(timeout=timeout)
        seen.append(message)
        if message["type"] == kind:
            return seen


def event_seqs(messages: list[dict]) -> list[int]:
    return [m["seq"] for m in messages if m["type"] == "event"]


# --- finding: no event after the removal reaches the removed member, on any path ---


def test_live_removal_closes_before_the_removal_event(world):
    convoy = world["convoy"]
    record(convoy, 2)

    async def scenario():
        comm = communicator(convoy, world["member"], "?after=0")
        await comm.connect()
        before = await receive_until(comm, "live")
        removal = await asyncio.to_thread(remove, world)
        await asyncio.to_thread(record, convoy, 1)
        messages, code = await drain_until_closed(comm)
        return removal, before + messages, code

    removal, messages, code = asyncio.run(scenario())
    assert code == consumers.CLOSE_FORBIDDEN
    assert removal == 3
    assert event_seqs(messages) == [1, 2]


def test_ping_catch_up_around_a_late_removal_publish_sends_nothing_after_it(world):
    """The removal is committed, its publish is still on its way, the client pings: the
    catch-up from the log must not hand out the removal or anything after it (and the late
    live copy must not then be dropped as a duplicate)."""
    convoy = world["convoy"]
    late = Publishes()

    async def scenario():
        comm = communicator(convoy, world["member"], "?after=0")
        await comm.connect()
        await receive_until(comm, "live")
        removal = await asyncio.to_thread(remove, world, publishes=late)
        with mock.patch("convoys.events.event_publish", late):
            await asyncio.to_thread(record, convoy, 2)
        await comm.send_json_to({"type": "ping"})
        await asyncio.sleep(0.2)
        await asyncio.to_thread(late.release)
        messages, code = await drain_until_closed(comm)
        return removal, messages, code

    removal, messages, code = asyncio.run(scenario())
    assert removal == 1
    assert event_seqs(messages) == []
    assert code == consumers.CLOSE_FORBIDDEN
    assert {"type": "pong", "seq": 3} not in messages


def test_resume_after_the_removal_replays_nothing_after_it(world):
    convoy = world["convoy"]
    record(convoy, 2)
    late = Publishes()

    async def scenario():
        comm = communicator(convoy, world["member"])  # waits for the client's resume
        await comm.connect()
        removal = await asyncio.to_thread(remove, world, publishes=late)
        with mock.patch("convoys.events.event_publish", late):
            await asyncio.to_thread(record, convoy, 2)
        await comm.send_json_to({"type": "resume", "after": 0})
        await asyncio.sleep(0.2)
        await asyncio.to_thread(late.release)
        messages, code = await drain_until_closed(comm)
        return removal, messages, code

    removal, messages, code = asyncio.run(scenario())
    assert removal == 3
    assert all(seq < removal for seq in event_seqs(messages))
    assert code == consumers.CLOSE_FORBIDDEN


def test_events_buffered_before_resume_are_not_sent_after_a_removal(world):
    convoy = world["convoy"]

    async def scenario():
        comm = communicator(convoy, world["member"])
        await comm.connect()
        # Published while the socket waits for its resume: buffered, then the removal.
        await asyncio.to_thread(record, convoy, 2)
        removal = await asyncio.to_thread(remove, world)
        await asyncio.to_thread(record, convoy, 2)
        await comm.send_json_to({"type": "resume", "after": 0})
        messages, code = await drain_until_closed(comm)
        return removal, messages, code

    removal, messages, code = asyncio.run(scenario())
    assert removal == 3
    assert all(seq < removal for seq in event_seqs(messages))
    assert code == consumers.CLOSE_FORBIDDEN


def test_lost_removal_publish_later_events_are_not_delivered(world):
    """Redis was down during the removal: its membership.left never arrives live. The next
    live event leaves a gap, which is read from the log — but only as far as access allows."""
    convoy = world["convoy"]

    async def scenario():
        comm = communicator(convoy, world["member"], "?after=0")
        await comm.connect()
        await receive_until(comm, "live")
        removal = await asyncio.to_thread(remove, world, publishes=Publishes())  # lost
        # Published normally. One write at a time: SQLite's shared-cache test database
        # refuses a write while the consumer's thread reads ("table is locked").
        await asyncio.to_thread(record, convoy, 1)
        messages, code = await drain_until_closed(comm)
        return removal, messages, code

    removal, messages, code = asyncio.run(scenario())
    assert removal == 1
    assert event_seqs(messages) == []
    assert code == consumers.CLOSE_FORBIDDEN


def test_lost_removal_publish_then_ping_closes_without_events(world):
    convoy = world["convoy"]

    async def scenario():
        comm = communicator(convoy, world["member"], "?after=0")
        await comm.connect()
        await receive_until(comm, "live")
        lost = Publishes()
        await asyncio.to_thread(remove, world, publishes=lost)
        with mock.patch("convoys.events.event_publish", lost):
            await asyncio.to_thread(record, convoy, 3)
        await comm.send_json_to({"type": "ping"})
        return await drain_until_closed(comm)

    messages, code = asyncio.run(scenario())
    assert event_seqs(messages) == []
    assert code == consumers.CLOSE_FORBIDDEN


def test_another_companys_removal_does_not_disturb_a_member(world):
    convoy = world["convoy"]
    other = MembershipFactory(convoy=convoy)

    async def scenario():
        comm = communicator(convoy, world["member"], "?after=0")
        await comm.connect()
        await receive_until(comm, "live")
        await asyncio.to_thread(membership_end, actor=world["facilitator"], membership=other)
        await asyncio.to_thread(record, convoy, 1)
        got = [m for m in await receive_until(comm, "event") if m["type"] == "event"]
        got += [m for m in await receive_until(comm, "event") if m["type"] == "event"]
        await comm.disconnect()
        return got

    got = asyncio.run(scenario())
    assert [(m["seq"], m["kind"]) for m in got] == [(1, "membership.left"), (2, "update.posted")]


def test_a_removed_member_cannot_reconnect(world):
    remove(world)

    async def scenario():
        comm = communicator(world["convoy"], world["member"], "?after=0")
        return await comm.connect()

    connected, code = asyncio.run(scenario())
    assert not connected
    assert code == consumers.CLOSE_FORBIDDEN
    assert Membership.objects.get(pk=world["membership"].pk).status == "removed"


# --- finding: pings, presence and ghosts ---


def test_ping_logs_nothing_and_answers_presence_changes(world, caplog):
    convoy = world["convoy"]

    async def scenario():
        comm = communicator(convoy, world["member"], "?after=0")
        await comm.connect()
        await receive_until(comm, "live")
        await comm.send_json_to({"type": "ping"})
        messages = await receive_until(comm, "pong")
        await comm.disconnect()
        return messages

    with caplog.at_level(logging.WARNING, logger="convoys.consumers"):
        messages = asyncio.run(scenario())
    assert caplog.records == []
    assert messages[-1] == {"type": "pong", "seq": 0}


def test_a_ghost_disappears_for_the_others_within_the_ttl_and_one_heartbeat(world, settings):
    """A client that vanished without closing (its entry is never refreshed again) leaves the
    others' presence list once its entry expires, at their next heartbeat."""
    settings.PRESENCE_TTL_SECONDS = 1
    convoy = world["convoy"]

    async def scenario():
        ghost = communicator(convoy, world["member"], "?after=0")
        await ghost.connect()
        watcher = communicator(convoy, world["facilitator"], "?after=0")
        await watcher.connect()
        both = await receive_until(watcher, "presence")
        while len(both[-1]["people"]) < 2:
            both = await receive_until(watcher, "presence")
        # The ghost never pings again; the watcher's browser pings on its heartbeat.
        loop = asyncio.get_running_loop()
        started = loop.time()
        alone = None
        while loop.time() - started < 3:
            await asyncio.sleep(0.25)
            await watcher.send_json_to({"type": "ping"})
            for message in await receive_until(watcher, "pong"):
                if message["type"] == "presence" and len(message["people"]) == 1:
                    alone = (loop.time() - started, message)
            if alone:
                break
        await watcher.disconnect()
        await ghost.disconnect()
        return both[-1], alone

    both, alone = asyncio.run(scenario())
    assert sorted(p["name"] for p in both["people"]) == ["Fiona Facilitator", "Max Member"]
    assert alone is not None, "the ghost never left the presence list"
    elapsed, message = alone
    assert elapsed < 1 + 0.5  # TTL + one (test-speed) heartbeat
    assert [p["name"] for p in message["people"]] == ["Fiona Facilitator"]


def test_pings_beyond_the_limit_cost_nothing(world, monkeypatch):
    convoy = world["convoy"]
    reads = []
    original = consumers._head_if_allowed

    async def counting(user, convoy_id):
        reads.append(convoy_id)
        return await original(user, convoy_id)

    monkeypatch.setattr(consumers, "_head_if_allowed", counting)

    async def scenario():
        comm = communicator(convoy, world["member"], "?after=0")
        await comm.connect()
        await receive_until(comm, "live")
        reads.clear()
        for _ in range(50):
            await comm.send_json_to({"type": "ping"})
        messages = []
        while not await comm.receive_nothing(timeout=0.5):
            messages.append(await comm.receive_json_from(timeout=1))
        await comm.disconnect()
        return messages

    messages = asyncio.run(scenario())
    pongs = [m for m in messages if m["type"] == "pong"]
    errors = [m for m in messages if m["type"] == "error"]
    assert len(pongs) == consumers.PING_LIMIT
    assert errors == [{"type": "error", "reason": "too many messages"}]
    assert len(reads) == consumers.PING_LIMIT


# --- finding: hostile cursors and frames never crash a socket ---


@pytest.mark.parametrize("after", ["²", "٣", "9" * 5000, "-1", "1e3", "%FF", "0x1"])
def test_odd_cursors_in_the_url_get_a_refetch(world, after):
    convoy = world["convoy"]
    record(convoy, 2)

    async def scenario():
        comm = communicator(convoy, world["member"], f"?after={after}")
        connected, _ = await comm.connect()
        assert connected
        messages = await receive_until(comm, "live")
        await comm.disconnect()
        return messages

    messages = asyncio.run(scenario())
    assert messages[0] == {"type": "refetch", "seq": 2, "reason": "invalid cursor"}


@pytest.mark.parametrize("cursor", ["²", "9" * 4000, 10**40, -1, True, 1.5, None, [1], {"a": 1}])
def test_odd_cursors_in_resume_get_a_refetch(world, cursor):
    convoy = world["convoy"]
    record(convoy, 1)

    async def scenario():
        comm = communicator(convoy, world["member"])
        await comm.connect()
        await comm.send_json_to({"type": "resume", "after": cursor})
        messages = await receive_until(comm, "live")
        await comm.disconnect()
        return messages

    messages = [m for m in asyncio.run(scenario()) if m["type"] != "presence"]
    assert messages[0] == {"type": "refetch", "seq": 1, "reason": "invalid cursor"}


HOSTILE_FRAMES = [
    {"bytes_data": b"\x00\xff binary"},
    {"text_data": "not json"},
    {"text_data": '{"type": "ping"'},
    {"text_data": "[" * 2000 + "]" * 2000},  # nested deeper than the recursion limit
    {"text_data": '{"type": "resume", "after": ' + "9" * 5000 + "}"},
    {"text_data": '{"type": "resume", "after": ' + "9" * 4299 + "}"},
    {"text_data": " " * 100_000},
]


@pytest.mark.parametrize("path", ["convoy", "notifications"])
@pytest.mark.parametrize("frame", HOSTILE_FRAMES, ids=lambda f: repr(f)[:40])
def test_hostile_frames_get_an_error_frame_and_the_socket_lives_on(world, path, frame):
    convoy = world["convoy"]

    async def scenario():
        if path == "convoy":
            comm = communicator(convoy, world["member"], "?after=0")
            await comm.connect()
            await receive_until(comm, "live")
        else:
            comm = communicator(None, world["member"], path="/ws/notifications/?after=²")
            assert (await comm.connect())[0]
        await comm.send_to(**frame)
        answers = []
        while not answers or answers[-1]["type"] not in {"error", "refetch"}:
            answers.append(await comm.receive_json_from(timeout=3))
        await comm.send_json_to({"type": "ping"})
        pong = await receive_until(comm, "pong")
        await comm.disconnect()
        return answers[-1], pong[-1]

    answer, pong = asyncio.run(scenario())
    if "9" * 4299 in frame.get("text_data", ""):
        assert answer["type"] in {"error", "refetch"}  # parses, but is no cursor
    else:
        assert answer == {"type": "error", "reason": "invalid message"}
    assert pong["type"] == "pong"


# --- finding: the Origin check compares scheme, host and port ---


@pytest.mark.parametrize(
    ("origin", "host", "secure", "allowed"),
    [
        ("http://127.0.0.1:8000", "127.0.0.1:8000", False, True),
        ("http://127.0.0.1:9000", "127.0.0.1:8000", False, False),  # same host, other port
        ("http://127.0.0.1", "127.0.0.1:8000", False, False),
        ("https://127.0.0.1:8000", "127.0.0.1:8000", False, False),  # other scheme
        ("http://localhost", "localhost:80", False, True),  # default port
        ("https://localhost", "localhost", True, True),
        ("http://evil.example:8000", "evil.example:8000", False, False),  # not ALLOWED_HOSTS
        ("null", "127.0.0.1:8000", False, False),
        ("http://127.0.0.1:8000", None, False, False),
        ("https://konvoi.example", "10.0.0.5:8000", False, True),  # SITE_URL behind a proxy
        ("https://konvoi.example:8443", "10.0.0.5:8000", False, False),
        ("https://app.trusted.example", "10.0.0.5:8000", False, True),  # CSRF_TRUSTED_ORIGINS
        ("http://app.trusted.example", "10.0.0.5:8000", False, False),
        ("https://partner.example:8443", "10.0.0.5:8000", False, True),
        ("https://partner.example", "10.0.0.5:8000", False, False),
    ],
)
def test_origin_compares_scheme_host_and_port(settings, origin, host, secure, allowed):
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    settings.SITE_URL = "https://konvoi.example"
    settings.CSRF_TRUSTED_ORIGINS = ["https://*.trusted.example", "https://partner.example:8443"]
    assert origin_allowed(origin, host_header=host, secure=secure) is allowed


def test_socket_from_another_port_of_the_same_host_is_refused(world, settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    settings.SITE_URL = "http://127.0.0.1:8000"

    async def connect(origin: str) -> tuple[bool, int | None]:
        comm = WebsocketCommunicator(
            websocket_auth_stack(URLRouter(websocket_urlpatterns)),
            f"/ws/convoys/{world['convoy'].pk}/",
            headers=[(b"host", b"127.0.0.1:8000"), (b"origin", origin.encode())],
        )
        comm.scope["user"] = world["member"]
        connected, code = await comm.connect()
        if connected:
            await comm.disconnect()
        return connected, code

    assert asyncio.run(connect("http://127.0.0.1:8001"))[0] is False
    assert asyncio.run(connect("http://127.0.0.1:8000"))[0] is True
