"""Single sign-on against a real OpenID provider (django-oauth-toolkit in a second process):
discovery, the code flow with PKCE and nonce, accounts found or created from the claims,
logout at both ends, and every failure back on the login page with a message."""

import base64
import hashlib
import socket
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.oidc import _discovery_cache_key, discovery
from audit.models import Action, AuditEntry
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _logged_in_as(walk) -> str:
    """Whom Konvoi serves this browser as: the address of its session's account when the
    profile page opens, else ""."""
    if walk.get("/profile/").status_code != 200:
        return ""
    session = SessionStore(walk.session.cookies.get("sessionid"))
    return User.objects.get(pk=session["_auth_user_id"]).email


def _login_page_message(walk, response) -> str:
    """Follows a redirect to the login page and returns its text."""
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login/", response.headers["Location"]
    page = walk.follow(response)
    assert page.status_code == 200
    return page.text


def test_first_login_creates_the_account_through_discovery_with_pkce(walk, sso):
    response = walk.login("anna", next_path="/profile/")

    # Discovery was fetched, cached and its authorization endpoint used.
    document = requests.get(f"{sso.issuer}/.well-known/openid-configuration", timeout=5).json()
    assert cache.get(_discovery_cache_key(sso.issuer)) == document
    assert walk.authorize_url.startswith(document["authorization_endpoint"] + "?")
    # The authorization request carried a PKCE challenge (S256) and a nonce.
    params = walk.authorize_params
    assert params["code_challenge_method"] == "S256"
    assert len(params["code_challenge"]) == 43  # base64url of a SHA-256 digest
    assert params["nonce"] and params["state"]
    assert params["scope"] == "openid email profile"

    assert response.status_code == 302
    assert response.headers["Location"] == "/profile/"  # `next` kept through the flow
    user = User.objects.get(email="anna@example.org")
    assert user.name == "Anna Neu"
    assert user.language == "en"  # the browser's language at the first login
    assert walk.session.cookies.get(settings.LANGUAGE_COOKIE_NAME) == "en"  # and from now on
    assert not user.has_usable_password()
    assert _logged_in_as(walk) == "anna@example.org"
    entry = AuditEntry.objects.get(action=Action.LOGIN_SSO, user=user)
    assert entry.data["sub"]  # the provider's subject …
    assert entry.data["created"] is True
    # … and no token of the flow.
    assert "token" not in str(entry.data).lower()


def test_an_existing_account_is_linked_by_verified_address_in_any_case(walk, sso):
    bert = UserFactory(email="bert@example.org", name="Bert B.")
    users = User.objects.count()

    response = walk.login("bert")

    assert response.headers["Location"] == "/"
    assert User.objects.count() == users
    bert.refresh_from_db()
    assert bert.name == "Bert B."  # the name is the person's once the account exists
    assert bert.has_usable_password()  # a linked account keeps its password
    assert _logged_in_as(walk) == "bert@example.org"
    assert AuditEntry.objects.get(action=Action.LOGIN_SSO, user=bert).data["created"] is False


def test_an_unverified_address_is_never_linked_nor_creates_an_account(walk, sso):
    carla = UserFactory(email="carla@example.org")
    users = User.objects.count()

    response = walk.login("carla")

    text = _login_page_message(walk, response)
    assert "has not confirmed your e-mail address" in text
    assert User.objects.count() == users
    assert _logged_in_as(walk) == ""
    assert not AuditEntry.objects.filter(action=Action.LOGIN_SSO).exists()
    assert carla.last_login is None


def test_the_name_falls_back_to_given_and_family_name(walk, sso):
    walk.login("dora")
    assert User.objects.get(email="dora@example.org").name == "Dora Vorname"


def test_an_unknown_address_is_refused_when_accounts_are_not_created(walk, sso, settings):
    settings.OIDC_CREATE_USERS = False
    response = walk.login("anna")
    assert "There is no Konvoi account for anna@example.org" in _login_page_message(walk, response)
    assert not User.objects.filter(email="anna@example.org").exists()


def test_an_inactive_account_is_refused(walk, sso):
    UserFactory(email="anna@example.org", is_active=False)
    response = walk.login("anna")
    assert "This account is deactivated." in _login_page_message(walk, response)
    assert _logged_in_as(walk) == ""


def test_a_deleted_account_never_matches(walk, sso):
    deleted = UserFactory(email="anna@example.org", deleted_at=timezone.now())
    response = walk.login("anna")
    assert "Konvoi cannot create an account" in _login_page_message(walk, response)
    assert _logged_in_as(walk) == ""
    assert User.objects.filter(email__iexact="anna@example.org").get() == deleted


def test_an_unsafe_next_is_dropped(walk, sso):
    response = walk.login("anna", next_path="https://evil.example/phish")
    assert response.headers["Location"] == "/"


def test_logout_ends_the_provider_session_too(walk, sso, live_server):
    walk.login("anna")
    assert walk.provider_user() == "anna"

    response = walk.session.post(
        f"{live_server.url}/logout/",
        data={"csrfmiddlewaretoken": walk.csrf()},
        allow_redirects=False,
    )

    # To the provider's end-session endpoint with the ID token as hint …
    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == discovery()["end_session_endpoint"]
    query = parse_qs(target.query)
    assert query["id_token_hint"][0].count(".") == 2
    assert query["post_logout_redirect_uri"] == [f"{live_server.url}/login/"]
    assert _logged_in_as(walk) == ""
    # … which ends its session and sends the person back to Konvoi's login page.
    back = walk.session.get(response.headers["Location"], allow_redirects=False)
    assert back.status_code == 302
    assert back.headers["Location"] == f"{live_server.url}/login/"
    assert walk.provider_user() == ""
    # The next SSO login asks the provider's password again.
    start = walk.start()
    at_provider = walk.session.get(start.headers["Location"], allow_redirects=False)
    assert urlsplit(at_provider.headers["Location"]).path == "/login/"


