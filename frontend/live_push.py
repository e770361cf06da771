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
import copy
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


def _render(
    user: Any, convoy_id: int, seq: int, variants: list[tuple[str, str]], wanted: set[str]
) -> dict[tuple[str, str], dict[str, str]] | None:
    """Every variant's regions, reading the data once for all of them. The role of a variant
    decides what is rendered (is_facilitator); `user` only loads the convoy."""
    base = convoy_list_for_user(user=user).filter(pk=convoy_id).first()
    if base is None:  # the representative lost access meanwhile: its socket closes anyway
        return None
    memo: dict[str, Any] = {}
    rendered = {}
    for role, language in variants:
        convoy = copy.copy(base)
        convoy.is_facilitator = role == "facilitator"
        with translation.override(language):
            rendered[(role, language)] = shared_regions(
                convoy=convoy, seq=seq, wanted=wanted, memo=memo
            )
    return rendered


_render_async = sync_to_async(_render, thread_sensitive=True)
_cache_add = sync_to_async(cache.add, thread_sensitive=False)
_cache_get_many = sync_to_async(cache.get_many, thread_sensitive=False)
_cache_set_many = sync_to_async(cache.set_many, thread_sensitive=False)


def _done_key(convoy_id: int, seq: int, variant: tuple[str, str]) -> str:
    return f"live-push:{convoy_id}:{seq}:{variant[0]}:{variant[1]}"


class RegionPush:
    """Collects, per live event, the dashboard sockets it reached in this process; then renders
    once for all their variants and sends (the collecting ends when the fan-out loop has gone
    round)."""

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
        task = asyncio.ensure_future(self._push(key[1], message, batch))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _push(
        self, convoy_id: int, message: dict[str, Any], batch: dict[tuple[str, str], list[Any]]
    ) -> None:
        seq = message["seq"]
        try:
            data = json.loads(message["text"]).get("data")
            wanted = regions_touched([(message["kind"], data)])
            representative = next(iter(batch.values()))[0]
            html = await self._regions(convoy_id, seq, list(batch), wanted, representative)
        except Exception:
            logger.warning("live regions: rendering %s/%s failed", convoy_id, seq, exc_info=True)
            return
        for variant, consumers in batch.items():
            if variant not in html:
                continue
            text = json.dumps({"type": "regions", "seq": seq, "regions": html[variant]})
            frame = {"type": "websocket.send", "text": text}
            for consumer in consumers:
                # Only after the event itself, and never to a socket that lost access.
                if not consumer.forbidden and consumer.last_seq >= seq:
                    send_now(consumer.base_send(frame))

    async def _regions(
        self,
        convoy_id: int,
        seq: int,
        variants: list[tuple[str, str]],
        wanted: set[str],
        consumer: Any,
    ) -> dict[tuple[str, str], dict[str, str]]:
        keys = {v: _done_key(convoy_id, seq, v) for v in variants}
        found = await _cache_get_many(list(keys.values()))
        html = {v: found[k] for v, k in keys.items() if k in found}
        if len(html) == len(variants):
            return html
        # One renderer per variant across the processes (a lock in the cache): this one
        # renders the variants it wins, together (the data read once), and waits for the rest.
        mine = [
            v
            for v in variants
            if v not in html and await _cache_add(f"{keys[v]}:lock", 1, LOCK_SECONDS)
        ]
        if mine:
            rendered = await _render_async(consumer.scope["user"], convoy_id, seq, mine, wanted)
            if rendered:
                await _cache_set_many({keys[v]: text for v, text in rendered.items()}, 600)
                html.update(rendered)
        for _ in range(int(WAIT_SECONDS / POLL_SECONDS)):
            waiting = [keys[v] for v in variants if v not in html]
            if not waiting:
                return html
            await asyncio.sleep(POLL_SECONDS)
            found = await _cache_get_many(waiting)
            html.update({v: found[keys[v]] for v in variants if keys[v] in found})
        todo = [v for v in variants if v not in html]  # the other renderer failed: do it here
        if todo:
            html.update(
                await _render_async(consumer.scope["user"], convoy_id, seq, todo, wanted) or {}
            )
        return html


region_push = RegionPush()
