"""A company removed from a convoy sees nothing after its removal, on any path, against real
server processes on PostgreSQL and Redis; presence ghosts, hostile frames and origins there too.

The removal's seq is S. Whatever the client does around the removal (pings, resumes) and
whether or not the removal's publish arrives, the removed member's socket is closed with 4403
and never receives an event with seq >= S.
"""

import asyncio
import random
from unittest import mock

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from convoys.models import Event, Membership
from convoys.services import membership_end
from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    ConvoyFactory,
    FacilitatorFactory,
    MembershipFactory,
    UserFactory,
)
from tests.live.client import FeedClient
from tests.support.live import REDIS_URL, Server, require_live_services, token_for

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    convoy = ConvoyFactory()
    facilitator = UserFactory()
    FacilitatorFactory(convoy=convoy, user=facilitator)
    removed, staying = CompanyFactory(), CompanyFactory()
    member, staying_owner = UserFactory(), UserFactory()
    CompanyMemberFactory(company=removed, user=member, role="owner")
    CompanyMemberFactory(company=staying, user=staying_owner, role="owner")
    MembershipFactory(convoy=convoy, company=removed)
    MembershipFactory(convoy=convoy, company=staying)
    return {
        "convoy": convoy,
        "removed": removed,
        "staying": staying,
        "facilitator_user": facilitator,
        "facilitator": token_for(facilitator),
        "member": token_for(member),
        "staying_owner": token_for(staying_owner),
    }


def active_membership(world) -> Membership:
    return Membership.objects.get(convoy=world["convoy"], company=world["removed"], status="active")


def rejoin(world) -> None:
    MembershipFactory(convoy=world["convoy"], company=world["removed"])


def removal_seq(membership_id: int) -> int:
    return Event.objects.get(kind="membership.left", data__membership=membership_id).seq


async def post(server: Server, world, body: str) -> None:
    status, data = await asyncio.to_thread(
        server.post,
        f"/api/v1/convoys/{world['convoy'].pk}/updates/",
        world["staying_owner"],
        {"company": world["staying"].pk, "body": body},
    )
    assert status == 201, data


async def remove_over_api(server: Server, world) -> int:
    membership = await asyncio.to_thread(active_membership, world)
    status, _ = await asyncio.to_thread(
        server.delete,
        f"/api/v1/convoys/{world['convoy'].pk}/memberships/{membership.pk}/",
        world["facilitator"],
    )
    assert status == 204
    return await asyncio.to_thread(removal_seq, membership.pk)


def remove_with_publish_lost(world) -> int:
    """The removal commits while publishing fails (Redis down for this one write)."""
    membership = active_membership(world)
    with mock.patch("convoys.events.event_publish", lambda **kwargs: None):
        membership_end(actor=world["facilitator_user"], membership=membership)
    return removal_seq(membership.pk)


async def read_until_closed(client: FeedClient) -> int | None:
    """Read everything (events land in client.seqs) until the server closes the socket."""
    try:
        while True:
            await client.receive(timeout=15)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None
    except TimeoutError:
        return None


async def chatter(client: FeedClient, kind: str, rng: random.Random) -> None:
    """Ping or resume every 2–20 ms, as the attack did, until the socket is gone."""
    try:
        while True:
            if kind == "ping":
                await client.send({"type": "ping"})
            else:
                await client.send({"type": "resume", "after": max(0, client.last_seq - 1)})
            await asyncio.sleep(rng.uniform(0.002, 0.02))
    except (ConnectionClosed, AssertionError):
        return


@pytest.mark.parametrize("kind", ["ping", "resume"])
def test_a_removed_member_chattering_around_the_removal_gets_nothing_after_it(servers, world, kind):
    a, b = servers
    rng = random.Random(11)

    async def one_round(n: int) -> tuple[int | None, list[int], int]:
        await post(a, world, f"Runde {n}, vorher")
        client = FeedClient(b.ws_base, world["member"], world["convoy"].pk)
        await client.connect(after=0)
        await client.until(lambda m: m["type"] == "live")
        reader = asyncio.create_task(read_until_closed(client))
        talker = asyncio.create_task(chatter(client, kind, rng))
        await asyncio.sleep(rng.uniform(0, 0.03))
        seq = await remove_over_api(a, world)
        for i in range(3):
            await post(a, world, f"Runde {n}, danach {i}")
        code = await asyncio.wait_for(reader, 20)
        await talker
        await client.close()
        return code, client.seqs, seq

    async def scenario():
        results = []
        for n in range(3):
            results.append(await one_round(n))
            await asyncio.to_thread(rejoin, world)
        return results

    for code, seqs, removal in asyncio.run(scenario()):
        assert code == 4403
        assert seqs, "the member saw the log before the removal"
        assert max(seqs) < removal, f"events {sorted({s for s in seqs if s >= removal})} leaked"


