"""The second factor on the web: login with a code (through the middleware), with a recovery
code, wrong codes; what an unverified session may reach; enrolment, recovery codes and turning
off on /profile/security/; enforcement by role."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.mfa import mfa_enabled, recovery_codes_left
from audit.models import Action, AuditEntry
from tests.factories import UserFactory
from tests.mfa.helpers import code_for, enrol
from tests.support.browser import FACTORY_PASSWORD

pytestmark = pytest.mark.django_db

VERIFY = "/login/verify/"


def _password_login(client: Client, user, next_path: str = "") -> None:
    response = client.post(
        "/login/", {"username": user.email, "password": FACTORY_PASSWORD, "next": next_path}
    )
    assert response.status_code == 302, response.content[:500]


@pytest.fixture
def enrolled():
    user = UserFactory()
    device, codes = enrol(user)
    return user, device, codes


def test_login_asks_for_the_code_and_then_goes_where_the_person_wanted(enrolled):
    user, device, _codes = enrolled
    client = Client()
    _password_login(client, user, next_path="/profile/")
    response = client.get("/profile/")
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2Fprofile%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert 'inputmode="numeric"' in html and 'autocomplete="one-time-code"' in html
    assert 'name="recovery_code"' in html
    response = client.post(VERIFY, {"code": code_for(device, 1), "next": "/profile/"})
    assert response.status_code == 302 and response["Location"] == "/profile/"
    assert client.get("/profile/").status_code == 200
    assert client.get("/").status_code == 200  # stays verified until logout
    client.post("/logout/")
    _password_login(client, user)
    assert client.get("/").status_code == 302  # a new login asks again


def test_a_recovery_code_on_the_same_form_works_once(enrolled):
    user, _device, codes = enrolled
    client = Client()
    _password_login(client, user)
    response = client.post(VERIFY, {"recovery_code": codes[3], "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert recovery_codes_left(user) == 9
    assert AuditEntry.objects.filter(user_id=user.pk, action=Action.MFA_RECOVERY_USED).exists()
    client.post("/logout/")
    _password_login(client, user)
    response = client.post(VERIFY, {"recovery_code": codes[3], "next": "/"})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_wrong_codes_are_refused_audited_and_throttled(enrolled):
    user, device, _codes = enrolled
    client = Client()
    _password_login(client, user)
    wrong = "000000" if code_for(device, 1) != "000000" else "999999"
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 400
    assert any(
        words in response.content.decode()
        for words in ("stimmt nicht", "nicht richtig", "not correct")
    )
    response = client.post(VERIFY, {"code": code_for(device, 1)})
    assert response.status_code == 400  # still waiting out the throttle
    assert "Sekunden" in response.content.decode() or "seconds" in response.content.decode()
    assert AuditEntry.objects.filter(user_id=user.pk, action=Action.MFA_FAILED).count() == 2
    assert client.post(VERIFY, {}).status_code == 400


@pytest.mark.parametrize("path", ["/", "/profile/", "/profile/security/", "/convoys/", "/admin/"])
def test_an_unverified_session_reaches_no_page(enrolled, path):
    user, _device, _codes = enrolled
    client = Client()
    _password_login(client, user)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{VERIFY}?next=")


@pytest.mark.parametrize(
    "path", ["/imprint/", "/datenschutz/", "/barrierefreiheit/", "/healthz", VERIFY]
)
def test_an_unverified_session_reaches_the_open_pages(enrolled, path):
    user, _device, _codes = enrolled
    client = Client()
    _password_login(client, user)
    response = client.get(path)
    assert not (response.status_code == 302 and response["Location"].startswith(VERIFY))


def test_an_unverified_session_can_log_out_and_switch_language(enrolled):
    user, _device, _codes = enrolled
    client = Client()
    _password_login(client, user)
    response = client.post("/language/", {"language": "en", "next": VERIFY})
    assert response.status_code == 302 and response["Location"] == VERIFY
    response = client.post("/logout/")
    assert response.status_code == 302 and not response["Location"].startswith(VERIFY)
    assert client.get("/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_an_unverified_session_gets_403_json_from_the_api(enrolled):
    user, _device, _codes = enrolled
    client = Client()
    _password_login(client, user)
    response = client.get("/api/v1/me/")
    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_needed"
    assert "second factor" in response.json()["detail"] or "Faktor" in response.json()["detail"]


def test_admin_login_goes_through_the_second_factor():
    staff = UserFactory(is_staff=True, is_superuser=True)
    device, _codes = enrol(staff)
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": staff.email, "password": FACTORY_PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302
    response = client.get("/admin/")
    assert response["Location"] == f"{VERIFY}?next=%2Fadmin%2F"
    response = client.post(VERIFY, {"code": code_for(device, 1), "next": "/admin/"})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


# --- enrolment on the profile page ---


def test_enrolment_on_the_profile_page():
    user = UserFactory()
    client = Client()
    client.force_login(user)
    page = client.get(reverse("frontend:profile"))
    assert reverse("frontend:profile_security").encode() in page.content
    page = client.get(reverse("frontend:profile_security"))
    assert page.status_code == 200 and b'data-testid="mfa-off"' in page.content
    response = client.post(reverse("frontend:profile_security_setup"))
    assert response.status_code == 302
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "<svg" in html and 'data-testid="mfa-secret"' in html
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    wrong = "000000" if code_for(device) != "000000" else "111111"
    response = client.post(
        reverse("frontend:profile_security_confirm"),
        {"code": wrong, "password": FACTORY_PASSWORD},
    )
    assert response.status_code == 400 and not mfa_enabled(user)
    device.throttling_failure_timestamp = None
    device.throttling_failure_count = 0
    device.save()
    response = client.post(
        reverse("frontend:profile_security_confirm"),
        {"code": code_for(device), "password": FACTORY_PASSWORD},
    )
    assert response["Location"] == reverse("frontend:profile_security_codes")
    codes_page = client.get(response["Location"]).content.decode()
    assert codes_page.count("<li>") >= 10
    download = client.get(reverse("frontend:profile_security_codes_download"))
    assert download["Content-Type"].startswith("text/plain")
    assert "attachment" in download["Content-Disposition"]
    codes = [
        line for line in download.content.decode().splitlines() if len(line) == 9 and line[4] == "-"
    ]
    assert len(codes) == 10 and all(code in codes_page for code in codes)
    # The session that turned it on counts as verified: no detour to the code page.
    assert client.get("/").status_code == 200
    # Shown once: leaving the page drops them.
    assert client.get(reverse("frontend:profile_security")).status_code == 200
    assert client.get(reverse("frontend:profile_security_codes")).status_code == 302
    assert client.get(reverse("frontend:profile_security_codes_download")).status_code == 302


def test_new_recovery_codes_and_turning_off_on_the_profile_page(enrolled):
    user, device, old_codes = enrolled
    client = Client()
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    url = reverse("frontend:profile_security_codes")
    assert client.post(url, {"codes-code": "12"}).status_code == 400
    device.refresh_from_db()
    device.throttling_failure_timestamp = None
    device.throttling_failure_count = 0
    device.save()
    response = client.post(url, {"codes-code": code_for(device, 1)})
    assert response["Location"] == url
    page = client.get(url).content.decode()
    assert not any(code in page for code in old_codes)
    off = reverse("frontend:profile_security_disable")
    response = client.post(off, {"disable-password": "nope", "disable-code": code_for(device, 2)})
    assert response.status_code == 400 and mfa_enabled(user)
    response = client.post(
        off, {"disable-password": FACTORY_PASSWORD, "disable-code": code_for(device, 2)}
    )
    user.refresh_from_db()  # as the next request loads the person
    assert response.status_code == 302 and not mfa_enabled(user)


# --- enforcement by role ---


def test_a_facilitator_who_must_have_one_is_sent_to_set_it_up(world, settings):
    settings.MFA_REQUIRED_FOR = ["facilitator"]
    client = Client()
    client.force_login(world.facilitator)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("frontend:profile_security")
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("two-factor" in m or "Zwei-Faktor" in m for m in messages)
    assert client.get(reverse("frontend:profile_security")).status_code == 200
    assert client.get(reverse("frontend:profile")).status_code == 200
    assert client.get(f"/convoys/{world.convoy.pk}/").status_code == 302
    api = client.get("/api/v1/me/")
    assert api.status_code == 403 and api.json()["code"] == "second_factor_setup_needed"
    assert client.get("/api/v1/me/mfa/").json()["required"] is True
    # Once set up, everything opens.
    client.post(reverse("frontend:profile_security_setup"))
    device = TOTPDevice.objects.get(user=world.facilitator)
    client.post(
        reverse("frontend:profile_security_confirm"),
        {"code": code_for(device), "password": FACTORY_PASSWORD},
    )
    assert client.get(f"/convoys/{world.convoy.pk}/").status_code == 200
    # And cannot be turned off.
    page = client.get(reverse("frontend:profile_security")).content.decode()
    assert 'data-testid="mfa-disable-form"' not in page


def test_a_plain_member_is_not_affected(world, settings):
    settings.MFA_REQUIRED_FOR = ["facilitator", "admin"]
    client = Client()
    client.force_login(world.member)
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200


def test_an_admin_who_must_have_one_cannot_open_the_admin(world, settings):
    settings.MFA_REQUIRED_FOR = ["admin"]
    client = Client()
    client.force_login(world.staff)
    response = client.get("/admin/")
    assert response["Location"] == reverse("frontend:profile_security")
    client.force_login(world.facilitator)
    assert client.get("/").status_code == 200


def test_htmx_requests_of_an_unverified_session_load_the_code_page(enrolled):
    user, _device, _codes = enrolled
    client = Client()
    _password_login(client, user)
    response = client.get("/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(f"{VERIFY}?next=")
