"""Helpers for the signed-in-browser tests."""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.test import Client

from accounts.models import UserSession

PASSWORD = "correct-horse-42"
FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def store(key: str | None = None):
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)


def session_without_row(user):
    """A signed-in session as it existed before the list of browsers: no row."""
    session = store()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session


def browser(user, *, ua: str = FIREFOX_WINDOWS, ip: str = "203.0.113.7") -> Client:
    """A browser that logged in through the login page."""
    client = Client(REMOTE_ADDR=ip, HTTP_USER_AGENT=ua, HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the pages in English (msgids)
    return client


def key_of(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def row_of(client: Client) -> UserSession:
    return UserSession.objects.get(session_key=key_of(client))
