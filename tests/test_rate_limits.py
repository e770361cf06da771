"""Rate limits hold against a client that chooses its own X-Forwarded-For, and cover every
door: API token login, web login, admin login, sign-up and password reset (web and API)."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, User
from audit.origin import client_ip
from tests.factories import UserFactory

PASSWORD = "S3cure-enough!"


@pytest.fixture
def person(db):
    return UserFactory(email="nina@example.com", password=PASSWORD)


def cool_off_passes() -> None:
    """Move every recorded failure back beyond the cool-off."""
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))


# --- the client address ---


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.1"),  # no proxy: the header is the client's own invention
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # the proxy appended the real address
        (1, "", "10.0.0.1"),
        (2, "6.6.6.6, 203.0.113.9, 10.1.1.1", "203.0.113.9"),
        (3, "203.0.113.9", "203.0.113.9"),  # shorter than promised: the leftmost there is
    ],
)
def test_client_ip_trusts_only_the_configured_proxies(rf, settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_api_throttle_ignores_a_rotating_forwarded_for(db, settings):
    settings.AXES_FAILURE_LIMIT = 1000  # the throttle alone is under test here
    client = APIClient()
    codes = [
        client.post("/api/v1/auth/token/", {}, HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code
        for i in range(31)
    ]
    assert codes[:30] == [400] * 30
    assert codes[30] == 429


# --- logins: django-axes, per account and per address ---


def test_api_login_locks_an_account_attacked_from_many_addresses(person):
    client = APIClient()
    codes = [
        client.post(
            "/api/v1/auth/token/",
            {"email": person.email, "password": f"wrong-{i}"},
            REMOTE_ADDR=f"198.51.100.{i}",
        ).status_code
        for i in range(10)
    ]
    assert codes == [400] * 9 + [429]  # the tenth failure locks
    r = client.post(
        "/api/v1/auth/token/",
        {"email": person.email, "password": PASSWORD},
        REMOTE_ADDR="203.0.113.50",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.status_code == 429
    assert r["Retry-After"] == "900"
    assert "15 minutes" in r.json()["detail"]
    r = client.post(
        "/api/v1/auth/token/",
        {"email": person.email, "password": PASSWORD},
        REMOTE_ADDR="203.0.113.51",
        HTTP_ACCEPT_LANGUAGE="de",
    )
    assert r.status_code == 429
    assert "15 Minuten" in r.json()["detail"]
    assert not ApiToken.objects.exists()
    cool_off_passes()
    r = client.post(
        "/api/v1/auth/token/",
        {"email": person.email, "password": PASSWORD},
        REMOTE_ADDR="203.0.113.50",
    )
    assert r.status_code == 200


def test_api_login_with_a_rotating_forwarded_for_is_locked_per_address(db):
    """One address spraying many accounts, pretending to be many addresses."""
    UserFactory(email="victim@example.com", password=PASSWORD)
    client = APIClient()
    for i in range(10):
        client.post(
            "/api/v1/auth/token/",
            {"email": f"guess{i}@example.com", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}",
        )
    r = client.post(
        "/api/v1/auth/token/",
        {"email": "victim@example.com", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.99",
    )
    assert r.status_code == 429


def test_web_login_locks_the_account_and_says_so(person):
    codes = [
        Client(REMOTE_ADDR=f"198.51.100.{i}")
        .post("/login/", {"username": person.email, "password": f"wrong-{i}"})
        .status_code
        for i in range(10)
    ]
    assert codes == [200] * 9 + [429]
    client = Client(REMOTE_ADDR="203.0.113.50")
    r = client.post("/login/", {"username": person.email, "password": PASSWORD})
    assert r.status_code == 429
    assert r["Retry-After"] == "900"
    assert "_auth_user_id" not in client.session
    assert 'data-testid="lockout"' in r.content.decode()
    client.cookies["django_language"] = "en"
    r = client.post("/login/", {"username": person.email, "password": PASSWORD})
    assert "Too many failed login attempts" in r.content.decode()
    cool_off_passes()
    r = client.post("/login/", {"username": person.email, "password": PASSWORD})
    assert r.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)


def test_web_login_with_a_rotating_forwarded_for_is_locked_per_address(db):
    UserFactory(email="victim@example.com", password=PASSWORD)
    client = Client()
    for i in range(10):
        client.post(
            "/login/",
            {"username": f"guess{i}@example.com", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}",
        )
    r = client.post(
        "/login/",
        {"username": "victim@example.com", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.99",
    )
    assert r.status_code == 429


def test_admin_login_is_locked_too(db):
    UserFactory(email="admin@example.com", password=PASSWORD, is_staff=True, is_superuser=True)
    client = Client()
    for _ in range(10):
        client.post("/admin/login/", {"username": "admin@example.com", "password": "wrong"})
    r = client.post("/admin/login/", {"username": "admin@example.com", "password": PASSWORD})
    assert r.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_web_and_api_count_failures_for_the_same_account(person):
    for i in range(5):
        Client(REMOTE_ADDR=f"198.51.100.{i}").post(
            "/login/", {"username": person.email.upper(), "password": "wrong"}
        )
    api = APIClient()
    for i in range(5):
        api.post(
            "/api/v1/auth/token/",
            {"email": person.email, "password": "wrong"},
            REMOTE_ADDR=f"198.51.100.{50 + i}",
        )
    r = api.post(
        "/api/v1/auth/token/",
        {"email": person.email, "password": PASSWORD},
        REMOTE_ADDR="203.0.113.50",
    )
    assert r.status_code == 429


# --- password reset: per address and per recipient; the link comes from SITE_URL ---


def test_a_reset_burst_sends_at_most_the_limit_and_looks_the_same(person):
    pages = []
    for i in range(35):
        r = Client(REMOTE_ADDR=f"198.51.100.{i}").post(
            "/password-reset/", {"email": person.email}, follow=True
        )
        pages.append((r.status_code, r.redirect_chain[-1][0]))
    assert len(mail.outbox) == 5
    assert set(pages) == {(200, "/password-reset/sent/")}


def test_reset_requests_from_one_address_are_limited(db):
    client = Client()
    codes = [
        client.post(
            "/password-reset/",
            {"email": f"someone{i}@example.com"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}",
        ).status_code
        for i in range(6)
    ]
    assert codes == [302] * 5 + [429]


def test_the_reset_link_is_built_from_site_url_not_the_host(person, settings):
    settings.ALLOWED_HOSTS = ["evil.example", "testserver"]
    settings.SITE_URL = "https://konvoi.example"
    r = Client().post("/password-reset/", {"email": person.email}, HTTP_HOST="evil.example:8443")
    assert r.status_code == 302
    (message,) = mail.outbox
    html = message.alternatives[0][0]
    for text in (message.body, html):
        assert "https://konvoi.example/password-reset/" in text
        assert "evil.example" not in text


# --- sign-up: per address and per e-mail address ---


def test_a_web_signup_burst_is_limited(db):
    client = Client()
    codes = []
    for i in range(11):
        r = client.post(
            "/signup/",
            {"name": f"Bot {i}", "email": f"bot{i}@example.com", "password": PASSWORD},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}",
        )
        codes.append(r.status_code)
        client.logout()
    assert codes == [302] * 10 + [429]
    assert User.objects.count() == 10


def test_an_api_signup_burst_is_limited_per_address_and_per_email(db, settings):
    settings.SIGNUP_RATE_LIMIT = 3
    client = APIClient()
    codes = [
        client.post(
            "/api/v1/auth/register/",
            {"email": f"bot{i}@example.com", "password": PASSWORD, "name": "Bot"},
        ).status_code
        for i in range(4)
    ]
    assert codes == [201, 201, 201, 429]
    # The same target address from many addresses.
    codes = [
        client.post(
            "/api/v1/auth/register/",
            {"email": "target@example.com", "password": "short", "name": "Bot"},
            REMOTE_ADDR=f"198.51.100.{i}",
        ).status_code
        for i in range(4)
    ]
    assert codes == [400, 400, 400, 429]


def test_a_password_reset_lifts_the_lockout_it_advises(person):
    """The lockout page says "reset your password: that also lifts the block" — it must."""
    for i in range(10):
        Client(REMOTE_ADDR="198.51.100.7").post(
            "/login/", {"username": person.email, "password": f"wrong-{i}"}
        )
    client = Client(REMOTE_ADDR="198.51.100.7")
    assert (
        client.post("/login/", {"username": person.email, "password": PASSWORD}).status_code == 429
    )
    client.post("/password-reset/", {"email": person.email})
    link = re.search(r"https?://\S+(/password-reset/\S+/\S+/)", mail.outbox[-1].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "An0ther-secret!", "new_password2": "An0ther-secret!"}
    )
    assert response.status_code == 302
    # Both the account's block and the one on the address (its failures were this account's).
    response = client.post("/login/", {"username": person.email, "password": "An0ther-secret!"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)
