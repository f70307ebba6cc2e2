"""Channel: the outbound queue's bounded FIFO (asyncio.Queue's waiting and cancellation rules, leaner)."""

from __future__ import annotations

import asyncio

import pytest

from wa_async._channel import Channel, ChannelFull


async def test_fifo_and_room() -> None:
    ch: Channel[int] = Channel(2)
    ch.put_nowait(1)
    ch.put_nowait(2)
    assert ch.full() and len(ch) == 2
    with pytest.raises(ChannelFull):
        ch.put_nowait(3)
    assert [ch.get_nowait(), ch.get_nowait()] == [1, 2]
    with pytest.raises(IndexError):
        ch.get_nowait()


async def test_get_waits_for_an_item_and_put_for_room() -> None:
    ch: Channel[str] = Channel(1)
    getter = asyncio.create_task(ch.get())
    await asyncio.sleep(0)
    assert not getter.done()
    await ch.put("a")
    assert await getter == "a"
    await ch.put("b")
    putter = asyncio.create_task(ch.put("c"))
    await asyncio.sleep(0)
    assert not putter.done()  # no room
    assert await ch.get() == "b"
    await putter
    assert ch.get_nowait() == "c"


async def test_a_cancelled_waiter_hands_its_turn_on() -> None:
    ch: Channel[int] = Channel(5)
    first = asyncio.create_task(ch.get())
    second = asyncio.create_task(ch.get())
    await asyncio.sleep(0)
    ch.put_nowait(1)  # wakes the first getter...
    first.cancel()  # ...which is cancelled before it runs: the item must reach the second
    assert await second == 1
    with pytest.raises(asyncio.CancelledError):
        await first
    assert len(ch) == 0
