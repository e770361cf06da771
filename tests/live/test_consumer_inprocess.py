"""The convoy consumer in-process (embedded mode: in-memory channel layer), any database.

These pin the ordering rules that the server-process tests exercise end to end: buffering
until the client's resume, de-duplication by seq, gap filling from the log, refetch.
"""

import asyncio
import contextlib
from unittest import mock

import pytest
from channels.layers import get_channel_layer
from channels.routing import URLRouter
from django.db import transaction

from convoys.events import convoy_group, event_group_message, event_message, event_record
from convoys.models import Event
from convoys.presence import MemoryPresence, people_present
from convoys.routing import websocket_urlpatterns
from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    ConvoyFactory,
    MembershipFactory,
    UserFactory,
)
from tests.support.sockets import WebsocketCommunicator

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_memory_layer")]


@pytest.fixture
def member_world():
    convoy = ConvoyFactory()
    company = CompanyFactory()
    user = UserFactory()
    CompanyMemberFactory(company=company, user=user, role="owner")
    MembershipFactory(convoy=convoy, company=company)
    return convoy, user


def record(convoy, n: int, *, publish: bool = True) -> list[Event]:
    """Record n events; with publish=False their publishes are lost (as in a Redis outage)."""
    events = []
    lose = mock.patch("convoys.events.event_publish", _lost)
    with contextlib.nullcontext() if publish else lose:
        for i in range(n):
            with transaction.atomic():
                events.append(
                    event_record(
                        convoy_id=convoy.pk, kind="update.posted", data={"i": i}, actor=None
                    )
                )
    return events


def _lost(**kwargs):
    pass


def communicator(convoy, user, query: str = "") -> WebsocketCommunicator:
    app = URLRouter(websocket_urlpatterns)
    comm = WebsocketCommunicator(app, f"/ws/convoys/{convoy.pk}/{query}")
    comm.scope["user"] = user
    return comm


async def receive_until(comm, kind: str, timeout: float = 3) -> list[dict]:
    seen = []
    while True:
        message = await comm.receive_json_from(timeout=timeout)
        seen.append(message)
        if message["type"] == kind:
            return seen


async def receive_events(comm, n: int) -> list[dict]:
    """The next n event messages, skipping presence announcements."""
    events = []
    while len(events) < n:
        message = await comm.receive_json_from(timeout=3)
        if message["type"] == "event":
            events.append(message)
    return events


def seqs(messages: list[dict]) -> list[int]:
    return [m["seq"] for m in messages if m["type"] == "event"]


def test_live_events_wait_for_resume_and_are_not_duplicated(member_world):
    convoy, user = member_world
    record(convoy, 3)

    async def scenario():
        comm = communicator(convoy, user)
        connected, _ = await comm.connect()
        assert connected
        # Published while the socket waits for the client's resume: buffered, not sent yet.
        await asyncio.to_thread(record, convoy, 2)
        await comm.send_json_to({"type": "resume", "after": 1})
        messages = await receive_until(comm, "live")
        await comm.disconnect()
        return messages

    messages = asyncio.run(scenario())
    assert seqs(messages) == [2, 3, 4, 5]


def test_a_gap_in_live_delivery_is_filled_from_the_log(member_world):
    convoy, user = member_world

    async def scenario():
        comm = communicator(convoy, user, "?after=0")
        await comm.connect()
        await receive_until(comm, "live")
        # Events 1 and 2 are committed but their publishes are lost (Redis hiccup).
        await asyncio.to_thread(record, convoy, 2, publish=False)
        await asyncio.to_thread(record, convoy, 1)
        got = await receive_events(comm, 3)
        # A late duplicate publish is dropped.
        event = await asyncio.to_thread(lambda: Event.objects.get(convoy=convoy, seq=2))
        await get_channel_layer().group_send(
            convoy_group(convoy.pk), event_group_message(event_message(event))
        )
        # Nothing but the (coalesced, so possibly late) presence list arrives.
        late = []
        while not await comm.receive_nothing(timeout=0.4):
            late.append(await comm.receive_json_from())
        assert [m["type"] for m in late if m["type"] != "presence"] == []
        await comm.disconnect()
        return got

    got = asyncio.run(scenario())
    assert seqs(got) == [1, 2, 3]


def test_ping_closes_a_tail_gap(member_world):
    convoy, user = member_world

    async def scenario():
        comm = communicator(convoy, user, "?after=0")
        await comm.connect()
        await receive_until(comm, "live")
        await asyncio.to_thread(record, convoy, 2, publish=False)
        await comm.send_json_to({"type": "ping"})
        messages = await receive_until(comm, "pong")
        await comm.disconnect()
        return messages

    messages = asyncio.run(scenario())
    assert seqs(messages) == [1, 2]
    assert messages[-1] == {"type": "pong", "seq": 2}


