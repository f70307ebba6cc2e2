"""Added latency: ``await client.send(msg)`` to wamid versus one direct aiohttp call, sequential (no load).

``python -m benchmarks.latency`` is the child: it reads ``{"url", "n", "reps"}`` on stdin, alternates ``reps``
blocks of ``n`` sequential sends each way (the order flipping every block) in one process, and prints the
percentiles of each and the added time.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import aiohttp
import msgspec

from benchmarks._proc import child_main
from benchmarks.contenders import _HEADERS, API_VERSION, PNID, _decode_response, _text_dict
from benchmarks.fast_server import RECIPIENT

__all__ = ["percentile"]

_WARMUP = 50


def percentile(samples: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``samples`` by the nearest-rank method."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


async def _run(cfg: dict[str, Any]) -> dict[str, Any]:
    import wa_async as wa

    url, n, reps = cfg["url"], cfg["n"], cfg["reps"]
    endpoint = f"{url}/{API_VERSION}/{PNID}/messages"
    perf = time.perf_counter
    samples: dict[str, list[float]] = {"direct": [], "wa_async": []}
    per_rep: list[tuple[float, float]] = []
    async with (
        aiohttp.ClientSession(headers=_HEADERS) as session,
        wa.Client.graph(PNID, access_token="bench", base_url=url, api_version=API_VERSION, rate_limit=None) as client,
    ):

        async def direct(i: int) -> float:
            t0 = perf()
            async with session.post(endpoint, data=msgspec.json.encode(_text_dict(i))) as resp:
                _decode_response(await resp.read())
            return perf() - t0

        async def via_client(i: int) -> float:
            t0 = perf()
            await client.send(wa.Text(to=RECIPIENT, body=f"bench {i}"))
            return perf() - t0

        ways = {"direct": direct, "wa_async": via_client}
        for i in range(_WARMUP):
            await direct(i)
            await via_client(i)
        for rep in range(reps):
            block: dict[str, list[float]] = {}
            for name in ("direct", "wa_async") if rep % 2 == 0 else ("wa_async", "direct"):
                block[name] = [await ways[name](i) for i in range(n)]
                samples[name] += block[name]
            per_rep.append(
                (
                    percentile(block["wa_async"], 0.5) - percentile(block["direct"], 0.5),
                    percentile(block["wa_async"], 0.99) - percentile(block["direct"], 0.99),
                )
            )
    us = 1e6
    out: dict[str, Any] = {"samples_each": n * reps}
    for name, values in samples.items():
        out[f"{name}_p50_us"] = percentile(values, 0.5) * us
        out[f"{name}_p99_us"] = percentile(values, 0.99) * us
    out["added_p50_us"] = statistics.median(d for d, _ in per_rep) * us
    out["added_p99_us"] = statistics.median(d for _, d in per_rep) * us
    return out


if __name__ == "__main__":
    child_main(_run)
