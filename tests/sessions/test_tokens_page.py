"""The API tokens page: make a named token (its secret shown once, only a digest stored),
revoke one, revoke all; making one needs the second factor when the person has one or must
have one (accounts.mfa.token_issue_allowed)."""

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ApiToken
from accounts.services import api_token_create
from audit.models import Action, AuditEntry
from tests.sessions.support import browser, key_of, store

pytestmark = pytest.mark.django_db


def test_the_page_lists_own_tokens_with_their_first_characters(world):
    _token, secret = api_token_create(user=world.member, name="Buchhaltung")
    api_token_create(user=world.owner, name="Fremd")
    html = browser(world.member).get("/profile/tokens/").content.decode()
    assert "Buchhaltung" in html and "Fremd" not in html
    assert secret[:8] in html
    assert secret not in html


def _secret_on(html: str) -> str:
    start = html.index('id="token-secret-value"')
    return html[start:].split(">", 1)[1].split("</textarea>", 1)[0]


def test_a_new_token_is_shown_once_and_only_its_digest_is_stored(world):
    client = browser(world.member)
    made = client.post("/profile/tokens/", {"name": "Export-Skript"})
    assert (made.status_code, made["Location"]) == (302, "/profile/tokens/")
    response = client.get("/profile/tokens/")
    assert response.status_code == 200
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    )
    html = response.content.decode()
    token = ApiToken.objects.get(user=world.member)
    assert token.name == "Export-Skript"
    secret = _secret_on(html)
    assert len(secret) > 20 and secret.startswith(token.token_key)
    assert secret not in {token.digest, token.token_key}  # stored hashed
    # It works for the API, and the next page load does not show it again.
    api = Client(HTTP_AUTHORIZATION=f"Token {secret}")
    assert api.get("/api/v1/me/").status_code == 200
    assert secret not in client.get("/profile/tokens/").content.decode()
    entry = AuditEntry.objects.get(action=Action.TOKEN_CREATED)
    assert (entry.user_id, entry.target, entry.ip_address) == (
        world.member.pk,
        f"token:{token.pk}",
        "203.0.113.7",
    )


def test_a_reload_after_making_a_token_makes_no_second_one_and_shows_the_secret_no_more(world):
    """Post/Redirect/Get: the page showing the secret is a GET; the secret waits in the
    session for exactly that one display."""
    client = browser(world.member)
    response = client.post("/profile/tokens/", {"name": "Einmal"}, follow=True)
    assert response.redirect_chain == [("/profile/tokens/", 302)]
    html = response.content.decode()
    secret = _secret_on(html)
    assert 'data-testid="token-copy"' in html and "frontend/copy.js" in html
    assert "no-store" in response["Cache-Control"]
    assert "_konvoi_new_api_token" not in client.session  # popped when shown
    reload = client.get("/profile/tokens/")
    assert secret not in reload.content.decode()
    assert 'data-testid="token-secret"' not in reload.content.decode()
    assert ApiToken.objects.filter(user=world.member).count() == 1


def test_a_token_needs_a_name(world):
    response = browser(world.member).post("/profile/tokens/", {"name": " "})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_revoke_one_and_all(world):
    client = browser(world.member)
    first, _ = api_token_create(user=world.member, name="eins")
    api_token_create(user=world.member, name="zwei")
    theirs, _ = api_token_create(user=world.owner, name="fremd")
    assert client.post(f"/profile/tokens/{theirs.pk}/revoke/").status_code == 404
    assert client.post(f"/profile/tokens/{first.pk}/revoke/").status_code == 302
    assert list(ApiToken.objects.filter(user=world.member).values_list("name", flat=True)) == [
        "zwei"
    ]
    assert client.post("/profile/tokens/revoke-all/").status_code == 302
    assert not ApiToken.objects.filter(user=world.member).exists()
    assert ApiToken.objects.filter(pk=theirs.pk).exists()
    revoked = AuditEntry.objects.filter(action=Action.TOKEN_REVOKED, user_id=world.member.pk)
    assert revoked.count() == 2
    assert revoked.filter(target=f"token:{first.pk}").exists()


def test_the_page_only_answers_get_and_post(world):
    assert browser(world.member).put("/profile/tokens/").status_code == 405
    assert Client().get("/profile/tokens/").status_code == 302


def _with_second_factor(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="App", confirmed=True)


def _verify(client: Client, device: TOTPDevice) -> None:
    session = store(key_of(client))
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def test_no_token_without_the_second_factor_confirmed_in_this_session(world):
    device = _with_second_factor(world.member)
    client = browser(world.member)  # password only: the second factor is still owed
    response = client.post("/profile/tokens/", {"name": "x"})
    assert response.status_code in (302, 403)
    assert not ApiToken.objects.exists()
    _verify(client, device)
    assert client.post("/profile/tokens/", {"name": "x"}).status_code == 302
    assert ApiToken.objects.filter(user=world.member).count() == 1


def test_the_page_itself_refuses_without_the_second_factor(world, settings):
    """Behind the door (frontend.middleware) the page checks again: one forgotten path in the
    door's list would otherwise hand out tokens."""
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "frontend.middleware.SecondFactorMiddleware"
    ]
    _with_second_factor(world.member)
    client = browser(world.member)
    page = client.get("/profile/tokens/").content.decode()
    assert 'data-testid="token-needs-second-factor"' in page
    assert 'data-testid="token-form"' not in page
    assert client.post("/profile/tokens/", {"name": "x"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_someone_who_must_have_a_second_factor_and_has_none_gets_no_token(world, settings):
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "frontend.middleware.SecondFactorMiddleware"
    ]
    settings.MFA_REQUIRED_FOR = ["facilitator"]
    client = browser(world.facilitator)
    assert client.post("/profile/tokens/", {"name": "x"}).status_code == 403
    assert not ApiToken.objects.exists()
