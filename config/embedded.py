"""Embedded mode: the whole of Konvoi in one process, no services needed.

    python -m config.embedded [--host 127.0.0.1] [--port 8000]

- a real Celery worker (solo pool) runs in the main thread, so it owns the process's signals:
  Ctrl+C / SIGTERM trigger Celery's warm shutdown, after which the other parts are stopped;
- Celery beat runs embedded as a *thread* (Celery's own `worker -B` forks a child process,
  whose copy of the in-memory transport the worker would never see);
- uvicorn serves `config.asgi:application` (HTTP and WebSockets) from a background thread;
  uvicorn installs no signal handlers off the main thread, which is what we want here.

With no REDIS_URL the broker is `memory://` (see config.settings): its queues live in this
process, so tasks queued by a web request are consumed by the worker thread next to it. With
REDIS_URL/DATABASE_URL set the same runner uses Redis and PostgreSQL, but the scaled topology
(`make web`, `make worker`, `make beat`, docker-compose.yml) is the way to run those.
"""

import argparse
import logging
import os
import signal
import socket
import sys
import threading
import time

logger = logging.getLogger("konvoi.embedded")

# How long uvicorn may take to bind before we give up and say why.
STARTUP_TIMEOUT_SECONDS = 30
# After Celery's warm shutdown: time left for open HTTP/WebSocket connections to finish.
WEB_SHUTDOWN_TIMEOUT_SECONDS = 10


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m config.embedded",
        description="Run Konvoi's web server, Celery worker and beat in one process.",
    )
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument(
        "--log-level", default=os.environ.get("LOG_LEVEL", "INFO").upper(), dest="log_level"
    )
    return parser.parse_args(argv)


def _banner(url: str) -> str:
    lines = [
        "",
        "  Konvoi is running (embedded: web + Celery worker + beat in one process)",
        f"  → {url}",
    ]
    try:
        # Imported late: the demo module needs the app registry, and the runner must work
        # without demo data as well.
        from demo.loader import demo_logins

        logins = demo_logins()
    except Exception:  # a missing table must not stop the server from announcing itself
        logger.debug("could not read demo logins", exc_info=True)
        logins = []
    if logins:
        lines.append("  Demo logins (same password for all):")
        lines.extend(f"    {line}" for line in logins)
    lines += ["  Stop with Ctrl+C.", ""]
    return "\n".join(lines)


class _EarlyStop:
    """Remembers a Ctrl+C or SIGTERM that arrives before Celery has installed its handlers.

    Started as a background job of a script (CI, a process supervisor), Python inherits SIGINT
    as *ignored*, and until the worker's own handlers are in place a stop request would simply
    be lost: the server would then run on. So we listen from the first moment, and replay the
    signal once Celery listens (worker_ready), which starts its usual warm shutdown.
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.received: int | None = None
        for sig in self.SIGNALS:
            signal.signal(sig, self._note)

    def _note(self, signum: int, frame: object) -> None:
        self.received = signum

    def replay(self) -> None:
        if self.received is not None:
            signal.raise_signal(self.received)


def main(argv: list[str] | None = None) -> int:
    early_stop = _EarlyStop()
    args = _parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Links in e-mails point at this very server unless SITE_URL says otherwise.
    link_host = "127.0.0.1" if args.host in {"0.0.0.0", "::"} else args.host  # noqa: S104
    os.environ.setdefault("SITE_URL", f"http://{link_host}:{args.port}")

    import django

    django.setup()
    if early_stop.received is not None:
        return 0

    import uvicorn
    from celery import signals
    from celery.beat import EmbeddedService
    from django.conf import settings

    from config.celery import app

    server = uvicorn.Server(
        uvicorn.Config(
            "config.asgi:application",
            host=args.host,
            port=args.port,
            # Channels' ProtocolTypeRouter has no lifespan handler; "auto" would log a warning.
            lifespan="off",
            log_level=args.log_level.lower(),
        )
    )
    web = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    web.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while not server.started:
        if early_stop.received is not None:
            server.should_exit = True
            web.join(timeout=WEB_SHUTDOWN_TIMEOUT_SECONDS)
            print("Konvoi stopped.", flush=True)
            return 0
        if not web.is_alive() or time.monotonic() > deadline:
            # uvicorn has logged the reason (typically: the port is taken).
            print(f"Konvoi: the web server did not start on {args.host}:{args.port}.")
            return 1
        time.sleep(0.05)

    beat = EmbeddedService(
        app, thread=True, schedule_filename=settings.CELERY_BEAT_SCHEDULE_FILENAME
    )
    beat.start()

    worker = app.Worker(
        hostname=f"embedded@{socket.gethostname()}",
        pool_cls="solo",
        concurrency=1,
        loglevel=args.log_level,
        # A single worker has no peers: skip the cluster handshake and heartbeats.
        without_mingle=True,
        without_gossip=True,
        without_heartbeat=True,
        quiet=True,  # our banner below replaces Celery's
        redirect_stdouts=False,
    )

    host = "127.0.0.1" if args.host in {"0.0.0.0", "::"} else args.host  # noqa: S104
    url = f"http://{host}:{args.port}/"
    asked_to_stop: list[str] = []

    def announce(**kwargs: object) -> None:
        # Beat's first sweep would come one interval after start; run one now so that what
        # is due (the demo's quiet company, the facilitator's digest) is there at once.
        from notifications.tasks import reminders_sweep

        reminders_sweep.delay()
        # Printed once the worker is consuming, so it is the last thing on the screen.
        print(_banner(url), flush=True)
        # Celery's handlers are in place now: a stop asked for during start-up takes effect.
        early_stop.replay()

    def note_stop(sig: str = "", how: str = "", **kwargs: object) -> None:
        asked_to_stop.append(f"{how}:{sig}")

    signals.worker_ready.connect(announce, weak=False)
    signals.worker_shutting_down.connect(note_stop, weak=False)
    try:
        worker.start()  # blocks until Celery's SIGINT/SIGTERM handler asks for a warm shutdown
    finally:
        beat.stop()
        server.should_exit = True
        web.join(timeout=WEB_SHUTDOWN_TIMEOUT_SECONDS)
        print("Konvoi stopped.", flush=True)
    # Celery exits 1 after a Ctrl+C even when everything stopped cleanly; a warm shutdown that
    # someone asked for is a success here (make would otherwise report "Error 1").
    if worker.exitcode and any(s in {"Warm:SIGINT", "Warm:SIGTERM"} for s in asked_to_stop):
        return 0
    return worker.exitcode or 0


if __name__ == "__main__":
    sys.exit(main())
