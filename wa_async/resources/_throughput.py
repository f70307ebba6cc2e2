"""``rate_limit="auto"``: a limiter whose rate follows the phone number's throughput level.

Meta's throughput page: every registered number sends up to 80 messages a second, and up to 1,000 after Meta
upgrades it automatically; ``GET /{phone_number_id}?fields=throughput`` reads the level. Only ``STANDARD`` (80/s)
is named on Meta's pages; ``HIGH`` for 1,000/s comes from a third-party SDK (UNCERTAIN). An unknown level, or a
lookup that fails, keeps the 80/s every number starts with. A cap (Maton's gateway allows 10 requests a second)
always wins.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable

from .._errors import WhatsAppError
from .._limiter import LocalLimiter

__all__ = ["THROUGHPUT_RATES", "ThroughputLimiter"]

THROUGHPUT_RATES: dict[str, float] = {"STANDARD": 80.0, "HIGH": 1000.0}
"""Messages per second for each throughput level Meta reports."""
_DEFAULT_RATE = THROUGHPUT_RATES["STANDARD"]

# Set while a limiter's own lookup runs, so that the lookup's request (which passes this very limiter) does not
# wait for itself.
_LOOKING_UP: contextvars.ContextVar[object] = contextvars.ContextVar("wa_async_throughput_lookup", default=None)


class ThroughputLimiter:
    """A [`LocalLimiter`][wa_async.LocalLimiter] at the number's own throughput: looked up once, before the first
    request, then kept. ``Client(..., rate_limit="auto")`` builds one.

    ```python
    client = wa.Client.graph(phone_number_id, access_token=token, rate_limit="auto")
    async with client:
        await client.send(wa.Text("15551234567", "hi"))  # the level is read first
        print(client.limiter.level, client.limiter.rate)  # STANDARD 80.0
    ```

    ``level`` is the level Meta reported (None before the lookup, or when it failed: ``error`` says why).
    """

    __slots__ = ("_burst", "_cap", "_inner", "_lookup", "_resolving", "error", "level", "resolved")

    def __init__(self, *, cap: float | None = None, burst: int = 1) -> None:
        if cap is not None and cap <= 0:
            raise ValueError(f"cap must be > 0, got {cap!r}")
        self._cap = cap
        self._burst = burst
        self._inner = LocalLimiter(self._capped(_DEFAULT_RATE), burst)
        self._lookup: Callable[[], Awaitable[str | None]] | None = None
        self._resolving: asyncio.Event | None = None
        self.level: str | None = None
        self.error: BaseException | None = None
        self.resolved = False

    def __repr__(self) -> str:
        return f"<ThroughputLimiter level={self.level} rate={self.rate} cap={self._cap}>"

    @property
    def rate(self) -> float:
        """The requests per second now allowed."""
        return self._inner.rate

    @property
    def max_rate(self) -> float:
        """The highest rate a level can bring (the cap, or 1,000/s): what the client sizes its workers for."""
        return self._capped(max(THROUGHPUT_RATES.values()))

    def bind(self, lookup: Callable[[], Awaitable[str | None]]) -> None:
        """Give the coroutine function that reads the level (the client passes ``phone_numbers.throughput``)."""
        self._lookup = lookup

    async def acquire(self) -> None:
        """Wait for the next slot; before the first one, look the level up (once, whoever asks first)."""
        if not self.resolved and _LOOKING_UP.get() is not self:
            await self._resolve()
        await self._inner.acquire()

    async def pause(self, seconds: float) -> None:
        """Hold back every ``acquire()`` for ``seconds`` from now."""
        await self._inner.pause(seconds)

    def departed(self, lateness: float) -> None:
        """Learn how late a granted request left (see [`LocalLimiter`][wa_async.LocalLimiter])."""
        self._inner.departed(lateness)

    async def _resolve(self) -> None:
        while not self.resolved:
            if self._resolving is not None:  # another task is looking it up
                await self._resolving.wait()
                continue
            if self._lookup is None:
                self.resolved = True
                return
            self._resolving = event = asyncio.Event()
            token = _LOOKING_UP.set(self)
            try:
                level = await self._lookup()
            except WhatsAppError as e:
                self.error = e
                level = None
            except BaseException:
                self._resolving = None  # cancelled: the next caller looks it up again
                event.set()
                raise
            finally:
                _LOOKING_UP.reset(token)
            self.level = level
            await self._apply(THROUGHPUT_RATES.get(level or "", _DEFAULT_RATE), event)

    async def _apply(self, rate: float, event: asyncio.Event) -> None:
        rate = self._capped(rate)
        old = self._inner
        if rate != old.rate:
            self._inner = LocalLimiter(rate, self._burst)
            await self._inner.pause(old.paused_for)
        # Mark it done before anything can wait, so no waiter wakes to find it still unresolved.
        self.resolved = True
        event.set()
        if self._inner is not old:
            await self._inner.acquire()  # the lookup's own request counts against the new rate's first second

    def _capped(self, rate: float) -> float:
        return rate if self._cap is None else min(rate, self._cap)
