"""The live convoy feed against real server processes on PostgreSQL and Redis."""

import asyncio
import random

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    ConvoyFactory,
    FacilitatorFactory,
    MembershipFactory,
    UserFactory,
)
from tests.live.client import FeedClient
from tests.support.live import PrivateRedis, Server, require_live_services, token_for

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def convoy_people():
    convoy = ConvoyFactory()
    facilitator = UserFactory()
    FacilitatorFactory(convoy=convoy, user=facilitator)
    company = CompanyFactory()
    owner, member, outsider = UserFactory(), UserFactory(), UserFactory()
    CompanyMemberFactory(company=company, user=owner, role="owner")
    CompanyMemberFactory(company=company, user=member, role="member")
    membership = MembershipFactory(convoy=convoy, company=company)
    return {
        "convoy": convoy,
        "company": company,
        "membership": membership,
        "facilitator": token_for(facilitator),
        "owner": token_for(owner),
        "member": token_for(member),
        "outsider": token_for(outsider),
    }


def post_update(server: Server, people: dict, body: str = "Es geht voran") -> int:
    status, data = server.post(
        f"/api/v1/convoys/{people['convoy'].pk}/updates/",
        people["owner"],
        {"company": people["company"].pk, "body": body},
    )
    assert status == 201, data
    return data["id"]


async def post_async(server: Server, people: dict, body: str = "Es geht voran") -> int:
    return await asyncio.to_thread(post_update, server, people, body)


def test_live_receipt_and_cross_process_delivery(servers, convoy_people):
    a, b = servers

    async def scenario():
        on_a = FeedClient(a.ws_base, convoy_people["member"], convoy_people["convoy"].pk)
        on_b = FeedClient(b.ws_base, convoy_people["facilitator"], convoy_people["convoy"].pk)
        await on_a.connect(after=0)
        await on_b.connect(after=0)
        await on_a.until(lambda m: m["type"] == "live")
        await on_b.until(lambda m: m["type"] == "live")
        await post_async(a, convoy_people, "Online-Termine laufen")
        got_a = await on_a.until(lambda m: m["type"] == "event")
        got_b = await on_b.until(lambda m: m["type"] == "event")
        await on_a.close()
        await on_b.close()
        return got_a, got_b

    got_a, got_b = asyncio.run(scenario())
    assert got_a["kind"] == got_b["kind"] == "update.posted"
    assert got_a["seq"] == got_b["seq"] == 1
    assert got_b["data"]["update"]["body"] == "Online-Termine laufen"


def test_resume_after_missing_five_gives_exactly_those_in_order(servers, convoy_people):
    a, b = servers
    for i in range(3):
        post_update(a, convoy_people, f"vorher {i}")

    async def scenario():
        client = FeedClient(b.ws_base, convoy_people["member"], convoy_people["convoy"].pk)
        await client.connect(after=0)
        await client.until(lambda m: m["type"] == "live")
        assert client.seqs == [1, 2, 3]
        await client.close()
        for i in range(5):
            await post_async(a, convoy_people, f"verpasst {i}")
        client.seqs.clear()
        await client.connect()
        await client.send({"type": "resume", "after": 3})
        await client.until(lambda m: m["type"] == "live")
        replayed = list(client.seqs)
        await post_async(a, convoy_people, "wieder live")
        await client.until(lambda m: m["type"] == "event")
        await client.close()
        return replayed, client.seqs

    replayed, all_seqs = asyncio.run(scenario())
    assert replayed == [4, 5, 6, 7, 8]
    assert all_seqs == [4, 5, 6, 7, 8, 9]


def test_invalid_or_future_cursor_gets_refetch(servers, convoy_people):
    a, _b = servers
    post_update(a, convoy_people)

    async def scenario():
        client = FeedClient(a.ws_base, convoy_people["member"], convoy_people["convoy"].pk)
        await client.connect()
        await client.send({"type": "resume", "after": 99})
        refetch = await client.until(lambda m: m["type"] in {"refetch", "event"})
        await client.send({"type": "resume", "after": "abc"})
        refetch2 = await client.until(lambda m: m["type"] in {"refetch", "event"})
        await client.close()
        return refetch, refetch2

    refetch, refetch2 = asyncio.run(scenario())
    assert refetch == {"type": "refetch", "seq": 1, "reason": "invalid cursor"}
    assert refetch2["type"] == "refetch"


