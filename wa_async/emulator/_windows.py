"""Customer service windows: a user's message opens 24 hours of free-form replies (docs/limits.md)."""

from __future__ import annotations

from ._graph import GraphError

__all__ = ["WINDOW", "Windows"]

WINDOW = 24 * 3600.0  # docs/limits.md: each user message (re)opens a 24-hour window


class Windows:
    """When each user last wrote to each business number, on the emulator's clock."""

    __slots__ = ("_last",)

    def __init__(self) -> None:
        self._last: dict[tuple[str, str], float] = {}

    def __repr__(self) -> str:
        return f"<Windows contacts={len(self._last)}>"

    def opened(self, phone_number_id: str, wa_id: str, now: float) -> None:
        """``wa_id`` wrote to ``phone_number_id`` at ``now``: a 24-hour window starts (again)."""
        self._last[(phone_number_id, wa_id)] = now

    def carry(self, old: str, new: str) -> None:
        """A user's id changed from `old` to `new` (a new BSUID): their windows go with them."""
        for (number, key), at in list(self._last.items()):
            if key == old:
                self._last[(number, new)] = at

    def is_open(self, phone_number_id: str, wa_id: str, now: float) -> bool:
        """Whether a free-form message may go to ``wa_id`` from ``phone_number_id`` at ``now``."""
        last = self._last.get((phone_number_id, wa_id))
        return last is not None and now - last < WINDOW

    def check(self, phone_number_id: str, wa_id: str, now: float) -> None:
        """Raise 131047 (docs/limits.md) unless the window is open."""
        if not self.is_open(phone_number_id, wa_id, now):
            raise GraphError(
                131047,
                "Message failed to send because more than 24 hours have passed since the customer last replied "
                "to this number.",
            )

    def clear(self) -> None:
        """Forget every window."""
        self._last.clear()
