"""Rate limiters: the [`Limiter`][wa_async.Limiter] protocol and the in-process [`LocalLimiter`][wa_async.LocalLimiter].

Every request the client makes passes ``await limiter.acquire()`` first; an account-wide "slow down" from the
server becomes ``await limiter.pause(seconds)``, which holds back every later ``acquire()``.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from typing import Protocol, runtime_checkable

__all__ = ["LATENESS_HALF_LIFE", "SPACING_GUARD", "Lateness", "Limiter", "LocalLimiter", "UnlimitedLimiter"]

SPACING_GUARD = 1.0075
"""Requests are spaced 0.75% wider than ``1 / rate``, so that network jitter (a request that leaves late, the next
one on time) never lets the server's sliding 1-second window see ``rate + 1``."""

# Slots within a microsecond of now are now (float rounding in the slot arithmetic must not cause a sleep).
_EPSILON = 1e-6

# The window a grant checks against: a second plus half the guard (about 5 ms at any rate).
_WINDOW = 1.0 + (SPACING_GUARD - 1.0) / 2

LATENESS_HALF_LIFE = 10.0
"""Seconds for a limiter to forget half of how late requests lately left after their slots."""


class Lateness:
    """How late requests lately left after the limiter granted them: the largest seen, halving every
    ``LATENESS_HALF_LIFE`` seconds.

    A request leaves after its slot when its connection is still being opened or the event loop is busy; the
    server counts it when it arrives. Spacing slots that much wider keeps every server window at the rate: if
    each request leaves within ``D`` of its slot, ``rate`` slots spanning a second plus ``D`` put no more than
    ``rate`` requests in any second, whatever the order in which they arrive.
    """

    __slots__ = ("_at", "_value")

    def __init__(self) -> None:
        self._value = 0.0
        self._at = 0.0

    def __repr__(self) -> str:
        return f"<Lateness last_max={self._value * 1000:.1f}ms>"

    def observe(self, lateness: float, now: float) -> None:
        """Note that a request left ``lateness`` seconds after its slot."""
        if lateness > self.bound(now):
            self._value = lateness
            self._at = now

    def bound(self, now: float) -> float:
        """The lateness to allow for now."""
        value = self._value
        if not value:
            return 0.0
        value *= math.pow(0.5, (now - self._at) / LATENESS_HALF_LIFE)
        if value < 1e-5:
            self._value = 0.0
            return 0.0
        return value


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
        # A loop, not an Event: a pause may be extended while we sleep.
        while (delay := self._paused_until - loop.time()) > 0:  # noqa: ASYNC110
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

    With the default ``burst=1`` requests are evenly spaced ``1.0075 / rate`` apart, so no sliding 1-second
    window ever holds more than ``rate`` of them, from the very first request on (aiolimiter's usual
    ``AsyncLimiter(rate, 1)`` lets a whole second's worth through at once).

    ```python
    limiter = LocalLimiter(10)
    for body in bodies:
        await limiter.acquire()
        await post(body)
    ```

    It is GCRA on fixed slots: each ``acquire()`` reserves the next slot at once and sleeps until it. A wake-up
    that comes late (the event loop rounds timers to milliseconds) delays that one request, never the schedule,
    so the achieved rate stays at the limit; a leaky bucket that restarts from the late wake-up loses that time
    on every request (measured: 93% of 80/s with aiolimiter, see docs/benchmarks.md). So that catching up after
    a late wake-up can never crowd a window, the last ``rate`` grant times are kept too, and a grant waits until
    the oldest of them is more than a second (plus half the guard) old: the server's own sliding-window check.

    The client tells the limiter how late each request actually left after its grant (`departed()`: a new
    connection being opened, a busy event loop), and the spacing and the window check widen by that much
    (`Lateness`), so the server's window sees the rate even when requests do not leave on time.

    Args:
        rate: Requests per second, more than 0.
        burst: How many may go back to back after an idle spell (at least 1).

    Raises:
        ValueError: ``rate`` is not above 0, or ``burst`` is below 1.
    """

    __slots__ = ("_granted", "_interval", "_late", "_tat", "_tolerance", "burst", "rate")

    def __init__(self, rate: float, burst: int = 1) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be > 0, got {rate!r}")
        if burst < 1:
            raise ValueError(f"burst must be >= 1, got {burst!r}")
        super().__init__()
        self.rate = float(rate)
        self.burst = int(burst)
        self._interval = SPACING_GUARD / self.rate
        self._tolerance = (self.burst - 1) * self._interval
        self._tat = 0.0  # theoretical arrival time of the next request, on the loop clock
        window = math.floor(self.rate)
        self._granted: deque[float] | None = deque(maxlen=window) if window >= 1 else None
        self._late = Lateness()

    async def acquire(self) -> None:
        """Reserve the next slot (after any pause) and wait for it."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        late = self._late.bound(now)
        slot = max(now, self._tat - self._tolerance, self._paused_until)
        self._tat = max(self._tat, slot) + self._interval + late / self.rate
        granted = self._granted
        while True:
            if slot > now + _EPSILON:
                await asyncio.sleep(slot - now)
                now = loop.time()
            # Re-check after sleeping: a pause may have begun, the window may be full after a late wake-up, or
            # requests may have started to leave late meanwhile.
            slot = self._paused_until
            if granted is not None and len(granted) == granted.maxlen:
                slot = max(slot, granted[0] + _WINDOW + self._late.bound(now))
            if slot <= now + _EPSILON:
                break
        if granted is not None:
            granted.append(now)

    def departed(self, lateness: float) -> None:
        """Learn that the request granted ``lateness`` seconds ago has only now left."""
        if lateness > 0:
            self._late.observe(lateness, asyncio.get_running_loop().time())

    def __repr__(self) -> str:
        return (
            f"<LocalLimiter rate={self.rate} burst={self.burst} paused_for={self.paused_for:.3f}s "
            f"late={self._late!r}>"
        )


class UnlimitedLimiter(_Pausable):
    """No rate limit (``rate_limit=None``), but still honours ``pause()`` from server throttling."""

    __slots__ = ()

    async def acquire(self) -> None:
        """Return at once unless paused."""
        if self._paused_until:
            await self._wait_pause()
            self._paused_until = 0.0  # the pause is over: later acquires need not look at the clock

    @property
    def paused(self) -> bool:
        """True while a pause may still hold requests back (cheap: no clock read)."""
        return self._paused_until != 0.0

    def __repr__(self) -> str:
        return f"<UnlimitedLimiter paused_for={self.paused_for:.3f}s>"
