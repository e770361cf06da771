"""The per-person live stream: /ws/notifications/.

Joins the person's group `user.<id>` and relays what the notifications machinery sends there
({"type": "notification", "id": …, "title": …, "unread": …}). A client that reconnects says
the last id it has (`?after=N` or {"type": "resume", "after": N}) and first receives what it
missed, oldest first. Anonymous sockets are refused.
"""

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from accounts.consumers import CredentialsMixin
from convoys.consumers import (
    CLOSE_FORBIDDEN,
    CleanDisconnectMixin,
    SafeJsonMixin,
    parse_cursor,
    query_param,
)
from live.groups import user_group
from live.publish import server_loop_remember

REPLAY_LIMIT = 100


@database_sync_to_async
def _missed(user_id: int, after: int) -> list[dict[str, Any]]:
    from notifications.events import notification_message
    from notifications.models import Notification

    rows = list(
        Notification.objects.filter(recipient_id=user_id, pk__gt=after)
        .select_related("recipient", "actor")
        .order_by("id")[:REPLAY_LIMIT]
    )
    unread = Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()
    return [notification_message(n, unread=unread) for n in rows]


class NotificationConsumer(
    CredentialsMixin, SafeJsonMixin, CleanDisconnectMixin, AsyncJsonWebsocketConsumer
):
    async def connect(self) -> None:
        server_loop_remember()
        user = self.scope.get("user")
        self.group = None
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.user_id = user.pk
        self.group = user_group(user.pk)
        # Join before replaying, so nothing created in between is lost (the client drops
        # an id it has already seen).
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.credentials_watch()
        await self.accept()
        after = parse_cursor(query_param(self.scope, "after"))
        if after is not None:
            await self._replay(after)

    async def _replay(self, after: int) -> None:
        for message in await _missed(self.user_id, after):
            await self.send_json(message)

    async def disconnect(self, code: int) -> None:
        await self._leave()

    async def _leave(self) -> None:
        if self.group:
            group, self.group = self.group, None
            await self.channel_layer.group_discard(group, self.channel_name)
            await self.credentials_unwatch()

    async def access_lost(self, *, code: int | None) -> None:
        # Leave first: nothing more reaches this socket during the close handshake.
        await self._leave()
        await self.close(code=code or CLOSE_FORBIDDEN)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            return
        if content.get("type") == "ping":
            await self.send_json({"type": "pong"})
        elif content.get("type") == "resume":
            after = parse_cursor(content.get("after"))
            if after is not None:
                await self._replay(after)

    async def notification_message(self, message: dict[str, Any]) -> None:
        if self.group is None:  # left (closing): queued messages are not for it any more
            return
        await self.send_json(message["message"])
