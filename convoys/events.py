"""The convoy event log (outbox): kinds, the convoy's group, recording and the wire shape.

A service records an Event in its own transaction; the message leaves for the convoy's channel
group only after commit. Publishing may fail (Redis down) without undoing the change: clients
recover missed events by seq from the log. The transport itself (group names, sending from
sync code, the publisher loop) is the platform's: `live`.
"""

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from companies.models import Company
from convoys.models import Convoy, Event, Membership
from live.groups import group_name
from live.publish import group_send_safely


class EventKind:
    MEMBERSHIP_JOINED = "membership.joined"
    MEMBERSHIP_LEFT = "membership.left"
    CONVOY_UPDATED = "convoy.updated"
    COMPANY_UPDATED = "company.updated"
    PROJECT_CREATED = "project.created"
    PROJECT_UPDATED = "project.updated"
    PROJECT_ARCHIVED = "project.archived"
    PROJECT_DELETED = "project.deleted"
    PROJECT_SHARED = "project.shared"
    PROJECT_UNSHARED = "project.unshared"
    MILESTONE_CREATED = "milestone.created"
    MILESTONE_COMPLETED = "milestone.completed"
    MILESTONE_UPDATED = "milestone.updated"
    MILESTONE_DELETED = "milestone.deleted"
    UPDATE_POSTED = "update.posted"
    UPDATE_EDITED = "update.edited"
    UPDATE_DELETED = "update.deleted"
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
    return group_name("convoy", convoy_id)


def actor_data(actor: User | None) -> dict[str, Any] | None:
    if actor is None:
        return None
    return {"id": actor.pk, "name": actor.display_name, "handle": actor.handle}


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
    convoy_ids = (
        Membership.objects.active()
        .filter(company_id=company_id)
        .values_list("convoy_id", flat=True)
    )
    return [
        event_record(convoy_id=cid, kind=kind, data=data, actor=actor) for cid in sorted(convoy_ids)
    ]


def company_updated_record(*, company: Company, actor: User, changed: list[str]) -> None:
    """A company's profile changed: every convoy it is in shows it (companies.hooks)."""
    event_record_for_company_convoys(
        company_id=company.pk,
        kind=EventKind.COMPANY_UPDATED,
        data={"company": {"id": company.pk, "name": company.name}},
        actor=actor,
    )


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