@pytest.mark.parametrize("after", ["-1", "7", "x"])
def test_invalid_cursor_in_url_gets_refetch(member_world, after):
    convoy, user = member_world
    record(convoy, 2)

    async def scenario():
        comm = communicator(convoy, user, f"?after={after}")
        await comm.connect()
        messages = await receive_until(comm, "live")
        await comm.disconnect()
        return messages

    messages = asyncio.run(scenario())
    assert messages[0] == {"type": "refetch", "seq": 2, "reason": "invalid cursor"}
    assert seqs(messages) == []


def test_non_member_is_refused(member_world):
    convoy, _user = member_world
    stranger = UserFactory()

    async def scenario():
        comm = communicator(convoy, stranger)
        connected, code = await comm.connect()
        return connected, code

    connected, code = asyncio.run(scenario())
    assert not connected
    assert code == 4403


def test_presence_expires_ghosts(monkeypatch):
    store = MemoryPresence()
    clock = [1000.0]
    monkeypatch.setattr("convoys.presence.time.time", lambda: clock[0])
    anna = {"id": 1, "name": "Anna", "handle": "anna", "companies": ["A"]}
    ben = {"id": 2, "name": "Ben", "handle": "ben", "companies": ["B"]}

    async def scenario():
        await store.touch(5, "tab-1", anna)
        await store.touch(5, "tab-2", anna)
        await store.touch(5, "tab-3", ben)
        first = people_present(await store.entries(5))
        clock[0] += 45
        await store.touch(5, "tab-1", anna)  # Anna's heartbeat; Ben's process crashed
        clock[0] += 30
        later = people_present(await store.entries(5))
        return first, later

    first, later = asyncio.run(scenario())
    assert [(p["name"], p["tabs"]) for p in first] == [("Anna", 2), ("Ben", 1)]
    assert [(p["name"], p["tabs"]) for p in later] == [("Anna", 1)]


def test_removing_the_person_from_their_company_closes_the_socket(member_world):
    from companies.models import CompanyMember
    from companies.services import company_member_remove

    convoy, user = member_world
    member = CompanyMember.objects.get(user=user)
    other_owner = UserFactory()
    CompanyMemberFactory(company=member.company, user=other_owner, role="owner")

    async def scenario():
        comm = communicator(convoy, user, "?after=0")
        await comm.connect()
        await receive_until(comm, "live")
        await asyncio.to_thread(company_member_remove, actor=other_owner, member=member)
        while True:
            message = await comm.receive_output(timeout=3)
            if message["type"] == "websocket.close":
                return message["code"]

    assert asyncio.run(scenario()) == 4403


def test_a_connect_storm_sends_few_presence_announcements_not_one_per_socket(member_world):
    """N sockets connecting together: the others hear a few coalesced presence lists, not
    N each (O(N²) frames before)."""
    convoy, user = member_world
    n = 12

    async def scenario():
        comms = [communicator(convoy, user, "?after=0") for _ in range(n)]
        for comm in comms:
            assert (await comm.connect())[0]
        await asyncio.sleep(0.8)  # a few coalescing windows
        counts = []
        for comm in comms:
            frames = []
            while not await comm.receive_nothing(timeout=0.05):
                frames.append(await comm.receive_json_from())
            presence = [f for f in frames if f["type"] == "presence"]
            counts.append(len(presence))
            # The newest list they heard names the person once, with every tab.
            assert presence[-1]["people"][0]["tabs"] == n
        for comm in comms:
            await comm.disconnect()
        return counts

    counts = asyncio.run(scenario())
    assert max(counts) <= 3, counts


def test_resume_exact_after_a_storm_of_presence(member_world):
    """Events recorded during the connects arrive once each, in order, beside presence."""
    convoy, user = member_world
    record(convoy, 2)

    async def scenario():
        comms = [communicator(convoy, user, "?after=1") for _ in range(5)]
        for comm in comms:
            assert (await comm.connect())[0]
        await asyncio.to_thread(record, convoy, 3)
        got = [seqs(await receive_events(comm, 4)) for comm in comms]
        for comm in comms:
            await comm.disconnect()
        return got

    assert asyncio.run(scenario()) == [[2, 3, 4, 5]] * 5


