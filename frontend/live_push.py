"""Pushing the dashboard's live regions over the convoy socket, once per (event, language, role).

A dashboard's socket asks for regions (`?regions=1&lang=de`). When a live event reaches a
process (live.fanout), its dashboard sockets are grouped by variant (role as checked on
connect, language); for each variant the regions the event touches are rendered once (or found
in the cache, where another process may have put them: a lock in the cache lets one process
render while the other waits) and one frame `{"type": "regions", "seq", "regions": {id: html}}`
is sent, as the same text, to every socket of the variant that has already been sent that
event. Rendering reads the database in a thread, once per event and variant, never per socket.

A socket that was busy (replaying, re-checking) when the event came gets the event by its
ordered path and no frame; live.js then fetches the regions over HTTP (frontend.live_views),
which serves them from the same cache.
"""

import asyncio
import json
import logging
from typing import Any

from asgiref.sync import sync_to_async
from django.core.cache import cache
from django.utils import translation

from convoys.selectors import convoy_list_for_user
from frontend.live_views import regions_touched, shared_regions
from live.fanout import send_now

logger = logging.getLogger(__name__)

LOCK_SECONDS = 5  # a render takes milliseconds; a crashed renderer's lock goes after this
WAIT_SECONDS = 1.5  # how long a process waits for another one's render before its own
POLL_SECONDS = 0.01


def _render(user: Any, convoy_id: int, seq: int, language: str, wanted: set[str]):
    convoy = convoy_list_for_user(user=user).filter(pk=convoy_id).first()
    if convoy is None:  # the representative lost access meanwhile: its socket closes anyway
        return None
    with translation.override(language):
        return shared_regions(convoy=convoy, seq=seq, wanted=wanted)


_render_async = sync_to_async(_render, thread_sensitive=True)
_cache_add = sync_to_async(cache.add, thread_sensitive=False)
_cache_get = sync_to_async(cache.get, thread_sensitive=False)
_cache_set = sync_to_async(cache.set, thread_sensitive=False)


class RegionPush:
    """Collects, per live event, the dashboard sockets it reached in this process; then renders
    and sends per variant (the collecting ends when the fan-out loop has gone round)."""

    def __init__(self) -> None:
        self._batches: dict[tuple[int, int, int], dict[tuple[str, str], list[Any]]] = {}
        self._tasks: set[asyncio.Future[None]] = set()

    def want(self, consumer: Any, message: dict[str, Any]) -> None:
        loop = asyncio.get_running_loop()
        key = (id(loop), consumer.convoy_id, message["seq"])
        batch = self._batches.get(key)
        if batch is None:
            batch = self._batches[key] = {}
            loop.call_soon(self._start, key, message)
        batch.setdefault(consumer.variant, []).append(consumer)

    def _start(self, key: tuple[int, int, int], message: dict[str, Any]) -> None:
        batch = self._batches.pop(key, {})
        for variant, consumers in batch.items():
            task = asyncio.ensure_future(self._push(key[1], message, variant, consumers))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _push(
        self, convoy_id: int, message: dict[str, Any], variant: tuple[str, str], consumers: list
    ) -> None:
        seq = message["seq"]
        try:
            data = json.loads(message["text"]).get("data")
            wanted = regions_touched([(message["kind"], data)])
            html = await self._regions(convoy_id, seq, variant, wanted, consumers[0])
        except Exception:
            logger.warning("live regions: rendering %s/%s failed", convoy_id, seq, exc_info=True)
            return
        if html is None:
            return
        text = json.dumps({"type": "regions", "seq": seq, "regions": html})
        frame = {"type": "websocket.send", "text": text}
        for consumer in consumers:
            # Only after the event itself, and never to a socket that lost access.
            if not consumer.forbidden and consumer.last_seq >= seq:
                send_now(consumer.base_send(frame))

    async def _regions(
        self, convoy_id: int, seq: int, variant: tuple[str, str], wanted: set[str], consumer: Any
    ) -> dict[str, str] | None:
        role, language = variant
        done = f"live-push:{convoy_id}:{seq}:{role}:{language}"
        if not await _cache_add(f"{done}:lock", 1, LOCK_SECONDS):
            # Another process renders this variant: wait for it rather than render twice.
            for _ in range(int(WAIT_SECONDS / POLL_SECONDS)):
                html = await _cache_get(done)
                if html is not None:
                    return html
                await asyncio.sleep(POLL_SECONDS)
        user = consumer.scope["user"]
        html = await _render_async(user, convoy_id, seq, language, wanted)
        if html is not None:
            await _cache_set(done, html, 600)
        return html


region_push = RegionPush()
