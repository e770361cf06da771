"""The API: /api/v1/me/mfa/… for integrators, and API tokens only after the second factor."""

import pytest
from rest_framework.test import APIClient

from accounts.mfa import mfa_enabled
from accounts.models import ApiToken
from audit.models import Action, AuditEntry
from tests.factories import UserFactory
from tests.mfa.helpers import code_for, enrol
from tests.support.browser import FACTORY_PASSWORD

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"


def test_enrolment_codes_and_turning_off_through_the_api(client_for):
    user = UserFactory()
    api = client_for(user)
    assert api.get("/api/v1/me/mfa/").json() == {
        "enabled": False,
        "required": False,
        "recovery_codes_left": 0,
    }
    started = api.post("/api/v1/me/mfa/totp/")
    assert started.status_code == 201
    body = started.json()
    assert body["otpauth_url"].startswith("otpauth://totp/")
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=user)
    assert body["secret"].replace(" ", "") in body["otpauth_url"]
    wrong = api.post("/api/v1/me/mfa/totp/confirm/", {"code": "12", "password": FACTORY_PASSWORD})
    assert wrong.status_code == 400 and "code" in wrong.json()
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    confirmed = api.post(
        "/api/v1/me/mfa/totp/confirm/", {"code": code_for(device), "password": FACTORY_PASSWORD}
    )
    assert confirmed.status_code == 200
    assert len(confirmed.json()["recovery_codes"]) == 10
    assert api.get("/api/v1/me/mfa/").json() == {
        "enabled": True,
        "required": False,
        "recovery_codes_left": 10,
    }
    assert api.post("/api/v1/me/mfa/totp/").status_code == 400  # already on
    new = api.post("/api/v1/me/mfa/recovery-codes/", {"code": code_for(device, 1)})
    assert new.status_code == 200 and len(new.json()["recovery_codes"]) == 10
    assert not set(new.json()["recovery_codes"]) & set(confirmed.json()["recovery_codes"])
    refused = api.post("/api/v1/me/mfa/disable/", {"password": "nope", "code": "123456"})
    assert refused.status_code == 400 and "password" in refused.json()
    off = api.post(
        "/api/v1/me/mfa/disable/", {"password": FACTORY_PASSWORD, "code": code_for(device, 2)}
    )
    assert off.status_code == 200 and off.json()["enabled"] is False


def test_disable_is_refused_in_the_api_while_required(client_for, settings):
    settings.MFA_REQUIRED_FOR = ["admin"]
    staff = UserFactory(is_staff=True)
    device, _codes = enrol(staff)
    response = client_for(staff).post(
        "/api/v1/me/mfa/disable/", {"password": FACTORY_PASSWORD, "code": code_for(device, 1)}
    )
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert mfa_enabled(staff)


def test_the_mfa_endpoints_need_a_login():
    assert APIClient().get("/api/v1/me/mfa/").status_code in {401, 403}
    assert APIClient().post("/api/v1/me/mfa/totp/").status_code in {401, 403}


def _token(email: str, **extra):
    return APIClient().post(TOKEN, {"email": email, "password": FACTORY_PASSWORD, **extra})


def test_token_without_a_second_factor_needs_none():
    user = UserFactory()
    assert _token(user.email).status_code == 200


def test_token_with_a_second_factor_needs_the_code():
    user = UserFactory()
    device, codes = enrol(user)
    missing = _token(user.email)
    assert missing.status_code == 400 and "otp" in missing.json()
    assert not ApiToken.objects.filter(user=user).exists()
    wrong = _token(user.email, otp="000000" if code_for(device, 1) != "000000" else "999999")
    assert wrong.status_code == 400 and "otp" in wrong.json()
    assert AuditEntry.objects.filter(user_id=user.pk, action=Action.MFA_FAILED).count() == 1
    # Throttled: the right code right after a wrong one is refused too.
    assert _token(user.email, otp=code_for(device, 1)).status_code == 400
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    ok = _token(user.email, otp=code_for(device, 1))
    assert ok.status_code == 200 and ok.json()["token"]
    recovery = _token(user.email, otp=codes[0])
    assert recovery.status_code == 200
    assert _token(user.email, otp=codes[0]).status_code == 400


def test_token_for_someone_who_must_have_a_second_factor_and_has_none(world, settings):
    settings.MFA_REQUIRED_FOR = ["facilitator"]
    response = _token(world.facilitator.email)
    assert response.status_code == 400
    assert "otp" in response.json()
    assert _token(world.member.email).status_code == 200


def test_a_token_still_works_beside_an_unverified_session():
    """The session owes its code, but a token decides who calls (and was issued after it)."""
    user = UserFactory()
    device, _codes = enrol(user)
    secret = _token(user.email, otp=code_for(device, 1)).json()["token"]
    client = APIClient()
    client.force_login(user)
    assert client.get("/api/v1/me/").status_code == 403
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert client.get("/api/v1/me/").status_code == 200
