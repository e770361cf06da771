"""Who is looking at a convoy right now.

Each open socket holds an entry (its channel name → the person and their companies) that
expires PRESENCE_TTL_SECONDS (setting, 60) after its last heartbeat, so a crashed process or
a dropped connection leaves no ghost for longer than that. Several tabs of one person count once.
The store is Redis when REDIS_URL is set (shared by all ASGI processes), else process memory
(the embedded mode has one process).
"""

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

# A change of who is present is announced after this many seconds, once for every change in
# the window: a storm of N connects then costs a few announcements of N deliveries each,
# not N announcements of N (O(N²) presence frames).
PRESENCE_COALESCE_SECONDS = 0.25


def presence_ttl() -> float:
    """Seconds an entry outlives its last heartbeat (clients heartbeat every 20)."""
    return float(settings.PRESENCE_TTL_SECONDS)


class MemoryPresence:
    def __init__(self) -> None:
        self._entries: dict[int, dict[str, tuple[float, dict[str, Any]]]] = {}

    async def touch(self, convoy_id: int, channel: str, info: dict[str, Any]) -> None:
        self._entries.setdefault(convoy_id, {})[channel] = (time.time() + presence_ttl(), info)

    async def remove(self, convoy_id: int, channel: str) -> None:
        self._entries.get(convoy_id, {}).pop(channel, None)

    async def entries(self, convoy_id: int) -> list[dict[str, Any]]:
        now = time.time()
        entries = self._entries.get(convoy_id, {})
        for channel in [c for c, (exp, _info) in entries.items() if exp <= now]:
            del entries[channel]
        return [info for _exp, info in entries.values()]


class RedisPresence:
    def __init__(self, url: str) -> None:
        from redis import asyncio as aioredis

        self._redis = aioredis.from_url(url)

    @staticmethod
    def _keys(convoy_id: int) -> tuple[str, str]:
        return f"konvoi:presence:{convoy_id}", f"konvoi:presence:{convoy_id}:info"

    async def touch(self, convoy_id: int, channel: str, info: dict[str, Any]) -> None:
        expiries, infos = self._keys(convoy_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            ttl = presence_ttl()
            pipe.zadd(expiries, {channel: time.time() + ttl})
            pipe.hset(infos, channel, json.dumps(info))
            pipe.expire(expiries, int(ttl * 2) + 1)
            pipe.expire(infos, int(ttl * 2) + 1)
            await pipe.execute()

    async def remove(self, convoy_id: int, channel: str) -> None:
        expiries, infos = self._keys(convoy_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zrem(expiries, channel)
            pipe.hdel(infos, channel)
            await pipe.execute()

    async def entries(self, convoy_id: int) -> list[dict[str, Any]]:
        expiries, infos = self._keys(convoy_id)
        now = time.time()
        expired = await self._redis.zrangebyscore(expiries, "-inf", now)
        if expired:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.zremrangebyscore(expiries, "-inf", now)
                pipe.hdel(infos, *expired)
                await pipe.execute()
        live = await self._redis.zrangebyscore(expiries, now, "+inf")
        if not live:
            return []
        return [json.loads(raw) for raw in await self._redis.hmget(infos, live) if raw]


_memory = MemoryPresence()
_redis_by_loop: dict[int, RedisPresence] = {}


def presence_store() -> MemoryPresence | RedisPresence:
    if not settings.REDIS_URL:
        return _memory
    # An asyncio Redis client belongs to the event loop that created it.
    loop_id = id(asyncio.get_running_loop())
    if loop_id not in _redis_by_loop:
        _redis_by_loop[loop_id] = RedisPresence(settings.REDIS_URL)
    return _redis_by_loop[loop_id]


def people_present(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per person (however many tabs), sorted by name."""
    people: dict[int, dict[str, Any]] = {}
    for info in entries:
        person = people.setdefault(info["id"], {**info, "tabs": 0})
        person["tabs"] += 1
    return sorted(people.values(), key=lambda p: (p["name"].lower(), p["id"]))


class PresenceAnnouncer:
    """Coalesces presence announcements: one per convoy per process per window.

    `request()` schedules an announcement unless one is already waiting for this convoy in
    this process. The waiting one reads the store when it runs, so it carries every change
    made before it; the pending mark is dropped before that read, so a change made during
    or after the read schedules the next one and nothing is left unannounced.
    """

    def __init__(self) -> None:
        self._waiting: dict[tuple[int, int], asyncio.Task[None]] = {}

    def request(
        self, convoy_id: int, announce: Callable[[list[dict[str, Any]]], Awaitable[None]]
    ) -> None:
        loop = asyncio.get_running_loop()
        key = (id(loop), convoy_id)
        if key in self._waiting:
            return
        self._waiting[key] = loop.create_task(self._run(key, convoy_id, announce))

    async def _run(
        self,
        key: tuple[int, int],
        convoy_id: int,
        announce: Callable[[list[dict[str, Any]]], Awaitable[None]],
    ) -> None:
        try:
            await asyncio.sleep(PRESENCE_COALESCE_SECONDS)
        finally:
            self._waiting.pop(key, None)
        # Presence is a nicety: a Redis hiccup must not disturb anything else.
        try:
            await announce(people_present(await presence_store().entries(convoy_id)))
        except Exception:
            logger.warning("presence: announcing convoy %s failed", convoy_id, exc_info=True)


presence_announcer = PresenceAnnouncer()
