"""Live delivery benchmark: `python -m bench.live_latency` (needs PostgreSQL and Redis).

Latency from the commit of a change to its receipt by N WebSocket subscribers spread over two
uvicorn processes, next to its floor measured in the same run with the same clients: a bare
ASGI broadcaster (bench/bare_broadcast.py: no Django, no Channels; two uvicorn processes, each
subscribed once to a Redis pub/sub channel, relaying every message to all its sockets).

Konvoi's side posts updates through the service (`update_post`, the path of the API) at
`--rate` events per second and stamps the commit; the floor's side stamps a PUBLISH of a frame
of the same size at the same rate. Each (N, side) run is repeated `--repeat` times,
interleaved, so that noise from other work on the machine hits both alike; p50/p99 per run,
the ratio per run, and the server processes' CPU seconds per event are reported.

Options pick the channel layer (core / pubsub) so that the choice in config/settings.py is a
measured one. Environment: DATABASE_URL (a PostgreSQL server; the run creates and drops its own
database BENCH_LIVE_DB), BENCH_REDIS_URL (a Redis database the run may flush).
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
BENCH_DB = os.environ.get("BENCH_LIVE_DB", "konvoi_bench_live")
BENCH_REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
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
    os.environ["REDIS_URL"] = BENCH_REDIS_URL
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
        time.sleep(max(0.0, gap - (time.perf_counter() - stamp["t"])) if i else gap)
    from django.db import connection

    connection.close()


def publish_bare(count: int, gap: float, commits: dict, template: str) -> None:
    """The floor's publisher: one PUBLISH per event, a frame the size of Konvoi's."""
    import redis

    from bench.bare_broadcast import BARE_CHANNEL

    client = redis.Redis.from_url(BENCH_REDIS_URL)
    for i in range(count):
        text = template.replace('"seq": 0', f'"seq": {i + 1}', 1)
        commits[i] = time.perf_counter()
        client.publish(BARE_CHANNEL, text)
        time.sleep(max(0.0, gap - (time.perf_counter() - commits[i])))
    client.close()


class BareServer:
    """One uvicorn process serving the bare broadcaster."""

    def __init__(self) -> None:
        import subprocess
        import urllib.request

        from tests.support.live import free_port

        self.port = free_port()
        self.ws_base = f"ws://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "bench.bare_broadcast:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--no-access-log",
                "--lifespan",
                "off",
                "--log-level",
                "warning",
            ],
            cwd=BASE_DIR,
            env={**os.environ, "BENCH_REDIS_URL": BENCH_REDIS_URL},
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=1)
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("bare broadcaster did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / tick


async def measure(
    urls: list[str], headers: dict, start_seq: int, k: int, poster, pids: list[int]
) -> tuple[list[float], float]:
    """Open len(urls) sockets, wait until each is live, run `poster` (a thread target filling
    a dict event index → commit instant); every receipt's latency after WARMUP, and the
    servers' CPU seconds per event while the events flowed (connecting is not counted)."""
    from websockets.asyncio.client import connect

    received: dict[int, list[float]] = {}
    sockets = []
    for url in urls:
        sockets.append(await connect(url, additional_headers=headers, max_queue=None))
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
    await asyncio.sleep(0.5)  # presence announcements of the connects are over
    before = cpu_seconds(pids)
    thread = threading.Thread(target=poster, args=(commits,))
    thread.start()
    try:
        await asyncio.wait_for(asyncio.gather(*readers), timeout=180)
    except TimeoutError:
        got = {i: len(times) for i, times in sorted(received.items())}
        sys.exit(f"N={len(urls)}: not every subscriber got {k} events in time (per event: {got})")
    thread.join()
    cpu = (cpu_seconds(pids) - before) / k
    for ws in sockets:
        await ws.close()
    return [t - commits[i] for i, times in received.items() if i >= WARMUP for t in times], cpu


