"""The live convoy feed: /ws/convoys/<id>/.

Protocol (JSON):
  connect to /ws/convoys/<id>/?after=N, or connect and send {"type": "resume", "after": N}
  as the first message (live events wait until then, at most RESUME_WAIT seconds)
  server → {"type": "event", "seq", "kind", "data", "actor", "at"}   each seq once, ascending
  client → {"type": "resume", "after": N}   replay everything after N from the log, then live
  server → {"type": "live", "seq": N}      caught up to N; what follows is live
  server → {"type": "refetch", "seq": N, "reason"}   cursor unusable: reload state, resume at N
  server → {"type": "presence", "people": [...]}      who is looking at the convoy
  client → {"type": "ping"} → {"type": "pong", "seq": N}   heartbeat; also closes tail gaps

Channels dispatches one message at a time per consumer, so live events that arrive while a
replay is being read wait in the channel and are de-duplicated by seq afterwards; a live event
that skips seqs (a publish that failed, a full channel) triggers a replay of the gap from the
log. Authorisation is checked on connect with the API's selector, and again only when this
person's membership may have ended.
"""

import asyncio
import logging
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from companies.models import CompanyMember
from convoys.events import access_group, convoy_group, event_message, server_loop_remember
from convoys.models import Convoy
from convoys.presence import people_present, presence_store
from convoys.selectors import convoys_for_user, events_after

logger = logging.getLogger(__name__)

REPLAY_LIMIT = 1000
RESUME_WAIT = 2.0  # seconds a fresh socket holds live events for the client's resume
CLOSE_FORBIDDEN = 4403


@database_sync_to_async
def _access(user: Any, convoy_id: int) -> dict[str, Any] | None:
    """The convoy's current seq and the person's companies in it, or None if not allowed."""
    row = convoys_for_user(user=user).filter(pk=convoy_id).values("last_event_seq").first()
    if row is None:
        return None
    companies = list(
        CompanyMember.objects.filter(
            user=user,
            company__memberships__convoy_id=convoy_id,
            company__memberships__status="active",
        ).values("company_id", "company__name")
    )
    return {
        "seq": row["last_event_seq"],
        "company_ids": {c["company_id"] for c in companies},
        "company_names": sorted(c["company__name"] for c in companies),
    }


@database_sync_to_async
def _still_allowed(user: Any, convoy_id: int) -> bool:
    return convoys_for_user(user=user).filter(pk=convoy_id).exists()


@database_sync_to_async
def _current_seq(convoy_id: int) -> int:
    return Convoy.objects.filter(pk=convoy_id).values_list("last_event_seq", flat=True).get()


@database_sync_to_async
def _missed(convoy_id: int, after: int) -> list[dict[str, Any]]:
    convoy = Convoy(pk=convoy_id)
    return [event_message(e) for e in events_after(convoy=convoy, after=after)[:REPLAY_LIMIT]]


class CleanDisconnectMixin:
    """Run disconnect() also when the client vanished while a message was being sent to it.

    A channel-layer message handled after the client's close frame, but before the server's
    websocket.disconnect, makes send() raise ClientDisconnected (an OSError), which ASGI servers
    swallow: the consumer would end without disconnect(), leaving its groups and its presence
    entry behind.
    """

    async def dispatch(self, message: dict[str, Any]) -> None:
        try:
            await super().dispatch(message)  # type: ignore[misc]
        except OSError:
            await self.disconnect(1006)  # type: ignore[attr-defined]
            raise StopConsumer() from None


