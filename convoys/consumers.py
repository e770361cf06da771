"""The live convoy feed: /ws/convoys/<id>/.

Protocol (JSON):
  connect to /ws/convoys/<id>/?after=N, or connect and send {"type": "resume", "after": N}
  as the first message (live events wait until then, at most RESUME_WAIT seconds)
  server → {"type": "event", "seq", "kind", "data", "actor", "at"}   each seq once, ascending
  client → {"type": "resume", "after": N}   replay everything after N from the log, then live
  server → {"type": "live", "seq": N}      caught up to N; what follows is live
  server → {"type": "refetch", "seq": N, "reason"}   cursor unusable: reload state, resume at N
  server → {"type": "presence", "people": [...]}      who is looking at the convoy
  server → {"type": "regions", "seq": N, "regions": {id: html}}   a dashboard's regions after
           event N (only with ?regions=1&lang=xx; frontend.live_push), after the event itself
  client → {"type": "ping"} → {"type": "pong", "seq": N}   heartbeat; also closes tail gaps
  server → {"type": "error", "reason"}     a frame that is not a small JSON text was ignored

Channels dispatches one message at a time per consumer, so live events that arrive while a
replay is being read wait in the channel and are de-duplicated by seq afterwards; a live event
that skips seqs (a publish that failed, a full channel) triggers a replay of the gap from the
log.

Access: checked on connect with the API's selector. Afterwards every event reaches the client
through one gate, _emit(). Reads from the log (replay, resume, ping, gap filling) are bounded
by the convoy's seq as seen in the same statement that confirms the person's access, so they
can never return an event recorded after the person lost access; a live event that ends a
membership is sent only after access is re-checked. A socket that loses access is closed and
sends nothing more.
"""

import asyncio
import json
import logging
import re
import time
from collections.abc import Awaitable
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from accounts.consumers import CredentialsMixin
from convoys.events import EventKind, convoy_group, event_message
from convoys.models import Convoy
from convoys.presence import people_present, presence_announcer, presence_store
from convoys.selectors import (
    convoy_company_members,
    convoys_for_user,
    events_after,
    is_facilitator,
)
from live.fanout import hub
from live.groups import access_group
from live.publish import server_loop_remember

logger = logging.getLogger(__name__)

REPLAY_LIMIT = 1000
RESUME_WAIT = 2.0  # seconds a fresh socket holds live events for the client's resume
CLOSE_FORBIDDEN = 4403
MAX_FRAME_CHARS = 4096  # client messages are a few dozen characters
# Pings and resumes beyond PING_LIMIT per PING_WINDOW seconds are ignored (no database, no
# Redis): the browser pings every 20 s and resumes once, so this only stops a client that floods.
PING_LIMIT = 10
PING_WINDOW = 10.0
# Kinds after which a socket may no longer be allowed: re-checked before they are sent.
ENDS_ACCESS = frozenset({EventKind.MEMBERSHIP_LEFT})
_CURSOR = re.compile(r"[0-9]{1,18}")


def parse_cursor(value: Any) -> int | None:
    """A seq or id cursor from a query string or a JSON message; None if it is not one.

    Only ASCII digits, at most 18: int() accepts other Unicode digits or raises on some
    ('²'), refuses more than 4,300 digits, and anything above a bigint is no cursor anyway.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value < 10**18 else None
    if isinstance(value, str) and _CURSOR.fullmatch(value):
        return int(value)
    return None


def query_param(scope: dict[str, Any], name: str) -> str | None:
    # latin-1 decodes any byte: a raw non-UTF-8 query string must not crash the connect.
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get(name)
    return values[0] if values else None


@database_sync_to_async
def _access(user: Any, convoy_id: int) -> dict[str, Any] | None:
    """The convoy's current seq and the person's companies in it, or None if not allowed."""
    row = convoys_for_user(user=user).filter(pk=convoy_id).values("last_event_seq").first()
    if row is None:
        return None
    companies = list(
        convoy_company_members(convoy_id=convoy_id)
        .filter(user=user)
        .values("company_id", "company__name")
    )
    return {
        "seq": row["last_event_seq"],
        "company_names": sorted(c["company__name"] for c in companies),
        "facilitator": is_facilitator(user=user, convoy_id=convoy_id),
    }


def _head_for(user: Any, convoy_id: int) -> int | None:
    # One statement: the access decision and the seq come from the same snapshot. A removal
    # commits its membership change and its event's seq together, so while the person is
    # still allowed here, the removal's seq is above the returned head.
    return (
        convoys_for_user(user=user)
        .filter(pk=convoy_id)
        .values_list("last_event_seq", flat=True)
        .first()
    )


@database_sync_to_async
def _head_if_allowed(user: Any, convoy_id: int) -> int | None:
    """The convoy's newest seq if the person may still see the convoy, else None."""
    return _head_for(user, convoy_id)


