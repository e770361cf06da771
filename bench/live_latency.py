"""Live delivery benchmark: `python -m bench.live_latency` (needs PostgreSQL and Redis).

Latency from the commit of a change to its receipt by N WebSocket subscribers spread over two
ASGI server processes, next to the floor: a bare channel-layer group_send to N receivers of the
same layer, measured in the same run. Subscribers and receivers live in this process, so both
sides pay the same client costs. Reports p50/p99 for N = 10, 100, 500 and the ratio.

Options pick the channel layer (core / pubsub) and the ASGI server (uvicorn / daphne) so that
the choice in config/settings.py is a measured one.
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS = BASE_DIR / "bench" / "results"
BENCH_DB = "konvoi_bench_live"
WARMUP = 5  # first events of each run open connections and fill caches; not counted


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def setup_environment(layer: str) -> None:
    import psycopg

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/konvoi")
    if not base.startswith("postgres"):
        sys.exit("live_latency needs PostgreSQL: set DATABASE_URL=postgres://…")
    root, _, _name = base.rpartition("/")
    with psycopg.connect(f"{root}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    os.environ["DATABASE_URL"] = f"{root}/{BENCH_DB}"
    # A Redis database of its own, so that nothing else flushing db 0 disturbs the run.
    os.environ["REDIS_URL"] = "redis://127.0.0.1:6379/12"
    import redis

    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
    os.environ["CHANNEL_LAYER"] = layer
    os.environ.setdefault("SECRET_KEY", "bench-" + "k" * 50)
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def arrange():
    from accounts.services import api_token_create
    from tests.factories import (
        CompanyFactory,
        CompanyMemberFactory,
        ConvoyFactory,
        MembershipFactory,
        UserFactory,
    )

    convoy = ConvoyFactory()
    company = CompanyFactory()
    owner = UserFactory()
    CompanyMemberFactory(company=company, user=owner, role="owner")
    MembershipFactory(convoy=convoy, company=company)
    token = api_token_create(user=owner, name="bench")[1]
    return convoy, company, owner, token


def post_events(convoy, company, owner, count: int, gap: float, commits: dict) -> None:
    """Post updates through the service; stamp the instant each transaction commits."""
    from django.db import transaction

    from projects.services import update_post

    for i in range(count):
        with transaction.atomic():
            stamp: dict = {}
            # Registered before the service's publish callback, so it runs first on commit.
            transaction.on_commit(lambda s=stamp: s.setdefault("t", time.perf_counter()))
            update = update_post(actor=owner, convoy=convoy, company=company, body=f"bench {i}")
            stamp["update"] = update.pk
        commits[i] = stamp["t"]
        time.sleep(gap)
    from django.db import connection

    connection.close()


async def measure_live(servers, token: str, convoy, company, owner, n: int, k: int) -> list[float]:
    from websockets.asyncio.client import connect

    from convoys.models import Convoy

    start_seq = await asyncio.to_thread(lambda: Convoy.objects.get(pk=convoy.pk).last_event_seq)
    received: dict[int, list[float]] = {}
    sockets = []
    for i in range(n):
        server = servers[i % len(servers)]
        ws = await connect(
            f"{server.ws_base}/ws/convoys/{convoy.pk}/?after={start_seq}",
            additional_headers={"Authorization": f"Token {token}"},
            max_queue=None,
        )
        sockets.append(ws)
    for ws in sockets:  # wait until every socket is live
        while json.loads(await ws.recv())["type"] != "live":
            pass

    async def reader(ws):
        seen = 0
        while seen < k:
            message = json.loads(await ws.recv())
            if message["type"] == "event":
                received.setdefault(message["seq"] - start_seq - 1, []).append(time.perf_counter())
                seen += 1

    commits: dict[int, float] = {}
    readers = [asyncio.create_task(reader(ws)) for ws in sockets]
    poster = threading.Thread(target=post_events, args=(convoy, company, owner, k, 0.05, commits))
    poster.start()
    try:
        await asyncio.wait_for(asyncio.gather(*readers), timeout=120)
    except TimeoutError:
        got = {i: len(times) for i, times in sorted(received.items())}
        seq = await asyncio.to_thread(lambda: Convoy.objects.get(pk=convoy.pk).last_event_seq)
        sys.exit(
            f"N={n}: not every subscriber got {k} events in time (per event: {got}; "
            f"log at {seq}, started at {start_seq}, poster alive: {poster.is_alive()})"
        )
    poster.join()
    for ws in sockets:
        await ws.close()
    return [t - commits[i] for i, times in received.items() if i >= WARMUP for t in times]


async def measure_floor(n: int, k: int) -> list[float]:
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    group = f"bench.floor.{n}"
    channels = [await layer.new_channel() for _ in range(n)]
    for channel in channels:
        await layer.group_add(group, channel)
    latencies: list[float] = []
    sent: dict[int, float] = {}

    async def receiver(channel):
        for _ in range(k):
            message = await layer.receive(channel)
            if message["i"] >= WARMUP:
                latencies.append(time.perf_counter() - sent[message["i"]])

    tasks = [asyncio.create_task(receiver(c)) for c in channels]
    await asyncio.sleep(0.2)
    for i in range(k):
        sent[i] = time.perf_counter()
        await layer.group_send(group, {"type": "convoy.event", "i": i, "event": {"seq": i}})
        await asyncio.sleep(0.05)
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=120)
    for channel in channels:
        await layer.group_discard(group, channel)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layer", choices=["core", "pubsub"], default="core")
    parser.add_argument("--server", choices=["uvicorn", "daphne"], default="uvicorn")
    parser.add_argument("--sizes", default="10,100,500")
    parser.add_argument("--events", type=int, default=40)
    args = parser.parse_args()
    setup_environment(args.layer)

    from tests.support.live import Server

    convoy, company, owner, token = arrange()
    redis_url = os.environ["REDIS_URL"]
    servers = [Server(redis_url, kind=args.server), Server(redis_url, kind=args.server)]
    rows = []
    try:
        for n in [int(x) for x in args.sizes.split(",")]:
            k = args.events + WARMUP
            live = asyncio.run(measure_live(servers, token, convoy, company, owner, n, k))
            floor = asyncio.run(measure_floor(n, k))
            row = {
                "subscribers": n,
                "live_p50_ms": statistics.median(live) * 1000,
                "live_p99_ms": percentile(live, 0.99) * 1000,
                "floor_p50_ms": statistics.median(floor) * 1000,
                "floor_p99_ms": percentile(floor, 0.99) * 1000,
            }
            row["ratio_p99"] = row["live_p99_ms"] / row["floor_p99_ms"]
            rows.append(row)
            print(
                f"N={n:4d}  live p50 {row['live_p50_ms']:7.2f} ms  p99 {row['live_p99_ms']:7.2f} ms"
                f"  | floor p50 {row['floor_p50_ms']:7.2f} ms  p99 {row['floor_p99_ms']:7.2f} ms"
                f"  | p99 ratio {row['ratio_p99']:.2f}",
                flush=True,
            )
    finally:
        for server in servers:
            server.stop()
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"live-{args.layer}-{args.server}.json"
    out.write_text(json.dumps({"layer": args.layer, "server": args.server, "rows": rows}, indent=2))
    print(f"results: {out.relative_to(BASE_DIR)}")


if __name__ == "__main__":
    main()
