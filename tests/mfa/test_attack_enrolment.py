"""Attacker review of the second factor: turning it on needs the current password (a stolen
session or token must not lock the owner out with its own app) and ends the other sessions and
tokens; an account with single sign-on only (no password) can turn it on and off with codes."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts.mfa import mfa_disable, mfa_enabled, totp_enrolment_confirm, totp_enrolment_start
from accounts.models import ApiToken, UserSession
from accounts.services import api_token_create
from tests.factories import UserFactory
from tests.mfa.helpers import code_for, enrol
from tests.support.browser import FACTORY_PASSWORD

pytestmark = pytest.mark.django_db


def _sso_only():
    user = UserFactory()
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return user


@pytest.mark.parametrize("password", ["", "wrong-password"])
def test_turning_it_on_needs_the_current_password(password):
    user = UserFactory()
    device, _url = totp_enrolment_start(user=user)
    with pytest.raises(ValidationError) as exc:
        totp_enrolment_confirm(user=user, code=code_for(device), password=password)
    assert list(exc.value.error_dict) == ["password"]
    device.refresh_from_db()
    assert not device.confirmed and not mfa_enabled(user)
    # The code was not used up: with the password it still works.
    totp_enrolment_confirm(user=user, code=code_for(device), password=FACTORY_PASSWORD)
    assert mfa_enabled(user)


def test_guessing_the_password_at_enrolment_is_rate_limited(settings):
    settings.PASSWORD_RESET_RATE_LIMIT = 2
    user = UserFactory()
    device, _url = totp_enrolment_start(user=user)
    for _i in range(2):
        with pytest.raises(ValidationError):
            totp_enrolment_confirm(user=user, code=code_for(device), password="guess")
    with pytest.raises(ValidationError) as exc:
        totp_enrolment_confirm(user=user, code=code_for(device), password=FACTORY_PASSWORD)
    assert "password" in exc.value.error_dict and not mfa_enabled(user)


def test_the_api_wants_the_password_to_turn_it_on():
    user = UserFactory()
    api = APIClient()
    api.force_authenticate(user)
    api.post("/api/v1/me/mfa/totp/")
    device = TOTPDevice.objects.get(user=user)
    refused = api.post("/api/v1/me/mfa/totp/confirm/", {"code": code_for(device)})
    assert refused.status_code == 400 and list(refused.json()) == ["password"]
    assert not mfa_enabled(user)


def test_the_setup_page_asks_for_the_password_and_refuses_without_it():
    user = UserFactory()
    client = Client()
    client.force_login(user)
    client.post(reverse("frontend:profile_security_setup"))
    page = client.get(reverse("frontend:profile_security_setup")).content.decode()
    assert 'name="password"' in page and 'autocomplete="current-password"' in page
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("frontend:profile_security_confirm"), {"code": code_for(device)})
    assert response.status_code == 400 and not mfa_enabled(user)


def test_turning_it_on_ends_other_sessions_and_tokens_but_not_this_one():
    user = UserFactory()
    other_browser = Client()
    other_browser.force_login(user)
    _token, other_secret = api_token_create(user=user)
    this_browser = Client()
    this_browser.force_login(user)
    this_browser.post(reverse("frontend:profile_security_setup"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = this_browser.post(
        reverse("frontend:profile_security_confirm"),
        {"code": code_for(device), "password": FACTORY_PASSWORD},
    )
    assert response["Location"] == reverse("frontend:profile_security_codes")
    assert this_browser.get(reverse("frontend:profile_security")).status_code == 200
    assert other_browser.get(reverse("frontend:profile_security")).status_code == 302
    assert UserSession.objects.filter(user=user).count() == 1
    assert not ApiToken.objects.filter(user=user).exists()
    stolen = APIClient()
    stolen.credentials(HTTP_AUTHORIZATION=f"Token {other_secret}")
    assert stolen.get("/api/v1/me/").status_code == 401


def test_turning_it_on_through_the_api_keeps_only_the_calling_token():
    user = UserFactory()
    browser = Client()
    browser.force_login(user)
    calling, calling_secret = api_token_create(user=user)
    _other, _other_secret = api_token_create(user=user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {calling_secret}")
    assert api.post("/api/v1/me/mfa/totp/").status_code == 201
    device = TOTPDevice.objects.get(user=user)
    confirmed = api.post(
        "/api/v1/me/mfa/totp/confirm/", {"code": code_for(device), "password": FACTORY_PASSWORD}
    )
    assert confirmed.status_code == 200
    assert list(ApiToken.objects.filter(user=user).values_list("pk", flat=True)) == [calling.pk]
    assert not UserSession.objects.filter(user=user).exists()
    assert browser.get(reverse("frontend:profile_security")).status_code == 302
    assert api.get("/api/v1/me/mfa/").json()["enabled"] is True


def test_an_sso_only_account_turns_it_on_and_off_with_codes_alone():
    user = _sso_only()
    device, _url = totp_enrolment_start(user=user)
    totp_enrolment_confirm(user=user, code=code_for(device))
    assert mfa_enabled(user)
    mfa_disable(user=user, code=code_for(device, 1))
    assert not mfa_enabled(user)


def test_a_password_account_still_needs_it_to_turn_it_off():
    user = UserFactory()
    device, _codes = enrol(user)
    with pytest.raises(ValidationError) as exc:
        mfa_disable(user=user, code=code_for(device, 1))
    assert "password" in exc.value.error_dict and mfa_enabled(user)


def test_the_pages_of_an_sso_only_account_have_no_password_field():
    user = _sso_only()
    client = Client()
    client.force_login(user)
    client.post(reverse("frontend:profile_security_setup"))
    setup = client.get(reverse("frontend:profile_security_setup")).content.decode()
    assert 'name="password"' not in setup
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("frontend:profile_security_confirm"), {"code": code_for(device)})
    assert response["Location"] == reverse("frontend:profile_security_codes")
    page = client.get(reverse("frontend:profile_security")).content.decode()
    assert 'data-testid="mfa-disable-form"' in page and 'name="disable-password"' not in page
    response = client.post(
        reverse("frontend:profile_security_disable"), {"disable-code": code_for(device, 1)}
    )
    user.refresh_from_db()
    assert response.status_code == 302 and not mfa_enabled(user)
