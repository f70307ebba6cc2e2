"""A clock that moves only when told to, for tests that step through time."""

from __future__ import annotations

__all__ = ["ManualClock"]


class ManualClock:
    """A ``() -> float`` clock in seconds that stands still until you move it.

    Pass it as the emulator's ``clock=`` to step the rate window, the pair limit, media URL expiry and the
    24-hour customer service windows without waiting.

    Args:
        start: The time it starts at, in seconds.

    Example:
        ```python
        from wa_async.emulator import ManualClock

        clock = ManualClock()
        clock.advance(24 * 3600)      # a day later
        assert clock() == 86400.0
        ```
    """

    __slots__ = ("now",)

    def __init__(self, start: float = 0.0) -> None:
        self.now = float(start)

    def __repr__(self) -> str:
        return f"ManualClock(now={self.now})"

    def __call__(self) -> float:
        """The current time, in seconds."""
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward.

        Args:
            seconds: How far; never negative (time does not go back).

        Raises:
            ValueError: ``seconds`` is negative.
        """
        if seconds < 0:
            raise ValueError(f"a clock does not go back: advance({seconds})")
        self.now += seconds
