"""The time-to-live of a template (``message_send_ttl_seconds``), by category (Meta's time-to-live page).

Authentication 30 to 900 seconds, utility 30 to 43,200, marketing 43,200 to 2,592,000; ``-1`` (30 days) for
authentication and utility only. Meta's example sends the value as a string; an integer is accepted too.
"""

from __future__ import annotations

from typing import Any

from ._graph import param

__all__ = ["TTL_RANGES", "check_ttl"]

TTL_RANGES: dict[str, tuple[int, int]] = {
    "AUTHENTICATION": (30, 900),
    "UTILITY": (30, 43_200),
    "MARKETING": (43_200, 2_592_000),
}


def check_ttl(category: str, value: Any) -> int:
    """``message_send_ttl_seconds`` for a template of ``category``, as an int (Meta's example sends a string)."""
    if isinstance(value, str) and value.lstrip("-").isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise param(f"Param message_send_ttl_seconds must be an integer, got {value!r}")
    low, high = TTL_RANGES[category.upper()]
    if value == -1 and category.upper() != "MARKETING":
        return value
    if not low <= value <= high:
        extra = " or -1" if category.upper() != "MARKETING" else ""
        raise param(f"Param message_send_ttl_seconds for a {category.upper()} template must be between {low} "
                    f"and {high}{extra}, got {value}")  # fmt: skip
    return value
