"""A bounded FIFO for tasks of one event loop: ``asyncio.Queue`` without what the outbound queue never uses.

Every message passes it twice (in and out), so it is kept lean: no ``task_done``/``join`` bookkeeping, a
``put_nowait``/``get_nowait`` that are a deque operation plus waking at most one waiter. The waiting and the
cancellation rules are ``asyncio.Queue``'s: a waiter woken but cancelled hands its turn to the next one.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Generic, TypeVar

__all__ = ["Channel", "ChannelFull"]

T = TypeVar("T")


class ChannelFull(Exception):
    """``put_nowait`` found the channel full."""


class Channel(Generic[T]):
    """At most ``maxsize`` items; ``await put()`` waits for room, ``await get()`` for an item."""

    __slots__ = ("_getters", "_items", "_putters", "maxsize")

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._items: deque[T] = deque()
        self._getters: deque[asyncio.Future[None]] = deque()
        self._putters: deque[asyncio.Future[None]] = deque()

    def __repr__(self) -> str:
        return f"<Channel {len(self._items)}/{self.maxsize} getters={len(self._getters)}>"

    def __len__(self) -> int:
        return len(self._items)

    def full(self) -> bool:
        """True when there is no room."""
        return len(self._items) >= self.maxsize

    def put_nowait(self, item: T) -> None:
        """Add ``item`` or raise `ChannelFull`."""
        if len(self._items) >= self.maxsize:
            raise ChannelFull
        self._items.append(item)
        if self._getters:
            _wake(self._getters)

    async def put(self, item: T) -> None:
        """Add ``item``, waiting for room first."""
        while len(self._items) >= self.maxsize:
            await _wait(self._putters, self._items, room=True, maxsize=self.maxsize)
        self.put_nowait(item)

    def get_nowait(self) -> T:
        """The oldest item; ``IndexError`` when empty."""
        item = self._items.popleft()
        if self._putters:
            _wake(self._putters)
        return item

    async def get(self) -> T:
        """The oldest item, waiting for one first."""
        while not self._items:
            await _wait(self._getters, self._items, room=False, maxsize=self.maxsize)
        return self.get_nowait()


def _wake(waiters: deque[asyncio.Future[None]]) -> None:
    while waiters:
        waiter = waiters.popleft()
        if not waiter.done():
            waiter.set_result(None)
            return


async def _wait(waiters: deque[asyncio.Future[None]], items: deque[T], *, room: bool, maxsize: int) -> None:
    waiter = asyncio.get_running_loop().create_future()
    waiters.append(waiter)
    try:
        await waiter
    except BaseException:
        waiter.cancel()
        try:
            waiters.remove(waiter)
        except ValueError:  # it was woken, then cancelled: hand the turn on if it is still there to take
            ready = len(items) < maxsize if room else bool(items)
            if ready and waiters:
                _wake(waiters)
        raise
