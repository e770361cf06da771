"""The floor of live delivery: a bare ASGI WebSocket broadcaster (no Django, no Channels).

`python -m uvicorn bench.bare_broadcast:app` — each process subscribes once to the Redis
pub/sub channel BARE_CHANNEL (env BENCH_REDIS_URL) and relays every message, as the text it
came as, to all its open sockets. That is the least any live path on this stack (uvicorn,
Redis, one subscription per process) pays per event; bench/live_latency.py measures Konvoi's
socket path against it in the same run with the same clients.

A socket is told `{"type": "live", "seq": 0}` once it is registered, so the bench's clients
can wait for it the same way they wait for Konvoi's sockets.
"""

import asyncio
import os
from typing import Any

BARE_CHANNEL = "bench.bare"

_sockets: set[Any] = set()
_listener: asyncio.Task[None] | None = None


async def _listen() -> None:
    from redis import asyncio as aioredis

    redis = aioredis.from_url(os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12"))
    pubsub = redis.pubsub()
    await pubsub.subscribe(BARE_CHANNEL)
    async for message in pubsub.listen():
        if message["type"] != "message":
            continue
        text = message["data"].decode()
        for send in list(_sockets):
            try:
                await send({"type": "websocket.send", "text": text})
            except Exception:
                _sockets.discard(send)


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    global _listener
    if scope["type"] == "http":  # health check of the bench's server helper
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})
        return
    if scope["type"] != "websocket":
        return
    if _listener is None:
        _listener = asyncio.ensure_future(_listen())
        await asyncio.sleep(0.05)  # let the subscription start before the first client counts
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    _sockets.add(send)
    await send({"type": "websocket.send", "text": '{"type": "live", "seq": 0}'})
    try:
        while (await receive())["type"] != "websocket.disconnect":
            pass
    finally:
        _sockets.discard(send)