@database_sync_to_async
def _log_page(user: Any, convoy_id: int, after: int) -> tuple[int, list[dict[str, Any]]] | None:
    """The next events after `after` that this person may see, or None if they lost access.

    Bounded by the head read together with the access check, so nothing recorded after the
    person lost access is ever returned, whatever happens between the two queries.
    """
    head = _head_for(user, convoy_id)
    if head is None:
        return None
    events = events_after(convoy=Convoy(pk=convoy_id), after=after).filter(seq__lte=head)
    return head, [event_message(e) for e in events[:REPLAY_LIMIT]]


def _language(value: str | None) -> str:
    """The page's language as the socket was told it; the default for anything else."""
    return value if value in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _region_push() -> Any:
    # Imported on first use: frontend's live views import this module.
    from frontend.live_push import region_push

    return region_push


class CleanDisconnectMixin:
    """Run disconnect() also when the client vanished while a message was being sent to it.

    A channel-layer message handled after the client's close frame, but before the server's
    websocket.disconnect, makes send() raise ClientDisconnected (an OSError), which ASGI servers
    swallow: the consumer would end without disconnect(), leaving its groups and its presence
    entry behind.

    Messages named in `FANOUT_MESSAGES` skip Channels' `aclose_old_connections()`: that call
    hops to the one sync thread of the process before every handler, so on the fan-out path it
    cost a thread round trip per event per subscriber (at 500 sockets, 10,000 a second through
    one thread: the live feed fell behind without bound). Those handlers touch the database
    only through database_sync_to_async, which closes stale connections itself.
    """

    FANOUT_MESSAGES: frozenset[str] = frozenset()

    async def dispatch(self, message: dict[str, Any]) -> None:
        try:
            if message["type"] in self.FANOUT_MESSAGES:
                await getattr(self, message["type"].replace(".", "_"))(message)
            else:
                await super().dispatch(message)  # type: ignore[misc]
        except OSError:
            await self.disconnect(1006)  # type: ignore[attr-defined]
            raise StopConsumer() from None


class SafeJsonMixin:
    """Parse client frames defensively.

    AsyncJsonWebsocketConsumer raises on a binary frame, on text that is not JSON and on JSON
    nested deeper than the recursion limit; the exception ends the consumer without
    disconnect() (close 1006, a ghost in presence). Such a frame, or one longer than any
    message of the protocol, is answered with an error frame and otherwise ignored.
    """

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        if text_data is None or len(text_data) > MAX_FRAME_CHARS:
            await self.send_json({"type": "error", "reason": "invalid message"})  # type: ignore[attr-defined]
            return
        try:
            content = json.loads(text_data)
        except (ValueError, RecursionError):
            await self.send_json({"type": "error", "reason": "invalid message"})  # type: ignore[attr-defined]
            return
        await self.receive_json(content, **kwargs)  # type: ignore[attr-defined]


