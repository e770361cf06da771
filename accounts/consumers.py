"""Socket behaviour shared by every consumer: close when the API token behind it is revoked."""

from typing import Any

from accounts.events import token_group

# Private-use close code (4000–4999): like HTTP 401, authenticate again.
CLOSE_TOKEN_REVOKED = 4401


class TokenRevocationMixin:
    """For consumers: a socket opened with an API token (scope['token_id'], set by
    config.ws_auth) listens on the token's group and closes once the token is revoked.
    Call `token_group_join()` on connect and `token_group_leave()` on disconnect."""

    scope: dict
    channel_layer: Any
    channel_name: str

    async def token_group_join(self) -> None:
        token_id = self.scope.get("token_id")
        if token_id is not None:
            await self.channel_layer.group_add(token_group(token_id), self.channel_name)

    async def token_group_leave(self) -> None:
        token_id = self.scope.get("token_id")
        if token_id is not None:
            await self.channel_layer.group_discard(token_group(token_id), self.channel_name)

    async def token_revoked(self, message: dict[str, Any]) -> None:
        await self.close(code=CLOSE_TOKEN_REVOKED)  # type: ignore[attr-defined]
