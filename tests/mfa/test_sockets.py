"""WebSockets: a login session that owes its second factor opens none."""

import asyncio

import pytest
from channels.routing import URLRouter
from django.conf import settings
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from config.ws_auth import websocket_auth_stack
from notifications.routing import websocket_urlpatterns
from tests.factories import UserFactory
from tests.mfa.helpers import enrol
from tests.support.sockets import WebsocketCommunicator


def _connects(session_key: str) -> bool:
    async def scenario() -> bool:
        comm = WebsocketCommunicator(
            websocket_auth_stack(URLRouter(websocket_urlpatterns)),
            "/ws/notifications/",
            headers=[(b"cookie", f"{settings.SESSION_COOKIE_NAME}={session_key}".encode())],
        )
        connected, _code = await comm.connect()
        if connected:
            await comm.disconnect()
        return connected

    return asyncio.run(scenario())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("in_memory_layer")
def test_an_unverified_session_opens_no_socket():
    user = UserFactory()
    device, _codes = enrol(user)
    client = Client()
    client.force_login(user)
    session = client.session
    assert _connects(session.session_key) is False
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    assert _connects(session.session_key) is True


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("in_memory_layer")
def test_a_session_that_must_set_one_up_opens_no_socket(settings):
    settings.MFA_REQUIRED_FOR = ["admin"]
    staff = UserFactory(is_staff=True)
    client = Client()
    client.force_login(staff)
    assert _connects(client.session.session_key) is False
    settings.MFA_REQUIRED_FOR = []
    assert _connects(client.session.session_key) is True
