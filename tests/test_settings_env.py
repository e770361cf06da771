"""Configuration contract: .env.example documents every variable config/settings.py reads, and
production settings refuse to start without a SECRET_KEY."""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SETTINGS = BASE_DIR / "config" / "settings.py"
ENV_EXAMPLE = BASE_DIR / ".env.example"

# Variables for the runners, documented in .env.example but not read by settings.
RUNNER_VARIABLES = {"HOST", "PORT", "WEB_WORKERS", "WEB_CONCURRENCY"}


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


def test_production_settings_start_with_a_secret_key():
    result = _django_setup(DEBUG="false", SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout
