"""Rate limiters: the :class:`Limiter` protocol and the in-process :class:`LocalLimiter`.

Every request the client makes passes ``await limiter.acquire()`` first; an account-wide "slow down" from the
server becomes ``await limiter.pause(seconds)``, which holds back every later ``acquire()``.
"""

from __future__ import annotations

import asyncio
from typing import Protocol, runtime_checkable

from aiolimiter import AsyncLimiter

__all__ = ["SPACING_GUARD", "Limiter", "LocalLimiter", "UnlimitedLimiter"]

SPACING_GUARD = 1.01
"""Requests are spaced 1% wider than ``1 / rate``, so that network jitter (a request that leaves late, the next
one on time) never lets the server's sliding 1-second window see ``rate + 1``."""


@runtime_checkable
class Limiter(Protocol):
    """What the client needs of a rate limiter."""

    async def acquire(self) -> None:
        """Wait until one more request may be sent, and count it."""
        ...

    async def pause(self, seconds: float) -> None:
        """Hold back every ``acquire()`` for ``seconds`` from now (the server said to slow down)."""
        ...


class _Pausable:
    """The pause bookkeeping shared by the local limiters: a deadline on the loop clock."""

    __slots__ = ("_paused_until",)

    def __init__(self) -> None:
        self._paused_until = 0.0

    async def pause(self, seconds: float) -> None:
        """Hold back every ``acquire()`` for ``seconds`` from now; a longer pause already set is kept."""
        if seconds > 0:
            until = asyncio.get_running_loop().time() + seconds
            self._paused_until = max(self._paused_until, until)

    async def _wait_pause(self) -> None:
        loop = asyncio.get_running_loop()
        while (delay := self._paused_until - loop.time()) > 0:
            await asyncio.sleep(delay)

    @property
    def paused_for(self) -> float:
        """Seconds left of the current pause (0 when not paused)."""
        try:
            now = asyncio.get_running_loop().time()
        except RuntimeError:
            return 0.0
        return max(0.0, self._paused_until - now)


class LocalLimiter(_Pausable):
    """An in-process limiter: ``rate`` requests per second, at most ``burst`` back to back.

    With the default ``burst=1`` requests are evenly spaced ``1.01 / rate`` apart, so no sliding 1-second window
    ever holds more than ``rate`` of them, from the very first request on (aiolimiter's usual
    ``AsyncLimiter(rate, 1)`` lets a whole second's worth through at once)::

        limiter = LocalLimiter(10)
        for body in bodies:
            await limiter.acquire()
            await post(body)
    """

    __slots__ = ("_bucket", "burst", "rate")

    def __init__(self, rate: float, burst: int = 1) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be > 0, got {rate!r}")
        if burst < 1:
            raise ValueError(f"burst must be >= 1, got {burst!r}")
        super().__init__()
        self.rate = float(rate)
        self.burst = int(burst)
        # A leaky bucket of capacity `burst` that drains `rate / SPACING_GUARD` per second.
        self._bucket = AsyncLimiter(self.burst, self.burst * SPACING_GUARD / self.rate)

    async def acquire(self) -> None:
        """Wait for the pause (if any) to end and for room in the bucket."""
        if self._paused_until:
            await self._wait_pause()
        await self._bucket.acquire()

    def __repr__(self) -> str:
        return f"<LocalLimiter rate={self.rate} burst={self.burst} paused_for={self.paused_for:.3f}s>"


class UnlimitedLimiter(_Pausable):
    """No rate limit (``rate_limit=None``), but still honours ``pause()`` from server throttling."""

    __slots__ = ()

    async def acquire(self) -> None:
        """Return at once unless paused."""
        if self._paused_until:
            await self._wait_pause()

    def __repr__(self) -> str:
        return f"<UnlimitedLimiter paused_for={self.paused_for:.3f}s>"
