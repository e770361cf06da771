"""Commit → visible on 15 dashboard pages in a real browser: `python -m bench.live_browser`
(needs PostgreSQL, Redis and Debian's chromium; Playwright drives it).

The demo convoy is served by two uvicorn processes. 15 pages (browser contexts of one
chromium, each with its own login session of one of the demo's people, facilitator included)
open the dashboard and wait until live. Then updates and comments are posted through the
services, one a second; each carries a unique marker, and every page records (in the page, by a
MutationObserver) the instant the marker's text is in its DOM. Latency = that instant minus the
commit's, both wall-clock on this machine. Reported: p50 / p95 / max over every (page, event)
and the worst page's p95; the goal is p95 ≤ 300 ms on every page.
"""

import argparse
import json
import os
import statistics
import threading
import time
from pathlib import Path

from bench.live_latency import cpu_seconds as live_cpu_seconds
from bench.live_latency import percentile
from bench.live_pages import BENCH_REDIS_URL, setup_environment, viewers_for

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS = BASE_DIR / "bench" / "results"

# Before the page's own scripts: when a frame carrying a marker arrives on the page's socket
# (its regions frame), before live.js handles it. Splits the latency into the server's and
# the network's part and the page's own work.
ARRIVALS = """
(() => {
  window.__arrived = {};
  window.__markers = [];
  const Native = window.WebSocket;
  window.WebSocket = function (...args) {
    const socket = new Native(...args);
    socket.addEventListener("message", (message) => {
      const now = Date.now();
      const text = String(message.data);
      if (!text.startsWith('{"type": "regions"')) return;
      for (const m of window.__markers) {
        if (!(m in window.__arrived) && text.includes(m)) window.__arrived[m] = now;
      }
    });
    return socket;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, { OPEN: 1, CLOSED: 3, CONNECTING: 0, CLOSING: 2 });
})();
"""

WATCH = """
(markers) => {
  window.__markers = markers;
  window.__seen = {};
  const pending = new Set(markers);
  // Only what was added is searched: the harness must not cost the page a scan of itself.
  const look = (text, now) => {
    for (const m of Array.from(pending)) {
      if (text.includes(m)) { window.__seen[m] = now; pending.delete(m); }
    }
  };
  new MutationObserver((records) => {
    if (!pending.size) return;
    const now = Date.now();
    for (const record of records) {
      // live.js morphs the regions: new nodes, or new text in a node that was there.
      if (record.type === "characterData") look(record.target.data || "", now);
      for (const node of record.addedNodes) look(node.textContent || "", now);
    }
  }).observe(document.body, { childList: true, subtree: true, characterData: true });
}
"""


