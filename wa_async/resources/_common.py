"""What the account-management resources share: confirmed calls, JSON bodies, users given as phones or BSUIDs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import msgspec

from .._errors import ValidationError
from .._messages._check import recipient
from .._request import Body, Request, decode_json
from .._transport import Response

__all__ = ["Confirmed", "ErrorDetail", "json_body", "text_field", "user_item", "users_list"]


class _Flag(msgspec.Struct):
    # Meta's OpenAPI file shows `"success": "true"` (a string) for some calls: accept both.
    success: bool | str = False


class Confirmed(Request[bool]):
    """A call Meta answers with ``{"success": true}``: the result is that flag."""

    __slots__ = ()

    def __init__(
        self, method: str, path: str, *, body: Body = None, params: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(method, path, body=body, params=params)

    def decode(self, response: Response) -> bool:
        """True when Meta confirms."""
        flag = decode_json(response, _Flag, self).success
        return flag is True or (isinstance(flag, str) and flag.lower() == "true")


class ErrorDetail(msgspec.Struct, frozen=True):
    """Why one item of a batch failed: Graph's per-item error (``code``, ``message``, ``error_data.details``)."""

    code: int | None = None
    message: str = ""
    title: str | None = None
    error_data: dict[str, Any] | None = None

    @property
    def details(self) -> str | None:
        """``error_data.details``, when Meta gave it."""
        value = (self.error_data or {}).get("details")
        return value if isinstance(value, str) else None


def json_body(value: Any) -> bytes:
    """A JSON request body."""
    return msgspec.json.encode(value)


def text_field(value: object, field: str, limit: int | None = None, *, strip: bool = False) -> str:
    """A non-empty string of at most ``limit`` characters (after stripping, with ``strip=True``)."""
    if not isinstance(value, str):
        raise ValidationError(field, f"expected a string, got {type(value).__name__}")
    text = value.strip() if strip else value
    if not text.strip():
        raise ValidationError(field, "is empty", limit=limit)
    if limit is not None and len(text) > limit:
        raise ValidationError(field, f"{len(text)} characters, the limit is {limit}", limit=limit)
    return text


def user_item(value: object, field: str) -> dict[str, str]:
    """A user as Meta's batch calls take one: ``{"user": <phone digits>}`` or ``{"user_id": <BSUID>}``."""
    checked = recipient(value, field)
    return {"user_id": checked} if "." in checked else {"user": checked}


def users_list(users: str | Iterable[str], field: str, *, limit: int) -> list[dict[str, str]]:
    """1 to ``limit`` distinct users (one string is one user) as Meta's items; ``ValidationError`` otherwise."""
    given = [users] if isinstance(users, str) else list(users)
    if not given:
        raise ValidationError(field, "is empty: give at least one user", limit=limit)
    if len(given) > limit:
        raise ValidationError(field, f"{len(given)} users, the limit is {limit} per request", limit=limit)
    items: list[dict[str, str]] = []
    seen: set[str] = set()
    for i, user in enumerate(given):
        item = user_item(user, f"{field}[{i}]")
        key = next(iter(item.values()))
        if key in seen:
            raise ValidationError(f"{field}[{i}]", f"{user!r} is given twice")
        seen.add(key)
        items.append(item)
    return items
