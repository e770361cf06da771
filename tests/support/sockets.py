"""In-process socket helpers (channels' WebsocketCommunicator)."""

import json

from channels.testing import WebsocketCommunicator as ChannelsCommunicator


class WebsocketCommunicator(ChannelsCommunicator):
    """channels' communicator with a connect timeout a busy two-core CI survives.

    channels waits one second for the accept; under a full suite on two cores the
    first database query of a consumer can take longer, and a flaky refusal says
    nothing about the code.
    """

    async def connect(self, timeout: float = 10):
        return await super().connect(timeout=timeout)


async def drain_until_closed(comm, timeout: float = 3) -> tuple[list[dict], int | None]:
    """Everything the socket sends until it is closed; (messages, close code or None)."""
    messages = []
    while True:
        try:
            output = await comm.receive_output(timeout=timeout)
        except TimeoutError:
            return messages, None
        if output["type"] == "websocket.close":
            return messages, output.get("code")
        messages.append(json.loads(output["text"]))
