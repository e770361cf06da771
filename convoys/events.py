"""The convoy event log (outbox): kinds, group names, recording and publishing.

A service records an Event in its own transaction; the message leaves for the convoy's channel
group only after commit. Publishing may fail (Redis down) without undoing the change: clients
recover missed events by seq from the log.
"""

import asyncio
import json
import logging
import os
import threading
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from convoys.models import Convoy, Event, Membership, MembershipStatus

logger = logging.getLogger(__name__)


class EventKind:
    MEMBERSHIP_JOINED = "membership.joined"
    MEMBERSHIP_LEFT = "membership.left"
    CONVOY_UPDATED = "convoy.updated"
    COMPANY_UPDATED = "company.updated"
    PROJECT_CREATED = "project.created"
    PROJECT_UPDATED = "project.updated"
    MILESTONE_CREATED = "milestone.created"
    MILESTONE_COMPLETED = "milestone.completed"
    MILESTONE_UPDATED = "milestone.updated"
    UPDATE_POSTED = "update.posted"
    CHECKIN_SCHEDULED = "checkin.scheduled"
    CHECKIN_UPDATED = "checkin.updated"
    CHECKIN_CANCELLED = "checkin.cancelled"
    CHECKIN_NOTES_POSTED = "checkin.notes_posted"
    CHECKIN_REPORT_FILED = "checkin.report_filed"
    RSVP_CHANGED = "rsvp.changed"
    COMMENT_CREATED = "comment.created"
    COMMENT_UPDATED = "comment.updated"
    COMMENT_DELETED = "comment.deleted"
    COMMENT_HIDDEN = "comment.hidden"
    REACTION_CHANGED = "reaction.changed"


def convoy_group(convoy_id: int) -> str:
    """Channel-layer group of a convoy's live subscribers."""
    return f"convoy.{convoy_id}"


def user_group(user_id: int) -> str:
    """Channel-layer group of one person's sockets (notifications, membership changes)."""
    return f"user.{user_id}"


def access_group(user_id: int) -> str:
    """Group of one person's convoy sockets, told when their access may have changed."""
    return f"user.{user_id}.access"


def actor_data(actor: User | None) -> dict[str, Any] | None:
    if actor is None:
        return None
    return {"id": actor.pk, "name": actor.name, "handle": actor.handle}


def event_message(event: Event, actor: User | None = None) -> dict[str, Any]:
    """The one wire shape of an event, used by the socket and the events endpoint."""
    return {
        "type": "event",
        "seq": event.seq,
        "kind": event.kind,
        "data": event.data,
        "actor": actor_data(actor if actor is not None else event.actor),
        "at": event.at.isoformat(),
    }


def _seq_allocate(convoy_id: int) -> int:
    # One UPDATE … RETURNING: takes the convoy row lock until commit, so seqs are handed out
    # and become visible in the same order, with no gaps from rolled-back writers.
    table = Convoy._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_event_seq = last_event_seq + 1 "  # noqa: S608
            "WHERE id = %s RETURNING last_event_seq",
            [convoy_id],
        )
        row = cursor.fetchone()
    if row is None:
        raise Convoy.DoesNotExist(convoy_id)
    return int(row[0])


def event_record(*, convoy_id: int, kind: str, data: dict[str, Any], actor: User | None) -> Event:
    """Append an event to a convoy's log; publish it after the surrounding commit."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_record must run inside the transaction of its change")
    event = Event.objects.create(
        convoy_id=convoy_id,
        seq=_seq_allocate(convoy_id),
        kind=kind,
        data=data,
        actor=actor,
        at=timezone.now(),
    )
    message = event_message(event, actor)
    transaction.on_commit(lambda: event_publish(convoy_id=convoy_id, message=message))
    return event


def event_record_for_company_convoys(
    *, company_id: int, kind: str, data: dict[str, Any], actor: User | None
) -> list[Event]:
    """Record the same event in every convoy where the company is an active member."""
    convoy_ids = Membership.objects.filter(
        company_id=company_id, status=MembershipStatus.ACTIVE
    ).values_list("convoy_id", flat=True)
    return [
        event_record(convoy_id=cid, kind=kind, data=data, actor=actor) for cid in sorted(convoy_ids)
    ]


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
    """Send to a channel-layer group from sync code. Never raises: the log is the truth, and
    a client that missed a message catches up by seq."""
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


def event_group_message(message: dict[str, Any]) -> dict[str, Any]:
    """The channel-layer message of one event. The wire text is serialised here, once; every
    consumer relays it as is (no per-subscriber work), reading only seq, kind and company."""
    company = message["data"].get("company") if isinstance(message["data"], dict) else None
    return {
        "type": "convoy.event",
        "seq": message["seq"],
        "kind": message["kind"],
        "company_id": company.get("id") if isinstance(company, dict) else None,
        "text": json.dumps(message, cls=DjangoJSONEncoder),
    }


def event_publish(*, convoy_id: int, message: dict[str, Any]) -> None:
    """Send one serialised event to the convoy's group (one send, whatever the audience)."""
    group_send_safely(convoy_group(convoy_id), event_group_message(message))


def access_changed_on_commit(*, user_id: int) -> None:
    """After commit, ask this person's open sockets to re-check what they may still see."""
    transaction.on_commit(
        lambda: group_send_safely(access_group(user_id), {"type": "access.changed"})
    )
