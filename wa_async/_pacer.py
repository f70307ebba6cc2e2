"""Per-recipient pacing: when each recipient may next be sent to.

Meta's pair limit (one business number to one user) allows about one message every 6 seconds, and answers 131056
when it is crossed; a recipient held back here waits on its own, while messages to everyone else keep flowing.
"""

from __future__ import annotations

__all__ = ["PAIR_INTERVAL", "RecipientPacer"]

PAIR_INTERVAL = 6.0
"""Seconds between two messages from one business number to one user: Meta's pair limit is about one message
every 6 seconds (10 a minute), answered with 131056 beyond it."""


class RecipientPacer:
    """The times before which recipients must not be sent to, on the caller's clock.

    ```python
    pacer = RecipientPacer()
    pacer.hold("15551234567", until=now + 6.0)
    pacer.wait("15551234567", now)      # seconds left, 0.0 once the hold has passed
    ```
    """

    __slots__ = ("_until",)

    def __init__(self) -> None:
        self._until: dict[str, float] = {}

    def __bool__(self) -> bool:
        return bool(self._until)

    def __len__(self) -> int:
        return len(self._until)

    def __repr__(self) -> str:
        return f"<RecipientPacer held={len(self._until)}>"

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
