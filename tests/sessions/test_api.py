"""GET/DELETE /api/v1/me/sessions/ and POST /api/v1/auth/tokens/ (another named token while
authenticated)."""

import pytest
from django.contrib.sessions.models import Session
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts.models import ApiToken, UserSession
from accounts.services import api_token_create
from audit.models import Action, AuditEntry
from tests.sessions.support import SAFARI_IPHONE, browser, key_of, row_of

pytestmark = pytest.mark.django_db


def token_client(user) -> tuple[APIClient, ApiToken]:
    token, secret = api_token_create(user=user, name="Skript")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client, token


def test_the_list_shows_own_sessions_and_marks_the_current_one(world):
    here = browser(world.member)
    browser(world.member, ua=SAFARI_IPHONE, ip="192.0.2.44")
    browser(world.owner)
    # A browser session may call the API too (session authentication).
    body = here.get("/api/v1/me/sessions/").json()
    assert body["count"] == 2
    rows = body["results"]
    assert {r["ip_address"] for r in rows} == {"203.0.113.7", "192.0.2.44"}
    assert [r["current"] for r in rows if r["ip_address"] == "203.0.113.7"] == [True]
    assert set(rows[0]) == {"id", "device", "ip_address", "created", "last_seen", "current"}
    api, _token = token_client(world.member)
    assert not any(r["current"] for r in api.get("/api/v1/me/sessions/").json()["results"])


def test_ending_another_session(world):
    api, _token = token_client(world.member)
    other = browser(world.member)
    row = row_of(other)
    assert api.delete(f"/api/v1/me/sessions/{row.pk}/").status_code == 204
    assert not UserSession.objects.filter(pk=row.pk).exists()
    assert not Session.objects.filter(session_key=row.session_key).exists()
    assert other.get("/profile/").status_code == 302
    assert AuditEntry.objects.filter(
        action=Action.SESSION_REVOKED, user_id=world.member.pk, target=f"session:{row.pk}"
    ).exists()


def test_someone_elses_or_unknown_session_is_404(world):
    api, _token = token_client(world.member)
    theirs = row_of(browser(world.owner))
    for pk in (theirs.pk, 999999, 99999999999999999999):
        assert api.delete(f"/api/v1/me/sessions/{pk}/").status_code == 404
    assert UserSession.objects.filter(pk=theirs.pk).exists()


def test_the_current_session_is_refused_with_a_message(world):
    here = browser(world.member)
    row = row_of(here)
    response = here.delete(f"/api/v1/me/sessions/{row.pk}/")
    assert response.status_code == 400
    assert "log out" in response.json()["session"][0]
    assert Session.objects.filter(session_key=key_of(here)).exists()


def test_anonymous_gets_nothing(db):
    assert APIClient().get("/api/v1/me/sessions/").status_code in (401, 403)
    assert APIClient().delete("/api/v1/me/sessions/1/").status_code in (401, 403)


def test_a_token_makes_another_named_token(world):
    api, _token = token_client(world.member)
    response = api.post("/api/v1/auth/tokens/", {"name": "Nachfolger"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Nachfolger"
    new = ApiToken.objects.get(pk=body["id"])
    assert body["token"].startswith(new.token_key)
    fresh = APIClient()
    fresh.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert fresh.get("/api/v1/me/").status_code == 200
    assert AuditEntry.objects.filter(action=Action.TOKEN_CREATED, target=f"token:{new.pk}").exists()
    assert api.post("/api/v1/auth/tokens/", {}, format="json").status_code == 400


def test_a_token_of_someone_with_a_second_factor_may_make_another(world):
    """Tokens exist only after the second factor: the token proves it."""
    TOTPDevice.objects.create(user=world.member, name="App", confirmed=True)
    api, _token = token_client(world.member)
    assert api.post("/api/v1/auth/tokens/", {"name": "n"}, format="json").status_code == 201


def test_a_session_without_the_second_factor_may_not(world, settings):
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "frontend.middleware.SecondFactorMiddleware"
    ]
    TOTPDevice.objects.create(user=world.member, name="App", confirmed=True)
    here = browser(world.member)
    response = here.post(
        "/api/v1/auth/tokens/",
        {"name": "n"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=here.cookies["csrftoken"].value,
    )
    assert response.status_code == 403
    assert "second factor" in response.json()["detail"]
    assert not ApiToken.objects.exists()


def test_the_list_of_tokens_still_works(world):
    api, token = token_client(world.member)
    rows = api.get("/api/v1/auth/tokens/").json()
    assert [r["id"] for r in rows] == [token.pk]
