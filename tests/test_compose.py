"""docker-compose.yml and the Dockerfile describe the scaled topology consistently.

Docker cannot run here (nor in CI), so the files are checked as data: the services exist and
wait for what they need, URLs point at services of the file on their images' ports, the app
roles share one image, and every command names code that exists.
"""

import ast
import importlib
import importlib.metadata
import re
import shlex
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from celery import Celery
from celery.app.utils import find_app

from tests.test_settings_env import settings_variables

BASE_DIR = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
SERVICES: dict = COMPOSE["services"]
APP_ROLES = ("web", "worker", "beat")

# The ports each image listens on (from the images' documentation).
IMAGE_PORTS = {
    "postgres": {5432},
    "redis": {6379},
    "axllent/mailpit": {1025, 8025},
}


def _image_name(service: dict) -> str:
    return service.get("image", "").rsplit(":", 1)[0]


def _environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}


def _interpolated(value: str) -> str:
    """${VAR:-default} → default, ${VAR:?message} → a placeholder, as compose would fill
    them with VAR unset (except that :? would stop compose)."""
    value = re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)
    return re.sub(r"\$\{[A-Z_]+(:\?[^}]*)?\}", "set-by-operator", value)


def _command(service: dict) -> list[str]:
    command = service.get("command") or []
    return shlex.split(command) if isinstance(command, str) else [str(c) for c in command]


def test_required_services_are_present():
    assert {"postgres", "redis", "web", "worker", "beat", "mailpit", "migrate"} <= set(SERVICES)
    assert _image_name(SERVICES["mailpit"]) == "axllent/mailpit"


def test_every_depends_on_names_a_service_with_a_usable_condition():
    for name, service in SERVICES.items():
        depends = service.get("depends_on") or {}
        if isinstance(depends, list):
            depends = {d: {} for d in depends}
        for other, spec in depends.items():
            assert other in SERVICES, f"{name} depends on unknown service {other}"
            assert other != name
            condition = spec.get("condition", "service_started")
            if condition == "service_healthy":
                assert "healthcheck" in SERVICES[other], f"{other} has no healthcheck"


def test_app_roles_wait_for_healthy_backing_services_and_migrations():
    for role in APP_ROLES:
        depends = SERVICES[role]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert _command(SERVICES["migrate"])[-3:] == ["manage.py", "migrate", "--noinput"]


@pytest.mark.parametrize(
    ("variable", "schemes"),
    [
        ("DATABASE_URL", {"postgres", "postgresql"}),
        ("REDIS_URL", {"redis"}),
        ("EMAIL_URL", {"smtp"}),
    ],
)
def test_service_urls_point_at_services_of_the_file_on_their_ports(variable, schemes):
    for role in (*APP_ROLES, "migrate"):
        url = urlsplit(_interpolated(_environment(SERVICES[role])[variable]))
        assert url.scheme in schemes, (role, variable)
        assert url.hostname in SERVICES, f"{role}: {variable} host {url.hostname} is no service"
        image = _image_name(SERVICES[url.hostname])
        assert url.port in IMAGE_PORTS[image], (role, variable, url.port, image)


def test_database_credentials_match_the_postgres_service():
    db_env = _environment(SERVICES["postgres"])
    url = urlsplit(_interpolated(_environment(SERVICES["web"])["DATABASE_URL"]))
    assert url.username == db_env["POSTGRES_USER"]
    assert url.password == _interpolated(db_env["POSTGRES_PASSWORD"])
    assert url.path.lstrip("/") == db_env["POSTGRES_DB"]


def _without_role(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k != "KONVOI_ROLE"}


def test_app_roles_run_the_same_image_with_the_same_configuration():
    first = SERVICES[APP_ROLES[0]]
    for role in (*APP_ROLES, "migrate"):
        service = SERVICES[role]
        assert service.get("build") == first.get("build") is not None
        assert service.get("image") == first.get("image")
        # The same configuration except the role, which picks the database connection handling.
        assert _without_role(_environment(service)) == _without_role(_environment(first))


def test_web_pools_connections_and_the_other_roles_keep_theirs():
    # Under ASGI a persistent connection belongs to a thread that does not come back.
    assert _environment(SERVICES["web"])["KONVOI_ROLE"] == "web"
    for role in ("worker", "beat", "migrate"):
        assert _environment(SERVICES[role])["KONVOI_ROLE"] == "worker", role
    assert "CONN_MAX_AGE" not in _environment(SERVICES["web"])


def test_production_like_environment():
    env = _environment(SERVICES["web"])
    assert env["DEBUG"] == "false"
    assert env["SECRET_KEY"].startswith("${SECRET_KEY:?"), "never a default secret"
    assert env["SECURE_SSL_REDIRECT"] == "false"  # plain HTTP, no TLS proxy in front


def test_exactly_one_beat():
    assert SERVICES["beat"].get("deploy", {}).get("replicas") == 1
    # …and no other service embeds one (`worker -B`) or runs one.
    assert [n for n, s in SERVICES.items() if "beat" in _command(s)] == ["beat"]
    assert not any("-B" in _command(s) for s in SERVICES.values())