def test_the_library_logout_route_does_the_same(walk, sso, live_server):
    walk.login("anna")
    response = walk.session.post(
        f"{live_server.url}/oidc/logout/",
        data={"csrfmiddlewaretoken": walk.csrf()},
        allow_redirects=False,
    )
    assert response.headers["Location"].startswith(discovery()["end_session_endpoint"] + "?")
    assert _logged_in_as(walk) == ""


def test_a_password_logout_stays_local(walk, sso, live_server):
    UserFactory(email="local@example.org")
    walk.session.get(f"{live_server.url}/login/")
    walk.session.post(
        f"{live_server.url}/login/",
        data={
            "username": "local@example.org",
            "password": "correct-horse-42",
            "csrfmiddlewaretoken": walk.session.cookies.get("csrftoken"),
        },
        allow_redirects=False,
    )
    assert _logged_in_as(walk) == "local@example.org"
    response = walk.session.post(
        f"{live_server.url}/logout/",
        data={"csrfmiddlewaretoken": walk.csrf()},
        allow_redirects=False,
    )
    assert response.headers["Location"] == "/login/"
    assert _logged_in_as(walk) == ""


def test_the_provider_requires_pkce(walk, sso, live_server):
    # The same authorization request without the challenge: the provider refuses it, and
    # Konvoi's callback shows the refusal on the login page.
    walk.authorize_url = walk.start().headers["Location"]
    params = walk.authorize_params
    del params["code_challenge"], params["code_challenge_method"]
    endpoint = walk.authorize_url.split("?")[0]
    back = walk.authorize("anna", url=f"{endpoint}?{urlencode(params)}")
    assert "error=invalid_request" in back.headers["Location"]
    response = walk.session.get(back.headers["Location"], allow_redirects=False)
    page = _login_page_message(walk, response)
    assert page.count("Logging in with single sign-on did not work.") == 1
    assert _logged_in_as(walk) == ""


def test_the_pkce_verifier_matches_the_challenge(walk, sso):
    # The verifier stays in Konvoi's session; the provider compares it with the challenge
    # at the token endpoint (a wrong one would be refused there).
    walk.authorize_url = walk.start().headers["Location"]
    session = SessionStore(walk.session.cookies.get("sessionid"))
    states = session["oidc_states"]
    verifier = states[walk.authorize_params["state"]]["code_verifier"]
    digest = hashlib.sha256(verifier.encode()).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert challenge == walk.authorize_params["code_challenge"]


def test_a_wrong_state_gives_the_login_page(walk, sso):
    start = walk.start()
    walk.authorize_url = start.headers["Location"]
    back = walk.authorize("anna")
    forged = back.headers["Location"].replace(walk.authorize_params["state"], "forged-state")
    response = walk.session.get(forged, allow_redirects=False)
    assert "expired or was started in another browser" in _login_page_message(walk, response)
    assert _logged_in_as(walk) == ""


def test_a_callback_without_a_started_login_gives_the_login_page(walk, sso):
    response = walk.get("/oidc/callback/?code=abc&state=def")
    assert "did not work" in _login_page_message(walk, response)


def test_an_unreachable_provider_gives_the_login_page(walk, sso, settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.OIDC_ISSUER = f"http://127.0.0.1:{port}/o"  # nothing listens there
    response = walk.start()
    assert "cannot be reached" in _login_page_message(walk, response)


def test_a_provider_that_fails_after_the_login_gives_the_login_page(walk, sso):
    start = walk.start()
    walk.authorize_url = start.headers["Location"]
    back = walk.authorize("anna")
    # The provider's token endpoint goes away between the login there and the callback.
    document = dict(discovery())
    document["token_endpoint"] = "http://127.0.0.1:9/o/token/"
    cache.set(_discovery_cache_key(sso.issuer), document, 60)
    response = walk.session.get(back.headers["Location"], allow_redirects=False)
    assert "cannot be reached" in _login_page_message(walk, response)
    assert not User.objects.filter(email="anna@example.org").exists()


def test_a_person_with_a_second_factor_is_asked_for_it_after_sso(walk, sso):
    emil = UserFactory(email="emil@example.org")
    TOTPDevice.objects.create(user=emil, name="app", confirmed=True)

    response = walk.login("emil", next_path="/profile/")

    page = walk.follow(response)
    assert page.status_code == 302
    assert urlsplit(page.headers["Location"]).path == "/login/verify/"


def test_sso_works_with_local_login_switched_off(walk, sso, settings):
    settings.LOCAL_LOGIN_ENABLED = False
    page = walk.get("/login/")
    assert 'data-testid="sso-login"' in page.text
    assert "Log in with Test-SSO" in page.text
    assert 'data-testid="login-form"' not in page.text
    walk.login("anna")
    assert _logged_in_as(walk) == "anna@example.org"
