"""Comment events reach an open convoy socket live, in seq order, each once, without text;
someone outside the convoy gets no socket (in-process consumer, in-memory channel layer)."""

import asyncio

import pytest
from channels.routing import URLRouter

from comments.services import comment_create, comment_delete, comment_update, reaction_toggle
from convoys.routing import websocket_urlpatterns
from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    ConvoyFactory,
    FacilitatorFactory,
    MembershipFactory,
    UpdateFactory,
    UserFactory,
)
from tests.support.sockets import WebsocketCommunicator

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_memory_layer")]


def communicator(convoy, user) -> WebsocketCommunicator:
    comm = WebsocketCommunicator(URLRouter(websocket_urlpatterns), f"/ws/convoys/{convoy.pk}/")
    comm.scope["user"] = user
    return comm


def conversation(convoy, update, writer, reader):
    """Each service call is its own transaction, as from the API."""
    first = comment_create(
        actor=writer, target_type="update", target_id=update.pk, body="Geheimer Text"
    )
    reply = comment_create(actor=reader, parent=first, body="Antwort")
    comment_update(actor=writer, comment=first, body="Geheimer Text, korrigiert")
    reaction_toggle(actor=reader, comment=first, emoji="👍")
    comment_delete(actor=reader, comment=reply)
    return first, reply


def test_comment_events_arrive_live_in_order():
    convoy = ConvoyFactory()
    company = CompanyFactory()
    writer, reader, outsider = UserFactory(), UserFactory(), UserFactory()
    CompanyMemberFactory(company=company, user=writer, role="owner")
    FacilitatorFactory(convoy=convoy, user=reader)
    MembershipFactory(convoy=convoy, company=company)
    update = UpdateFactory(convoy=convoy, company=company, author=writer)

    async def scenario():
        refused = communicator(convoy, outsider)
        connected, _code = await refused.connect()
        assert not connected
        comm = communicator(convoy, reader)
        assert (await comm.connect())[0]
        await comm.send_json_to({"type": "resume", "after": 0})
        while (await comm.receive_json_from(timeout=3))["type"] != "live":
            pass
        made = await asyncio.to_thread(conversation, convoy, update, writer, reader)
        events = []
        while len(events) < 5:
            message = await comm.receive_json_from(timeout=3)
            if message["type"] == "event":
                events.append(message)
        # Nothing more but the presence list (coalesced, so it may come late).
        while not await comm.receive_nothing(timeout=0.4):
            assert (await comm.receive_json_from())["type"] == "presence"
        await comm.disconnect()
        return made, events

    (first, reply), events = asyncio.run(scenario())
    assert [(e["seq"], e["kind"], e["data"]["comment"]["id"]) for e in events] == [
        (1, "comment.created", first.pk),
        (2, "comment.created", reply.pk),
        (3, "comment.updated", first.pk),
        (4, "reaction.changed", first.pk),
        (5, "comment.deleted", reply.pk),
    ]
    assert events[1]["data"]["comment"]["parent"] == first.pk
    assert "Geheimer" not in str(events) and "Antwort" not in str(events)
