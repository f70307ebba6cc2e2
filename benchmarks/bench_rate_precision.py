"""Rate precision against an out-of-process emulator (issues 2 and 3).

::

    python -m benchmarks.bench_rate_precision [--rate 10] [--count 300] [--runs 3]

Starts ``python -m wa_async.emulator --port 0 --rate RATE`` as a child process, then sends COUNT text messages
through ``wa.Client.maton(..., rate_limit=RATE)`` RUNS times (the emulator is reset between runs). For each run
it prints the achieved rate against the limit (from the emulator's own arrival clock: accepted messages after
the first, over the time from the first to the last), the most requests the emulator saw within any sliding
second, and how many it refused with 429; then the median of each over the runs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

import wa_async as wa

__all__ = ["Run", "main", "measure"]

_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class Run:
    """One run's results."""

    sent: int
    failed: int
    achieved: float  # messages per second, on the emulator's arrival clock
    wall: float  # seconds the client took, submit to last answer
    max_window: int
    rate_limited: int


@contextmanager
def emulator_process(rate: int) -> Iterator[dict[str, str]]:
    """Run the emulator as a child process; yield the ``name value`` lines it prints once listening."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (str(_ROOT), os.environ.get("PYTHONPATH"))))}
    proc = subprocess.Popen(
        [sys.executable, "-m", "wa_async.emulator", "--port", "0", "--rate", str(rate)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=_ROOT,
    )
    try:
        assert proc.stdout is not None
        info: dict[str, str] = {}
        while "stats" not in info:  # the last line it prints
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError(f"the emulator exited before listening (exit code {proc.wait()})")
            name, _, value = line.strip().partition(" ")
            info[name] = value.strip()
        yield info
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


async def measure(info: dict[str, str], rate: int, count: int) -> Run:
    """One run: reset the emulator, send ``count`` messages at ``rate``, read the emulator's counters."""
    admin = info["graph_url"] + "/__emulator"
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{admin}/reset") as resp:
            resp.raise_for_status()
        client = wa.Client.maton(
            info["phone_number_id"], api_key="bench", base_url=info["gateway_url"], rate_limit=rate
        )
        start = time.perf_counter()
        async with client:
            futures = [await client.submit(wa.Text(f"1555070{i % 10_000:04d}", f"bench {i}")) for i in range(count)]
            results = await asyncio.gather(*futures, return_exceptions=True)
        wall = time.perf_counter() - start
        async with http.get(f"{admin}/stats") as resp:
            stats: dict[str, Any] = await resp.json()
        async with http.get(f"{admin}/accepted") as resp:
            accepted: list[dict[str, Any]] = await resp.json()
    times = sorted(float(a["time"]) for a in accepted)
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    sent = sum(isinstance(r, str) for r in results)
    return Run(
        sent=sent,
        failed=count - sent,
        achieved=(len(times) - 1) / span if span > 0 else 0.0,
        wall=wall,
        max_window=int(stats["max_window"]),
        rate_limited=int(stats["rate_limited"]),
    )


def _row(label: str, rate: int, achieved: float, max_window: float, rate_limited: float, extra: str = "") -> str:
    return (
        f"{label:<8} achieved {achieved:7.3f}/s  = {achieved / rate:6.2%} of {rate}/s   "
        f"max window {max_window:>4g}   429s {rate_limited:>4g}{extra}"
    )


async def _main(rate: int, count: int, runs: int) -> list[Run]:
    results: list[Run] = []
    with emulator_process(rate) as info:
        print(f"emulator {info['gateway_url']} (--rate {rate}), {count} messages x {runs} runs", flush=True)
        for i in range(runs):
            run = await measure(info, rate, count)
            results.append(run)
            extra = f"   sent {run.sent}, failed {run.failed}, {run.wall:.2f} s"
            print(_row(f"run {i + 1}", rate, run.achieved, run.max_window, run.rate_limited, extra), flush=True)
    med = statistics.median
    print(
        _row(
            "median",
            rate,
            med(r.achieved for r in results),
            med(r.max_window for r in results),
            med(r.rate_limited for r in results),
        )
    )
    return results


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run; exit 1 when any run saw a 429, a window over the limit or a failure."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_rate_precision",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--rate", type=int, default=10, help="requests per second, client and emulator")
    parser.add_argument("--count", type=int, default=300, help="messages per run")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    if args.rate < 1 or args.count < 2 or args.runs < 1:
        parser.error("--rate must be >= 1, --count >= 2, --runs >= 1")
    results = asyncio.run(_main(args.rate, args.count, args.runs))
    ok = all(r.rate_limited == 0 and r.max_window <= args.rate and r.failed == 0 for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
