"""WebSocket authentication and origin checks, wrapped around the socket router.

Browsers authenticate with the session cookie and always send an Origin header, which must be
this site's own origin, scheme, host and port alike (this blocks cross-site WebSocket hijacking,
also from another port of the same host, with DEBUG on or off). API clients send
`Authorization: Token <key>` and usually no Origin.
"""

from typing import Any
from urllib.parse import urlsplit

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http.request import split_domain_port, validate_host
from django.utils.http import is_same_domain
from knox.auth import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from accounts.mfa import session_second_factor_state_from_session

_DEFAULT_PORTS = {"http": "80", "https": "443"}


def _origin_parts(scheme: str, netloc: str) -> tuple[str, str, str] | None:
    """(scheme, host, port) with the scheme's default port filled in, or None if unusable."""
    if scheme not in _DEFAULT_PORTS:
        return None
    host, port = split_domain_port(netloc)  # lower-cased; port is ASCII digits or ""
    if not host:
        return None
    return scheme, host, str(int(port)) if port else _DEFAULT_PORTS[scheme]


def origin_allowed(origin: str, *, host_header: str | None, secure: bool) -> bool:
    """Whether a browser on `origin` may open a socket here. Like Django's CSRF origin check:
    the request's own origin (its Host among ALLOWED_HOSTS, the scheme of the socket), SITE_URL,
    or one of CSRF_TRUSTED_ORIGINS ("https://*.example.com" allows subdomains); scheme, host
    and port must all match."""
    parts = urlsplit(origin.strip())
    given = _origin_parts(parts.scheme.lower(), parts.netloc)
    if given is None:
        return False
    if host_header:
        own = _origin_parts("https" if secure else "http", host_header)
        if own == given and validate_host(given[1], settings.ALLOWED_HOSTS):
            return True
    site = urlsplit(settings.SITE_URL)
    if _origin_parts(site.scheme.lower(), site.netloc) == given:
        return True
    for trusted in settings.CSRF_TRUSTED_ORIGINS:
        parts = urlsplit(trusted.strip())
        # "*.example.com" → ".example.com", which is_same_domain reads as "and subdomains".
        pattern = _origin_parts(parts.scheme.lower(), parts.netloc.removeprefix("*"))
        if (
            pattern is not None
            and pattern[0] == given[0]
            and pattern[2] == given[2]
            and is_same_domain(given[1], pattern[1])
        ):
            return True
    return False


class HostOriginValidator:
    """Origin, when present, must be this site's (origin_allowed); absent is a non-browser
    client, which cannot ride on a visitor's session cookie."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict, receive: Any, send: Any) -> Any:
        headers = dict(scope.get("headers", []))
        origin = headers.get(b"origin")
        if origin is None or origin_allowed(
            origin.decode("latin1"),
            host_header=headers[b"host"].decode("latin1") if b"host" in headers else None,
            secure=scope.get("scheme") == "wss",
        ):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)


@database_sync_to_async
def _user_for_token(key: str) -> tuple[Any, int | None]:
    """The user and token id of an API token, by the same rules as the API (hashed lookup,
    expiry, inactive users refused); an anonymous user when it does not work."""
    try:
        user, token = TokenAuthentication().authenticate_credentials(key.encode())
    except AuthenticationFailed:
        return AnonymousUser(), None
    return user, token.pk


class TokenAuthMiddleware(BaseMiddleware):
    """Sets scope['user'] from an `Authorization: Token <key>` header when one is sent, and
    scope['token_id'], so the socket can be closed when that token is revoked."""

    async def __call__(self, scope: dict, receive: Any, send: Any) -> Any:
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                kind, _sep, key = value.decode("latin1").partition(" ")
                if kind.lower() == "token" and key.strip():
                    user, token_id = await _user_for_token(key.strip())
                    scope = dict(scope, user=user, token_id=token_id)
                break
        return await super().__call__(scope, receive, send)


@database_sync_to_async
def _session_second_factor_state(user: Any, session: Any) -> str:
    return session_second_factor_state_from_session(user, session)


class SecondFactorSocketMiddleware(BaseMiddleware):
    """A login session that still owes its second factor (or must set one up first) opens no
    socket: its user becomes anonymous, which every consumer refuses (accounts.mfa decides)."""

    async def __call__(self, scope: dict, receive: Any, send: Any) -> Any:
        user = scope.get("user")
        session = scope.get("session")
        # Without a session key the user was set by whoever built the scope (tests, internal
        # callers), not by a login session.
        if user is not None and user.is_authenticated and getattr(session, "session_key", None):
            state = await _session_second_factor_state(user, session)
            if state != "ok":
                scope = dict(scope, user=AnonymousUser())
        return await super().__call__(scope, receive, send)


def websocket_auth_stack(inner: Any) -> Any:
    """Session auth first (refused while it owes the second factor); a token header, when
    present, decides."""
    return HostOriginValidator(
        AuthMiddlewareStack(SecondFactorSocketMiddleware(TokenAuthMiddleware(inner)))
    )
