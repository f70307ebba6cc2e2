"""Duplicate drop: Meta redelivers a webhook until it gets a 200, for up to 7 days (FACTS §5.2)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Iterable

from ._events import Event, Message, Status

__all__ = ["Deduplicator"]


class Deduplicator:
    """Remembers the last ``size`` event keys (LRU) and drops events seen before.

    A message is keyed by its id, a status by its id and status (one wamid has several statuses). Other
    events carry no stable id and always pass.
    """

    __slots__ = ("_seen", "size")

    def __init__(self, size: int = 100_000) -> None:
        self.size = size
        self._seen: OrderedDict[Hashable, None] = OrderedDict()

    def __repr__(self) -> str:
        return f"<Deduplicator {len(self._seen)}/{self.size} keys>"

    def __len__(self) -> int:
        return len(self._seen)

    def fresh(self, events: Iterable[Event]) -> list[Event]:
        """The events not seen before, in order; remembers them."""
        out: list[Event] = []
        for event in events:
            key = _key(event)
            if key is not None:
                if key in self._seen:
                    self._seen.move_to_end(key)
                    continue
                self._seen[key] = None
                if len(self._seen) > self.size:
                    self._seen.popitem(last=False)
            out.append(event)
        return out


def _key(event: Event) -> Hashable | None:
    if isinstance(event, Message):
        return event.id
    if isinstance(event, Status):
        return (event.id, event.status)
    return None
