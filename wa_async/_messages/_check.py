"""Validation helpers shared by the message structs.

Each helper raises ``ValidationError`` naming the field (a dotted path for nested
ones, e.g. ``sections[0].rows[2].title``), the size of the value and the limit.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import msgspec

from wa_async._errors import ValidationError

# Meta accepts "+", "-", "(", ")" and spaces in a phone number (the send-messages page); we send the digits.
# Without a "+" Meta prepends the sending number's country code: we take the digits as an international number.
_PHONE = re.compile(r"\+?[0-9 ()\-]+", re.ASCII)
_PHONE_JUNK = str.maketrans("", "", "+-() ")
PHONE_DIGITS = (7, 15)  # E.164 allows at most 15 digits; no country's full number is shorter than 7

# A business-scoped user ID: an ISO 3166 country code, ".", then letters and digits; a parent BSUID has "ENT."
# after the country code (Meta's business-scoped user IDs page). Meta says "up to 128" characters but has changed
# the length before (256 in 2025 drafts), so we accept up to 256.
_BSUID = re.compile(r"[A-Z]{2}\.(?:ENT\.)?([A-Za-z0-9]+)", re.ASCII)
BSUID_LIMIT = 256
BSUID_RULE = "a BSUID is a country code, '.', then letters and digits (e.g. US.13491208655302741918)"
# Group ids are base64 (Meta's Groups API pages); never all digits, which would read as a phone number.
_GROUP = re.compile(r"[A-Za-z0-9+/=_\-]{1,256}", re.ASCII)

_SURROGATE = re.compile("[\ud800-\udfff]")

CALLBACK_DATA_LIMIT = 512  # biz_opaque_callback_data, raised from 256 to 512 (Meta's changelog)


def phone(value: object, field: str = "to") -> str:
    """Return the digits of an international phone number: 7 to 15 digits, written with an optional leading
    ``+`` and any of ``-``, ``(``, ``)`` and spaces, as Meta accepts (``"+1 (555) 123-4567"`` -> ``"15551234567"``).
    """
    if not isinstance(value, str):
        raise ValidationError(field, f"expected a string, got {type(value).__name__}")
    if _PHONE.fullmatch(value) is None or "+" in value[1:]:
        raise ValidationError(
            field,
            f"{value!r} is not a phone number in international format "
            "(7 to 15 digits; '+', '-', '(', ')' and spaces allowed)",
        )
    digits = value.translate(_PHONE_JUNK)
    low, high = PHONE_DIGITS
    if len(digits) > high:
        raise ValidationError(field, f"{len(digits)} digits, the limit is {high}", limit=high)
    if len(digits) < low:
        raise ValidationError(field, f"{len(digits)} digits, at least {low} required", limit=low)
    return digits


def bsuid(value: object, field: str) -> str:
    """Check a business-scoped user ID (``US.13491208655302741918``) or parent BSUID (``US.ENT.1181...``)."""
    if not isinstance(value, str):
        raise ValidationError(field, f"expected a string, got {type(value).__name__}")
    m = _BSUID.fullmatch(value)
    if m is None:
        raise ValidationError(field, f"{value!r} is not a BSUID: {BSUID_RULE}")
    n = len(m.group(1))
    if n > BSUID_LIMIT:
        raise ValidationError(
            field, f"{n} characters after the country code, the limit is {BSUID_LIMIT}", limit=BSUID_LIMIT
        )
    return value


def recipient(value: object, field: str = "to") -> str:
    """A message's recipient as it is sent: a phone number's digits, or a BSUID as given."""
    if isinstance(value, str) and "." in value and not value.lstrip().startswith("+"):
        # No phone number holds a "."; a BSUID always does.
        if _BSUID.fullmatch(value) is None:
            raise ValidationError(
                field,
                f"{value!r} is neither a phone number nor a BSUID: {BSUID_RULE}; a phone number is 7 to 15 digits",
            )
        return bsuid(value, field)
    return phone(value, field)


def group_id(value: str, field: str = "to") -> str:
    """Check a group id from the Groups API (base64 letters, digits, ``+/=_-``; not all digits)."""
    if _GROUP.fullmatch(value) is None or value.isdigit():
        raise ValidationError(field, f"{value!r} is not a group id (the base64 id the Groups API returns)")
    return value


def text(value: object, field: str, limit: int | None, *, minimum: int = 1) -> str:
    """Check a string's length, ``minimum <= len(value) <= limit`` (no upper bound when ``limit`` is None), and
    that it can be sent: no lone surrogate (``"\\ud800"``), which no UTF-8 request body can hold."""
    if not isinstance(value, str):
        raise ValidationError(field, f"expected a string, got {type(value).__name__}", limit=limit)
    n = len(value)
    if limit is not None and n > limit:
        raise ValidationError(field, f"{n} characters, the limit is {limit}", limit=limit)
    if n < minimum:
        raise ValidationError(field, f"{n} characters, at least {minimum} required", limit=limit)
    if not value.isascii():  # isascii() is O(1): the check costs nothing for ASCII text
        surrogates(value, field)
    return value


def surrogates(value: str, field: str) -> None:
    """Refuse a lone surrogate code point: it cannot be encoded as UTF-8, so the request could not be sent."""
    m = _SURROGATE.search(value)
    if m is not None:
        raise ValidationError(
            field, f"holds a lone surrogate {m.group()!r} at position {m.start()}, which UTF-8 cannot encode"
        )


def optional_text(value: object, field: str, limit: int | None, *, minimum: int = 1) -> None:
    """Like `text()`, but ``None`` is fine."""
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
    """Exactly one of ``link`` (an http(s) URL) and ``id`` (a media id), as Meta requires."""
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


def items(value: object, field: str, kind: type[Any] | tuple[type[Any], ...], *, limit: int | None,
          minimum: int = 1, noun: str = "items") -> tuple[Any, ...]:  # fmt: skip
    """A sequence of ``kind`` values, ``minimum`` to ``limit`` of them, as a tuple."""
    values = sequence(value, field)
    count(values, field, limit, minimum=minimum, noun=noun)
    for i, v in enumerate(values):
        if not isinstance(v, kind):
            names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
            raise ValidationError(f"{field}[{i}]", f"expected a {names}, got {type(v).__name__}")
    return values


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


def integer(value: object, field: str, low: int | None = None, high: int | None = None) -> int:
    """Check an int (not a bool) in ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(field, f"expected an int, got {type(value).__name__}")
    if low is not None and value < low:
        raise ValidationError(field, f"{value} is less than {low}", limit=low)
    if high is not None and value > high:
        raise ValidationError(field, f"{value}, the limit is {high}", limit=high)
    return value


