"""Real ASGI server processes and real WebSocket clients, on PostgreSQL and Redis.

The servers are separate processes (uvicorn) sharing the test database and a Redis channel
layer, as in the scaled deployment. Data is arranged in the test process with
`transactional_db`, so the servers see it committed. The helpers (Server, Redis databases,
ports) are in tests.support.live.
"""

from collections.abc import Iterator

import pytest

from tests.support.live import REDIS_URL, Server, require_live_services


@pytest.fixture(scope="module")
def servers(django_db_setup, django_db_blocker) -> Iterator[list[Server]]:
    """Two server processes behind the same Redis channel layer."""
    require_live_services()
    started = [Server(REDIS_URL), Server(REDIS_URL)]
    yield started
    for server in started:
        server.stop()
