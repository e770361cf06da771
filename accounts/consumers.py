"""Socket behaviour shared by every consumer: a socket lives only as long as the credentials
it was opened with.

Three ways to notice that they ended: at once, when a token is revoked (its group hears it);
at once, when the password is changed or reset (the person's credentials group hears it and
every socket runs the re-check below now); and by a periodic re-check, for everything a lost
publish, a logout, a deactivated account or an expired token would otherwise leave open. The
re-check costs one or two queries per socket per SOCKET_RECHECK_SECONDS, never anything per event.
"""

import asyncio
from importlib import import_module
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from accounts.events import credentials_group, token_group
from accounts.models import ApiToken, User

# Private-use close code (4000–4999): like HTTP 401, authenticate again.
CLOSE_TOKEN_REVOKED = 4401


def credentials_valid(scope: dict[str, Any]) -> bool:
    """Whether the socket's person may still be here as who they logged in as: an active
    account, and the API token (scope['token_id']) or the login session it came with."""
    user = scope.get("user")
    if user is None or not user.is_authenticated:
        return False
    row = User.objects.filter(pk=user.pk, is_active=True).only("password").first()
    if row is None:
        return False
    token_id = scope.get("token_id")
    if token_id is not None:
        now = timezone.now()
        tokens = ApiToken.objects.filter(pk=token_id, user_id=user.pk)
        return tokens.exclude(expiry__lt=now).exists()
    session = scope.get("session")
    session_key = getattr(session, "session_key", None)
    if not session_key:
        # Authenticated by whoever built the scope (tests, internal callers): nothing to renew.
        return True
    # Read afresh: the scope's session object is the one loaded when the socket opened.
    data = import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key).load()
    return str(data.get("_auth_user_id")) == str(user.pk) and constant_time_compare(
        data.get("_auth_user_hash", ""), row.get_session_auth_hash()
    )


class CredentialsMixin:
    """For consumers. On connect call `credentials_watch()`, on disconnect
    `credentials_unwatch()`. Subclasses may override `access_lost()` (how to close) and
    `still_allowed()` (what else to re-check, e.g. access to a convoy)."""

    scope: dict
    channel_layer: Any
    channel_name: str

    async def credentials_watch(self) -> None:
        await self.channel_layer.group_add(
            credentials_group(self.scope["user"].pk), self.channel_name
        )
        token_id = self.scope.get("token_id")
        if token_id is not None:
            await self.channel_layer.group_add(token_group(token_id), self.channel_name)
        # The timer only posts a message to this socket's own channel: the re-check then runs
        # between two other messages, never in the middle of sending one.
        self._recheck_task = asyncio.ensure_future(self._recheck_timer())

    async def credentials_unwatch(self) -> None:
        task = getattr(self, "_recheck_task", None)
        if task is not None:
            task.cancel()
        await self.channel_layer.group_discard(
            credentials_group(self.scope["user"].pk), self.channel_name
        )
        token_id = self.scope.get("token_id")
        if token_id is not None:
            await self.channel_layer.group_discard(token_group(token_id), self.channel_name)

    async def _recheck_timer(self) -> None:
        while True:
            await asyncio.sleep(settings.SOCKET_RECHECK_SECONDS)
            try:
                await self.channel_layer.send(self.channel_name, {"type": "socket.recheck"})
            except Exception:  # the channel is gone or full: the socket is no longer served
                return

    async def socket_recheck(self, message: dict[str, Any]) -> None:
        if not await database_sync_to_async(credentials_valid)(self.scope):
            await self.access_lost(code=CLOSE_TOKEN_REVOKED)
        elif not await self.still_allowed():
            await self.access_lost(code=None)

    async def still_allowed(self) -> bool:
        return True

    async def access_lost(self, *, code: int | None) -> None:
        """Close; `code` None means the default "forbidden" of the consumer."""
        await self.close(code=code or CLOSE_TOKEN_REVOKED)  # type: ignore[attr-defined]

    async def credentials_changed(self, message: dict[str, Any]) -> None:
        """The password changed: re-check now rather than at the next tick."""
        await self.socket_recheck(message)

    async def token_revoked(self, message: dict[str, Any]) -> None:
        await self.access_lost(code=CLOSE_TOKEN_REVOKED)
