"""What an event costs the server with 1, 15 and 50 viewers of the dashboard:
`python -m bench.live_pages` (needs PostgreSQL and Redis).

The demo convoy (demo.loader) is served by two uvicorn processes, as in the scaled topology.
Each viewer does what live.js does: a WebSocket to /ws/convoys/<id>/ with its own login
session, and on each event either waits for the regions the server pushes on the socket
(`push`, the dashboard's way now: rendered once per event and language), or fetches the
regions over HTTP (`fetch`, live.js's fallback: a shared, cached body per viewer request), or
fetches the whole page again (`page`, the way before: nothing shared). Viewers
are the demo's people (members of every company and the facilitator), several sessions each
when there are more viewers than people. Events are posted through the services, one after
the other, each once every viewer has fetched the last (a comment, an update, a milestone
moved, in turn).

Reported per (mode, viewers): server CPU seconds per event (both processes, /proc), bytes per
viewer per event on the wire (the socket's bytes as received, permessage-deflate as browsers
negotiate it, and the HTTP responses with gzip accepted), and commit → regions in hand
(p50/p95) per viewer, in the same run. The goal: CPU per event at 50 viewers ≤ 2× that at
1 viewer, and ≤ 10 KB per viewer per event.
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path

from bench.live_latency import cpu_seconds, percentile

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS = BASE_DIR / "bench" / "results"
BENCH_DB = os.environ.get("BENCH_PAGES_DB", "konvoi_bench_pages")
BENCH_REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")


def setup_environment() -> None:
    import psycopg

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/konvoi")
    if not base.startswith("postgres"):
        sys.exit("live_pages needs PostgreSQL: set DATABASE_URL=postgres://…")
    root, _, _name = base.rpartition("/")
    with psycopg.connect(f"{root}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    os.environ["DATABASE_URL"] = f"{root}/{BENCH_DB}"
    os.environ["REDIS_URL"] = BENCH_REDIS_URL
    import redis

    redis.Redis.from_url(BENCH_REDIS_URL).flushdb()
    # The servers' key (tests.support.live.server_env): the sessions made here are signed
    # with it.
    os.environ["SECRET_KEY"] = "live-test-secret-key-" + "x" * 40
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("STATIC_ROOT", "/tmp/konvoi-bench-static")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # Production settings serve collected, hashed static files (the full page names them).
    call_command("collectstatic", interactive=False, verbosity=0)


def viewers_for(convoy, count: int) -> list[dict]:
    """`count` login sessions of the convoy's people, the facilitator first."""
    from django.conf import settings
    from django.test import Client

    from companies.models import CompanyMember
    from convoys.models import Facilitator, Membership

    people = [f.user for f in Facilitator.objects.filter(convoy=convoy).select_related("user")]
    companies = Membership.objects.active().filter(convoy=convoy).values("company_id")
    people += [
        m.user
        for m in CompanyMember.objects.filter(company_id__in=companies)
        .select_related("user")
        .order_by("company_id", "id")
    ]
    name = settings.SESSION_COOKIE_NAME
    sessions = []
    for i in range(count):
        client = Client()
        client.force_login(people[i % len(people)])
        sessions.append(
            {"user": people[i % len(people)].pk, "cookie": f"{name}={client.cookies[name].value}"}
        )
    return sessions


def poster_factory(convoy):
    """Each call posts the next event of the cycle through the services; returns the instant
    its transaction committed."""
    from django.db import transaction

    from comments.services import comment_create
    from companies.models import CompanyMember
    from convoys.models import Membership
    from projects.models import Milestone, MilestoneStatus, Update
    from projects.services import milestone_update, update_post

    company_ids = Membership.objects.active().filter(convoy=convoy).values("company_id")
    member = CompanyMember.objects.filter(company_id__in=company_ids).order_by("id").first()
    actor, company = member.user, member.company
    milestone = (
        Milestone.objects.filter(project__company=company)
        .exclude(status=MilestoneStatus.DONE)
        .first()
    )
    state = {"i": 0}

    def post() -> float:
        from django.db import connection

        try:
            return _post()
        finally:
            connection.close()  # each call may come in another thread: give it back

    def _post() -> float:
        i = state["i"]
        state["i"] += 1
        stamp: dict = {}
        with transaction.atomic():
            transaction.on_commit(lambda: stamp.setdefault("t", time.perf_counter()))
            if i % 3 == 0:
                update = Update.objects.filter(convoy=convoy).order_by("-created_at").first()
                comment_create(
                    actor=actor,
                    body=f"Bench-Kommentar {i}",
                    target_type="update",
                    target_id=update.pk,
                )
            elif i % 3 == 1:
                update_post(actor=actor, convoy=convoy, company=company, body=f"Bench-Update {i}")
            else:
                status = (
                    MilestoneStatus.BLOCKED
                    if milestone.status != MilestoneStatus.BLOCKED
                    else MilestoneStatus.IN_PROGRESS
                )
                milestone_update(actor=actor, milestone=milestone, status=status)
                milestone.refresh_from_db()
        return stamp["t"]

    return post


def _count_wire_bytes(ws, received: dict) -> None:
    """Count what the socket receives on the wire (compressed frames, headers included)."""
    protocol = ws.protocol
    original = protocol.receive_data

    def counting(data: bytes) -> None:
        received["bytes"] += len(data)
        original(data)

    protocol.receive_data = counting


