"""Small field checks shared by the message validators; each raises a Graph error naming the field."""

from __future__ import annotations

from typing import Any

from ._graph import invalid, missing

__all__ = ["check_media", "opt_str", "req_dict", "req_list", "req_str", "text_field"]


def req_dict(obj: dict[str, Any], key: str, path: str) -> dict[str, Any]:
    """``obj[key]``, which must be an object (131008 when absent, 131009 when not an object)."""
    value = obj.get(key)
    if value is None:
        raise missing(f"Parameter '{path}' is required")
    if not isinstance(value, dict):
        raise invalid(f"Parameter '{path}' must be an object")
    return value


def req_list(obj: dict[str, Any], key: str, path: str, *, max_items: int | None = None) -> list[Any]:
    """``obj[key]``, a non-empty array of at most ``max_items``."""
    value = obj.get(key)
    if value is None or value == []:
        raise missing(f"Parameter '{path}' is required")
    if not isinstance(value, list):
        raise invalid(f"Parameter '{path}' must be an array")
    if max_items is not None and len(value) > max_items:
        raise invalid(f"Parameter '{path}' has too many elements. Max: {max_items}, got {len(value)}")
    return value


def req_str(obj: dict[str, Any], key: str, path: str, max_len: int | None = None) -> str:
    """``obj[key]``, a non-empty string of at most ``max_len`` characters."""
    value = obj.get(key)
    if value is None or value == "":
        raise missing(f"Parameter '{path}' is required")
    return _check_str(value, path, max_len)


def opt_str(obj: dict[str, Any], key: str, path: str, max_len: int | None = None) -> str | None:
    """``obj[key]`` when present: a string of at most ``max_len`` characters."""
    value = obj.get(key)
    if value is None:
        return None
    return _check_str(value, path, max_len)


def text_field(obj: dict[str, Any], key: str, path: str, max_len: int) -> str:
    """``obj[key]`` as ``{"text": ...}``, the shape of interactive bodies and footers."""
    part = req_dict(obj, key, path)
    return req_str(part, "text", f"{path}.text", max_len)


def check_media(obj: dict[str, Any], kind: str) -> None:
    """An image/video/audio/document/sticker object: exactly one of ``id`` or ``link`` (docs/limits.md)."""
    has_id, has_link = obj.get("id") is not None, obj.get("link") is not None
    if not (has_id or has_link):
        raise missing(f"Parameter '{kind}.id' or '{kind}.link' is required")
    if has_id and has_link:
        raise invalid(f"Parameter '{kind}': give either id or link, not both")
    req_str(obj, "id" if has_id else "link", f"{kind}.{'id' if has_id else 'link'}")


def _check_str(value: Any, path: str, max_len: int | None) -> str:
    if not isinstance(value, str):
        raise invalid(f"Parameter '{path}' must be a string")
    if max_len is not None and len(value) > max_len:
        raise invalid(f"Param {path} must be at most {max_len} characters long, got {len(value)}")
    return value
