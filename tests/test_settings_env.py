"""Configuration contract: .env.example documents every variable config/settings.py reads, and
production settings refuse to start without a SECRET_KEY."""

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
SETTINGS = BASE_DIR / "config" / "settings.py"
ENV_EXAMPLE = BASE_DIR / ".env.example"

# Variables for the runners, documented in .env.example but not read by settings.
RUNNER_VARIABLES = {"HOST", "PORT", "WEB_WORKERS", "WEB_CONCURRENCY", "FORWARDED_ALLOW_IPS"}


def settings_variables() -> set[str]:
    """Names passed to env(...) / env.<cast>(...) in settings.py, found by parsing it."""
    names = set()
    for node in ast.walk(ast.parse(SETTINGS.read_text())):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        is_env = (isinstance(func, ast.Name) and func.id == "env") or (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "env"
        )
        first = node.args[0]
        if is_env and isinstance(first, ast.Constant) and isinstance(first.value, str):
            names.add(first.value)
    return names


def documented_variables() -> set[str]:
    """NAME=… lines of .env.example, commented out or not."""
    pattern = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.MULTILINE)
    return set(pattern.findall(ENV_EXAMPLE.read_text()))


def test_the_parser_sees_what_settings_read():
    found = settings_variables()
    # A few that must be there whatever else changes; guards against a parser that finds
    # nothing and so proves nothing.
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "SITE_URL"} <= found


def test_env_example_lists_every_variable_settings_read():
    missing = settings_variables() - documented_variables()
    assert not missing, f"add to .env.example (with a comment): {sorted(missing)}"


def test_env_example_lists_nothing_that_nobody_reads():
    stale = documented_variables() - settings_variables() - RUNNER_VARIABLES
    assert not stale, f"not read by config/settings.py: {sorted(stale)}"


def _django_setup(**overrides: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **overrides}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_refuse_to_start_without_secret_key():
    # Empty rather than unset: settings also read .env, which fills only unset variables, and
    # a developer's .env must not make this test pass or fail. Empty means "not set" to both.
    result = _django_setup(DEBUG="", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "started" not in result.stdout


@pytest.mark.slow
def test_production_settings_start_with_a_secret_key():
    result = _django_setup(DEBUG="false", SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def _database_settings(**overrides: str | None) -> dict:
    """DATABASES["default"] as a process started with these variables sees it (a process
    without pytest: settings keep the pool out of the test process). None unsets."""
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "db = settings.DATABASES['default']; "
        "print(json.dumps({k: db.get(k) for k in ('CONN_MAX_AGE', 'CONN_HEALTH_CHECKS', "
        "'OPTIONS')}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": "x" * 50,
        "DATABASE_URL": "postgres://konvoi@127.0.0.1:5432/konvoi",
        "CONN_MAX_AGE": None,
        "DB_POOL_MAX_SIZE": None,
        **overrides,
    }
    env = {k: v for k, v in env.items() if v is not None}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_web_role_borrows_connections_from_a_pool():
    # Under ASGI each request runs in a new thread: a persistent connection would be stranded
    # with it, so the web role never keeps one, whatever CONN_MAX_AGE says.
    db = _database_settings(KONVOI_ROLE="web", CONN_MAX_AGE="60")
    assert db["CONN_MAX_AGE"] == 0
    assert db["OPTIONS"]["pool"]["max_size"] == 10
    pool = _database_settings(KONVOI_ROLE="web", DB_POOL_MAX_SIZE="4")["OPTIONS"]["pool"]
    assert pool["max_size"] == 4


def test_web_is_the_default_role():
    assert "pool" in _database_settings(KONVOI_ROLE=None)["OPTIONS"]


@pytest.mark.slow
def test_worker_role_keeps_a_persistent_connection_without_a_pool():
    db = _database_settings(KONVOI_ROLE="worker")
    assert db["CONN_MAX_AGE"] == 60
    assert db["CONN_HEALTH_CHECKS"] is True
    assert "pool" not in (db["OPTIONS"] or {})
    assert _database_settings(KONVOI_ROLE="worker", CONN_MAX_AGE="5")["CONN_MAX_AGE"] == 5


def test_an_unknown_role_refuses_to_start():
    result = _django_setup(DEBUG="false", SECRET_KEY="x" * 50, KONVOI_ROLE="both")
    assert result.returncode != 0
    assert "KONVOI_ROLE" in result.stderr
