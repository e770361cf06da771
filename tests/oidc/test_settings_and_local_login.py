"""SSO without a provider process: the switches (OIDC_ENABLED, LOCAL_LOGIN_ENABLED), the
discovery document's checks, and the backend staying out of password logins."""

import subprocess
import sys
from pathlib import Path

import pytest
import requests
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.test import RequestFactory
from rest_framework.test import APIClient

from accounts.models import ApiToken, User
from accounts.oidc import (
    OIDCBackend,
    ProviderUnavailable,
    _discovery_cache_key,
    claims_email_verified,
    claims_name,
    discovery,
)
from tests.factories import UserFactory

PASSWORD = "correct-horse-42"
ISSUER = "https://sso.example.org/realms/centre"


@pytest.fixture
def sso_settings(settings):
    settings.OIDC_ENABLED = True
    settings.OIDC_ISSUER = ISSUER
    settings.OIDC_CLIENT_ID = "konvoi"
    settings.OIDC_CLIENT_SECRET = "secret"
    settings.OIDC_PROVIDER_NAME = "Login der Hochschule"
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "accounts.oidc.OIDCBackend",
    ]
    return settings


@pytest.fixture
def local_off(sso_settings):
    sso_settings.LOCAL_LOGIN_ENABLED = False
    return sso_settings


class _Answer:
    def __init__(self, document, status=200):
        self.document = document
        self.status_code = status

    def raise_for_status(self):
        if self.status_code >= 400:
            raise requests.HTTPError(str(self.status_code))

    def json(self):
        return self.document


def _document(issuer=ISSUER):
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/auth",
        "token_endpoint": f"{issuer}/token",
        "userinfo_endpoint": f"{issuer}/userinfo",
        "jwks_uri": f"{issuer}/certs",
        "end_session_endpoint": f"{issuer}/logout",
    }


# --- switches on the pages -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_login_page_has_no_sso_button_by_default(client):
    page = client.get("/login/")
    assert 'data-testid="sso-login"' not in page.content.decode()
    assert 'data-testid="login-form"' in page.content.decode()


@pytest.mark.django_db
def test_the_login_and_signup_pages_offer_sso_when_enabled(client, sso_settings):
    for path in ("/login/?next=/profile/", "/signup/"):
        html = client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "Log in with Login der Hochschule" in html
        assert 'data-testid="login-form"' in html or 'data-testid="signup-form"' in html
    html = client.get("/login/?next=/profile/").content.decode()
    assert 'href="/oidc/login/?next=/profile/"' in html


@pytest.mark.django_db
def test_sso_routes_are_not_there_when_disabled(client):
    assert client.get("/oidc/login/").status_code == 404
    assert client.get("/oidc/callback/?code=a&state=b").status_code == 404


# --- LOCAL_LOGIN_ENABLED=false ---------------------------------------------------------------


