"""Production as deployed: the static build with production settings, a `DEBUG=false` server
that serves the pages and their hashed assets, and the readiness probe beside liveness.

The image runs `collectstatic` with `DEBUG=false` (the manifest storage); when that fails, the
image does not build, and a server without a manifest answers 500 on every page. So this runs
the Dockerfile's step into a temporary STATIC_ROOT and serves from it, as production does.
"""

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import global_settings

from tests.factories import ConvoyFactory, FacilitatorFactory, UserFactory
from tests.support.live import free_port, server_env

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "correct-horse-42"  # tests.factories.UserFactory's
SECRET = "production-smoke-test-" + "x" * 40


def _production_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(DEBUG="false", SECRET_KEY=SECRET, PYTHONUNBUFFERED="1", **overrides)
    return env


def collectstatic(static_root: Path) -> subprocess.CompletedProcess:
    """The Dockerfile's build step, into static_root."""
    return subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=_production_env(STATIC_ROOT=str(static_root)),
        capture_output=True,
        text=True,
        timeout=120,
    )


class ProductionServer:
    """uvicorn with DEBUG=false, serving the collected static files; plain HTTP, so the
    HTTPS-only settings are off (as in docker-compose.yml without a TLS proxy)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(f"/tmp/konvoi-production-{self.port}.log", "w+b")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "uvicorn", "config.asgi:application"),
                *("--host", "127.0.0.1", "--port", str(self.port)),
                *("--no-access-log", "--lifespan", "off"),
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=1)
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("server did not start:\n" + self.output())

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


def _production_settings(**overrides: str) -> dict[str, str]:
    return {
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        **overrides,
    }


class Browser:
    """Just enough of a browser: cookies, and the status and body of each answer."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path: str) -> tuple[int, str, dict]:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, data: dict[str, str]) -> tuple[int, str, dict]:
        body = urllib.parse.urlencode(data).encode()
        return self._open(urllib.request.Request(self.base + path, data=body, method="POST"))

    def _open(self, request: urllib.request.Request) -> tuple[int, str, dict]:
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode(errors="replace"), response.headers
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace"), exc.headers

    def cookie(self, name: str) -> str:
        return next(c.value for c in self.cookies if c.name == name)


# --- the static build ---


@pytest.mark.slow
def test_collectstatic_with_production_settings_builds_the_manifest(tmp_path):
    result = collectstatic(tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    for name in (
        "frontend/konvoi.css",
        "frontend/vendor/chart.umd.min.js",
        "frontend/vendor/htmx.min.js",
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
    ):
        assert name in manifest, name
        assert (tmp_path / manifest[name]).exists()


def test_vendored_files_refer_to_no_missing_source_map():
    # The manifest storage follows sourceMappingURL comments and aborts on a missing target.
    vendor = ROOT / "frontend" / "static" / "frontend" / "vendor"
    for path in vendor.glob("*.js"):
        for target in re.findall(r"sourceMappingURL=(\S+)", path.read_text()):
            assert (path.parent / target).exists(), f"{path.name} → {target}"


# --- a DEBUG=false server: the smoke test ---


@pytest.fixture(scope="module")
def static_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("staticfiles")
    result = collectstatic(root)
    assert result.returncode == 0, result.stderr[-3000:]
    return root


@pytest.fixture
def production_server(static_root, django_db_setup, settings) -> Iterator[ProductionServer]:
    """On the test database (PostgreSQL: the server is another process), without Redis."""
    from tests.support.services import require_postgres

    require_postgres()
    # The server checks passwords with the production hashers, not the suite's fast one.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    env = server_env("", debug=False)
    env.update(_production_settings(STATIC_ROOT=str(static_root), REDIS_URL=""))
    env.pop("CELERY_BROKER_URL", None)
    server = ProductionServer(env)
    yield server
    server.stop()


def _static_urls(page: str) -> list[str]:
    return re.findall(r"""(?:src|href)="(/static/[^"]+)\"""", page)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_a_debug_false_server_serves_login_dashboard_api_docs_and_assets(production_server):
    user = UserFactory(email="smoke@example.com")
    convoy = ConvoyFactory(name="Smoke-Konvoi")
    FacilitatorFactory(convoy=convoy, user=user)
    browser = Browser(production_server.url)

    status, page, headers = browser.get("/login/")
    assert status == 200, production_server.output()
    assert "Content-Security-Policy" in headers
    # Hashed names from the manifest, e.g. /static/frontend/konvoi.3f2a….css
    assets = _static_urls(page)
    assert any(re.search(r"/konvoi\.[0-9a-f]{12}\.css$", url) for url in assets), assets

    status, _, _ = browser.post(
        "/login/",
        {
            "username": "smoke@example.com",
            "password": PASSWORD,
            "csrfmiddlewaretoken": browser.cookie("csrftoken"),
        },
    )
    assert status == 200  # followed the redirect to the overview
    assert any(c.name == "sessionid" for c in browser.cookies), production_server.output()

    status, page, _ = browser.get(f"/convoys/{convoy.pk}/")
    assert status == 200, production_server.output()
    assert "Smoke-Konvoi" in page
    dashboard_assets = _static_urls(page)
    assert any("chart.umd.min." in url for url in dashboard_assets), dashboard_assets

    status, page, _ = browser.get("/api/docs/")
    assert status == 200, production_server.output()
    docs_assets = _static_urls(page)
    assert any("swagger-ui-bundle." in url for url in docs_assets), docs_assets
    assert "cdn.jsdelivr.net" not in page and "@latest" not in page

    for url in {*assets, *dashboard_assets, *docs_assets}:
        status, body, headers = browser.get(url)
        assert status == 200, url
        assert body
        assert "immutable" in headers.get("Cache-Control", ""), url  # hashed: cache for ever


# --- readiness ---


def test_readiness_answers_ok_when_database_cache_and_broker_answer(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    checks = response.json()
    assert set(checks.values()) == {"OK"}
    assert {name.split("(")[0] for name in checks} == {"Database", "Cache", "Broker"}
    assert client.get("/healthz").status_code == 200


def test_readiness_fails_when_the_broker_is_unreachable(client, db, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens
    response = client.get("/readyz")
    assert response.status_code == 503
    failed = {name for name, state in response.json().items() if state != "OK"}
    assert [name.split("(")[0] for name in failed] == ["Broker"]


@pytest.mark.slow
def test_readiness_fails_and_liveness_holds_when_the_database_is_unreachable(tmp_path):
    # A real process whose database does not answer: /healthz stays 200 (no restart loop
    # while PostgreSQL restarts), /readyz says 503 (no traffic until it is back).
    env = _production_env(
        **_production_settings(
            DATABASE_URL=f"postgres://konvoi@127.0.0.1:{free_port()}/konvoi",
            KONVOI_ROLE="worker",  # no pool: the probe fails at once rather than at its timeout
            REDIS_URL="",
            CELERY_BROKER_URL="memory://localhost/",
            STATIC_ROOT=str(tmp_path),
        )
    )
    server = ProductionServer(env)
    try:
        browser = Browser(server.url)
        assert browser.get("/healthz")[0] == 200
        status, body, _ = browser.get("/readyz")
        assert status == 503, body
        failed = [name for name, state in json.loads(body).items() if state != "OK"]
        assert [name.split("(")[0] for name in failed] == ["Database"]
    finally:
        server.stop()
