"""API tokens have a lifecycle: hashed at rest, named, expiring, revocable one by one or all
at once, revoked by a new password, and their open sockets close when they are revoked."""

import asyncio
import importlib
from datetime import timedelta
from types import SimpleNamespace

import pytest
from channels.routing import URLRouter
from django.contrib.auth.tokens import default_token_generator
from django.db import connection
from django.test import Client
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from accounts.consumers import CLOSE_TOKEN_REVOKED
from accounts.models import ApiToken
from accounts.services import api_token_create, api_token_revoke, user_password_set
from config.ws_auth import websocket_auth_stack
from convoys.routing import websocket_urlpatterns
from notifications.routing import websocket_urlpatterns as notification_urlpatterns
from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    ConvoyFactory,
    MembershipFactory,
    UserFactory,
)
from tests.support.sockets import WebsocketCommunicator

PASSWORD = "S3cure-enough!"


def token_client(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def login(api_client: APIClient, user, **extra) -> dict:
    r = api_client.post("/api/v1/auth/token/", {"email": user.email, "password": PASSWORD, **extra})
    assert r.status_code == 200, r.content
    return r.json()


@pytest.fixture
def user(db):
    return UserFactory(email="nina@example.com", password=PASSWORD)


def test_token_login_keeps_its_shape_and_stores_only_a_hash(user, api_client):
    body = login(api_client, user)
    secret = body["token"]
    assert {"token", "id", "name", "expiry"} <= set(body)
    token = ApiToken.objects.get(pk=body["id"])
    assert secret not in {token.digest, token.token_key}
    assert len(secret) == 64 and token.token_key == secret[:15]
    assert token.expiry is not None
    assert timedelta(days=89) < token.expiry - timezone.now() <= timedelta(days=90)
    assert token_client(secret).get("/api/v1/me/").status_code == 200


def test_a_client_logging_in_on_every_run_keeps_working_past_the_token_limit(
    user, api_client, settings
):
    """Clients of the old endpoint got the same token on every call and may log in on every
    run: at the limit the least recently used token makes room instead of a 400."""
    settings.API_TOKEN_LIMIT_PER_USER = 3
    first, second, third = (login(api_client, user)["token"] for _ in range(3))
    # The first is in use (its expiry moves on), so the second is the longest unused.
    ApiToken.objects.filter(token_key=first[:15]).update(expiry=timezone.now() + timedelta(days=91))
    fourth = login(api_client, user)["token"]
    assert ApiToken.objects.filter(user=user).count() == 3
    assert token_client(second).get("/api/v1/me/").status_code == 401
    for secret in (first, third, fourth):
        assert token_client(secret).get("/api/v1/me/").status_code == 200


def test_several_named_tokens_are_listed_without_their_secret(user, api_client):
    first = login(api_client, user, name="CRM sync")
    second = login(api_client, user, name="Laptop")
    assert first["token"] != second["token"]
    r = token_client(second["token"]).get("/api/v1/auth/tokens/")
    assert r.status_code == 200
    rows = r.json()
    assert [(t["id"], t["name"], t["current"]) for t in rows] == [
        (second["id"], "Laptop", True),
        (first["id"], "CRM sync", False),
    ]
    text = r.content.decode()
    assert first["token"] not in text and second["token"] not in text


def test_logout_revokes_only_the_token_in_use(user, api_client):
    first = login(api_client, user)
    second = login(api_client, user)
    assert token_client(first["token"]).post("/api/v1/auth/logout/").status_code == 204
    assert token_client(first["token"]).get("/api/v1/me/").status_code == 401
    assert token_client(second["token"]).get("/api/v1/me/").status_code == 200


def test_logout_all_revokes_every_token(user, api_client):
    secrets = [login(api_client, user)["token"] for _ in range(3)]
    r = token_client(secrets[0]).post("/api/v1/auth/logout-all/")
    assert (r.status_code, r.json()) == (200, {"revoked": 3})
    assert [token_client(s).get("/api/v1/me/").status_code for s in secrets] == [401] * 3


def test_a_token_is_revoked_by_id_but_not_someone_elses(user, api_client):
    mine = login(api_client, user)
    other_user = UserFactory(password=PASSWORD)
    theirs = login(api_client, other_user)
    client = token_client(mine["token"])
    assert client.delete(f"/api/v1/auth/tokens/{theirs['id']}/").status_code == 404
    assert token_client(theirs["token"]).get("/api/v1/me/").status_code == 200
    assert client.delete(f"/api/v1/auth/tokens/{mine['id']}/").status_code == 204
    assert client.get("/api/v1/me/").status_code == 401


def test_an_expired_token_stops_working(user, api_client):
    body = login(api_client, user)
    ApiToken.objects.filter(pk=body["id"]).update(expiry=timezone.now() - timedelta(seconds=1))
    assert token_client(body["token"]).get("/api/v1/me/").status_code == 401
    assert not ApiToken.objects.filter(pk=body["id"]).exists()


def test_a_token_in_use_is_refreshed(user, api_client):
    body = login(api_client, user)
    soon = timezone.now() + timedelta(days=1)
    ApiToken.objects.filter(pk=body["id"]).update(expiry=soon)
    assert token_client(body["token"]).get("/api/v1/me/").status_code == 200
    assert ApiToken.objects.get(pk=body["id"]).expiry > timezone.now() + timedelta(days=89)


def test_a_password_reset_revokes_every_token(user, api_client):
    secrets = [login(api_client, user)["token"] for _ in range(2)]
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    client = Client()
    r = client.get(f"/password-reset/{uid}/{token}/", follow=True)
    assert r.status_code == 200
    r = client.post(
        r.redirect_chain[-1][0], {"new_password1": "N3w-secret!x", "new_password2": "N3w-secret!x"}
    )
    assert r.status_code == 302
    user.refresh_from_db()
    assert user.check_password("N3w-secret!x")
    assert [token_client(s).get("/api/v1/me/").status_code for s in secrets] == [401, 401]
    assert not ApiToken.objects.filter(user=user).exists()


def test_the_admins_password_change_revokes_every_token(user, api_client):
    secret = login(api_client, user)["token"]
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    r = client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"usable_password": "true", "password1": "N3w-secret!x", "password2": "N3w-secret!x"},
    )
    assert r.status_code == 302, r.content
    assert token_client(secret).get("/api/v1/me/").status_code == 401