def boolean(value: object, field: str) -> None:
    """Check a bool."""
    if not isinstance(value, bool):
        raise ValidationError(field, f"expected a bool, got {type(value).__name__}")


def choice(value: object, field: str, allowed: Sequence[str]) -> str:
    """Check one of a few documented values."""
    if not isinstance(value, str) or value not in allowed:
        raise ValidationError(field, f"{value!r} is not one of {', '.join(repr(a) for a in allowed)}")
    return value


def mapping(value: object, field: str) -> None:
    """Check a raw wire-shaped object (a dict) that can be sent: string keys, and no string in it holds a lone
    surrogate."""
    if not isinstance(value, dict):
        raise ValidationError(field, f"expected an object (dict), got {type(value).__name__}")
    _raw(value, field)


def _raw(value: object, path: str) -> None:
    if isinstance(value, str):
        if not value.isascii():
            surrogates(value, path)
    elif isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise ValidationError(path, f"key {k!r} is not a string")
            _raw(k, path)
            _raw(v, f"{path}.{k}")
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _raw(v, f"{path}[{i}]")


def wire_struct(value: msgspec.Struct, path: str) -> None:
    """Check the fields of a wire-shaped struct sent as it is (a contact's name, address, ...): each set field
    is a string that can be sent."""
    for name in value.__struct_fields__:
        v = getattr(value, name)
        if v is not None:
            text(v, f"{path}.{name}", None, minimum=0)
