"""Per-recipient pacing: Meta's pair limit, both ways it shows, in one place.

Meta's pair limit (one business number to one user) allows about one message every 6 seconds, and answers 131056
when it is crossed. [`RecipientPacer`][wa_async._pacer.RecipientPacer] keeps both rules the client follows for it:
after a 131056 the recipient is *held* until a time the retry policy gives (the outbound queue), and messages to
one recipient *follow* each other ``interval`` apart, each after the previous one left (a broadcast). A recipient
held back waits on its own while messages to everyone else keep flowing.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable

__all__ = ["PAIR_INTERVAL", "RecipientPacer"]

PAIR_INTERVAL = 6.0
"""Seconds between two messages from one business number to one user: Meta's pair limit is about one message
every 6 seconds (10 a minute), answered with 131056 beyond it."""

Wired = asyncio.Future[float | None]
"""A message's turn: resolved with the time it went on the wire, or None if it never left."""


class RecipientPacer:
    """When each recipient may next be sent to.

    ```python
    pacer = RecipientPacer(6.0, clock)
    # the server answered 131056: wait 4^X seconds
    pacer.hold("15551234567", until=clock() + 4.0)
    pacer.wait("15551234567", clock())  # seconds left of the hold, 0.0 once passed

    # a message to send after the previous one to them, 6 s after that one left
    previous, mine = pacer.follow("15551234567")
    await pacer.turn(previous, sleep)
    mine.set_result(clock())  # it left now (None: it never left)
    ```

    Turns older than ``interval`` are forgotten, so memory follows the recent recipients only.
    """

    __slots__ = ("_clock", "_interval", "_last", "_order", "_until")

    def __init__(self, interval: float = PAIR_INTERVAL, clock: Callable[[], float] | None = None) -> None:
        self._interval = interval
        self._clock = clock
        self._until: dict[str, float] = {}
        self._last: dict[str, Wired] = {}
        self._order: deque[tuple[str, Wired]] = deque()

    def __repr__(self) -> str:
        return f"<RecipientPacer interval={self._interval} held={len(self._until)} tracked={len(self._last)}>"

    # -- holds: the server said to leave a recipient alone for a while --------------------------------------------

    @property
    def holding(self) -> bool:
        """True while some recipient may be held back (cheap: no clock read)."""
        return bool(self._until)

    def hold(self, recipient: str, until: float) -> None:
        """Hold ``recipient`` back until ``until`` (a later hold already set is kept)."""
        if until > self._until.get(recipient, until - 1.0):
            self._until[recipient] = until

    def wait(self, recipient: str, now: float) -> float:
        """Seconds ``recipient`` must still wait (0.0 when free; a passed hold is forgotten)."""
        until = self._until.get(recipient)
        if until is None:
            return 0.0
        if until > now:
            return until - now
        del self._until[recipient]
        return 0.0

    # -- turns: messages to one recipient, one after another ------------------------------------------------------

    def follow(self, recipient: str) -> tuple[Wired | None, Wired]:
        """``(previous, mine)``: await [`turn(previous)`][wa_async._pacer.RecipientPacer.turn] (when there is a
        previous message still to space from), then resolve ``mine`` when this message goes on the wire."""
        self._prune()
        previous = self._last.get(recipient)
        mine: Wired = asyncio.get_running_loop().create_future()
        self._last[recipient] = mine
        self._order.append((recipient, mine))
        if previous is not None and self._expired(previous):
            previous = None
        return previous, mine

    async def turn(self, previous: Wired, sleep: Callable[[float], Awaitable[None]]) -> None:
        """Wait until a message may follow ``previous`` to the same recipient."""
        wired = await asyncio.shield(previous)
        if wired is not None:
            delay = wired + self._interval - self._now()
            if delay > 0:
                await sleep(delay)

    def _now(self) -> float:
        return self._clock() if self._clock is not None else asyncio.get_running_loop().time()

    def _expired(self, fut: Wired) -> bool:
        if not fut.done():
            return False
        wired = fut.result()
        return wired is None or wired + self._interval <= self._now()

    def _prune(self) -> None:
        while self._order and self._expired(self._order[0][1]):
            recipient, fut = self._order.popleft()
            if self._last.get(recipient) is fut:
                del self._last[recipient]
