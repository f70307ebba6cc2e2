"""Compare a response with Meta's example: the same keys, and values of the same JSON types."""

from __future__ import annotations

from typing import Any


def assert_shape(actual: Any, example: Any, path: str = "$", *, optional: frozenset[str] = frozenset()) -> None:
    """``actual`` has ``example``'s keys (those in ``optional`` may be absent) and no others, with the same JSON
    types all the way down. The items of a list are checked against the union of the example's items: a key
    every example item has is required, one only some have is optional."""
    if isinstance(example, dict):
        assert isinstance(actual, dict), f"{path}: expected an object, got {actual!r}"
        missing = set(example) - set(actual) - optional
        extra = set(actual) - set(example)
        assert not missing and not extra, f"{path}: missing {sorted(missing)}, unexpected {sorted(extra)}"
        for key, value in actual.items():
            assert_shape(value, example[key], f"{path}.{key}", optional=optional)
    elif isinstance(example, list):
        assert isinstance(actual, list), f"{path}: expected an array, got {actual!r}"
        if not example or not actual:
            return
        if all(isinstance(item, dict) for item in example):
            union = _merge(example)
            sometimes = frozenset(k for k in union if not all(k in item for item in example))
            for i, item in enumerate(actual):
                assert_shape(item, union, f"{path}[{i}]", optional=optional | sometimes)
        else:
            for i, item in enumerate(actual):
                assert_shape(item, example[0], f"{path}[{i}]", optional=optional)
    else:
        assert type(actual) is type(example), f"{path}: {type(actual).__name__} where Meta has {type(example).__name__}"


def _merge(items: list[dict[str, Any]]) -> dict[str, Any]:
    """One object standing for all ``items``: nested objects merged, nested arrays concatenated."""
    union: dict[str, Any] = {}
    for item in items:
        for key, value in item.items():
            if key not in union:
                union[key] = value
            elif isinstance(value, list) and isinstance(union[key], list):
                union[key] = union[key] + value
            elif isinstance(value, dict) and isinstance(union[key], dict):
                union[key] = _merge([union[key], value])
    return union
