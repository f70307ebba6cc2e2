"""Webhook parsing speed: ``wa.webhooks.parse`` against plain ``json.loads`` on the same bodies.

``json.loads`` only builds dicts; ``parse`` also validates the shape, converts timestamps to datetimes and
builds typed events, so a ratio near or below 1 means typing costs nothing extra. The two alternate round by
round, so a neighbour's load hits both alike. Two figures: the ratio of the fastest rounds (the least disturbed
by other processes) and the median of the rounds' ratios.

    python benchmarks/bench_webhooks.py [--count 10000] [--repeat 9]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from wa_async.webhooks import parse

PAYLOADS = Path(__file__).resolve().parents[1] / "tests" / "data" / "cloud-api" / "payloads"


def bodies(count: int) -> list[bytes]:
    """``count`` distinct bodies cycling through every documented webhook payload, plus batched ones."""
    templates = [json.loads(p.read_bytes()) for p in sorted(PAYLOADS.glob("webhook-*.json"))]
    out = []
    for i in range(count):
        doc = templates[i % len(templates)]
        text = json.dumps(doc).replace("wamid.HBgL", f"wamid.{i:06d}")  # distinct ids, realistic sizes
        out.append(text.encode())
    return out


def batched(count: int, per_body: int = 20) -> list[bytes]:
    """Bodies carrying ``per_body`` statuses each: the shape of a busy broadcast's receipts."""
    out = []
    for i in range(count):
        statuses = [
            {
                "id": f"wamid.{i}.{j}",
                "status": "delivered",
                "timestamp": str(1750030073 + i + j),
                "recipient_id": "16505551234",
            }
            for j in range(per_body)
        ]
        value = {"messaging_product": "whatsapp", "metadata": {"phone_number_id": "1"}, "statuses": statuses}
        doc = {
            "object": "whatsapp_business_account",
            "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
        }
        out.append(json.dumps(doc).encode())
    return out


def timed(fn: Callable[[bytes], object], data: list[bytes]) -> float:
    start = time.perf_counter()
    for body in data:
        fn(body)
    return time.perf_counter() - start


def compare(data: list[bytes], repeat: int) -> tuple[float, float, float]:
    """The fastest round of ``parse`` and of ``json.loads``, and the median ratio of rounds run side by side."""
    parses, loads, ratios = [], [], []
    for _ in range(repeat):
        p, j = timed(parse, data), timed(json.loads, data)
        parses.append(p)
        loads.append(j)
        ratios.append(p / j)
    return min(parses), min(loads), statistics.median(ratios)


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--count", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=9)
    args = ap.parse_args()
    for name, data in (("documented payloads", bodies(args.count)), ("20 statuses per body", batched(args.count))):
        events = sum(len(parse(b)) for b in data)
        t_parse, t_json, ratio = compare(data, args.repeat)
        print(
            f"{name}: {args.count} bodies, {events} events | parse {t_parse * 1e3:.1f} ms "
            f"({t_parse / args.count * 1e6:.1f} µs/body) | json.loads {t_json * 1e3:.1f} ms | "
            f"ratio parse/json.loads {t_parse / t_json:.2f} (fastest rounds), {ratio:.2f} (median of {args.repeat})"
        )


if __name__ == "__main__":
    main()
