"""In-process socket helpers (channels' WebsocketCommunicator)."""

import json


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
