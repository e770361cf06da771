"""Only strictly necessary cookies: every cookie any page, form or API call sets is one the
privacy notice lists (legal.cookies, the list the notice renders)."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from legal.cookies import cookie_names, cookies

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-42"  # tests/factories.UserFactory


class CookieJar:
    """Records the name of every cookie a response sets."""

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.responses = 0

    def __call__(self, response):
        self.responses += 1
        self.names |= {name for name, morsel in response.cookies.items() if morsel.value}
        return response


def _pages(world, content) -> list[str]:
    convoy = f"/convoys/{world.convoy.pk}/"
    return [
        "/",
        "/login/",
        "/signup/",
        "/password-reset/",
        convoy,
        f"/projects/{content.project.pk}/",
        f"/companies/{world.company.pk}/",
        "/notifications/",
        "/notifications/settings/",
        "/profile/",
        "/imprint/",
        "/privacy/",
        "/accessibility/",
        "/impressum/",
        "/admin/login/",
        "/api/docs/",
    ]


def test_the_notice_lists_the_cookies_django_sets(settings) -> None:
    assert {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME} <= cookie_names()
    assert settings.LANGUAGE_COOKIE_NAME in cookie_names()
    assert all(cookie.purpose and cookie.lifetime for cookie in cookies())


def test_every_cookie_set_anonymously_and_logged_in_is_listed(world, content) -> None:
    jar = CookieJar()
    client = Client()
    for path in _pages(world, content):
        jar(client.get(path))
    # The forms that set cookies: the language switch, a login, a saved form (a message).
    jar(client.post("/language/", {"language": "en", "next": "/"}))
    jar(client.post("/login/", {"username": world.member.email, "password": PASSWORD}))
    assert "_auth_user_id" in client.session
    for path in _pages(world, content):
        jar(client.get(path))
    jar(client.post("/language/", {"language": "de", "next": "/profile/"}))
    jar(client.get("/profile/"))
    jar(client.post("/logout/"))
    # The admin's own login.
    staff = Client()
    jar(staff.post("/admin/login/", {"username": world.staff.email, "password": PASSWORD}))
    jar(staff.get("/admin/"))

    assert jar.responses > 30
    # The session and the CSRF cookies were seen, so the jar works.
    assert {"sessionid", "csrftoken", "django_language"} <= jar.names
    assert jar.names <= cookie_names(), jar.names - cookie_names()


def test_the_api_sets_no_cookie_but_the_ones_listed(world, content) -> None:
    jar = CookieJar()
    api = APIClient()
    jar(api.post("/api/v1/auth/token/", {"email": world.member.email, "password": PASSWORD}))
    token = api.post(
        "/api/v1/auth/token/", {"email": world.member.email, "password": PASSWORD}
    ).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    for path in ["/api/v1/me/", "/api/v1/convoys/", f"/api/v1/convoys/{world.convoy.pk}/"]:
        response = jar(api.get(path))
        assert response.status_code == 200, path
    jar(api.get("/api/schema/"))
    assert jar.names <= cookie_names(), jar.names - cookie_names()