def test_every_variable_set_in_compose_is_read_by_settings():
    read = settings_variables()
    for role in (*APP_ROLES, "migrate"):
        unknown = set(_environment(SERVICES[role])) - read
        assert not unknown, f"{role} sets variables settings never read: {sorted(unknown)}"


def test_web_runs_several_uvicorn_workers_and_has_a_healthcheck():
    command = " ".join(_command(SERVICES["web"]))
    assert "uvicorn config.asgi:application" in command
    workers = re.search(r"--workers (\S+)", command).group(1)
    assert int(_interpolated(workers)) > 1
    # Readiness (database, cache, broker), not the process-only liveness check /healthz.
    assert "/readyz" in " ".join(SERVICES["web"]["healthcheck"]["test"])


def _asgi_targets(text: str) -> list[str]:
    return re.findall(r"uvicorn\s+([\w.]+:\w+)", text)


def _celery_apps(text: str) -> list[str]:
    return re.findall(r"celery\s+-A\s+([\w.:]+)", text)


def test_commands_name_modules_that_exist():
    texts = [" ".join(_command(s)) for s in SERVICES.values()]
    texts += [" ".join(s.get("healthcheck", {}).get("test", [])) for s in SERVICES.values()]
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    cmd = re.search(r"^CMD (.+)$", dockerfile, re.MULTILINE)
    assert cmd, "the Dockerfile has a CMD"
    texts.append(cmd.group(1))

    targets = [t for text in texts for t in _asgi_targets(text)]
    assert "config.asgi:application" in targets
    for target in targets:
        module, attribute = target.split(":")
        assert callable(getattr(importlib.import_module(module), attribute)), target

    apps = [a for text in texts for a in _celery_apps(text)]
    assert apps, "no celery -A in any command"
    for name in apps:
        assert isinstance(find_app(name), Celery), name


def test_dockerfile_builds_the_app_as_a_non_root_user():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim", dockerfile, re.MULTILINE)
    assert "requirements.prod.lock" in dockerfile
    assert "collectstatic" in dockerfile
    users = re.findall(r"^USER (\S+)", dockerfile, re.MULTILINE)
    assert users and users[-1] not in {"root", "0"}


def _pins(path: Path) -> dict[str, str]:
    pins = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", path.read_text(), re.MULTILINE)
    return {name.lower(): version for name, version in pins}


def test_production_lock_pins_the_tested_versions_without_dev_tooling():
    prod = _pins(BASE_DIR / "requirements.prod.lock")
    dev = _pins(BASE_DIR / "requirements.lock")
    assert {"django", "uvicorn", "celery", "psycopg", "channels-redis"} <= set(prod)
    # Exactly the versions CI tested: a subset of the development lock, identical pins.
    assert set(prod) <= set(dev), sorted(set(prod) - set(dev))
    assert {name: v for name, v in prod.items() if dev[name] != v} == {}
    tooling = {"pytest", "pytest-django", "playwright", "schemathesis", "ruff", "factory-boy"}
    assert not tooling & set(prod), sorted(tooling & set(prod))


def test_the_image_installs_the_production_lock_and_leaves_tests_out():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    installs = re.findall(r"^RUN pip install .*-r (\S+)", dockerfile, re.MULTILINE)
    assert installs == ["requirements.prod.lock"]
    # Build-time tools (polib for the translations) come at the tested pin and leave again.
    for package in re.findall(r"pip install (?!-r)(.+?)\s*\\?$", dockerfile, re.MULTILINE):
        name = re.search(r"\^([\w-]+)==", package).group(1)
        assert "requirements.lock" in package, package
        assert re.search(rf"pip uninstall -y {name}\b", dockerfile), name
    assert re.search(r"^COPY requirements\.prod\.lock ", dockerfile, re.MULTILINE)
    ignored = {
        line.strip().rstrip("/")
        for line in (BASE_DIR / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {"tests", "bench", ".git", ".venv", ".env"} <= ignored


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_code_the_image_runs_imports_only_what_the_production_lock_installs():
    """Every third-party import of application code is installed by requirements.prod.lock
    (config/compile_locale.py runs at build time with polib, see the Dockerfile)."""
    prod = {_normalised(name) for name in _pins(BASE_DIR / "requirements.prod.lock")}
    distributions = importlib.metadata.packages_distributions()
    skip = {".venv", ".git", "tests", "bench", "node_modules"}
    local = {p.name for p in BASE_DIR.iterdir() if p.is_dir()} | {"manage"}
    missing = set()
    for top_dir in BASE_DIR.iterdir():
        if top_dir.name in skip or top_dir.name.startswith("."):
            continue
        files = [top_dir] if top_dir.suffix == ".py" else top_dir.rglob("*.py")
        for path in files:
            if path == BASE_DIR / "config" / "compile_locale.py":
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules = [node.module]
                else:
                    continue
                for module in modules:
                    top = module.split(".")[0]
                    if top in sys.stdlib_module_names or top in local:
                        continue
                    dists = {_normalised(d) for d in distributions.get(top, [top])}
                    if not dists & prod:
                        missing.add(f"{path.relative_to(BASE_DIR)}: {module}")
    assert not missing, sorted(missing)