def konvoi_run(servers, token, convoy, company, owner, n: int, k: int, gap: float):
    from convoys.models import Convoy

    start_seq = Convoy.objects.get(pk=convoy.pk).last_event_seq
    urls = [
        f"{servers[i % len(servers)].ws_base}/ws/convoys/{convoy.pk}/?after={start_seq}"
        for i in range(n)
    ]
    poster = lambda commits: post_events(convoy, company, owner, k, gap, commits)  # noqa: E731
    pids = [s.process.pid for s in servers]
    return asyncio.run(
        measure(urls, {"Authorization": f"Token {token}"}, start_seq, k, poster, pids)
    )


def bare_run(servers, n: int, k: int, gap: float, template: str):
    urls = [f"{servers[i % len(servers)].ws_base}/" for i in range(n)]
    poster = lambda commits: publish_bare(k, gap, commits, template)  # noqa: E731
    pids = [s.process.pid for s in servers]
    return asyncio.run(measure(urls, {}, 0, k, poster, pids))


def frame_template(convoy) -> str:
    """A real event frame of the convoy (an update.posted), with seq 0, for the floor."""
    from convoys.events import event_group_message, event_message
    from convoys.models import Event

    event = Event.objects.filter(convoy=convoy, kind="update.posted").order_by("-seq").first()
    message = event_message(event)
    message["seq"] = 0
    return event_group_message(message)["text"]


def summary(latencies: list[float]) -> tuple[float, float]:
    return statistics.median(latencies) * 1000, percentile(latencies, 0.99) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layer", choices=["core", "pubsub"], default="pubsub")
    parser.add_argument("--sizes", default="10,100,500")
    parser.add_argument("--events", type=int, default=100, help="measured events per run")
    parser.add_argument("--rate", type=float, default=20.0, help="events per second")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    setup_environment(args.layer)

    from tests.support.live import Server

    convoy, company, owner, token = arrange()
    servers = [Server(BENCH_REDIS_URL), Server(BENCH_REDIS_URL)]
    bare = [BareServer(), BareServer()]
    gap = 1.0 / args.rate
    k = args.events + WARMUP
    rows = []
    try:
        # One event first, so that the floor's frame is a real one.
        post_events(convoy, company, owner, 1, 0.0, {})
        template = frame_template(convoy)
        for n in [int(x) for x in args.sizes.split(",")]:
            for run in range(args.repeat):
                live, live_cpu = konvoi_run(servers, token, convoy, company, owner, n, k, gap)
                floor, floor_cpu = bare_run(bare, n, k, gap, template)
                (lp50, lp99), (fp50, fp99) = summary(live), summary(floor)
                row = {
                    "subscribers": n,
                    "run": run + 1,
                    "rate": args.rate,
                    "events": args.events,
                    "live_p50_ms": lp50,
                    "live_p99_ms": lp99,
                    "floor_p50_ms": fp50,
                    "floor_p99_ms": fp99,
                    "ratio_p50": lp50 / fp50,
                    "ratio_p99": lp99 / fp99,
                    "live_cpu_ms_per_event": live_cpu * 1000,
                    "floor_cpu_ms_per_event": floor_cpu * 1000,
                    "load": os.getloadavg()[0],
                }
                rows.append(row)
                print(
                    f"N={n:4d} #{run + 1}  konvoi p50 {lp50:7.2f} p99 {lp99:7.2f} ms"
                    f"  | bare ASGI p50 {fp50:7.2f} p99 {fp99:7.2f} ms"
                    f"  | ratio p50 {row['ratio_p50']:.2f} p99 {row['ratio_p99']:.2f}"
                    f"  | server CPU/event {row['live_cpu_ms_per_event']:.1f} vs"
                    f" {row['floor_cpu_ms_per_event']:.1f} ms  | load {row['load']:.1f}",
                    flush=True,
                )
    finally:
        for server in [*servers, *bare]:
            server.stop()
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"live-{args.layer}.json"
    out.write_text(json.dumps({"layer": args.layer, "rows": rows}, indent=2))
    print(f"results: {out.relative_to(BASE_DIR)}")


if __name__ == "__main__":
    main()
