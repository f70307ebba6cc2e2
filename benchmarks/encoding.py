"""Encoding speed: a template message with five body parameters, built and encoded to request bytes.

``python -m benchmarks.encoding`` is the child: it reads ``{"n", "reps"}`` on stdin and times, alternating, each
way of producing the body from the same inputs: wa_async's struct (validated) + ``to_json()``; ``to_json()`` on a
prebuilt struct; a hand-built dict + ``json.dumps``; the same dict + ``msgspec.json.encode``.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import msgspec

from benchmarks._proc import child_main
from benchmarks.fast_server import RECIPIENT

__all__ = ["template_dict"]

_PARAMS = ("Ada", "order 1234", "3 items", "EUR 42.00", "Friday")


def template_dict(params: tuple[str, ...]) -> dict[str, Any]:
    """The wire shape of the benchmark template (FACTS §3.3), built by hand."""
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": RECIPIENT,
        "type": "template",
        "template": {
            "name": "order_update",
            "language": {"code": "en_US"},
            "components": [{"type": "body", "parameters": [{"type": "text", "text": p} for p in params]}],
        },
    }


async def _run(cfg: dict[str, Any]) -> dict[str, Any]:
    import wa_async as wa

    n, reps = cfg["n"], cfg["reps"]

    def struct_build() -> bytes:
        return wa.Template(RECIPIENT, "order_update", components=[wa.BodyParams(list(_PARAMS))]).to_json()

    prebuilt = wa.Template(RECIPIENT, "order_update", components=[wa.BodyParams(list(_PARAMS))])
    ways: dict[str, Callable[[], bytes | str]] = {
        "wa_async Template(...).to_json()": struct_build,
        "wa_async prebuilt.to_json()": prebuilt.to_json,
        "dict + json.dumps": lambda: json.dumps(template_dict(_PARAMS)),
        "dict + msgspec.json.encode": lambda: msgspec.json.encode(template_dict(_PARAMS)),
    }
    # Same document every way (key order aside).
    reference = json.loads(json.dumps(template_dict(_PARAMS)))
    for name, way in ways.items():
        if json.loads(way()) != reference:
            raise AssertionError(f"{name} encodes a different document: {way()!r}")
    rates: dict[str, list[float]] = {name: [] for name in ways}
    names = list(ways)
    for rep in range(reps):
        for name in names if rep % 2 == 0 else reversed(names):
            way = ways[name]
            t0 = time.perf_counter()
            for _ in range(n):
                way()
            rates[name].append(n / (time.perf_counter() - t0))
    return {"per_second": {name: statistics.median(r) for name, r in rates.items()}}


if __name__ == "__main__":
    child_main(_run)