@pytest.mark.parametrize("who", ["outsider", None])
def test_outsiders_and_anonymous_are_refused(servers, convoy_people, who):
    a, _b = servers
    token = convoy_people[who] if who else None

    async def scenario():
        client = FeedClient(a.ws_base, token, convoy_people["convoy"].pk)
        with pytest.raises(InvalidStatus) as refused:
            await client.connect()
        return refused.value.response.status_code

    assert asyncio.run(scenario()) == 403


def test_foreign_origin_is_refused_and_own_origin_accepted(servers, convoy_people):
    a, _b = servers

    async def scenario():
        client = FeedClient(a.ws_base, convoy_people["member"], convoy_people["convoy"].pk)
        with pytest.raises(InvalidStatus) as refused:
            await client.connect(origin="https://evil.example")
        await client.connect(origin=f"http://127.0.0.1:{a.port}")
        hello = await client.receive()
        await client.close()
        return refused.value.response.status_code, hello

    status, hello = asyncio.run(scenario())
    assert status == 403
    assert hello["type"] in {"live", "presence"}


def test_ending_the_membership_closes_the_socket(servers, convoy_people):
    a, b = servers
    people = convoy_people

    async def scenario():
        member = FeedClient(b.ws_base, people["member"], people["convoy"].pk)
        facilitator = FeedClient(a.ws_base, people["facilitator"], people["convoy"].pk)
        await member.connect(after=0)
        await facilitator.connect(after=0)
        await member.until(lambda m: m["type"] == "live")
        status, _ = await asyncio.to_thread(
            a.delete,
            f"/api/v1/convoys/{people['convoy'].pk}/memberships/{people['membership'].pk}/",
            people["facilitator"],
        )
        assert status == 204
        with pytest.raises(ConnectionClosed) as closed:
            await member.until(lambda m: False, timeout=10)
        left = await facilitator.until(lambda m: m["type"] == "event")
        await facilitator.close()
        return closed.value.rcvd.code, left

    code, left = asyncio.run(scenario())
    assert code == 4403
    assert left["kind"] == "membership.left"


def test_presence_shows_people_once_however_many_tabs(servers, convoy_people):
    a, b = servers
    people = convoy_people

    async def scenario():
        member_tab1 = FeedClient(a.ws_base, people["member"], people["convoy"].pk)
        member_tab2 = FeedClient(b.ws_base, people["member"], people["convoy"].pk)
        facilitator = FeedClient(b.ws_base, people["facilitator"], people["convoy"].pk)
        await member_tab1.connect(after=0)
        await member_tab2.connect(after=0)
        await facilitator.connect(after=0)
        both = await facilitator.until(lambda m: m["type"] == "presence" and len(m["people"]) == 2)
        await member_tab1.close()
        still = await facilitator.until(lambda m: m["type"] == "presence")
        await member_tab2.close()
        alone = await facilitator.until(lambda m: m["type"] == "presence")
        await facilitator.close()
        return both, still, alone

    both, still, alone = asyncio.run(scenario())
    member = next(p for p in both["people"] if p["companies"])
    assert member["companies"] == [people["company"].name]
    assert member["tabs"] == 2
    assert len(still["people"]) == 2
    assert len(alone["people"]) == 1


