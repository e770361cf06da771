"""A real OpenID provider for the SSO tests (django-oauth-toolkit, tests/oidc/provider/) as a
second server process, and a browser-like client that walks the code flow across both servers.

Konvoi runs in pytest-django's live_server (http://localhost:<port>); the provider on
http://127.0.0.1:<port>: two hosts, so the cookie jar keeps their cookies apart. Konvoi's
back-channel calls (discovery, token, JWKS, userinfo) go to the provider over HTTP.
"""

import copy
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "konvoi-tests"
CLIENT_SECRET = "konvoi-tests-secret-0123456789"
PASSWORD = "provider-pass-1"
START_TIMEOUT_SECONDS = 60

# The people the provider knows. Groups are the provider's flags (provider/claims.py).
PROVIDER_USERS = [
    {"username": "anna", "email": "anna@example.org", "first_name": "Anna", "last_name": "Neu"},
    # Upper case at the provider: accounts are matched whatever the case.
    {"username": "bert", "email": "BERT@Example.org", "first_name": "Bert", "last_name": "Alt"},
    {
        "username": "carla",
        "email": "carla@example.org",
        "first_name": "Carla",
        "last_name": "Unbestätigt",
        "groups": ["unverified"],
    },
    {
        "username": "dora",
        "email": "dora@example.org",
        "first_name": "Dora",
        "last_name": "Vorname",
        "groups": ["no-name"],
    },
    {"username": "emil", "email": "emil@example.org", "first_name": "Emil", "last_name": "Otp"},
]


@dataclass
class Provider:
    url: str
    log: Path

    @property
    def issuer(self) -> str:
        return f"{self.url}/o"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _rsa_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.fixture(scope="session")
def oidc_provider(live_server) -> Iterator[Provider]:
    """Migrates the provider's own SQLite file, adds the people and Konvoi's client (redirect
    URI: the live server's callback), starts `django runserver` on a free port and waits for
    its discovery document. Fails (never skips) when it does not come up."""
    workdir = Path(tempfile.mkdtemp(prefix="konvoi-oidc-provider-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.oidc.provider.settings",
        "OIDC_TEST_PROVIDER_DB": str(workdir / "provider.sqlite3"),
        "OIDC_TEST_RSA_KEY": _rsa_pem(),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DATABASE_URL", None)
    config = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uri": f"{live_server.url}/oidc/callback/",
        "post_logout_redirect_uri": f"{live_server.url}/login/",
        "users": [{**user, "password": PASSWORD} for user in PROVIDER_USERS],
    }
    subprocess.run(
        [sys.executable, "-m", "tests.oidc.provider.bootstrap", json.dumps(config)],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    port = _free_port()
    log = workdir / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "django",
                "runserver",
                "--noreload",
                "--skip-checks",
                f"127.0.0.1:{port}",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    provider = Provider(url=f"http://127.0.0.1:{port}", log=log)
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(f"The test OpenID provider exited:\n{log.read_text()[-3000:]}")
            try:
                response = requests.get(
                    f"{provider.issuer}/.well-known/openid-configuration", timeout=2
                )
                if response.status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"The test OpenID provider did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield provider
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def sso(settings, oidc_provider, live_server, transactional_db) -> Provider:
    """Konvoi configured for the test provider (the backend added as OIDC_ENABLED adds it)."""
    settings.OIDC_ENABLED = True
    settings.OIDC_ISSUER = oidc_provider.issuer
    settings.OIDC_CLIENT_ID = CLIENT_ID
    settings.OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_PROVIDER_NAME = "Test-SSO"
    settings.OIDC_TIMEOUT = 5
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "accounts.oidc.OIDCBackend",
    ]
    # As config/settings.py does for OIDC_ISSUER: the logout form may lead to the provider.
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"].append(oidc_provider.url)
    settings.CONTENT_SECURITY_POLICY = policy
    return oidc_provider


@dataclass
class Walk:
    """One browser: a requests.Session that follows redirects by hand, so that each hop of the
    flow can be looked at. English, so that messages can be read."""

    konvoi: str
    provider: Provider
    session: requests.Session = field(default_factory=requests.Session)
    authorize_url: str = ""

    def __post_init__(self) -> None:
        self.session.headers["Accept-Language"] = "en"

    def get(self, url: str, **kwargs) -> requests.Response:
        return self.session.get(urljoin(self.konvoi, url), allow_redirects=False, **kwargs)

    def start(self, next_path: str | None = None) -> requests.Response:
        """GET /oidc/login/: Konvoi's redirect to the provider."""
        return self.get("/oidc/login/", params={"next": next_path} if next_path else None)

    def provider_login(self, username: str) -> None:
        response = self.session.post(
            f"{self.provider.url}/login/",
            data={"username": username, "password": PASSWORD, "next": "/"},
            allow_redirects=False,
        )
        assert response.status_code == 302, response.text

    def authorize(self, username: str | None, url: str | None = None) -> requests.Response:
        """At the provider's authorization endpoint (logging in there when it asks, as
        `username`); returns its redirect back to Konvoi's callback."""
        url = url or self.authorize_url
        response = self.session.get(url, allow_redirects=False)
        assert response.status_code == 302, response.text
        if urlsplit(response.headers["Location"]).path == "/login/":
            assert username, "the provider asked to log in"
            self.provider_login(username)
            response = self.session.get(url, allow_redirects=False)
            assert response.status_code == 302, response.text
        return response

    def login(self, username: str, next_path: str | None = None) -> requests.Response:
        """The whole flow; returns Konvoi's answer to the callback (a redirect)."""
        start = self.start(next_path)
        assert start.status_code == 302, start.text
        self.authorize_url = start.headers["Location"]
        back = self.authorize(username)
        assert back.headers["Location"].startswith(f"{self.konvoi}/oidc/callback/")
        return self.session.get(back.headers["Location"], allow_redirects=False)

    def follow(self, response: requests.Response) -> requests.Response:
        return self.get(response.headers["Location"])

    @property
    def authorize_params(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.authorize_url).query).items()}

    def csrf(self) -> str:
        self.get("/")  # any page with a form (the header's logout form) sets the cookie
        return self.session.cookies.get("csrftoken", "")

    def provider_user(self) -> str:
        return self.session.get(f"{self.provider.url}/whoami/").text


@pytest.fixture
def walk(sso, live_server) -> Walk:
    return Walk(konvoi=live_server.url, provider=sso)
