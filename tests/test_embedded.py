"""The embedded runner (config.embedded): one process serving HTTP while a real Celery worker
consumes, on the in-memory transport, what web code and the embedded beat send it; Ctrl+C
stops everything cleanly.

Runs the runner in a subprocess, as `make run` does, with a probe that registers two tasks:
one scheduled by beat, one queued from a non-main thread the way a request handler would.
"""

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

from config.embedded import STARTUP_TIMEOUT_SECONDS

BASE_DIR = Path(__file__).resolve().parent.parent

PROBE = textwrap.dedent(
    """
    import sys, threading
    from pathlib import Path

    import django
    django.setup()

    from config import embedded
    from config.celery import app

    out = Path(sys.argv[1])

    def note(line):
        with out.open("a") as f:
            f.write(line + "\\n")

    @app.task(name="probe.tick")
    def tick():
        note("tick")

    @app.task(name="probe.ping")
    def ping(who):
        note("ping " + who)

    app.conf.beat_schedule = {"probe-tick": {"task": "probe.tick", "schedule": 0.5}}
    if len(sys.argv) > 3:
        # A slow start: the worker is being built, Celery's signal handlers are not in place.
        from celery import signals
        import time

        @signals.celeryd_init.connect
        def slow(**kwargs):
            note("worker-init")
            time.sleep(1.5)
    # Queued from another thread before the worker exists, like a request handler would.
    threading.Thread(target=lambda: ping.delay("web-thread")).start()
    sys.exit(embedded.main(["--port", sys.argv[2]]))
    """
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(predicate, timeout: float, what: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc.poll() is not None:
            pytest.fail(f"the runner exited early ({proc.returncode}) while waiting for {what}")
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except OSError:
        return 0


def _runner_env(tmp_path: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "true",
        # Embedded means the in-memory broker, even when the suite runs against Redis.
        "REDIS_URL": "",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CELERY_BEAT_SCHEDULE_FILENAME": str(tmp_path / "beat-schedule"),
        "PYTHONUNBUFFERED": "1",
    }
    for name in ("CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER"):
        env.pop(name, None)
    return env


@pytest.mark.slow
def test_web_worker_and_beat_in_one_process_and_a_clean_ctrl_c(tmp_path):
    out = tmp_path / "probe.log"
    out.touch()
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", PROBE, str(out), str(port)],
        cwd=BASE_DIR,
        env=_runner_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_for(
            lambda: _get(f"http://127.0.0.1:{port}/healthz") == 200,
            STARTUP_TIMEOUT_SECONDS,
            "the web server",
            proc,
        )
        lines = lambda: out.read_text().splitlines()  # noqa: E731
        _wait_for(lambda: "ping web-thread" in lines(), 20, "the queued task", proc)
        _wait_for(lambda: lines().count("tick") >= 2, 20, "two beat ticks", proc)
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, output
    assert f"http://127.0.0.1:{port}/" in output
    assert "Warm shutdown" in output
    assert "Konvoi stopped." in output
    assert "Connected to memory://" in output


@pytest.mark.slow
def test_ctrl_c_during_start_up_still_stops_the_runner(tmp_path):
    """A stop asked for before Celery listens is not lost (CI once waited 30 s in vain)."""
    out = tmp_path / "probe.log"
    out.touch()
    port = _free_port()
    proc = subprocess.Popen(
        # `trap "" INT` then exec: SIGINT ignored, as a script's background job inherits it
        # (`make run &` in CI, where no job control is on).
        [
            *("sh", "-c", 'trap "" INT; exec "$@"', "sh"),
            *(sys.executable, "-c", PROBE, str(out), str(port), "slow-start"),
        ],
        cwd=BASE_DIR,
        env=_runner_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_for(lambda: "worker-init" in out.read_text(), 30, "the worker's start", proc)
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, output
    assert "Warm shutdown" in output
    assert "Konvoi stopped." in output
