"""live.fanout.send_now: a send that can complete at once does so, one that must wait (a
client whose buffer is full) goes on by itself without holding up the sockets after it, and a
failed send is logged, never raised into the fan-out loop."""

import asyncio
import logging

from live.fanout import _waiting, send_now


def test_a_send_that_need_not_wait_is_done_before_send_now_returns():
    sent = []

    async def send():
        sent.append("frame")

    async def scenario():
        send_now(send())
        assert sent == ["frame"]  # no await in between: done at once, no task
        assert not _waiting

    asyncio.run(scenario())


def test_a_send_that_must_wait_does_not_hold_up_the_next_one():
    order = []

    async def scenario():
        drained = asyncio.Event()

        async def slow():  # a client that stopped reading: its buffer drains later
            order.append("slow begins")
            await drained.wait()
            order.append("slow ends")

        async def fast():
            order.append("fast")

        send_now(slow())
        send_now(fast())
        assert order == ["slow begins", "fast"]
        assert len(_waiting) == 1
        drained.set()
        for _ in range(5):
            await asyncio.sleep(0)
        assert order == ["slow begins", "fast", "slow ends"]
        assert not _waiting

    asyncio.run(scenario())


def test_failed_sends_are_logged_not_raised(caplog):
    async def gone_at_once():
        raise OSError("client gone")

    async def gone_later():
        await asyncio.sleep(0)
        raise OSError("client gone")

    async def scenario():
        send_now(gone_at_once())
        send_now(gone_later())
        for _ in range(5):
            await asyncio.sleep(0)
        assert not _waiting

    with caplog.at_level(logging.DEBUG, logger="live.fanout"):
        asyncio.run(scenario())
    assert sum("a send failed" in r.getMessage() for r in caplog.records) == 2
