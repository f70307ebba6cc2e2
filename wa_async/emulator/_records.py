"""What the emulator records: accepted messages and counters."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["Accepted", "Stats"]


@dataclass(frozen=True, slots=True)
class Accepted:
    """One accepted message: its wamid, recipient (as sent), type, decoded body and the clock time; ``wa_id`` is the
    recipient's key (phone digits, group id or BSUID), ``user_id`` the BSUID when the message went to one alone."""

    wamid: str
    to: str
    type: str
    payload: dict[str, Any]
    time: float
    phone_number_id: str = ""
    wa_id: str = ""
    user_id: str = ""


@dataclass(slots=True)
class Stats:
    """Live counters. ``max_window``: the most requests one account sent within any sliding second."""

    requests: int = 0
    accepted: int = 0
    read_receipts: int = 0
    rate_limited: int = 0
    pair_limited: int = 0
    invalid: int = 0
    unauthorized: int = 0
    faults: int = 0
    max_window: int = 0
    webhooks_sent: int = 0
    webhook_errors: int = 0

    def as_dict(self) -> dict[str, int]:
        """The counters as a plain dict (the ``/__emulator/stats`` body)."""
        return asdict(self)
