"""Pushing the dashboard's live regions over the convoy socket, rendered once per (event,
language) for every process and every viewer.

A dashboard's socket asks for regions (`?regions=1&lang=de`). When a live event reaches a
process (live.fanout) and is sent to its dashboard sockets, the process asks for the regions
the event touches in their languages (`want`). For each language one process renders them (a
lock in the cache decides which, so the data is read once), for both roles at once
(frontend.live_roles), and publishes them to the convoy's group as one `convoy.regions`
message. Every process, the renderer included, receives it through its one subscription and
sends each of its sockets of that language the frame of its role (`arrived`):
`{"type": "regions", "seq", "regions": {id: html}}`, built once per role and sent as the same
text. Nobody polls and nobody renders twice.

A socket that was busy (replaying, re-checking) when the event came is sent the frame as well
once it has shown the event; if the frame never comes (the renderer failed), live.js fetches
the regions over HTTP after a second (frontend.live_views), from the same cache.
"""

import asyncio
import json
import logging
from typing import Any

from asgiref.sync import sync_to_async
from django.core.cache import cache
from django.utils import translation

from convoys.events import convoy_group
from convoys.models import Convoy
from frontend.live_views import SplitRegion, for_role, regions_touched, shared_regions
from live.fanout import send_now

logger = logging.getLogger(__name__)

LOCK_SECONDS = 5  # a render takes milliseconds; a crashed renderer's lock goes after this


def _render(
    convoy_id: int, seq: int, languages: list[str], wanted: set[str]
) -> dict[str, dict[str, SplitRegion]]:
    """The regions in each language, for both roles, reading the data once for all of them.
    Who may see them is decided per socket (on connect and on every event), not here."""
    convoy = Convoy.objects.filter(pk=convoy_id).first()
    if convoy is None:
        return {}
    memo: dict[str, Any] = {}
    rendered = {}
    for language in languages:
        with translation.override(language):
            rendered[language] = shared_regions(convoy=convoy, seq=seq, wanted=wanted, memo=memo)
    return rendered


_render_async = sync_to_async(_render, thread_sensitive=True)
_cache_add = sync_to_async(cache.add, thread_sensitive=False)


def _lock_key(convoy_id: int, seq: int, language: str) -> str:
    return f"live-push:{convoy_id}:{seq}:{language}:lock"


class RegionPush:
    """Per live event: have its regions rendered once (`want`), and relay them to this
    process's dashboard sockets when they come (`arrived`). Both collect the sockets of one
    pass of the fan-out loop and act once for all of them."""

    def __init__(self) -> None:
        self._wanted: dict[tuple[int, int, int], tuple[set[str], Any]] = {}
        self._arrived: dict[tuple[int, int, int, str], list[Any]] = {}
        self._tasks: set[asyncio.Future[None]] = set()

    def want(self, consumer: Any, message: dict[str, Any]) -> None:
        """`consumer` (a dashboard socket) was just sent the event `message`."""
        loop = asyncio.get_running_loop()
        key = (id(loop), consumer.convoy_id, message["seq"])
        entry = self._wanted.get(key)
        if entry is None:
            entry = self._wanted[key] = (set(), consumer.channel_layer)
            loop.call_soon(self._start, key, message)
        entry[0].add(consumer.variant[1])

    def _start(self, key: tuple[int, int, int], message: dict[str, Any]) -> None:
        languages, layer = self._wanted.pop(key)
        task = asyncio.ensure_future(self._render_and_publish(key[1], message, languages, layer))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _render_and_publish(
        self, convoy_id: int, message: dict[str, Any], languages: set[str], layer: Any
    ) -> None:
        seq = message["seq"]
        try:
            # One renderer per (event, language) across the processes; the others wait for
            # its message, which reaches them as it reaches this process.
            mine = [
                language
                for language in sorted(languages)
                if await _cache_add(_lock_key(convoy_id, seq, language), 1, LOCK_SECONDS)
            ]
            if not mine:
                return
            data = json.loads(message["text"]).get("data")
            wanted = regions_touched([(message["kind"], data)])
            rendered = await _render_async(convoy_id, seq, mine, wanted)
            for language, regions in rendered.items():
                await layer.group_send(
                    convoy_group(convoy_id),
                    {
                        "type": "convoy.regions",
                        "seq": seq,
                        "language": language,
                        "regions": {region: list(split) for region, split in regions.items()},
                    },
                )
        except Exception:
            logger.warning("live regions: rendering %s/%s failed", convoy_id, seq, exc_info=True)

    def arrived(self, consumer: Any, message: dict[str, Any]) -> None:
        """The regions of an event in one language came: `consumer` may want them."""
        if consumer.variant[1] != message["language"]:
            return
        loop = asyncio.get_running_loop()
        key = (id(loop), consumer.convoy_id, message["seq"], message["language"])
        batch = self._arrived.get(key)
        if batch is None:
            batch = self._arrived[key] = []
            loop.call_soon(self._send, key, message)
        batch.append(consumer)

    def _send(self, key: tuple[int, int, int, str], message: dict[str, Any]) -> None:
        consumers = self._arrived.pop(key, [])
        seq = message["seq"]
        regions = {region: (nonce, html) for region, (nonce, html) in message["regions"].items()}
        frames: dict[str, dict[str, str] | None] = {}
        for consumer in consumers:
            # Only after the event itself, and never to a socket that lost access.
            if consumer.forbidden or consumer.last_seq < seq:
                continue
            role = consumer.variant[0]
            if role not in frames:
                try:
                    text = json.dumps(
                        {"type": "regions", "seq": seq, "regions": for_role(regions, role)}
                    )
                except Exception:  # this role's sockets fetch over HTTP; the others go on
                    logger.exception("live regions: %s/%s for %s failed", key[1], seq, role)
                    frames[role] = None
                else:
                    frames[role] = {"type": "websocket.send", "text": text}
            frame = frames[role]
            if frame is not None:
                send_now(consumer.base_send(frame))


region_push = RegionPush()
