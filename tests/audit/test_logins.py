"""Logins, failed logins, lockouts and logouts: each recorded once, through the real doors
(the web form, the admin, the API token endpoint)."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from audit.models import Action
from tests.audit.helpers import FIREFOX, PASSWORD, mark, since
from tests.factories import UserFactory


@pytest.fixture
def person(db):
    return UserFactory(email="nina@example.com", password=PASSWORD)


def test_a_web_login_writes_one_login_row_with_address_and_browser(person):
    start = mark()
    client = Client(REMOTE_ADDR="203.0.113.4", HTTP_USER_AGENT=FIREFOX)
    r = client.post("/login/", {"username": person.email, "password": PASSWORD})
    assert r.status_code == 302
    [row] = since(start)
    assert row.action == Action.LOGIN
    assert (row.user_id, row.actor_id) == (person.pk, person.pk)
    assert row.ip_address == "203.0.113.4"
    assert row.user_agent == FIREFOX


def test_an_admin_login_writes_one_login_row(db):
    admin = UserFactory(email="admin@example.com", password=PASSWORD, is_staff=True)
    start = mark()
    r = Client().post("/admin/login/", {"username": admin.email, "password": PASSWORD})
    assert r.status_code == 302
    assert [(e.action, e.user_id) for e in since(start)] == [(Action.LOGIN, admin.pk)]


def test_the_api_token_login_writes_a_login_and_a_token_row(person):
    start = mark()
    r = APIClient(REMOTE_ADDR="203.0.113.7").post(
        "/api/v1/auth/token/", {"email": "NINA@example.com", "password": PASSWORD, "name": "CLI"}
    )
    assert r.status_code == 200
    rows = since(start)
    assert [e.action for e in rows] == [Action.LOGIN, Action.TOKEN_CREATED]
    assert rows[0].data == {"via": "api"}
    assert rows[1].target == f"token:{r.json()['id']}"
    assert rows[1].data == {"token_name": "CLI"}
    assert {(e.user_id, str(e.ip_address)) for e in rows} == {(person.pk, "203.0.113.7")}


def test_a_failed_web_login_for_an_unknown_address_records_the_address(db):
    start = mark()
    Client(REMOTE_ADDR="203.0.113.4").post(
        "/login/", {"username": "Nobody@Example.com", "password": "wrong"}
    )
    [row] = since(start)
    assert row.action == Action.LOGIN_FAILED
    assert row.user_id is None
    assert row.attempted_login == "nobody@example.com"
    assert row.data == {}


def test_a_failed_web_login_for_a_known_account_names_the_account(person):
    start = mark()
    Client().post("/login/", {"username": person.email, "password": "wrong"})
    [row] = since(start)
    assert row.action == Action.LOGIN_FAILED
    assert row.user_id == person.pk
    assert row.attempted_login == ""


def test_a_failed_api_login_writes_one_failed_row(person):
    start = mark()
    r = APIClient().post("/api/v1/auth/token/", {"email": person.email, "password": "wrong"})
    assert r.status_code == 400
    assert [(e.action, e.user_id) for e in since(start)] == [(Action.LOGIN_FAILED, person.pk)]


def test_a_failed_admin_login_writes_one_failed_row(person):
    start = mark()
    Client().post("/admin/login/", {"username": person.email, "password": "wrong"})
    assert [(e.action, e.user_id) for e in since(start)] == [(Action.LOGIN_FAILED, person.pk)]


def test_a_login_refused_by_the_lockout_is_a_failed_login_marked_locked(person):
    for i in range(10):
        Client(REMOTE_ADDR=f"198.51.100.{i}").post(
            "/login/", {"username": person.email, "password": f"wrong-{i}"}
        )
    start = mark()
    r = Client(REMOTE_ADDR="203.0.113.50").post(
        "/login/", {"username": person.email, "password": PASSWORD}
    )
    assert r.status_code == 429
    [row] = since(start)
    assert row.action == Action.LOGIN_FAILED
    assert row.user_id == person.pk
    assert row.data == {"locked": True}


def test_a_web_logout_writes_one_logout_row(person):
    client = Client()
    client.post("/login/", {"username": person.email, "password": PASSWORD})
    start = mark()
    r = client.post("/logout/")
    assert r.status_code == 302
    assert [(e.action, e.user_id) for e in since(start)] == [(Action.LOGOUT, person.pk)]


def test_a_logout_without_a_login_writes_nothing(db):
    start = mark()
    Client().post("/logout/")
    assert since(start) == []


def test_a_single_sign_on_login_is_left_to_the_sso_code(person, rf):
    """login() through an OIDC backend: that code records LOGIN_SSO (with the provider's
    subject); the signal writes no second row. Other backends' logins are recorded."""
    from django.contrib.auth.signals import user_logged_in

    start = mark()
    person.backend = "mozilla_django_oidc.auth.OIDCAuthenticationBackend"
    user_logged_in.send(sender=type(person), request=rf.get("/"), user=person)
    assert since(start) == []
    person.backend = "django.contrib.auth.backends.ModelBackend"
    user_logged_in.send(sender=type(person), request=rf.get("/"), user=person)
    assert [e.action for e in since(start)] == [Action.LOGIN]
