"""One channel-layer subscription per group per process, fanned out in memory.

Channels gives every consumer its own channel: a group message is queued once per subscriber
and each consumer then pays its own receive task, `asyncio.wait`, deserialisation and
dispatch for it. For a convoy's live feed that per-subscriber overhead was most of the server's
work per event (see bench/live_latency.py). Here each process joins the group once, with a
channel of its own, and hands each message to its local members with one direct call each;
a member relays the text the message already carries.

Members implement `fanout(message) -> Awaitable | None` (no blocking work: decide, then
return the send to await, or None). `send_now()` runs such a send without letting one slow
client hold up the others: the usual send completes at once (the frame is written to the
transport); one that must wait for a full client buffer continues in a task of its own.
"""

import asyncio
import logging
from collections.abc import Awaitable, Coroutine
from typing import Any, Protocol

logger = logging.getLogger(__name__)


class Member(Protocol):
    def fanout(self, message: dict[str, Any]) -> Awaitable[None] | None: ...


async def _finish(coro: Coroutine[Any, Any, Any], waiting: Any) -> None:
    # Continue a coroutine that send_now() started and that had to wait (what a Task does).
    while True:
        try:
            await waiting
        except BaseException as exc:  # handed back to the coroutine, as a Task does
            try:
                waiting = coro.throw(exc)
            except StopIteration:
                return
        else:
            try:
                waiting = coro.send(None)
            except StopIteration:
                return


# Sends that had to wait, held until done (the event loop keeps only weak references).
_waiting: set["asyncio.Future[None]"] = set()


def send_now(send: Awaitable[None]) -> None:
    """Run `send` up to its first wait, at once; if it has to wait, finish it in a task."""
    if asyncio.iscoroutine(send):
        try:
            waiting = send.send(None)
        except StopIteration:
            return
        except Exception:
            logger.debug("fan-out: a send failed", exc_info=True)
            return
        task = asyncio.ensure_future(_finish(send, waiting))
    else:
        task = asyncio.ensure_future(send)
    _waiting.add(task)
    task.add_done_callback(_done)


def _done(task: "asyncio.Future[None]") -> None:
    _waiting.discard(task)
    if not task.cancelled() and task.exception() is not None:
        logger.debug("fan-out: a send failed", exc_info=task.exception())


class _Group:
    def __init__(self, layer: Any, group: str) -> None:
        self.layer = layer
        self.group = group
        self.members: dict[int, Member] = {}
        self.channel: str | None = None
        self.ready = asyncio.Event()
        self.reader: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.channel = await self.layer.new_channel(prefix="fanout.")
        await self.layer.group_add(self.group, self.channel)
        self.reader = asyncio.ensure_future(self._read())
        self.ready.set()

    async def stop(self) -> None:
        if self.reader is not None:
            self.reader.cancel()
        if self.channel is not None:
            await self.layer.group_discard(self.group, self.channel)

    async def _read(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("fan-out: receiving for %s failed", self.group, exc_info=True)
                await asyncio.sleep(0.5)
                continue
            for member in list(self.members.values()):
                try:
                    send = member.fanout(message)
                except Exception:
                    logger.exception("fan-out: a member of %s failed", self.group)
                    continue
                if send is not None:
                    send_now(send)


class FanoutHub:
    """The process's fan-out groups, per event loop (a channel layer belongs to its loop)."""

    def __init__(self) -> None:
        self._groups: dict[tuple[int, str], _Group] = {}

    async def join(self, layer: Any, group: str, member: Member) -> None:
        key = (id(asyncio.get_running_loop()), group)
        entry = self._groups.get(key)
        if entry is None:
            entry = self._groups[key] = _Group(layer, group)
            entry.members[id(member)] = member
            try:
                await entry.start()
            except BaseException:
                self._groups.pop(key, None)
                raise
            if not entry.members:  # everyone left while the subscription was being made
                self._groups.pop(key, None)
                await entry.stop()
            return
        entry.members[id(member)] = member
        # Joined while the group's subscription is being made: live only once it is.
        await entry.ready.wait()

    async def leave(self, group: str, member: Member) -> None:
        key = (id(asyncio.get_running_loop()), group)
        entry = self._groups.get(key)
        if entry is None or entry.members.pop(id(member), None) is None:
            return
        if not entry.members and entry.ready.is_set():
            del self._groups[key]
            await entry.stop()

    def members(self, group: str) -> int:
        entry = self._groups.get((id(asyncio.get_running_loop()), group))
        return len(entry.members) if entry else 0


hub = FanoutHub()
