"""Validation helpers shared by the message structs.

Each helper raises :class:`~wa_async._errors.ValidationError` naming the field (a dotted path for nested
ones, e.g. ``sections[0].rows[2].title``), the size of the value and the limit.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from wa_async._errors import ValidationError

# FACTS §3.1 allows "+", "-", "(", ")" and spaces and prepends a country code when "+" is missing; we accept only
# "+" and digits so that the number we send is exactly the one the caller meant.
_PHONE = re.compile(r"\+?([0-9]+)", re.ASCII)
PHONE_DIGITS = (7, 15)  # E.164 allows at most 15 digits; no country's full number is shorter than 7

CALLBACK_DATA_LIMIT = 512  # FACTS §3.1 / §4: biz_opaque_callback_data, raised from 256 to 512


def phone(value: object, field: str = "to") -> str:
    """Return the digits of an international phone number (7 to 15 digits, optional leading ``+``)."""
    if not isinstance(value, str):
        raise ValidationError(field, f"expected a string, got {type(value).__name__}")
    m = _PHONE.fullmatch(value)
    if m is None:
        raise ValidationError(
            field, f"{value!r} is not a phone number in international format (7 to 15 digits, optional leading +)"
        )
    digits = m.group(1)
    low, high = PHONE_DIGITS
    if len(digits) > high:
        raise ValidationError(field, f"{len(digits)} digits, the limit is {high}", limit=high)
    if len(digits) < low:
        raise ValidationError(field, f"{len(digits)} digits, at least {low} required", limit=low)
    return digits


def text(value: object, field: str, limit: int | None, *, minimum: int = 1) -> str:
    """Check a string's length: ``minimum <= len(value) <= limit`` (no upper bound when ``limit`` is None)."""
    if not isinstance(value, str):
        raise ValidationError(field, f"expected a string, got {type(value).__name__}", limit=limit)
    n = len(value)
    if limit is not None and n > limit:
        raise ValidationError(field, f"{n} characters, the limit is {limit}", limit=limit)
    if n < minimum:
        raise ValidationError(field, f"{n} characters, at least {minimum} required", limit=limit)
    return value


def optional_text(value: object, field: str, limit: int | None, *, minimum: int = 1) -> None:
    """Like :func:`text`, but ``None`` is fine."""
    if value is not None:
        text(value, field, limit, minimum=minimum)


def url(value: object, field: str) -> None:
    """Check an absolute http(s) URL."""
    text(value, field, None)
    assert isinstance(value, str)
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValidationError(field, f"{value!r} is not an http(s) URL")


def link_or_id(link: object, id: object, path: str = "") -> None:
    """Exactly one of ``link`` (an http(s) URL) and ``id`` (a media id), as Meta requires (FACTS §3.2)."""
    if (link is None) == (id is None):
        raise ValidationError(f"{path}link", "give exactly one of link and id")
    if link is not None:
        url(link, f"{path}link")
    else:
        text(id, f"{path}id", None)


def count(items: Sequence[Any], field: str, limit: int | None, *, minimum: int = 1, noun: str = "items") -> None:
    """Check the number of items in a sequence."""
    n = len(items)
    if limit is not None and n > limit:
        raise ValidationError(field, f"{n} {noun}, the limit is {limit}", limit=limit)
    if n < minimum:
        raise ValidationError(field, f"{n} {noun}, at least {minimum} required", limit=limit)


def sequence(value: object, field: str) -> tuple[Any, ...]:
    """Return ``value`` as a tuple; a string or a mapping is not a sequence of items here."""
    if isinstance(value, (str, bytes, dict)) or not isinstance(value, Sequence):
        raise ValidationError(field, f"expected a list, got {type(value).__name__}")
    return tuple(value)


def unique(values: Sequence[tuple[str, str]], what: str) -> None:
    """Check that no value repeats; ``values`` holds ``(path, value)`` pairs."""
    seen: dict[str, str] = {}
    for path, value in values:
        if value in seen:
            raise ValidationError(path, f"{value!r} repeats {seen[value]}; {what} must be unique")
        seen[value] = path


def number(value: object, field: str, low: float, high: float) -> None:
    """Check a finite real number in ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValidationError(field, f"expected a number, got {type(value).__name__}")
    if not (math.isfinite(value) and low <= value <= high):
        raise ValidationError(field, f"{value} is outside {low:g}..{high:g}", limit=(low, high))


def mapping(value: object, field: str) -> None:
    """Check a raw wire-shaped object (a dict)."""
    if not isinstance(value, dict):
        raise ValidationError(field, f"expected an object (dict), got {type(value).__name__}")