class ConvoyConsumer(CleanDisconnectMixin, AsyncJsonWebsocketConsumer):
    convoy_id: int
    last_seq: int
    company_ids: set[int]

    async def connect(self) -> None:
        server_loop_remember()
        user = self.scope.get("user")
        self.convoy_id = int(self.scope["url_route"]["kwargs"]["convoy_id"])
        self.joined = False
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        access = await _access(user, self.convoy_id)
        if access is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.last_seq = access["seq"]
        self.pending = True
        self.buffer: list[dict[str, Any]] = []
        self.present: list[tuple[int, int]] = []
        self.company_ids = access["company_ids"]
        self.presence_info = {
            "id": user.pk,
            "name": user.name,
            "handle": user.handle,
            "companies": access["company_names"],
        }
        await self.channel_layer.group_add(convoy_group(self.convoy_id), self.channel_name)
        await self.channel_layer.group_add(access_group(user.pk), self.channel_name)
        self.joined = True
        await self.accept()
        after = parse_qs(self.scope.get("query_string", b"").decode()).get("after")
        if after:
            await self._resume(int(after[0]) if after[0].isdigit() else after[0])
        else:
            self._timer = asyncio.get_running_loop().call_later(
                RESUME_WAIT,
                lambda: asyncio.ensure_future(
                    self.channel_layer.send(self.channel_name, {"type": "resume.timeout"})
                ),
            )
        await self._presence_touch(broadcast=True)

    async def disconnect(self, code: int) -> None:
        if not getattr(self, "joined", False):
            return
        self.joined = False
        if getattr(self, "_timer", None) is not None:
            self._timer.cancel()
        await self.channel_layer.group_discard(convoy_group(self.convoy_id), self.channel_name)
        await self.channel_layer.group_discard(
            access_group(self.scope["user"].pk), self.channel_name
        )
        try:
            await presence_store().remove(self.convoy_id, self.channel_name)
            await self._presence_broadcast()
        except Exception:
            logger.warning("presence: leaving convoy %s failed", self.convoy_id, exc_info=True)

    # --- client messages ---

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "resume":
            await self._resume(content.get("after"))
        elif kind == "ping":
            await self._presence_touch(broadcast=False, if_changed=True)
            await self._catch_up(await _current_seq(self.convoy_id))
            await self.send_json({"type": "pong", "seq": self.last_seq})

    async def _resume(self, after: Any) -> None:
        current = await _current_seq(self.convoy_id)
        if isinstance(after, bool) or not isinstance(after, int) or not 0 <= after <= current:
            await self._refetch(current, "invalid cursor")
            return
        if current - after > REPLAY_LIMIT:
            await self._refetch(current, "cursor too old")
            return
        self.last_seq = after
        await self._catch_up(current)
        await self._go_live()

    async def _refetch(self, current: int, reason: str) -> None:
        self.last_seq = current
        await self.send_json({"type": "refetch", "seq": current, "reason": reason})
        await self._go_live()

    async def _go_live(self) -> None:
        """Deliver what waited during the replay (de-duplicated), then stream live."""
        self.pending = False
        buffered, self.buffer = self.buffer, []
        for message in sorted(buffered, key=lambda m: m["seq"]):
            await self._deliver(message)
        await self.send_json({"type": "live", "seq": self.last_seq})

    async def resume_timeout(self, message: dict[str, Any]) -> None:
        if self.pending:
            await self._go_live()

    async def _catch_up(self, upto: int) -> None:
        """Send every event after last_seq up to `upto` from the log, in order."""
        while self.last_seq < upto:
            missed = await _missed(self.convoy_id, self.last_seq)
            if not missed:
                return
            for message in missed:
                await self.send_json(message)
                self.last_seq = message["seq"]

    # --- channel-layer messages ---

    async def convoy_event(self, message: dict[str, Any]) -> None:
        """A live event (convoys.events.event_group_message): relayed as the text it came as."""
        if self.pending:
            # Bounded: beyond the limit the gap is read from the log anyway.
            if len(self.buffer) < REPLAY_LIMIT:
                self.buffer.append(message)
            return
        await self._deliver(message)

    async def _deliver(self, message: dict[str, Any]) -> None:
        seq = message["seq"]
        if seq <= self.last_seq:
            return  # already sent by a replay
        if seq > self.last_seq + 1:
            await self._catch_up(seq)  # a publish was lost or is late: read the gap
        if seq == self.last_seq + 1:
            await self.send(text_data=message["text"])
            self.last_seq = seq
        if message["kind"] == "membership.left" and message["company_id"] in self.company_ids:
            await self._recheck_access()

    async def access_changed(self, message: dict[str, Any]) -> None:
        """This person left a company or lost a role: are they still allowed here?"""
        await self._recheck_access()

    async def _recheck_access(self) -> None:
        if not await _still_allowed(self.scope["user"], self.convoy_id):
            await self.close(code=CLOSE_FORBIDDEN)

    async def convoy_presence(self, message: dict[str, Any]) -> None:
        await self.send_json({"type": "presence", "people": message["people"]})

    async def _presence_touch(self, *, broadcast: bool, if_changed: bool = False) -> None:
        """Refresh this socket's presence entry. On heartbeats, announce the list only when it
        differs from the last one seen (someone's entry expired after a crash)."""
        # Presence is a nicety: a Redis hiccup must not cost the socket its events.
        try:
            await presence_store().touch(self.convoy_id, self.channel_name, self.presence_info)
            if broadcast:
                await self._presence_broadcast()
            elif if_changed:
                people = people_present(await presence_store().entries(self.convoy_id))
                if [(p["id"], p["tabs"]) for p in people] != self.present:
                    await self._presence_send(people)
        except Exception:
            logger.warning("presence: update for convoy %s failed", self.convoy_id, exc_info=True)

    async def _presence_broadcast(self) -> None:
        people = people_present(await presence_store().entries(self.convoy_id))
        await self.channel_layer.group_send(
            convoy_group(self.convoy_id), {"type": "convoy.presence", "people": people}
        )
