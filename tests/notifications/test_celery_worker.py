"""A real Celery worker on Redis runs the reminder sweep end to end (not only eager mode).

Two worker processes (`celery -A config worker --pool=solo`, as `make worker` runs them, with
production settings) consume from Redis database 13 and share the pytest PostgreSQL database,
whose rows the test commits (`transactional_db`). The test enqueues
`notifications.tasks.reminders_sweep` through the broker with `apply_async`; the worker runs the
sweep, which queues `notifications_push` and `notification_emails_send` through the broker
again, and the workers send the e-mails with the file backend into a directory the test reads.

Exactly-once: the same sweep twice more adds nothing and sends nothing; two sweeps enqueued at
the same moment for a new period, taken by the two workers at once, insert and send each
reminder once.
"""

import atexit
import email
import email.message
import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from notifications.models import Notification, NotificationKind
from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    ConvoyFactory,
    FacilitatorFactory,
    MembershipFactory,
    UpdateFactory,
    UserFactory,
)
from tests.support.live import ROOT, redis_db, require_live_services, server_env

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

BERLIN = ZoneInfo("Europe/Berlin")
# Redis database 13 belongs to this test: broker, cache and channel layer of its workers.
REDIS_URL = redis_db(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0", 13)
QUEUE = "celery"  # the default queue: what the sweep's own .delay() calls publish to
WAIT = 60.0
TASK_LINE = re.compile(
    r"Task (?P<name>[\w.]+)\[(?P<id>[0-9a-f-]{36})\] "
    r"(?P<state>received|succeeded|raised|retry|INTERNAL ERROR|rejected|ignored)"
)

# Tuesday 17 November 2026, 10:00 in Berlin: every silent company joined on 2 November, 15
# days earlier (cadence 14), so its people get the first nudge; 1 December is the second.
FIRST = datetime(2026, 11, 17, 10, tzinfo=BERLIN)
SECOND = datetime(2026, 12, 1, 10, tzinfo=BERLIN)


class Worker:
    """One `celery worker` process with its own log file."""

    def __init__(self, name: str, env: dict[str, str], log_path: Path) -> None:
        self.name = name
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "-Q",
                QUEUE,
                "-n",
                f"{name}@%h",
                # One message at a time: the second of two sweeps goes to the other worker.
                "--prefetch-multiplier=1",
                "--without-mingle",
                "--without-gossip",
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        atexit.register(self.stop)  # the fixture stops it; this covers an interpreter exit

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def ready(self) -> bool:
        return " ready." in self.log()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # warm shutdown: finishes the task in hand
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self._log.close()


class Cluster:
    """The workers, the broker and the outbox directory, seen from the test."""

    def __init__(self, workers: list[Worker], outbox: Path) -> None:
        import redis

        self.workers = workers
        self.outbox_dir = outbox
        self.redis = redis.Redis.from_url(REDIS_URL)
        self.sent: list[str] = []

    def logs(self) -> str:
        return "\n".join(f"--- {w.name}\n{w.log()[-4000:]}" for w in self.workers)

    def tasks(self) -> dict[str, list[tuple[str, str, str]]]:
        """Task id → [(name, state, worker)] in log order, over every worker."""
        seen: dict[str, list[tuple[str, str, str]]] = {}
        for worker in self.workers:
            for match in TASK_LINE.finditer(worker.log()):
                seen.setdefault(match["id"], []).append(
                    (match["name"], match["state"], worker.name)
                )
        return seen

    def enqueue_sweep(self, moment: datetime, *, copies: int = 1) -> list[str]:
        """`reminders_sweep.apply_async` through the Redis broker, `copies` at the same time
        from as many threads. The test process runs tasks eagerly, so eager mode is switched
        off on its app for the call and the producer is bound to the workers' broker."""
        from notifications.tasks import reminders_sweep

        app = reminders_sweep.app
        ids: list[str] = []
        start = threading.Barrier(copies)
        eager = app.conf.task_always_eager
        app.conf.task_always_eager = False

        def send() -> None:
            with app.connection_for_write(REDIS_URL) as connection:
                producer = connection.Producer()
                start.wait(10)
                result = reminders_sweep.apply_async(
                    kwargs={"now": moment.isoformat()}, producer=producer, queue=QUEUE
                )
                ids.append(result.id)

        try:
            threads = [threading.Thread(target=send) for _ in range(copies)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
        finally:
            app.conf.task_always_eager = eager
        assert len(ids) == copies, "apply_async did not return"
        self.sent += ids
        return ids

    def queued(self) -> int:
        """Messages still in the broker: waiting in the queue or delivered and not acked."""
        waiting = sum(
            self.redis.llen(key)
            for key in self.redis.scan_iter(f"{QUEUE}*")
            if self.redis.type(key) == b"list"
        )
        return waiting + self.redis.hlen("unacked")

    def idle(self) -> bool:
        """Every task sent or received has succeeded and the broker holds nothing."""
        tasks = self.tasks()
        failed = [
            (task_id, states)
            for task_id, states in tasks.items()
            if any(state not in ("received", "succeeded") for _n, state, _w in states)
        ]
        assert not failed, f"tasks failed: {failed}\n{self.logs()}"
        return (
            all(task_id in tasks for task_id in self.sent)
            and all(
                any(state == "succeeded" for _n, state, _w in states) for states in tasks.values()
            )
            and self.queued() == 0
        )

    def wait_until(self, condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + WAIT
        streak = 0
        while time.monotonic() < deadline:
            # Twice in a row, half a second apart: a message between the broker and the
            # worker's log line must not look like quiet.
            streak = streak + 1 if condition() else 0
            if streak == 2:
                return
            for worker in self.workers:
                assert worker.process.poll() is None, f"{worker.name} exited\n{self.logs()}"
            time.sleep(0.5)
        pytest.fail(f"timed out after {WAIT:.0f} s waiting for {what}\n{self.logs()}")

    def outbox(self) -> list[email.message.Message]:
        """The e-mails the workers sent (Django's file backend: one file per connection, each
        message followed by a line of 79 dashes)."""
        messages = []
        for path in sorted(self.outbox_dir.glob("*.log")):
            for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if chunk.strip():
                    messages.append(email.message_from_bytes(chunk))
        return messages


@pytest.fixture
def cluster(transactional_db, tmp_path) -> Iterator[Cluster]:
    """Two workers on Redis db 13 and the pytest database; stopped (and db 13 emptied) even
    when the test fails. Requesting transactional_db first makes the workers stop before the
    tables are flushed."""
    import redis
    from django.conf import settings

    require_live_services(REDIS_URL)  # skips locally, fails under CI=true; flushes db 13
    assert settings.DATABASES["default"]["NAME"].startswith("test_")
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    env = server_env(REDIS_URL)  # DATABASE_URL of the test database, SECRET_KEY, DEBUG off
    env.update(
        CELERY_TASK_ALWAYS_EAGER="0",
        EMAIL_URL=f"filemail:///{outbox}",  # four slashes: an absolute path
        LOG_LEVEL="INFO",  # the workers' task lines are how the test sees tasks finish
    )
    workers: list[Worker] = []
    try:
        for i in (1, 2):
            workers.append(Worker(f"sweep{i}", env, tmp_path / f"worker{i}.log"))
        deadline = time.monotonic() + 30
        while not all(w.ready() for w in workers):
            exited = [w for w in workers if w.process.poll() is not None]
            if exited or time.monotonic() > deadline:
                logs = "\n".join(w.log()[-3000:] for w in workers)
                pytest.fail(f"worker did not start:\n{logs}")
            time.sleep(0.2)
        yield Cluster(workers, outbox)
    finally:
        for worker in workers:
            worker.stop()
        redis.Redis.from_url(REDIS_URL).flushdb()


@pytest.fixture
def silent_convoy():
    """A facilitator, three companies (two people each) silent since they joined on
    2 November, and one whose owner posted on 16 November."""
    convoy = ConvoyFactory(timezone="Europe/Berlin", update_cadence_days=14)
    FacilitatorFactory(convoy=convoy, user=UserFactory())
    people = []
    for _ in range(3):
        company = CompanyFactory()
        for role in ("owner", "member"):
            people.append(CompanyMemberFactory(company=company, role=role).user)
        MembershipFactory(convoy=convoy, company=company)
    busy = CompanyFactory()
    poster = CompanyMemberFactory(company=busy, role="owner").user
    MembershipFactory(convoy=convoy, company=busy)
    from convoys.models import Membership
    from projects.models import Update

    Membership.objects.filter(convoy=convoy).update(
        joined_at=datetime(2026, 11, 2, 10, tzinfo=BERLIN)
    )
    UpdateFactory(convoy=convoy, company=busy, author=poster)
    Update.objects.filter(company=busy).update(created_at=datetime(2026, 11, 16, 9, tzinfo=BERLIN))
    return convoy


def delivered(cluster: Cluster) -> tuple[Counter, Counter]:
    """(recipient e-mail, kind, key) of every notification, and recipients of every e-mail."""
    rows = Counter(Notification.objects.values_list("recipient__email", "kind", "key"))
    mails = Counter(message["To"] for message in cluster.outbox())
    return rows, mails


def test_a_worker_on_redis_sweeps_and_mails_each_reminder_once(cluster, silent_convoy):
    expected_first = {NotificationKind.UPDATE_DUE: 6, NotificationKind.FACILITATOR_DIGEST: 1}

    def settled(total: int) -> Callable[[], bool]:
        def check() -> bool:
            return (
                cluster.idle()
                and Notification.objects.count() >= total
                and not Notification.objects.filter(emailed_at__isnull=True).exists()
                and len(cluster.outbox()) >= total
            )

        return check

    cluster.enqueue_sweep(FIRST)
    cluster.wait_until(settled(7), "the first sweep's notifications and e-mails")
    kinds = Counter(Notification.objects.values_list("kind", flat=True))
    assert kinds == expected_first
    rows, mails = delivered(cluster)
    assert set(rows.values()) == {1}
    assert mails == Counter(address for address, _kind, _key in rows)  # one e-mail each
    names = {name for states in cluster.tasks().values() for name, _s, _w in states}
    assert {
        "notifications.tasks.reminders_sweep",
        "notifications.tasks.notifications_push",
        "notifications.tasks.notification_emails_send",
    } <= names

    # The same moment twice more: nothing new, nothing sent again.
    for _ in range(2):
        cluster.enqueue_sweep(FIRST)
        cluster.wait_until(cluster.idle, "the repeated sweep")
    assert delivered(cluster) == (rows, mails)

    # Two sweeps at once for the next period, one on each worker: the six second nudges, the
    # poster's first (15 days after the update), the facilitator's next weekly digest.
    pair = cluster.enqueue_sweep(SECOND, copies=2)
    cluster.wait_until(settled(15), "the concurrent sweeps")
    rows, mails = delivered(cluster)
    assert Notification.objects.count() == 15
    assert Counter(Notification.objects.values_list("kind", "data__nudge")) == {
        (NotificationKind.UPDATE_DUE, 1): 7,
        (NotificationKind.UPDATE_DUE, 2): 6,
        (NotificationKind.FACILITATOR_DIGEST, None): 2,
    }
    assert set(rows.values()) == {1}
    assert mails == Counter(address for address, _kind, _key in rows)
    tasks = cluster.tasks()
    assert all(any(s == "succeeded" for _n, s, _w in tasks[task_id]) for task_id in pair)
