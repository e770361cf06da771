"""Fixes after the newcomer review of issue 13: the recovery codes' short life in the session,
setting up on the phone itself, "code not entered yet" logins in the audit log, the SSO
provider's second factor, the code page (no navigation, a contact, a code used twice) and the
back links."""

import base64
import json
import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.mfa import (
    OIDC_ID_TOKEN_SESSION_KEY,
    provider_claims_second_factor,
    session_provider_verified,
)
from audit.models import Action, AuditEntry
from tests.factories import UserFactory
from tests.mfa.helpers import code_for, code_used_last, enrol
from tests.support.browser import FACTORY_PASSWORD

pytestmark = pytest.mark.django_db

VERIFY = "/login/verify/"
CODES = "/profile/security/recovery-codes/"


def _password_login(client: Client, user) -> None:
    response = client.post("/login/", {"username": user.email, "password": FACTORY_PASSWORD})
    assert response.status_code == 302, response.content[:500]


def _enrol_on_the_page(client: Client, user) -> TOTPDevice:
    client.post(reverse("frontend:profile_security_setup"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(
        reverse("frontend:profile_security_confirm"),
        {"code": code_for(device), "password": FACTORY_PASSWORD},
    )
    assert response["Location"] == reverse("frontend:profile_security_codes")
    return device


# --- 3. recovery codes live briefly in the session ---


@pytest.fixture
def enrolling_client():
    user = UserFactory()
    client = Client()
    client.force_login(user)
    _enrol_on_the_page(client, user)
    return client


def test_recovery_codes_are_dropped_by_any_other_page(enrolling_client):
    client = enrolling_client
    codes_url = reverse("frontend:profile_security_codes")
    download_url = reverse("frontend:profile_security_codes_download")
    assert codes_url == CODES
    assert client.get(codes_url).status_code == 200
    assert client.get(download_url).status_code == 200
    assert client.get(codes_url).status_code == 200  # the page and its file, in any order
    # Browsing elsewhere (not the security page): the codes are gone.
    assert client.get(reverse("frontend:profile")).status_code == 200
    assert "mfa_recovery_codes" not in client.session
    assert client.get(download_url).status_code == 302
    assert client.get(codes_url).status_code == 302


def test_a_background_fetch_of_the_codes_page_does_not_drop_them(enrolling_client):
    client = enrolling_client
    client.get("/api/v1/me/", headers={"Sec-Fetch-Mode": "cors"})
    client.get("/favicon.ico")
    assert client.get(reverse("frontend:profile_security_codes_download")).status_code == 200


def test_i_have_saved_them_drops_the_codes(enrolling_client):
    client = enrolling_client
    page = client.get(CODES).content.decode()
    done = reverse("frontend:profile_security")
    assert f'href="{done}" data-testid="recovery-codes-done"' in page
    client.get(done)
    assert client.get(reverse("frontend:profile_security_codes_download")).status_code == 302


def test_recovery_codes_expire_after_ten_minutes(enrolling_client):
    client = enrolling_client
    session = client.session
    kept = session["mfa_recovery_codes"]
    assert len(kept["codes"]) == 10
    kept["at"] = int(time.time()) - 10 * 60 - 1
    session["mfa_recovery_codes"] = kept
    session.save()
    assert client.get(reverse("frontend:profile_security_codes_download")).status_code == 302
    assert client.get(CODES).status_code == 302


# --- 4. setting up on the phone itself ---


def test_the_setup_page_links_to_the_app_and_copies_the_key():
    user = UserFactory()
    client = Client()
    client.force_login(user)
    client.post(reverse("frontend:profile_security_setup"))
    response = client.get(reverse("frontend:profile_security_setup"))
    html = response.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert 'data-testid="mfa-open-app"' in html
    assert f'href="{device.config_url.replace("&", "&amp;")}"' in html
    assert device.config_url.startswith("otpauth://totp/")
    assert 'data-copy-text="totp-secret-value"' in html and "frontend/security.js" in html
    assert "<script>" not in html  # no inline script (CSP)
    # The policy limits what a page loads or posts, not where a link navigates.
    csp = response.headers.get("Content-Security-Policy", "")
    assert "navigate-to" not in csp


# --- 6. a login waiting for its code is not "Logged in" ---


def test_a_password_login_with_a_second_factor_is_pending_until_the_code():
    user = UserFactory()
    device, _codes = enrol(user)
    client = Client()
    _password_login(client, user)
    actions = list(AuditEntry.objects.filter(user=user).values_list("action", flat=True))
    assert Action.LOGIN_PENDING in actions and Action.LOGIN not in actions
    client.post(VERIFY, {"code": code_for(device, 1)})
    login = AuditEntry.objects.get(user=user, action=Action.LOGIN)
    assert login.data == {"second_factor": "totp"}


def test_a_password_login_without_a_second_factor_is_a_login():
    user = UserFactory()
    _password_login(Client(), user)
    actions = set(AuditEntry.objects.filter(user=user).values_list("action", flat=True))
    assert Action.LOGIN in actions and Action.LOGIN_PENDING not in actions


# --- 7. the SSO provider's second factor ---


def _id_token(claims: dict) -> str:
    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256'})}.{part(claims)}.signature"


@pytest.mark.parametrize(
    ("claims", "trusted"),
    [
        ({"amr": ["pwd", "mfa"]}, True),
        ({"amr": ["pwd", "otp"]}, True),
        ({"amr": ["hwk"]}, True),
        ({"amr": "swk"}, True),
        ({"amr": ["pwd"]}, False),
        ({}, False),
        ({"acr": "urn:example:mfa"}, True),
        ({"acr": "urn:example:pwd"}, False),
    ],
)
def test_which_claims_count_as_the_providers_second_factor(settings, claims, trusted):
    settings.OIDC_TRUST_PROVIDER_MFA = True
    settings.OIDC_MFA_ACR_VALUES = ["urn:example:mfa"]
    assert provider_claims_second_factor(claims) is trusted
    assert session_provider_verified({OIDC_ID_TOKEN_SESSION_KEY: _id_token(claims)}) is trusted
    settings.OIDC_TRUST_PROVIDER_MFA = False
    assert provider_claims_second_factor(claims) is False


def test_no_token_or_a_broken_one_is_not_verified(settings):
    settings.OIDC_TRUST_PROVIDER_MFA = True
    assert session_provider_verified({}) is False
    assert session_provider_verified({OIDC_ID_TOKEN_SESSION_KEY: "a.b!!.c"}) is False
    assert session_provider_verified(None) is False


def _sso_session(client: Client, claims: dict) -> None:
    session = client.session
    session[OIDC_ID_TOKEN_SESSION_KEY] = _id_token(claims)
    session.save()


def test_a_required_person_whose_provider_asked_for_a_factor_needs_no_konvoi_app(world, settings):
    settings.MFA_REQUIRED_FOR = ["facilitator"]
    settings.OIDC_TRUST_PROVIDER_MFA = True
    client = Client()
    client.force_login(world.facilitator)
    _sso_session(client, {"amr": ["pwd", "mfa"]})
    assert client.get(f"/convoys/{world.convoy.pk}/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200
    settings.OIDC_TRUST_PROVIDER_MFA = False  # the default: Konvoi's own app is asked for
    assert client.get(f"/convoys/{world.convoy.pk}/").status_code == 302
    settings.OIDC_TRUST_PROVIDER_MFA = True
    _sso_session(client, {"amr": ["pwd"]})
    assert client.get(f"/convoys/{world.convoy.pk}/").status_code == 302


def test_a_person_with_konvoi_codes_is_not_asked_again_after_a_provider_factor(settings):
    settings.OIDC_TRUST_PROVIDER_MFA = True
    user = UserFactory()
    enrol(user)
    client = Client()
    client.force_login(user)
    assert client.get("/").status_code == 302
    _sso_session(client, {"amr": ["otp"]})
    assert client.get("/").status_code == 200
    assert client.get(VERIFY)["Location"] == "/"


# --- 12. the code page ---


def test_the_code_page_has_no_navigation_and_a_contact(world):
    user = UserFactory()
    enrol(user)
    client = Client()
    _password_login(client, user)
    html = client.get(VERIFY).content.decode()
    assert 'class="main-nav"' not in html
    assert f'href="{reverse("frontend:imprint")}" data-testid="verify-contact"' in html
    assert 'data-testid="verify-logout"' in html
    client.force_login(world.member)
    assert 'class="main-nav"' in client.get("/").content.decode()


def test_a_code_entered_twice_is_told_so():
    user = UserFactory()
    device, _codes = enrol(user)  # the current step is used up now
    client = Client()
    _password_login(client, user)
    response = client.post(VERIFY, {"code": code_used_last(device)})
    assert response.status_code == 400
    html = response.content.decode()
    assert "just used" in html or "gerade verwendet" in html
    assert "not correct" not in html and "stimmt nicht" not in html
    entry = AuditEntry.objects.filter(user=user, action=Action.MFA_FAILED).latest("pk")
    assert entry.data.get("reused") is True


# --- 16. back links ---


def test_the_security_pages_have_the_same_back_link_as_the_others():
    user = UserFactory()
    client = Client()
    client.force_login(user)
    page = client.get(reverse("frontend:profile_security")).content.decode()
    assert f'<a href="{reverse("frontend:profile")}" data-testid="back-link">‹ ' in page
    assert "</a> ›" not in page
    client.post(reverse("frontend:profile_security_setup"))
    page = client.get(reverse("frontend:profile_security_setup")).content.decode()
    assert f'<a href="{reverse("frontend:profile_security")}" data-testid="back-link">‹ ' in page
    assert "</a> ›" not in page
