"""Sending to a channel-layer group from sync code, and only after commit.

A service changes state in its transaction; the message leaves after commit
(`group_send_on_commit`), never from inside the transaction. Sending may fail (Redis down)
without undoing the change: `group_send_safely` logs and returns, and clients recover what
they missed from the data (the convoy log by seq).
"""

import asyncio
import logging
import os
import threading
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction

from live.groups import access_group

logger = logging.getLogger(__name__)


class _PublisherLoop:
    """One long-lived event loop thread per process for publishing from sync code.

    async_to_sync in a plain thread (a Celery task, a management command) builds a new event
    loop, and channels_redis a new connection, for every send: milliseconds each. Sends from
    here share one loop and its connection pool. Created lazily, so a forked worker gets its
    own.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pid = 0

    def run(self, coro: Any, timeout: float) -> Any:
        with self._lock:
            if self._loop is None or self._pid != os.getpid():
                self._loop = asyncio.new_event_loop()
                self._pid = os.getpid()
                threading.Thread(
                    target=self._loop.run_forever, name="konvoi-publisher", daemon=True
                ).start()
            loop = self._loop
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout)


_publisher = _PublisherLoop()
PUBLISH_TIMEOUT = 5.0

# The in-memory layer's queues belong to the web server's event loop. A send from a thread
# that does not come from that loop (the embedded Celery worker running the reminder sweep)
# must be handed to it: a put from a foreign loop would not wake the waiting consumer.
_server_loop: asyncio.AbstractEventLoop | None = None


def server_loop_remember() -> None:
    """Called by consumers on connect (so in the server's loop) for in-memory publishing."""
    global _server_loop
    _server_loop = asyncio.get_running_loop()


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def group_send_safely(group: str, message: dict[str, Any]) -> None:
    """Send to a channel-layer group from sync code. Never raises: the data is the truth, and
    a client that missed a message catches up from it."""
    try:
        layer = get_channel_layer()
        if layer is None:
            return
        if settings.REDIS_URL:
            _publisher.run(layer.group_send(group, message), PUBLISH_TIMEOUT)
        elif (
            _server_loop is not None
            and _server_loop.is_running()
            and _running_loop() is not _server_loop
        ):
            asyncio.run_coroutine_threadsafe(layer.group_send(group, message), _server_loop).result(
                PUBLISH_TIMEOUT
            )
        else:
            async_to_sync(layer.group_send)(group, message)
    except Exception:
        logger.exception("publishing to %s failed", group)


def group_send_on_commit(group: str, message: dict[str, Any]) -> None:
    """Send `message` to `group` after the surrounding transaction commits (at once outside
    one); nothing is sent if it rolls back."""
    transaction.on_commit(lambda: group_send_safely(group, message))


def access_changed_on_commit(*, user_id: int) -> None:
    """After commit, ask this person's open sockets to re-check what they may still see."""
    group_send_on_commit(access_group(user_id), {"type": "access.changed"})