class ConvoyConsumer(
    CredentialsMixin, SafeJsonMixin, CleanDisconnectMixin, AsyncJsonWebsocketConsumer
):
    convoy_id: int
    last_seq: int
    FANOUT_MESSAGES = frozenset({"convoy.event", "convoy.presence"})

    async def connect(self) -> None:
        server_loop_remember()
        user = self.scope.get("user")
        self.convoy_id = int(self.scope["url_route"]["kwargs"]["convoy_id"])
        self.joined = False
        self.forbidden = False
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
        self.pings: list[float] = []
        # A dashboard asks for its live regions, rendered once per (event, language) for
        # every socket of that variant (frontend.live_push); the role is the one checked here.
        self.regions_page = query_param(self.scope, "regions") == "1"
        if self.regions_page:
            self.variant = (
                "facilitator" if access["facilitator"] else "member",
                _language(query_param(self.scope, "lang")),
            )
        self.presence_info = {
            "id": user.pk,
            "name": user.name,
            "handle": user.handle,
            "companies": access["company_names"],
        }
        # The convoy's group is joined once per process (live.fanout); events reach this
        # socket through fanout() below.
        await hub.join(self.channel_layer, convoy_group(self.convoy_id), self)
        await self.channel_layer.group_add(access_group(user.pk), self.channel_name)
        await self.credentials_watch()
        self.joined = True
        await self.accept()
        after = query_param(self.scope, "after")
        if after:
            await self._resume(parse_cursor(after))
        else:
            self._timer = asyncio.get_running_loop().call_later(
                RESUME_WAIT,
                lambda: asyncio.ensure_future(
                    self.channel_layer.send(self.channel_name, {"type": "resume.timeout"})
                ),
            )
        if not self.forbidden:
            await self._presence_touch(broadcast=True)

    async def disconnect(self, code: int) -> None:
        if not getattr(self, "joined", False):
            return
        self.joined = False
        if getattr(self, "_timer", None) is not None:
            self._timer.cancel()
        await self._leave_groups()
        try:
            await presence_store().remove(self.convoy_id, self.channel_name)
            self._presence_announce()
        except Exception:
            logger.warning("presence: leaving convoy %s failed", self.convoy_id, exc_info=True)

    async def _leave_groups(self) -> None:
        await hub.leave(convoy_group(self.convoy_id), self)
        await self.channel_layer.group_discard(
            access_group(self.scope["user"].pk), self.channel_name
        )
        await self.credentials_unwatch()

    # --- client messages ---

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict) or self.forbidden:
            return
        kind = content.get("type")
        if kind not in {"resume", "ping"} or not await self._within_rate():
            return
        if kind == "resume":
            await self._resume(parse_cursor(content.get("after")))
        else:
            await self._ping()

    async def _within_rate(self) -> bool:
        now = time.monotonic()
        self.pings = [t for t in self.pings if now - t < PING_WINDOW]
        if len(self.pings) >= PING_LIMIT:
            if len(self.pings) == PING_LIMIT:  # say it once per flood, then stay silent
                self.pings.append(now)
                await self.send_json({"type": "error", "reason": "too many messages"})
            return False
        self.pings.append(now)
        return True

    async def _ping(self) -> None:
        await self._presence_touch(broadcast=False, if_changed=True)
        head = await _head_if_allowed(self.scope["user"], self.convoy_id)
        if head is None:
            await self._forbid()
            return
        if await self._catch_up(head):
            await self.send_json({"type": "pong", "seq": self.last_seq})

    async def _resume(self, after: int | None) -> None:
        head = await _head_if_allowed(self.scope["user"], self.convoy_id)
        if head is None:
            await self._forbid()
            return
        if after is None or after > head:
            await self._refetch(head, "invalid cursor")
            return
        if head - after > REPLAY_LIMIT:
            await self._refetch(head, "cursor too old")
            return
        self.last_seq = after
        if await self._catch_up(head):
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
            if self.forbidden:
                return
        await self.send_json({"type": "live", "seq": self.last_seq})

    async def resume_timeout(self, message: dict[str, Any]) -> None:
        if self.pending and not self.forbidden:
            await self._go_live()

    async def _catch_up(self, upto: int) -> bool:
        """Send every event after last_seq up to `upto` from the log, in order.

        False if the person has lost access (the socket is then closed).
        """
        while self.last_seq < upto:
            page = await _log_page(self.scope["user"], self.convoy_id, self.last_seq)
            if page is None:
                await self._forbid()
                return False
            _head, messages = page
            messages = [m for m in messages if m["seq"] <= upto]
            if not messages:
                return True
            for message in messages:
                # The page is bounded by a head read together with the access check.
                await self._emit(
                    message["seq"], message["kind"], await self.encode_json(message), checked=True
                )
        return True

    async def _emit(self, seq: int, kind: str, text: str, *, checked: bool) -> None:
        """The one way an event reaches the client: in seq order, once, never after the
        person lost access. `checked`: the event came from an access-bounded log read."""
        if self.forbidden or seq <= self.last_seq:
            return
        # Someone's membership ended. Re-check before sending: if it was this person's,
        # neither this event nor any later one may reach them.
        if (
            kind in ENDS_ACCESS
            and not checked
            and await _head_if_allowed(self.scope["user"], self.convoy_id) is None
        ):
            await self._forbid()
            return
        await self.send(text_data=text)
        self.last_seq = seq

    async def still_allowed(self) -> bool:
        """The periodic re-check (CredentialsMixin): still allowed in this convoy? It catches
        what a lost publish would leave open, e.g. someone removed from their company."""
        return await _head_if_allowed(self.scope["user"], self.convoy_id) is not None

    async def access_lost(self, *, code: int | None) -> None:
        await self._forbid(code=code or CLOSE_FORBIDDEN)

    async def _forbid(self, code: int = CLOSE_FORBIDDEN) -> None:
        """Access is gone: stop everything, then close."""
        if self.forbidden:
            return
        self.forbidden = True
        self.pending = False
        self.buffer = []
        # Leave the groups at once: the close handshake takes a round trip.
        await self._leave_groups()
        await self.close(code=code)

    # --- the convoy's messages, from the process's one subscription (live.fanout) ---

    _busy = 0  # handlers of this consumer running now

    async def dispatch(self, message: dict[str, Any]) -> None:
        self._busy += 1
        try:
            await super().dispatch(message)
        finally:
            self._busy -= 1

    def fanout(self, message: dict[str, Any]) -> Awaitable[None] | None:
        """Called by the fan-out for every message to the convoy's group; never blocks.

        The fast path (the next seq, the socket live and idle, a kind that cannot end access)
        sends the pre-serialised frame at once. Anything else goes to this consumer's own
        channel and takes the ordered path of convoy_event() (buffering, de-duplication, gap
        filling, the access re-check), behind whatever it is doing now.
        """
        if self.forbidden:
            return None
        if message["type"] == "convoy.presence":
            if not self.joined:
                return None
            self.present = [(p["id"], p["tabs"]) for p in message["people"]]
            return self.base_send({"type": "websocket.send", "text": message["text"]})
        if message["type"] == "convoy.regions":  # a dashboard's regions (frontend.live_push)
            if self.regions_page and self.joined:
                _region_push().arrived(self, message)
            return None
        if message["type"] != "convoy.event" or message["seq"] <= self.last_seq:
            return None
        if (
            self._busy
            or not self.joined  # still connecting: the ordered path buffers it
            or self.pending
            or message["seq"] != self.last_seq + 1
            or message["kind"] in ENDS_ACCESS
        ):
            return self.channel_layer.send(self.channel_name, message)
        self.last_seq = message["seq"]
        if self.regions_page:
            _region_push().want(self, message)
        return self.base_send({"type": "websocket.send", "text": message["text"]})

    # --- channel-layer messages ---

    async def convoy_event(self, message: dict[str, Any]) -> None:
        """A live event (convoys.events.event_group_message): relayed as the text it came as."""
        if self.forbidden:
            return
        if self.pending:
            # Bounded: beyond the limit the gap is read from the log anyway.
            if len(self.buffer) < REPLAY_LIMIT:
                self.buffer.append(message)
            return
        await self._deliver(message)

    async def _deliver(self, message: dict[str, Any]) -> None:
        seq = message["seq"]
        if seq <= self.last_seq:
            return  # already sent by an (access-bounded) replay
        if seq > self.last_seq + 1 and not await self._catch_up(seq - 1):
            return  # a publish was lost or is late: the gap was read from the log
        await self._emit(seq, message["kind"], message["text"], checked=False)

    async def access_changed(self, message: dict[str, Any]) -> None:
        """This person left a company or gained or lost a role: are they still allowed here,
        and in which role do they get the dashboard's regions?"""
        if self.forbidden:
            return
        access = await _access(self.scope["user"], self.convoy_id)
        if access is None:
            await self._forbid()
        elif self.regions_page:
            self.variant = ("facilitator" if access["facilitator"] else "member", self.variant[1])

    async def convoy_presence(self, message: dict[str, Any]) -> None:
        """Who is present (coalesced, see presence_announce): relayed as the text it came as."""
        if not self.forbidden:
            self.present = [(p["id"], p["tabs"]) for p in message["people"]]
            await self.send(text_data=message["text"])

    async def _presence_touch(self, *, broadcast: bool, if_changed: bool = False) -> None:
        """Refresh this socket's presence entry. On heartbeats, announce the list to everyone
        when it differs from the last one seen here (someone's entry expired after a crash)."""
        # Presence is a nicety: a Redis hiccup must not cost the socket its events.
        try:
            await presence_store().touch(self.convoy_id, self.channel_name, self.presence_info)
            if broadcast:
                self._presence_announce()
            elif if_changed:
                people = people_present(await presence_store().entries(self.convoy_id))
                if [(p["id"], p["tabs"]) for p in people] != self.present:
                    # This socket hears it at once (before its pong), the others coalesced.
                    self.present = [(p["id"], p["tabs"]) for p in people]
                    await self.send_json({"type": "presence", "people": people})
                    self._presence_announce()
        except Exception:
            logger.warning("presence: update for convoy %s failed", self.convoy_id, exc_info=True)

    def _presence_announce(self) -> None:
        """Ask for one announcement of who is present to the whole convoy. Coalesced per
        process: N sockets connecting together cause a few announcements, not N."""
        layer, group = self.channel_layer, convoy_group(self.convoy_id)

        async def announce(people: list[dict[str, Any]]) -> None:
            text = json.dumps({"type": "presence", "people": people})
            await layer.group_send(
                group, {"type": "convoy.presence", "people": people, "text": text}
            )

        presence_announcer.request(self.convoy_id, announce)
