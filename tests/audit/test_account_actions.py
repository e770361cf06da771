"""Password change and reset, e-mail change, API tokens made and revoked: each writes its row,
through the pages, the API and the admin."""

import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services import api_token_create, api_tokens_revoke_all
from audit.models import Action
from tests.audit.helpers import FIREFOX, PASSWORD, mark, since
from tests.factories import UserFactory

NEW = "N3w-secret!x"


@pytest.fixture
def person(db):
    return UserFactory(email="nina@example.com", password=PASSWORD)


def logged_in(user) -> Client:
    client = Client(REMOTE_ADDR="203.0.113.4", HTTP_USER_AGENT=FIREFOX)
    client.force_login(user)
    return client


def token_client(secret: str) -> APIClient:
    client = APIClient(REMOTE_ADDR="203.0.113.8")
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def test_a_password_change_on_the_profile_page_writes_its_row(person):
    client = logged_in(person)
    start = mark()
    r = client.post(
        "/profile/password/",
        {
            "password-old_password": PASSWORD,
            "password-new_password": NEW,
            "password-new_password_confirm": NEW,
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    [row] = since(start)
    assert row.action == Action.PASSWORD_CHANGED
    assert (row.user_id, row.actor_id, str(row.ip_address)) == (person.pk, person.pk, "203.0.113.4")


def test_a_password_change_in_the_api_writes_its_row_and_the_tokens_revoked(person):
    _token, secret = api_token_create(user=person, name="CLI")
    start = mark()
    r = token_client(secret).post(
        "/api/v1/me/password/", {"old_password": PASSWORD, "new_password": NEW}
    )
    assert r.status_code == 204
    rows = since(start)
    assert [e.action for e in rows] == [Action.PASSWORD_CHANGED, Action.TOKEN_REVOKED]
    assert rows[1].data == {"count": 1, "reason": "password"}
    assert {str(e.ip_address) for e in rows} == {"203.0.113.8"}


def test_a_password_reset_writes_a_reset_row_with_the_address(person):
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    token = default_token_generator.make_token(person)
    client = Client(REMOTE_ADDR="203.0.113.9")
    r = client.get(f"/password-reset/{uid}/{token}/", follow=True)
    start = mark()
    r = client.post(r.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert r.status_code == 302
    [row] = since(start)
    assert row.action == Action.PASSWORD_RESET
    assert (row.user_id, row.actor_id, str(row.ip_address)) == (person.pk, person.pk, "203.0.113.9")


def test_a_password_set_in_the_admin_names_the_admin(person):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = logged_in(admin)
    start = mark()
    r = client.post(
        f"/admin/accounts/user/{person.pk}/password/",
        {"usable_password": "true", "password1": NEW, "password2": NEW},
    )
    assert r.status_code == 302, r.content
    [row] = since(start)
    assert row.action == Action.PASSWORD_CHANGED
    assert (row.user_id, row.actor_id, str(row.ip_address)) == (person.pk, admin.pk, "203.0.113.4")


def test_an_email_change_writes_its_row_when_confirmed(person, settings):
    client = logged_in(person)
    client.post(
        "/profile/email/", {"email-email": "nina.neu@example.com", "email-password": PASSWORD}
    )
    assert mail.outbox, "no confirmation mail"
    link = re.search(r"https?://\S+/profile/email/confirm/\S+/", mail.outbox[-1].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    start = mark()
    r = Client(REMOTE_ADDR="203.0.113.10").post(f"/{path}")
    assert r.status_code in (200, 302)
    [row] = since(start)
    assert row.action == Action.EMAIL_CHANGED
    assert (row.user_id, row.target, str(row.ip_address)) == (
        person.pk,
        f"user:{person.pk}",
        "203.0.113.10",
    )
    assert "nina" not in str(row.data)  # no addresses kept in the entry


def test_revoking_one_token_in_the_api_writes_its_row(person):
    _token, secret = api_token_create(user=person, name="Laptop")
    other, _ = api_token_create(user=person, name="Phone")
    start = mark()
    r = token_client(secret).delete(f"/api/v1/auth/tokens/{other.pk}/")
    assert r.status_code == 204
    [row] = since(start)
    assert row.action == Action.TOKEN_REVOKED
    assert (row.user_id, row.target, row.data) == (
        person.pk,
        f"token:{other.pk}",
        {"token_name": "Phone"},
    )


def test_the_api_logout_revokes_its_token_with_a_row(person):
    token, secret = api_token_create(user=person)
    start = mark()
    assert token_client(secret).post("/api/v1/auth/logout/").status_code == 204
    assert [(e.action, e.target) for e in since(start)] == [
        (Action.TOKEN_REVOKED, f"token:{token.pk}")
    ]


def test_logout_everywhere_writes_one_row_for_all_tokens(person):
    _t, secret = api_token_create(user=person)
    api_token_create(user=person)
    start = mark()
    r = token_client(secret).post("/api/v1/auth/logout-all/")
    assert r.json() == {"revoked": 2}
    [row] = since(start)
    assert (row.action, row.data) == (Action.TOKEN_REVOKED, {"count": 2, "reason": "all"})


def test_revoking_nothing_writes_nothing(person):
    start = mark()
    assert api_tokens_revoke_all(user=person) == 0
    assert since(start) == []


def test_a_token_revoked_in_the_admin_names_the_admin(person):
    token, _secret = api_token_create(user=person, name="Old")
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = logged_in(admin)
    start = mark()
    r = client.post(f"/admin/accounts/apitoken/{token.pk}/delete/", {"post": "yes"})
    assert r.status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    [row] = since(start)
    assert (row.action, row.user_id, row.actor_id) == (Action.TOKEN_REVOKED, person.pk, admin.pk)


def test_tokens_pushed_out_by_the_limit_are_recorded(person, settings):
    settings.API_TOKEN_LIMIT_PER_USER = 1
    api_token_create(user=person)
    start = mark()
    api_token_create(user=person)
    rows = since(start)
    assert [(e.action, e.data.get("reason")) for e in rows] == [
        (Action.TOKEN_REVOKED, "limit"),
        (Action.TOKEN_CREATED, None),
    ]
