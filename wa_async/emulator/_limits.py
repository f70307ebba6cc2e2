"""The throughput window per account and the pair limit per (phone number, recipient)."""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable

__all__ = ["PairLimit", "SlidingWindow"]


class SlidingWindow:
    """A strict sliding 1-second window: at most ``limit`` arrivals per key in any second.

    Every arrival counts, refused ones too, as a gateway counting requests would. ``max_window`` is the most
    arrivals any key saw within one second, whatever the limit (None counts without refusing).
    """

    __slots__ = ("_arrivals", "limit", "max_window")

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.max_window = 0
        self._arrivals: dict[Hashable, deque[float]] = {}

    def __repr__(self) -> str:
        return f"<SlidingWindow limit={self.limit} keys={len(self._arrivals)} max_window={self.max_window}>"

    def hit(self, key: Hashable, now: float) -> bool:
        """Record an arrival at ``now``; True when it is within the limit."""
        arrivals = self._arrivals.get(key)
        if arrivals is None:
            arrivals = self._arrivals[key] = deque()
        cutoff = now - 1.0
        while arrivals and arrivals[0] <= cutoff:
            arrivals.popleft()
        arrivals.append(now)
        count = len(arrivals)
        if count > self.max_window:
            self.max_window = count
        return self.limit is None or count <= self.limit

    def reset(self) -> None:
        """Forget every arrival."""
        self._arrivals.clear()
        self.max_window = 0


class PairLimit:
    """A token bucket per (phone number id, recipient): 1 message every 6 s, bursts of up to 45.

    Meta: "1 message every 6 seconds to the same WhatsApp user" and "up to 45 messages in a 6-second burst,
    but this 'borrows' from your future quota" (docs/limits.md): ``burst`` tokens, refilled one per ``period``.
    """

    __slots__ = ("_buckets", "burst", "period")

    def __init__(self, burst: int = 45, period: float = 6.0) -> None:
        self.burst = burst
        self.period = period
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}

    def __repr__(self) -> str:
        return f"<PairLimit burst={self.burst} period={self.period} pairs={len(self._buckets)}>"

    def take(self, key: tuple[str, str], now: float) -> bool:
        """Take a token for ``key`` at ``now``; False when the pair has none left."""
        tokens, last = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) / self.period)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            return False
        self._buckets[key] = (tokens - 1.0, now)
        return True

    def reset(self) -> None:
        """Refill every bucket."""
        self._buckets.clear()
