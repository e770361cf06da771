"""The per-person live stream: /ws/notifications/.

Joins the person's group `user.<id>`; whatever the notifications machinery sends there as
{"type": "notification.message", "message": {...}} is relayed as is. Anonymous sockets are
refused.
"""

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from convoys.consumers import CLOSE_FORBIDDEN, CleanDisconnectMixin
from convoys.events import user_group


class NotificationConsumer(CleanDisconnectMixin, AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        self.group = None
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def notification_message(self, message: dict[str, Any]) -> None:
        await self.send_json(message["message"])
