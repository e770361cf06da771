"""Real ASGI server processes, Redis databases and free ports for the live tests (and the
production smoke test, the Celery worker tests and the browser tests).

The servers are separate processes (uvicorn) sharing the test database and a Redis channel
layer, as in the scaled deployment.
"""

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

from accounts.services import api_token_create
from tests.support.services import IN_CI, require_postgres

ROOT = Path(__file__).resolve().parents[2]


def redis_db(url: str, db: int) -> str:
    """The same Redis server, another database: the suite's cache.clear() flushes its own
    database between tests, which must not wipe the channel-layer groups of the servers."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{db}"))


REDIS_URL = redis_db(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0", 11)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_ok(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


def require_live_services(redis_url: str = REDIS_URL) -> None:
    """PostgreSQL and Redis, or skip (fail under CI=true). Empties the servers' Redis database:
    the test database starts its ids at 1 again in every session, so presence entries left by
    an earlier session would otherwise show up as the same people."""
    import redis

    require_postgres()
    if not redis_ok(redis_url):
        message = f"needs Redis at {redis_url}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    redis.Redis.from_url(redis_url).flushdb()


def server_env(redis_url: str, *, debug: bool = False) -> dict[str, str]:
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DATABASE_URL=url,
        REDIS_URL=redis_url,
        # DEBUG serves static files from the apps (browser tests); otherwise production settings.
        DEBUG="true" if debug else "false",
        SECRET_KEY="live-test-secret-key-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        LOG_LEVEL=os.environ.get("LIVE_SERVER_LOG_LEVEL", "WARNING"),
        PYTHONUNBUFFERED="1",
    )
    return env


class Server:
    """One uvicorn process serving config.asgi:application."""

    COMMANDS = {
        "uvicorn": [
            "-m",
            "uvicorn",
            "config.asgi:application",
            "--host",
            "127.0.0.1",
            "--no-access-log",
            "--ws",
            os.environ.get("LIVE_SERVER_WS", "auto"),
            "--lifespan",
            "off",
            "--port",
        ],
        "daphne": ["-m", "daphne", "--bind", "127.0.0.1", "config.asgi:application", "--port"],
    }

    def __init__(
        self,
        redis_url: str,
        kind: str = "uvicorn",
        *,
        debug: bool = False,
        env: dict[str, str] | None = None,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.kind = kind
        self.ws_base = f"ws://127.0.0.1:{self.port}"
        self.log = open(f"/tmp/konvoi-live-{self.port}.log", "w+b")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "config.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--no-access-log",
                "--lifespan",
                "off",
            ],
            cwd=ROOT,
            env={**server_env(redis_url, debug=debug), **(env or {})},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=1)
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        self.stop()
        self.log.seek(0)
        raise RuntimeError("server did not start:\n" + self.log.read().decode()[-3000:])

    def crash(self) -> None:
        """Die at once, as a crashed process does: no socket is closed, no cleanup runs."""
        self.process.kill()
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def post(self, path: str, token: str, data: dict[str, Any]) -> tuple[int, dict]:
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(data).encode(),
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
        )
        return self._send(request)

    def delete(self, path: str, token: str) -> tuple[int, dict]:
        request = urllib.request.Request(
            self.url + path, method="DELETE", headers={"Authorization": f"Token {token}"}
        )
        return self._send(request)

    @staticmethod
    def _send(request: urllib.request.Request) -> tuple[int, dict]:
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                body = response.read()
                return response.status, json.loads(body) if body else {}
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")


class PrivateRedis:
    """A redis-server of the test's own, on its own port, that the test may stop and start."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            if IN_CI:
                pytest.fail("redis-server not installed")
            pytest.skip("redis-server not installed")
        self.binary = binary
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not redis_ok(self.url):
            if time.monotonic() > deadline:
                raise RuntimeError("private redis did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)


def token_for(user) -> str:
    return api_token_create(user=user, name="live test")[1]


def run(coro):
    return asyncio.run(coro)
