"""Duplicate drop: Meta redelivers a webhook until it gets a 200, for up to 7 days."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Iterable

from wa_async._inbound._call_group_events import CallEvent
from wa_async._inbound._events import Event, Message, Status, Unknown
from wa_async._inbound._user_events import MessageEcho

__all__ = ["Deduplicator", "dedupe_key"]


class Deduplicator:
    """Remembers the last `size` event keys (LRU) and drops events seen before.

    See `dedupe_key` for what identifies an event; events without a stable id always pass.
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
        seen = self._seen
        for event in events:
            key = dedupe_key(event)
            if key is not None:
                if key in seen:
                    seen.move_to_end(key)
                    continue
                seen[key] = None
                if len(seen) > self.size:
                    seen.popitem(last=False)
            out.append(event)
        return out


def dedupe_key(event: Event) -> Hashable | None:
    """What makes `event` the same as a redelivered one, or None when nothing does.

    A message (of any type, one the parser does not know included) is its id; a status is its wamid, status and
    user (a group message has one status per member); a call event its call id, event and status; an echo its id.
    """
    if isinstance(event, Message):
        return event.id
    if isinstance(event, Status):
        return (event.id, event.status, event.sender)
    if isinstance(event, Unknown):
        return event.id  # set only for a messages[] item
    if isinstance(event, CallEvent):
        return ("call", event.id, event.event, event.status)
    if isinstance(event, MessageEcho):
        return ("echo", event.id)
    return None
