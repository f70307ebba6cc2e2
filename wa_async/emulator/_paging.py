"""Graph cursor paging (``limit``, ``after``, ``before``) over an in-memory list, for the management areas."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any, TypeVar

from aiohttp import web
from yarl import URL

from ._graph import GraphError, param

__all__ = ["page"]

T = TypeVar("T")


def page(
    items: Sequence[T],
    request: web.Request,
    *,
    prefix: str,
    default: int = 25,
    maximum: int | None = None,
    version: int = 0,
    stale: GraphError | None = None,
    invalid: GraphError | None = None,
) -> tuple[list[T], dict[str, Any] | None]:
    """One page of ``items`` and its ``paging`` object (None when the page is empty).

    A cursor names ``prefix``, the list ``version`` it was cut from, and a position. A cursor of another
    ``version`` raises ``stale`` when given (Meta's block list answers 139102 when it changed while paging),
    else is read as is. A cursor that does not decode raises ``invalid`` (Graph's 100 when not given).
    ``limit`` outside ``1..maximum`` is Graph's error 100.
    """
    query = request.query
    limit = _int(query.get("limit", str(default)), "limit")
    if maximum is None and limit < 1:
        raise param("Param limit must be a positive integer")
    if maximum is not None and not 1 <= limit <= maximum:
        raise param(f"Param limit must be an integer between 1 and {maximum}, got {limit}.")
    start = 0
    if "after" in query:
        start = _decode(query["after"], prefix, version, stale, invalid) + 1
    elif "before" in query:
        start = max(0, _decode(query["before"], prefix, version, stale, invalid) - limit)
    chunk = list(items[start : start + limit])
    if not chunk:
        return chunk, None
    before, after = _encode(prefix, version, start), _encode(prefix, version, start + len(chunk) - 1)
    paging: dict[str, Any] = {"cursors": {"before": before, "after": after}}
    url = request.url
    if start + len(chunk) < len(items):
        paging["next"] = str(_without(url, "before").update_query(after=after, limit=str(limit)))
    if start > 0:
        paging["previous"] = str(_without(url, "after").update_query(before=before, limit=str(limit)))
    return chunk, paging


def _encode(prefix: str, version: int, index: int) -> str:
    return base64.urlsafe_b64encode(f"{prefix}:{version}:{index}".encode()).decode()


def _decode(value: str, prefix: str, version: int, stale: GraphError | None, invalid: GraphError | None) -> int:
    try:
        kind, at, index = base64.urlsafe_b64decode(value.encode()).decode().split(":")
        number, seen = int(index), int(at)
    except (ValueError, UnicodeDecodeError):
        raise invalid or param(f"Invalid cursor: {value!r}") from None
    if kind != prefix:
        raise invalid or param(f"Invalid cursor: {value!r}")
    if seen != version and stale is not None:
        raise stale
    return number


def _int(value: str, name: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise param(f"Param {name} must be an integer") from None


def _without(url: URL, key: str) -> URL:
    return url.with_query({k: v for k, v in url.query.items() if k != key})