def test_a_lost_removal_publish_leaks_nothing_live_by_ping_or_by_resume(servers, world):
    a, b = servers

    async def scenario():
        live = FeedClient(b.ws_base, world["member"], world["convoy"].pk)
        pinging = FeedClient(a.ws_base, world["member"], world["convoy"].pk)
        resuming = FeedClient(a.ws_base, world["member"], world["convoy"].pk)
        await post(a, world, "vorher")
        for client in (live, pinging):
            await client.connect(after=0)
            await client.until(lambda m: m["type"] == "live")
        await resuming.connect()  # waits for its resume
        readers = [asyncio.create_task(read_until_closed(c)) for c in (live, pinging, resuming)]
        removal = await asyncio.to_thread(remove_with_publish_lost, world)
        await pinging.send({"type": "ping"})
        await resuming.send({"type": "resume", "after": 0})
        for i in range(5):  # published normally: the live socket sees a gap
            await post(a, world, f"danach {i}")
        codes = await asyncio.wait_for(asyncio.gather(*readers), 20)
        return removal, codes, [c.seqs for c in (live, pinging, resuming)]

    removal, codes, seqs = asyncio.run(scenario())
    assert removal == 2
    assert codes == [4403, 4403, 4403]
    assert seqs[0] == [1] and seqs[1] == [1]
    assert all(s < removal for s in seqs[2])


HEARTBEAT = 1.2


def test_a_ghost_leaves_the_others_presence_within_the_ttl(django_db_setup, world):
    """The server process holding a socket crashes: nobody closes it, its presence entry stays
    in Redis until it expires, and then the others' next heartbeat shows it gone."""
    require_live_services()
    ttl = 2
    env = {"PRESENCE_TTL_SECONDS": str(ttl)}
    doomed, survivor = Server(REDIS_URL, env=env), Server(REDIS_URL, env=env)
    try:

        async def scenario():
            ghost = FeedClient(doomed.ws_base, world["member"], world["convoy"].pk)
            watcher = FeedClient(survivor.ws_base, world["facilitator"], world["convoy"].pk)
            await ghost.connect(after=0)
            await watcher.connect(after=0)
            await watcher.until(lambda m: m["type"] == "presence" and len(m["people"]) == 2)
            doomed.crash()
            loop = asyncio.get_running_loop()
            crashed_at = loop.time()
            while loop.time() - crashed_at < ttl + 4:
                await watcher.send({"type": "ping"})  # the browser's heartbeat, sped up
                try:
                    message = await watcher.until(
                        lambda m: m["type"] in {"presence", "pong"}, timeout=2
                    )
                except TimeoutError:
                    continue
                if message["type"] == "presence" and len(message["people"]) == 1:
                    await watcher.close()
                    return loop.time() - crashed_at, message["people"]
                # Under the ping budget (10 per 10 s), or pings would be ignored.
                await asyncio.sleep(HEARTBEAT)
            await watcher.close()
            return None, None

        elapsed, people = asyncio.run(scenario())
    finally:
        doomed.stop()
        survivor.stop()
    assert elapsed is not None, "the crashed client stayed in the presence list"
    # The TTL plus one heartbeat, plus a second of slack for a loaded 2-core CI machine.
    assert elapsed <= ttl + HEARTBEAT + 1.0
    assert people[0]["companies"] == []  # the facilitator alone


def test_hostile_frames_and_cursors_do_not_crash_a_real_socket(servers, world):
    a, _b = servers

    async def scenario():
        client = FeedClient(a.ws_base, world["member"], world["convoy"].pk)
        # ?after=² (URL-encoded), which int() refuses though str.isdigit() accepts it
        await client.connect(path=f"/ws/convoys/{world['convoy'].pk}/?after=%C2%B2")
        answers = [await client.until(lambda m: m["type"] == "refetch")]
        assert client.ws is not None
        for frame in (b"\x00\xff", "nicht json", "[" * 2000 + "]" * 2000, "9" * 5000):
            await client.ws.send(frame)
            answers.append(await client.until(lambda m: m["type"] == "error"))
        await client.send({"type": "ping"})
        answers.append(await client.until(lambda m: m["type"] == "pong"))
        await client.close()
        return answers

    answers = asyncio.run(scenario())
    assert answers[0]["reason"] == "invalid cursor"
    assert answers[1:5] == [{"type": "error", "reason": "invalid message"}] * 4
    assert answers[5]["type"] == "pong"


def test_origin_of_another_port_on_the_same_host_is_refused(servers, world):
    a, _b = servers

    async def scenario():
        client = FeedClient(a.ws_base, world["member"], world["convoy"].pk)
        with pytest.raises(InvalidStatus) as refused:
            await client.connect(origin=f"http://127.0.0.1:{a.port + 1}")
        await client.connect(origin=f"http://127.0.0.1:{a.port}")
        hello = await client.receive()
        await client.close()
        return refused.value.response.status_code, hello

    status, hello = asyncio.run(scenario())
    assert status == 403
    assert hello["type"] in {"live", "presence"}