@pytest.mark.django_db
def test_local_login_off_hides_the_password_form(client, local_off):
    html = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="login-form"' not in html
    assert "Logging in with a password is switched off here" in html
    assert 'data-testid="sso-login"' in html
    html = client.get("/signup/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="signup-form"' not in html


@pytest.mark.django_db
def test_local_login_off_refuses_the_right_password(client, local_off):
    user = UserFactory(email="anna@example.org")
    response = client.post(
        "/login/", {"username": user.email, "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 302 and response.headers["Location"] == "/login/"
    assert "_auth_user_id" not in client.session
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Logging in with a password is switched off here" in page
    user.refresh_from_db()
    assert user.last_login is None


@pytest.mark.django_db
def test_local_login_on_still_takes_the_password(client, sso_settings):
    user = UserFactory(email="anna@example.org")
    client.post("/login/", {"username": user.email, "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_local_login_off_refuses_sign_up_and_password_reset(client, local_off):
    users = User.objects.count()
    response = client.post(
        "/signup/", {"name": "Neu", "email": "neu@example.org", "password": "Long-enough-pw-9"}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/login/"
    assert User.objects.count() == users
    for method in (client.get, client.post):
        for path in ("/password-reset/", "/password-reset/MQ/set-password/"):
            response = method(path)
            assert response.status_code == 302 and response.headers["Location"] == "/login/"


@pytest.mark.django_db
def test_local_login_off_refuses_api_tokens_and_registration_by_password(local_off):
    user = UserFactory(email="anna@example.org")
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    response = api.post(
        "/api/v1/auth/token/", {"email": user.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 403
    assert "switched off" in response.json()["detail"]
    assert not ApiToken.objects.filter(user=user).exists()
    response = api.post(
        "/api/v1/auth/register/",
        {"email": "neu@example.org", "password": "Long-enough-pw-9", "name": "Neu"},
        format="json",
    )
    assert response.status_code == 403
    assert not User.objects.filter(email="neu@example.org").exists()


@pytest.mark.django_db
def test_local_login_off_sends_the_admin_login_to_sso(client, local_off):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login/?next=%2Fadmin%2F"
    admin = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    response = client.post("/admin/login/", {"username": admin.email, "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_admin_login_takes_passwords_while_local_login_is_on(client):
    admin = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    client.post("/admin/login/?next=/admin/", {"username": admin.email, "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(admin.pk)


# --- discovery -------------------------------------------------------------------------------


def test_discovery_is_fetched_once_and_cached(monkeypatch, settings):
    settings.OIDC_ISSUER = ISSUER
    calls = []

    def fake_get(url, timeout):
        calls.append((url, timeout))
        return _Answer(_document())

    monkeypatch.setattr(requests, "get", fake_get)
    assert discovery()["token_endpoint"] == f"{ISSUER}/token"
    assert discovery()["token_endpoint"] == f"{ISSUER}/token"
    assert calls == [(f"{ISSUER}/.well-known/openid-configuration", settings.OIDC_TIMEOUT)]


@pytest.mark.parametrize(
    "answer",
    [
        _Answer(_document(issuer="https://evil.example.org/realms/centre")),
        _Answer({**_document(), "token_endpoint": ""}),
        _Answer({"error": "down"}, status=503),
        _Answer(["not", "an", "object"]),
    ],
    ids=["other issuer", "no token endpoint", "error status", "not an object"],
)
def test_a_wrong_discovery_document_is_refused_and_not_cached(monkeypatch, settings, answer):
    settings.OIDC_ISSUER = ISSUER
    monkeypatch.setattr(requests, "get", lambda url, timeout: answer)
    with pytest.raises(ProviderUnavailable):
        discovery()
    assert cache.get(_discovery_cache_key(ISSUER)) is None


def test_an_unreachable_provider_is_refused(monkeypatch, settings):
    settings.OIDC_ISSUER = ISSUER

    def down(url, timeout):
        raise requests.ConnectionError("refused")

    monkeypatch.setattr(requests, "get", down)
    with pytest.raises(ProviderUnavailable):
        discovery()


# --- the backend -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_backend_is_built_without_asking_the_provider(monkeypatch, sso_settings):
    # Django builds it for every request of an SSO session (get_user): no network there.
    def no_network(*args, **kwargs):
        raise AssertionError("the provider was asked")

    monkeypatch.setattr(requests, "get", no_network)
    user = UserFactory()
    assert OIDCBackend().get_user(user.pk) == user
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert OIDCBackend().get_user(user.pk) is None


@pytest.mark.django_db
def test_the_backend_leaves_password_logins_alone(monkeypatch, sso_settings):
    def no_network(*args, **kwargs):
        raise AssertionError("the provider was asked")

    monkeypatch.setattr(requests, "get", no_network)
    monkeypatch.setattr(requests, "post", no_network)
    request = RequestFactory().post("/login/?code=x&state=y")
    assert OIDCBackend().authenticate(request, username="a@example.org", password="x") is None
    user = UserFactory(email="anna@example.org")
    assert authenticate(request, username=user.email, password=PASSWORD) == user


def test_the_claims_rules():
    assert claims_email_verified({"email_verified": True})
    assert claims_email_verified({"email_verified": "true"})
    assert not claims_email_verified({"email_verified": False})
    assert not claims_email_verified({"email_verified": "false"})
    assert not claims_email_verified({})
    assert claims_name({"name": " Anna Neu "}) == "Anna Neu"
    assert claims_name({"name": "", "given_name": "Anna", "family_name": "Neu"}) == "Anna Neu"
    assert claims_name({"given_name": "Anna"}) == "Anna"
    assert claims_name({}) == ""


def test_local_login_cannot_be_switched_off_without_sso():
    env = {"LOCAL_LOGIN_ENABLED": "false", "DEBUG": "true", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        env=env,
        capture_output=True,
        text=True,
        cwd=str(Path(__file__).resolve().parents[2]),
        timeout=60,
    )
    assert result.returncode != 0
    assert "LOCAL_LOGIN_ENABLED=false needs OIDC_ENABLED" in result.stderr


def test_sso_setting_requires_issuer_and_client():
    env = {"OIDC_ENABLED": "true", "DEBUG": "true", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        env=env,
        capture_output=True,
        text=True,
        cwd=str(Path(__file__).resolve().parents[2]),
        timeout=60,
    )
    assert result.returncode != 0
    assert "OIDC_ENABLED needs OIDC_ISSUER and OIDC_CLIENT_ID" in result.stderr


def test_sso_lets_the_logout_form_lead_to_the_provider():
    env = {
        "OIDC_ENABLED": "true",
        "OIDC_ISSUER": "https://sso.example.org/realms/centre/",
        "OIDC_CLIENT_ID": "konvoi",
        "DEBUG": "true",
        "PATH": "/usr/bin:/bin",
    }
    code = (
        "from config import settings as s; "
        "print(s.OIDC_ISSUER); print(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']); "
        "print(s.AUTHENTICATION_BACKENDS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        cwd=str(Path(__file__).resolve().parents[2]),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    issuer, form_action, backends = result.stdout.splitlines()
    assert issuer == "https://sso.example.org/realms/centre"
    assert form_action == str(["'self'", "https://sso.example.org"])
    # Axes' backend stays first: a locked-out address is refused before anything else.
    assert backends.startswith("['axes.backends.AxesBackend'")
    assert backends.endswith("'accounts.oidc.OIDCBackend']")


@pytest.mark.django_db
def test_an_account_stays_with_the_identity_it_was_first_linked_to(sso_settings):
    """The provider hands an address to someone else (a new `sub`): that person does not get
    the account of the address's former holder. The first identity still logs in."""
    from accounts.oidc import LoginRefused, sso_login_resolve

    user = UserFactory(email="jana@example.com")
    claims = {"sub": "jana-1", "email": "jana@example.com", "email_verified": True}
    assert sso_login_resolve(claims=claims, request=None) == user
    user.refresh_from_db()
    assert user.sso_subject == f"{ISSUER} jana-1"

    with pytest.raises(LoginRefused):
        sso_login_resolve(claims={**claims, "sub": "someone-else"}, request=None)
    assert sso_login_resolve(claims=claims, request=None) == user


@pytest.mark.django_db
def test_a_new_provider_links_afresh_by_verified_address(sso_settings, settings):
    from accounts.oidc import sso_login_resolve

    user = UserFactory(email="jana@example.com", sso_subject="https://old.example/realm jana-1")
    claims = {"sub": "j-77", "email": "jana@example.com", "email_verified": True}
    assert sso_login_resolve(claims=claims, request=None) == user
    user.refresh_from_db()
    assert user.sso_subject == f"{ISSUER} j-77"
