"""Fixes from the attacker review of issue 13: the deletion's confirmation is rate limited and
asks for the second factor; "log out the other browsers" also ends sessions without a row; the
deletion rules lock the rows they read; an e-mail change moves the login-attempt records."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from accounts.services import api_token_create, user_email_change_confirm, user_email_change_request
from accounts.sessions import user_sessions_revoke_others
from companies.models import CompanyRole
from companies.services import company_member_role_set
from privacy.erasure import account_delete
from tests.factories import UserFactory
from tests.mfa.helpers import code_for, enrol
from tests.sessions.support import browser, key_of, session_without_row, store
from tests.support.services import require_postgres

PASSWORD = "correct-horse-42"
API = "/api/v1/me/delete/"


def _api(user):
    _row, secret = api_token_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Token {secret}", HTTP_ACCEPT_LANGUAGE="en")


def _web(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _deleted(user) -> bool:
    return User.objects.get(pk=user.pk).deleted_at is not None


# --- 1. rate limit and second factor -------------------------------------------------------


def test_api_confirmation_is_rate_limited_per_person(world, settings):
    settings.PASSWORD_RESET_RATE_LIMIT = 2
    client = _api(world.member)
    for _attempt in range(2):
        wrong = client.post(API, {"password": "nope"}, content_type="application/json")
        assert wrong.status_code == 400
    limited = client.post(API, {"password": PASSWORD}, content_type="application/json")
    assert limited.status_code == 429
    assert "Too many attempts" in limited.json()["detail"]
    assert not _deleted(world.member)


def test_web_confirmation_is_rate_limited_per_person(world, settings):
    settings.PASSWORD_RESET_RATE_LIMIT = 2
    client = _web(world.member)
    url = reverse("frontend:account_delete")
    for _attempt in range(2):
        assert client.post(url, {"password": "nope"}).status_code == 400
    limited = client.post(url, {"password": PASSWORD})
    assert limited.status_code == 429
    assert "Too many attempts with your current password" in limited.content.decode()
    assert not _deleted(world.member)


def test_api_with_a_second_factor_needs_a_current_code(world):
    device, _codes = enrol(world.member)
    client = _api(world.member)
    bare = client.post(API, {"password": PASSWORD}, content_type="application/json")
    assert bare.status_code == 400 and "code" in bare.json()
    assert not _deleted(world.member)
    ok = client.post(
        API, {"password": PASSWORD, "code": code_for(device, 1)}, content_type="application/json"
    )
    assert ok.status_code == 204
    assert _deleted(world.member)


def test_api_refuses_a_wrong_code(world):
    enrol(world.member)
    client = _api(world.member)
    wrong = client.post(
        API, {"password": PASSWORD, "code": "000000"}, content_type="application/json"
    )
    assert wrong.status_code == 400 and "code" in wrong.json()
    assert not _deleted(world.member)


def test_web_with_a_second_factor_asks_for_the_code(world):
    device, codes = enrol(world.member)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.post("/login/", {"username": world.member.email, "password": PASSWORD})
    client.post("/login/verify/", {"code": code_for(device, 1), "next": "/"})
    url = reverse("frontend:account_delete")
    assert 'name="code"' in client.get(url).content.decode()
    assert client.post(url, {"password": PASSWORD}).status_code == 400
    assert not _deleted(world.member)
    done = client.post(url, {"password": PASSWORD, "code": codes[0]})
    assert done.status_code == 302
    assert _deleted(world.member)


def test_a_wrong_password_does_not_use_up_a_recovery_code(world):
    _device, codes = enrol(world.member)
    client = _api(world.member)
    wrong = client.post(
        API, {"password": "nope", "code": codes[0]}, content_type="application/json"
    )
    assert wrong.status_code == 400 and "password" in wrong.json()
    ok = client.post(API, {"password": PASSWORD, "code": codes[0]}, content_type="application/json")
    assert ok.status_code == 204


def test_single_sign_on_account_with_a_second_factor_confirms_with_address_and_code(world):
    device, _codes = enrol(world.member)
    User.objects.filter(pk=world.member.pk).update(password=make_password(None))
    user = User.objects.get(pk=world.member.pk)
    client = _api(user)
    address_only = client.post(API, {"email": user.email}, content_type="application/json")
    assert address_only.status_code == 400 and "code" in address_only.json()
    ok = client.post(
        API, {"email": user.email, "code": code_for(device, 1)}, content_type="application/json"
    )
    assert ok.status_code == 204


# --- 2. sessions without a row -------------------------------------------------------------


def test_log_out_the_other_browsers_ends_sessions_without_a_row(db):
    user = UserFactory()
    old = session_without_row(user)
    here = browser(user)
    ended = user_sessions_revoke_others(user, key_of(here))
    assert ended == 1
    assert not store().exists(old.session_key)
    assert store().exists(key_of(here))


# --- 3. the rules lock what they read --------------------------------------------------------


@pytest.mark.postgres
def test_account_deletion_locks_the_member_and_facilitator_rows(world):
    require_postgres()
    for user, table in (
        (world.owner, "companies_companymember"),
        (world.facilitator, "convoys_facilitator"),
    ):
        with CaptureQueriesContext(connection) as queries:
            account_delete(user, force=True)
        locked = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
        assert any(f'"{table}"' in sql and "ORDER BY" in sql for sql in locked), locked


@pytest.mark.postgres
def test_role_change_locks_the_company_members(world):
    require_postgres()
    member = world.company.members.get(user=world.member)
    with CaptureQueriesContext(connection) as queries:
        company_member_role_set(actor=world.owner, member=member, role=CompanyRole.OWNER)
    locked = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    assert any('"companies_companymember"' in sql and "ORDER BY" in sql for sql in locked)


# --- 4. login-attempt records follow the address ------------------------------------------


def test_login_attempt_records_move_with_the_address_and_go_with_the_account(db):
    user = UserFactory(email="before@example.com")
    failed = Client(REMOTE_ADDR="198.51.100.23", HTTP_USER_AGENT="Attacker/1.0")
    failed.post("/login/", {"username": "before@example.com", "password": "wrong"})
    assert AccessAttempt.objects.filter(username="before@example.com").exists()
    token = user_email_change_request(
        user=user, new_email="after@example.com", password=PASSWORD, link_for=lambda t: t
    )
    user_email_change_confirm(token=token)
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        assert not model.objects.filter(username__iexact="before@example.com").exists()
    assert AccessAttempt.objects.filter(username="after@example.com").exists()
    account_delete(User.objects.get(pk=user.pk), actor=user)
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        assert not model.objects.filter(username__iexact="before@example.com").exists()
        assert not model.objects.filter(ip_address="198.51.100.23").exists()


@pytest.mark.postgres
def test_two_co_owners_deleting_at_once_leave_one_owner(transactional_db):
    require_postgres()
    from django.core.exceptions import ValidationError

    from tests.checkins.test_concurrency import run_at_once
    from tests.factories import CompanyFactory, CompanyMemberFactory

    company = CompanyFactory()
    owners = [CompanyMemberFactory(company=company, role=CompanyRole.OWNER).user for _ in range(2)]
    CompanyMemberFactory(company=company)  # a colleague who stays
    errors = run_at_once([lambda u=u: account_delete(u, actor=u) for u in owners])
    assert len(errors) == 1 and isinstance(errors[0], ValidationError), errors
    assert company.members.filter(role=CompanyRole.OWNER).count() == 1