def test_the_admin_lists_tokens_without_a_secret(user, api_client):
    secret = login(api_client, user, name="CRM sync")["token"]
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    r = client.get("/admin/accounts/apitoken/")
    assert r.status_code == 200
    assert "CRM sync" in r.content.decode()
    assert secret not in r.content.decode()
    assert client.get("/admin/authtoken/").status_code == 404


def test_legacy_plain_tokens_are_carried_over_hashed(user):
    migration = importlib.import_module("accounts.migrations.0003_legacy_api_tokens")
    legacy_key = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"
    with connection.cursor() as cursor:
        cursor.execute(
            'CREATE TABLE authtoken_token ("key" varchar(40) PRIMARY KEY, "user_id" bigint, '
            '"created" timestamp)'
        )
        cursor.execute(
            'INSERT INTO authtoken_token ("key", "user_id") VALUES (%s, %s)', [legacy_key, user.pk]
        )
    from django.apps import apps

    # The function only needs the editor's connection (SQLite refuses a schema editor here).
    migration.legacy_tokens_import(apps, SimpleNamespace(connection=connection))
    assert "authtoken_token" not in connection.introspection.table_names()
    token = ApiToken.objects.get(user=user)
    assert legacy_key not in {token.digest, token.token_key}
    assert token_client(legacy_key).get("/api/v1/me/").json()["email"] == user.email


# --- sockets opened with a token close when it is revoked ---


def _socket_world():
    convoy = ConvoyFactory()
    company = CompanyFactory()
    owner = UserFactory(password=PASSWORD)
    CompanyMemberFactory(company=company, user=owner, role="owner")
    MembershipFactory(convoy=convoy, company=company)
    return convoy, owner


def _token_socket(path: str, secret: str) -> WebsocketCommunicator:
    return WebsocketCommunicator(
        websocket_auth_stack(URLRouter(websocket_urlpatterns + notification_urlpatterns)),
        path,
        headers=[(b"authorization", f"Token {secret}".encode())],
    )


def _in_thread(fn, **kwargs):
    """Run a service in a worker thread and close that thread's database connection."""
    try:
        return fn(**kwargs)
    finally:
        connection.close()


async def _closed_code(comm: WebsocketCommunicator) -> int | None:
    while True:
        try:
            output = await comm.receive_output(timeout=3)
        except TimeoutError:
            return None
        if output["type"] == "websocket.close":
            return output.get("code")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("in_memory_layer")
@pytest.mark.parametrize("revoke", ["one", "password"])
def test_sockets_of_a_revoked_token_close(revoke):
    convoy, owner = _socket_world()
    token, secret = api_token_create(user=owner, name="socket")
    _other, other_secret = api_token_create(user=UserFactory(), name="bystander")

    async def scenario():
        convoy_socket = _token_socket(f"/ws/convoys/{convoy.pk}/?after=0", secret)
        feed_socket = _token_socket("/ws/notifications/", secret)
        bystander = _token_socket("/ws/notifications/", other_secret)
        for comm in (convoy_socket, feed_socket, bystander):
            connected, _code = await comm.connect()
            assert connected
        if revoke == "one":
            await asyncio.to_thread(_in_thread, api_token_revoke, token=token)
        else:
            await asyncio.to_thread(
                _in_thread, user_password_set, user=owner, password="N3w-secret!x"
            )
        codes = [await _closed_code(convoy_socket), await _closed_code(feed_socket)]
        bystander_closed = await bystander.receive_nothing(timeout=0.3)
        for comm in (convoy_socket, feed_socket, bystander):
            await comm.disconnect()
        return codes, bystander_closed

    codes, bystander_quiet = asyncio.run(scenario())
    assert codes == [CLOSE_TOKEN_REVOKED, CLOSE_TOKEN_REVOKED]
    assert bystander_quiet

    async def reconnect():
        comm = _token_socket("/ws/notifications/", secret)
        connected, _code = await comm.connect()
        return connected

    assert asyncio.run(reconnect()) is False
