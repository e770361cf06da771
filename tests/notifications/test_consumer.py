"""/ws/notifications/ in-process: own stream only, live pushes, resume after an id."""

import asyncio
import threading

import pytest
from channels.routing import URLRouter
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction

from notifications.models import Notification
from notifications.routing import websocket_urlpatterns
from notifications.services import notify
from tests.factories import UserFactory
from tests.support.sockets import WebsocketCommunicator

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_memory_layer")]


def communicator(user, query: str = "") -> WebsocketCommunicator:
    comm = WebsocketCommunicator(URLRouter(websocket_urlpatterns), f"/ws/notifications/{query}")
    comm.scope["user"] = user
    return comm


def mention(recipient, actor, excerpt="Hallo") -> None:
    try:
        with transaction.atomic():
            notify(
                recipient_ids=[recipient.pk],
                kind="mention",
                actor=actor,
                convoy_id=None,
                data={"excerpt": excerpt, "target_title": "Update"},
            )
    finally:
        if threading.current_thread() is not threading.main_thread():
            connection.close()  # a worker thread's connection would outlive the test


def test_anonymous_is_refused():
    async def scenario():
        comm = communicator(AnonymousUser())
        connected, code = await comm.connect()
        return connected, code

    connected, code = asyncio.run(scenario())
    assert not connected and code == 4403


def test_live_push_reaches_only_the_recipient_and_resume_replays_missed():
    reader, other, actor = UserFactory(), UserFactory(), UserFactory(name="Ada")
    mention(reader, actor, "vorher")
    first = Notification.objects.get().pk

    async def scenario():
        mine = communicator(reader, f"?after={first}")
        theirs = communicator(other)
        assert (await mine.connect())[0] and (await theirs.connect())[0]
        assert await mine.receive_nothing(timeout=0.2)  # nothing after `first` yet
        await asyncio.to_thread(mention, reader, actor, "live")
        live = await mine.receive_json_from(timeout=3)
        assert await theirs.receive_nothing(timeout=0.3)
        await mine.disconnect()
        await asyncio.to_thread(mention, reader, actor, "verpasst")
        again = communicator(reader, f"?after={live['id']}")
        await again.connect()
        missed = await again.receive_json_from(timeout=3)
        await again.disconnect()
        await theirs.disconnect()
        return live, missed

    live, missed = asyncio.run(scenario())
    assert live["type"] == "notification" and live["unread"] == 2
    assert "live" in live["title"]
    assert "verpasst" in missed["title"] and missed["id"] > live["id"]
