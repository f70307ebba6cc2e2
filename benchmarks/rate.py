"""Rate precision: how closely each limiter holds ``limit`` requests per second against a strict server.

Each contender sends ``limit * duration`` messages from its own process to :mod:`benchmarks.rate_server`, which
records every arrival and answers 429 (code 130429) above the limit. Contenders run side by side, each held to
its own limit by its own phone number id. ``python -m benchmarks.rate`` is the child: it reads
``{"contender", "url", "pnid", "limit", "duration"}`` as JSON on stdin and prints one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from collections.abc import Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import aiohttp
import msgspec

from benchmarks._proc import Server, child_main, run_json
from benchmarks.contenders import API_VERSION, _text_dict
from benchmarks.fast_server import RECIPIENT
from benchmarks.rate_server import phone_number_id

__all__ = ["RATE_CONTENDERS", "analyse", "run_rate"]

RATE_CONTENDERS = ("wa_async", "aiolimiter AsyncLimiter(rate, 1)", "naive sleep(1/rate) loop")


async def _wa_async(url: str, pnid: str, limit: int, n: int) -> list[BaseException | str]:
    import wa_async as wa

    async with wa.Client.graph(pnid, access_token="bench", base_url=url, rate_limit=limit) as client:
        futures = [await client.submit(wa.Text(to=RECIPIENT, body=f"bench {i}")) for i in range(n)]
        return list(await asyncio.gather(*futures, return_exceptions=True))


async def _post(session: aiohttp.ClientSession, endpoint: str, i: int) -> str:
    async with session.post(endpoint, data=msgspec.json.encode(_text_dict(i))) as resp:
        body = await resp.read()
        if resp.status != 200:
            raise RuntimeError(f"HTTP {resp.status}")
        return str(msgspec.json.decode(body)["messages"][0]["id"])


async def _aiolimiter(url: str, pnid: str, limit: int, n: int) -> list[BaseException | str]:
    from aiolimiter import AsyncLimiter

    limiter = AsyncLimiter(limit, 1)  # the README's usage: `limit` per 1-second period
    endpoint = f"{url}/{API_VERSION}/{pnid}/messages"
    async with aiohttp.ClientSession(headers={"Authorization": "Bearer bench"}) as session:

        async def one(i: int) -> str:
            async with limiter:
                return await _post(session, endpoint, i)

        return list(await asyncio.gather(*(one(i) for i in range(n)), return_exceptions=True))


async def _naive(url: str, pnid: str, limit: int, n: int) -> list[BaseException | str]:
    endpoint = f"{url}/{API_VERSION}/{pnid}/messages"
    async with aiohttp.ClientSession(headers={"Authorization": "Bearer bench"}) as session:
        tasks = []
        for i in range(n):
            tasks.append(asyncio.create_task(_post(session, endpoint, i)))
            await asyncio.sleep(1 / limit)
        return list(await asyncio.gather(*tasks, return_exceptions=True))


_RUNNERS: dict[str, Callable[[str, str, int, int], Coroutine[Any, Any, list[BaseException | str]]]] = dict(
    zip(RATE_CONTENDERS, (_wa_async, _aiolimiter, _naive), strict=True)
)


def max_window(times: Sequence[float], width: float = 1.0) -> int:
    """The most arrivals in any half-open window ``[t, t + width)``; ``times`` sorted."""
    best = lo = 0
    for hi, t in enumerate(times):
        while t - times[lo] >= width:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


def analyse(t: Sequence[float], status: Sequence[int], limit: int) -> dict[str, Any]:
    """Server-side figures: accepted requests per second of the run, max window, 429s, per-second counts."""
    accepted = [x for x, s in zip(t, status, strict=True) if s == 200]
    # Each request holds one 1/limit slot: a perfectly paced run of n requests spans (n - 1) / limit + 1 / limit.
    rate = len(accepted) / (t[-1] - t[0] + 1 / limit) if t else 0.0
    start = t[0] if t else 0.0
    per_second = [0] * (int(t[-1] - start) + 1 if t else 0)
    for x in t:
        per_second[int(x - start)] += 1
    return {
        "requests": len(t),
        "accepted": len(accepted),
        "http_429": sum(1 for s in status if s == 429),
        "achieved_rate": rate,
        "rate_ratio": rate / limit,
        "max_window": max_window(t),
        "max_window_accepted": max_window(accepted),
        "per_second": per_second,
    }


def run_rate(limits: Sequence[tuple[int, float]]) -> list[dict[str, Any]]:
    """For each ``(limit, seconds)``: run every contender side by side against one rate server; analyse."""
    results: list[dict[str, Any]] = []
    with Server("benchmarks.rate_server") as server, ThreadPoolExecutor(len(RATE_CONTENDERS)) as pool:
        for limit, seconds in limits:
            jobs = []
            for k, name in enumerate(RATE_CONTENDERS):
                pnid = phone_number_id(limit, k + 10 * len(results))
                payload = {"contender": name, "url": server.url, "pnid": pnid, "limit": limit, "duration": seconds}
                jobs.append((name, pnid, pool.submit(run_json, "benchmarks.rate", payload, seconds * 3 + 60)))
            for name, pnid, job in jobs:
                client = job.result()
                stats = _get_json(f"{server.url}/stats/{pnid}")
                row = {"contender": name, "limit": limit, "seconds": seconds}
                row.update(analyse(stats["t"], stats["status"], limit))
                row["client"] = client
                results.append(row)
    return results


def _get_json(url: str) -> Any:
    """A blocking GET of a JSON document (the orchestrator is synchronous)."""
    with urllib.request.urlopen(url, timeout=30) as resp:
        return json.loads(resp.read())


async def _child(cfg: dict[str, Any]) -> dict[str, Any]:
    n = int(cfg["limit"] * cfg["duration"])
    t0 = time.perf_counter()
    outcomes = await _RUNNERS[cfg["contender"]](cfg["url"], cfg["pnid"], cfg["limit"], n)
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    return {
        "messages": n,
        "elapsed_s": time.perf_counter() - t0,
        "failed": len(errors),
        "first_error": f"{type(errors[0]).__name__}: {errors[0]}"[:300] if errors else None,
    }


if __name__ == "__main__":
    child_main(_child)
