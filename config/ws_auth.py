"""WebSocket authentication and origin checks, wrapped around the socket router.

Browsers authenticate with the session cookie and always send an Origin header, which must name
one of ALLOWED_HOSTS (this blocks cross-site WebSocket hijacking, with DEBUG on or off). API
clients send `Authorization: Token <key>` and usually no Origin.
"""

from typing import Any
from urllib.parse import ParseResult

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from channels.security.websocket import OriginValidator
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http.request import split_domain_port, validate_host
from rest_framework.authtoken.models import Token


class HostOriginValidator(OriginValidator):
    """Origin, when present, must be one of ALLOWED_HOSTS; absent is a non-browser client."""

    def __init__(self, application: Any) -> None:
        super().__init__(application, allowed_origins=[])

    def valid_origin(self, parsed_origin: ParseResult | None) -> bool:
        if parsed_origin is None:
            return True
        host, _port = split_domain_port(parsed_origin.netloc)
        if not host or parsed_origin.scheme not in {"http", "https"}:
            return False
        return validate_host(host, settings.ALLOWED_HOSTS)


@database_sync_to_async
def _user_for_token(key: str) -> Any:
    token = Token.objects.select_related("user").filter(key=key).first()
    if token is None or not token.user.is_active:
        return AnonymousUser()
    return token.user


class TokenAuthMiddleware(BaseMiddleware):
    """Sets scope['user'] from an `Authorization: Token <key>` header when one is sent."""

    async def __call__(self, scope: dict, receive: Any, send: Any) -> Any:
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                kind, _sep, key = value.decode("latin1").partition(" ")
                if kind.lower() == "token" and key.strip():
                    scope = dict(scope, user=await _user_for_token(key.strip()))
                break
        return await super().__call__(scope, receive, send)


def websocket_auth_stack(inner: Any) -> Any:
    """Session auth first; a token header, when present, decides."""
    return HostOriginValidator(AuthMiddlewareStack(TokenAuthMiddleware(inner)))