def test_chaos_twenty_clients_reconnecting_get_all_500_events_once_in_order(servers, convoy_people):
    a, b = servers
    total = 500
    rng = random.Random(7)

    async def poster(server: Server, count: int):
        for i in range(count):
            await post_async(server, convoy_people, f"Schritt {i}")

    async def flaky_client(n: int) -> list[int]:
        client = FeedClient(a.ws_base, convoy_people["member"], convoy_people["convoy"].pk)
        while client.last_seq < total:
            client.ws_base = rng.choice([a, b]).ws_base
            await client.connect(after=client.last_seq)
            stay = asyncio.get_running_loop().time() + rng.uniform(0.05, 0.6)
            try:
                while client.last_seq < total and asyncio.get_running_loop().time() < stay:
                    try:
                        await client.receive(timeout=0.3)
                    except TimeoutError:
                        await client.send({"type": "ping"})
            finally:
                await client.close()
            await asyncio.sleep(rng.uniform(0, 0.2))
        return client.seqs

    async def scenario():
        clients = [asyncio.create_task(flaky_client(n)) for n in range(20)]
        await asyncio.gather(poster(a, total // 2), poster(b, total - total // 2))
        return await asyncio.wait_for(asyncio.gather(*clients), timeout=120)

    results = asyncio.run(scenario())
    expected = list(range(1, total + 1))
    for seqs in results:
        assert seqs == expected


def test_redis_outage_writes_succeed_and_clients_catch_up(django_db_setup, convoy_people):
    require_live_services()
    redis = PrivateRedis()
    server = Server(redis.url)
    people = convoy_people
    try:

        async def scenario():
            client = FeedClient(server.ws_base, people["member"], people["convoy"].pk)
            await client.connect(after=0)
            await client.until(lambda m: m["type"] == "live")
            await post_async(server, people, "vor dem Ausfall")
            await client.until(lambda m: m["type"] == "event")
            redis.stop()
            for i in range(3):
                await post_async(server, people, f"während des Ausfalls {i}")
            redis.start()
            # The socket may or may not have survived the outage; a real client reconnects
            # and resumes from its last seq.
            await client.close()
            for attempt in range(10):  # reconnect with backoff, as the browser module does
                try:
                    await client.connect(after=client.last_seq)
                    await client.until(lambda m: m["type"] == "live")
                    break
                except (InvalidStatus, ConnectionClosed):
                    await asyncio.sleep(0.1 * 2**attempt)
            await post_async(server, people, "nach dem Ausfall")
            await client.until(lambda m: m["type"] == "event" and m["seq"] == 5)
            await client.close()
            return client.seqs

        assert asyncio.run(scenario()) == [1, 2, 3, 4, 5]
    finally:
        server.stop()
        redis.stop()


def test_dashboard_regions_are_rendered_once_and_reach_both_processes_by_role(
    servers, convoy_people
):
    """A member's dashboard on one process, the facilitator's on the other: one of the two
    renders the update's regions, for both roles at once, and publishes them; each socket gets
    its role's frame right after the event, the member's without the facilitator's controls."""
    import redis

    from tests.support.live import REDIS_URL

    a, b = servers
    convoy = convoy_people["convoy"]
    dashboard = f"/ws/convoys/{convoy.pk}/?after=0&regions=1&lang=en"

    async def scenario():
        member = FeedClient(a.ws_base, convoy_people["member"], convoy.pk)
        facilitator = FeedClient(b.ws_base, convoy_people["facilitator"], convoy.pk)
        for client in (member, facilitator):
            await client.connect(path=dashboard)
            await client.until(lambda m: m["type"] == "live")
        await post_async(a, convoy_people, "Online-Termine laufen")
        frames = []
        for client in (member, facilitator):
            event = await client.until(lambda m: m["type"] == "event")
            regions = await client.until(lambda m: m["type"] == "regions")
            assert regions["seq"] == event["seq"] == 1
            frames.append(regions["regions"])
            await client.close()
        return frames

    member, facilitator = asyncio.run(scenario())
    assert (
        set(member)
        == set(facilitator)
        == {
            "update-feed",
            "dashboard-attention",
            "dashboard-companies",
            "activity-feed",
        }
    )
    assert "Online-Termine laufen" in member["update-feed"]
    assert 'data-testid="company-menu"' in facilitator["dashboard-companies"]
    everything = "".join(member.values())
    assert "company-menu" not in everything and "company-remove" not in everything
    assert "<!--role:" not in everything + "".join(facilitator.values())
    cache = redis.Redis.from_url(REDIS_URL)
    # One renderer for the event's language, one set of rendered regions, for both roles.
    assert len(cache.keys(f"*live-push:{convoy.pk}:1:en:lock")) == 1
    assert len(cache.keys(f"*live-split:{convoy.pk}:1:en:*")) == 4