def test_fanout_messages_skip_the_per_message_thread_hop(member_world, monkeypatch):
    """A live event is relayed without Channels' aclose_old_connections (a hop to the sync
    thread per subscriber per event); other messages keep it."""
    convoy, user = member_world
    hops = []

    async def counting():
        hops.append(1)

    monkeypatch.setattr("channels.consumer.aclose_old_connections", counting)

    async def scenario():
        comm = communicator(convoy, user, "?after=0")
        assert (await comm.connect())[0]
        await receive_until(comm, "live")
        before = len(hops)
        await asyncio.to_thread(record, convoy, 3)
        assert seqs(await receive_events(comm, 3)) == [1, 2, 3]
        relayed = len(hops) - before
        await comm.disconnect()
        return relayed

    assert asyncio.run(scenario()) == 0


def test_dashboard_sockets_get_the_regions_pushed_once_per_language(monkeypatch):
    """Three members and a facilitator on the dashboard: the event's regions are rendered once
    for all of them (both roles in one render), and each socket gets its role's frame right
    after the event; a member's frame has no facilitator control."""
    import frontend.live_views
    from projects.services import update_post
    from tests.factories import FacilitatorFactory

    convoy = ConvoyFactory()
    company = CompanyFactory()
    members = [UserFactory() for _ in range(3)]
    for user in members:
        CompanyMemberFactory(company=company, user=user, role="owner")
    MembershipFactory(convoy=convoy, company=company)
    facilitator = UserFactory()
    FacilitatorFactory(convoy=convoy, user=facilitator)
    renders = []
    real = frontend.live_views._shared_render

    def counting(c, wanted, memo=None):
        renders.append(tuple(sorted(wanted)))
        return real(c, wanted, memo)

    monkeypatch.setattr(frontend.live_views, "_shared_render", counting)

    async def scenario():
        comms = [
            communicator(convoy, user, "?after=0&regions=1&lang=en")
            for user in [*members, facilitator]
        ]
        for comm in comms:
            assert (await comm.connect())[0]
            await receive_until(comm, "live")
        await asyncio.to_thread(
            lambda: update_post(actor=members[0], convoy=convoy, company=company, body="Neu")
        )
        frames = []
        for comm in comms:
            got = await receive_until(comm, "regions")
            kinds = [m["type"] for m in got if m["type"] != "presence"]
            assert kinds == ["event", "regions"]  # the event first, then its regions
            frames.append(got[-1])
        for comm in comms:
            await comm.disconnect()
        return frames

    frames = asyncio.run(scenario())
    assert len(renders) == 1  # once, not per socket nor per role
    assert {f["seq"] for f in frames} == {1}
    assert set(frames[0]["regions"]) == {
        "update-feed",
        "dashboard-attention",
        "dashboard-companies",
        "activity-feed",
    }
    assert frames[0] == frames[1] == frames[2]  # the members share one frame
    member_html = "".join(frames[0]["regions"].values())
    assert "company-remove" not in member_html and "company-menu" not in member_html
    assert "company-menu" in frames[3]["regions"]["dashboard-companies"]
    assert "Updates and conversations" in frames[0]["regions"]["update-feed"]


def test_a_page_without_regions_gets_no_regions_frame(member_world):
    convoy, user = member_world

    async def scenario():
        comm = communicator(convoy, user, "?after=0")
        assert (await comm.connect())[0]
        await receive_until(comm, "live")
        await asyncio.to_thread(record, convoy, 1)
        await receive_events(comm, 1)
        late = []
        while not await comm.receive_nothing(timeout=0.5):
            late.append((await comm.receive_json_from())["type"])
        await comm.disconnect()
        return late

    assert "regions" not in asyncio.run(scenario())


def test_a_member_made_facilitator_gets_the_facilitators_regions_without_reconnecting(
    member_world,
):
    from convoys.services import facilitator_add
    from projects.services import update_post
    from tests.factories import FacilitatorFactory

    convoy, member = member_world
    company = member.company_memberships.get().company
    facilitator = UserFactory()
    FacilitatorFactory(convoy=convoy, user=facilitator)

    async def scenario():
        comm = communicator(convoy, member, "?after=0&regions=1&lang=en")
        assert (await comm.connect())[0]
        await receive_until(comm, "live")
        post = lambda body: update_post(actor=member, convoy=convoy, company=company, body=body)  # noqa: E731
        await asyncio.to_thread(post, "Vorher")
        before = (await receive_until(comm, "regions"))[-1]
        await asyncio.to_thread(
            lambda: facilitator_add(actor=facilitator, convoy=convoy, user=member)
        )
        await asyncio.sleep(0.2)  # the access message is handled
        await asyncio.to_thread(post, "Nachher")
        after = (await receive_until(comm, "regions"))[-1]
        await comm.disconnect()
        return before, after

    before, after = asyncio.run(scenario())
    assert "company-menu" not in before["regions"]["dashboard-companies"]
    assert 'data-testid="company-menu"' in after["regions"]["dashboard-companies"]