def chromium_pids() -> list[int]:
    """The browser's processes (the pages' renderers, its GPU and network processes)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if "chrom" in (entry / "comm").read_text():
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def cpu_seconds(pids: list[int]) -> float:
    """As bench.live_latency.cpu_seconds, for processes that may have ended meanwhile."""
    total = 0.0
    for pid in pids:
        try:
            total += live_cpu_seconds([pid])
        except OSError:
            continue
    return total


def post_events(convoy, markers: list[str], gap: float, commits: dict) -> None:
    from django.db import connection, transaction

    from comments.services import comment_create
    from companies.models import CompanyMember
    from convoys.models import Membership
    from projects.services import update_post

    company_ids = Membership.objects.active().filter(convoy=convoy).values("company_id")
    member = CompanyMember.objects.filter(company_id__in=company_ids).order_by("id").first()
    last_update = None
    for i, marker in enumerate(markers):
        stamp: dict = {}
        with transaction.atomic():
            transaction.on_commit(lambda s=stamp: s.setdefault("t", time.time()))
            if i % 2 == 0 or last_update is None:
                last_update = update_post(
                    actor=member.user, convoy=convoy, company=member.company, body=marker
                )
            else:
                comment_create(
                    actor=member.user, body=marker, target_type="update", target_id=last_update.pk
                )
        commits[marker] = stamp["t"]
        time.sleep(gap)
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=15)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--gap", type=float, default=1.0)
    args = parser.parse_args()
    setup_environment()

    from playwright.sync_api import sync_playwright

    from demo.loader import demo_load
    from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
    from tests.support.live import Server

    convoy = demo_load()
    servers = [Server(BENCH_REDIS_URL), Server(BENCH_REDIS_URL)]
    sessions = viewers_for(convoy, args.pages)
    markers = [f"Bench-Marke-{i:03d}-{os.getpid()}" for i in range(args.events)]
    commits: dict[str, float] = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            pages = []
            for i, session in enumerate(sessions):
                server = servers[i % len(servers)]
                context = browser.new_context(
                    locale="de-DE", viewport={"width": 1280, "height": 900}
                )
                name, value = session["cookie"].split("=", 1)
                context.add_cookies([{"name": name, "value": value, "url": server.url}])
                page = context.new_page()
                page.add_init_script(ARRIVALS)
                page.goto(f"{server.url}/convoys/{convoy.pk}/")
                page.wait_for_selector("[data-testid=live-status][data-state=live]", timeout=30_000)
                page.evaluate(WATCH, markers)
                pages.append(page)
            pages[0].wait_for_timeout(3000)  # every page settled (charts drawn, sockets live)
            # What the open pages cost with nothing happening (subtracted below).
            idle_cpu = cpu_seconds(chromium_pids())
            pages[0].wait_for_timeout(5000)
            idle_cpu = (cpu_seconds(chromium_pids()) - idle_cpu) / 5
            servers_cpu = cpu_seconds([s.process.pid for s in servers])
            browser_cpu = cpu_seconds(chromium_pids())
            started = time.monotonic()
            poster = threading.Thread(target=post_events, args=(convoy, markers, args.gap, commits))
            poster.start()
            while poster.is_alive():
                pages[0].wait_for_timeout(200)  # keeps Playwright's loop turning
            pages[0].wait_for_timeout(3000)
            servers_cpu = cpu_seconds([s.process.pid for s in servers]) - servers_cpu
            browser_cpu = cpu_seconds(chromium_pids()) - browser_cpu
            browser_cpu -= idle_cpu * (time.monotonic() - started)
            seen = [page.evaluate("window.__seen") for page in pages]
            arrived = [page.evaluate("window.__arrived") for page in pages]
            if os.environ.get("BENCH_DEBUG"):
                for page in pages:
                    print(page.evaluate("JSON.stringify(window.__seen)"), commits)
            browser.close()
    finally:
        for server in servers:
            server.stop()
    per_page = []
    missing = 0
    for page_seen in seen:
        latencies = []
        for marker in markers:
            if marker in page_seen:
                latencies.append(page_seen[marker] / 1000 - commits[marker])
            else:
                missing += 1
        per_page.append(latencies)
    flat = [x for page in per_page for x in page]
    # The two parts: commit → the regions frame on the page, and that frame → visible.
    to_page, in_page = [], []
    for page_seen, page_arrived in zip(seen, arrived, strict=True):
        for marker, at in page_arrived.items():
            to_page.append(at / 1000 - commits[marker])
            if marker in page_seen:
                in_page.append((page_seen[marker] - at) / 1000)
    row = {
        "pages": args.pages,
        "events": args.events,
        "missing": missing,
        "p50_ms": statistics.median(flat) * 1000,
        "p95_ms": percentile(flat, 0.95) * 1000,
        "max_ms": max(flat) * 1000,
        "worst_page_p95_ms": max(percentile(page, 0.95) for page in per_page if page) * 1000,
        "frame_p50_ms": statistics.median(to_page) * 1000 if to_page else None,
        "frame_p95_ms": percentile(to_page, 0.95) * 1000 if to_page else None,
        "page_work_p50_ms": statistics.median(in_page) * 1000 if in_page else None,
        "page_work_p95_ms": percentile(in_page, 0.95) * 1000 if in_page else None,
        # CPU per event while the events came (the wait after them included).
        "server_cpu_ms_per_event": servers_cpu / args.events * 1000,
        "browser_cpu_ms_per_event": browser_cpu / args.events * 1000,
        "browser_idle_cpu_ms_per_s": idle_cpu * 1000,
        "load": os.getloadavg()[0],
    }
    print(
        f"{args.pages} pages, {args.events} events: commit → visible p50 {row['p50_ms']:.0f} ms,"
        f" p95 {row['p95_ms']:.0f} ms, max {row['max_ms']:.0f} ms; worst page p95"
        f" {row['worst_page_p95_ms']:.0f} ms; missing {missing} | load {row['load']:.1f}",
        flush=True,
    )
    print(
        f"  of which commit → regions frame on the page p50 {row['frame_p50_ms'] or 0:.0f} /"
        f" p95 {row['frame_p95_ms'] or 0:.0f} ms, frame → visible p50"
        f" {row['page_work_p50_ms'] or 0:.0f} / p95 {row['page_work_p95_ms'] or 0:.0f} ms;"
        f" CPU per event: servers {row['server_cpu_ms_per_event']:.0f} ms, chromium"
        f" {row['browser_cpu_ms_per_event']:.0f} ms (beyond its {idle_cpu * 1000:.0f} ms a"
        " second when idle)",
        flush=True,
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "live-browser.json").write_text(json.dumps(row, indent=2))


if __name__ == "__main__":
    main()