def fetch(url: str, cookie: str) -> int:
    """Bytes on the wire of one GET (as a browser asks: gzip accepted)."""
    request = urllib.request.Request(
        url,
        headers={
            "Cookie": cookie,
            "Accept-Language": "de",
            "Accept-Encoding": "gzip",
            "X-Konvoi-Live": "1",
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        headers = sum(len(k) + len(v) + 4 for k, v in response.getheaders())
        return len(response.read()) + headers


async def run(servers, convoy, sessions, mode: str, k: int, post) -> dict:
    from websockets.asyncio.client import connect

    from convoys.models import Convoy

    seq0 = await asyncio.to_thread(lambda: Convoy.objects.get(pk=convoy.pk).last_event_seq)
    received = {"bytes": 0, "latencies": [], "fallbacks": 0}
    sockets = []
    query = "&regions=1&lang=de" if mode == "push" else ""
    for i, session in enumerate(sessions):
        server = servers[i % len(servers)]
        ws = await connect(
            f"{server.ws_base}/ws/convoys/{convoy.pk}/?after={seq0}{query}",
            additional_headers={"Cookie": session["cookie"], "Origin": server.url},
            max_queue=None,
        )
        _count_wire_bytes(ws, received)
        sockets.append((ws, server, session))
    for ws, _server, _session in sockets:
        while json.loads(await ws.recv())["type"] != "live":
            pass
    await asyncio.sleep(0.5)  # let presence settle
    received["bytes"] = 0
    commits: dict[int, float] = {}
    fetched: dict[int, int] = dict.fromkeys(range(1, k + 1), 0)
    all_fetched = {i: asyncio.Event() for i in range(1, k + 1)}

    async def viewer(ws, server, session):
        shown = seq0
        while shown < seq0 + k:
            message = json.loads(await ws.recv())
            if message["type"] != "event":
                continue
            if mode == "push":
                try:
                    while True:
                        pushed = json.loads(await asyncio.wait_for(ws.recv(), 1.0))
                        if pushed["type"] == "regions" and pushed["seq"] == message["seq"]:
                            break
                except TimeoutError:  # live.js's fallback
                    received["fallbacks"] += 1
                    url = f"{server.url}/convoys/{convoy.pk}/live/?after={shown}"
                    received["bytes"] += await asyncio.to_thread(fetch, url, session["cookie"])
            else:
                if mode == "fetch":
                    url = f"{server.url}/convoys/{convoy.pk}/live/?after={shown}"
                else:
                    url = f"{server.url}/convoys/{convoy.pk}/"
                size = await asyncio.to_thread(fetch, url, session["cookie"])
                received["bytes"] += size
            n = message["seq"] - seq0
            received["latencies"].append(time.perf_counter() - commits[n])
            shown = message["seq"]
            fetched[n] += 1
            if fetched[n] == len(sockets):
                all_fetched[n].set()

    tasks = [asyncio.create_task(viewer(*s)) for s in sockets]
    pids = [s.process.pid for s in servers]
    before = cpu_seconds(pids)
    for n in range(1, k + 1):
        commits[n] = await asyncio.to_thread(post)
        await asyncio.wait_for(all_fetched[n].wait(), timeout=60)
    cpu = cpu_seconds(pids) - before
    await asyncio.gather(*tasks)
    for ws, _server, _session in sockets:
        await ws.close()
    latencies = received["latencies"]
    return {
        "mode": mode,
        "viewers": len(sessions),
        "events": k,
        "cpu_ms_per_event": cpu / k * 1000,
        "bytes_per_viewer_per_event": received["bytes"] / (k * len(sessions)),
        "fallback_fetches": received["fallbacks"],
        "fetched_p50_ms": statistics.median(latencies) * 1000,
        "fetched_p95_ms": percentile(latencies, 0.95) * 1000,
        "load": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--viewers", default="1,15,50")
    parser.add_argument("--modes", default="push,fetch,page")
    parser.add_argument("--events", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    setup_environment()

    from demo.loader import demo_load
    from tests.support.live import Server

    convoy = demo_load()
    servers = [Server(BENCH_REDIS_URL), Server(BENCH_REDIS_URL)]
    post = poster_factory(convoy)
    rows = []
    try:
        for count in [int(v) for v in args.viewers.split(",")]:
            sessions = viewers_for(convoy, count)
            for repeat in range(args.repeat):
                for mode in args.modes.split(","):
                    row = asyncio.run(run(servers, convoy, sessions, mode, args.events, post))
                    row["run"] = repeat + 1
                    rows.append(row)
                    print(
                        f"{mode:8s} viewers {count:3d} #{repeat + 1}: server CPU/event "
                        f"{row['cpu_ms_per_event']:7.1f} ms  bytes/viewer/event "
                        f"{row['bytes_per_viewer_per_event'] / 1024:6.1f} KB  commit→fetched "
                        f"p50 {row['fetched_p50_ms']:6.1f} p95 {row['fetched_p95_ms']:6.1f} ms"
                        f"  fallbacks {row['fallback_fetches']}"
                        f"  | load {row['load']:.1f}",
                        flush=True,
                    )
    finally:
        for server in servers:
            server.stop()
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "live-pages.json"
    out.write_text(json.dumps(rows, indent=2))
    print(f"results: {out.relative_to(BASE_DIR)}")


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    main()
