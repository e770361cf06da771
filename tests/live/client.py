"""A small WebSocket client for the convoy feed, as an integrator would write one."""

import asyncio
import json
from typing import Any

from websockets.asyncio.client import ClientConnection, connect


class FeedClient:
    def __init__(self, ws_base: str, token: str | None, convoy_id: int) -> None:
        self.ws_base = ws_base
        self.token = token
        self.convoy_id = convoy_id
        self.ws: ClientConnection | None = None
        self.seqs: list[int] = []
        self.others: list[dict[str, Any]] = []

    @property
    def last_seq(self) -> int:
        return self.seqs[-1] if self.seqs else 0

    async def connect(
        self, *, after: int | None = None, origin: str | None = None, path: str | None = None
    ) -> ClientConnection:
        url = f"{self.ws_base}{path or f'/ws/convoys/{self.convoy_id}/'}"
        if after is not None:
            url += f"?after={after}"
        headers = {"Authorization": f"Token {self.token}"} if self.token else {}
        self.ws = await connect(url, additional_headers=headers, origin=origin, open_timeout=10)
        return self.ws

    async def receive(self, timeout: float = 5.0) -> dict[str, Any]:
        assert self.ws is not None
        message = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
        if message["type"] == "event":
            self.seqs.append(message["seq"])
        else:
            self.others.append(message)
        return message

    async def until(self, predicate, timeout: float = 10.0) -> dict[str, Any]:
        """Read messages until one satisfies predicate."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            message = await self.receive(timeout=max(0.01, deadline - loop.time()))
            if predicate(message):
                return message

    async def send(self, message: dict[str, Any]) -> None:
        assert self.ws is not None
        await self.ws.send(json.dumps(message))

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            self.ws = None
