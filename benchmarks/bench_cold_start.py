"""The shared limit from a cold start, in real time: zero 429s and at least 9.5/s in every run?

    python -m benchmarks.bench_cold_start                 # 3 runs of each scenario
    python -m benchmarks.bench_cold_start --runs 5 --processes 4 --messages 60

An emulator runs in a process of its own at the gateway's 10 requests/second (a strict sliding 1-second window:
a request over it gets a 429). Three scenarios, each started cold (a fresh interpreter, no connection open):

- ``processes``: N client processes sharing one ``RedisLimiter(rate=10)`` key, started together;
- ``single``: one client process at the default Maton rate;
- ``loaded``: one client process whose event loop is kept busy by a task that blocks it for 5-40 ms at a time.

Reported per run: messages sent, the 429s the server answered, its busiest 1-second window, and the rate while
sending (messages over the time from the first arrival to the last). The tests prove the property on virtual time
(``tests/test_rate_exact.py``, ``tests/test_redis_limiter.py``); this is the figure on a real, possibly busy,
machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import textwrap
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.emulator_process import emulator_process  # noqa: E402
from tests.redis_server import RedisServer  # noqa: E402

RATE = 10

_CLIENT = textwrap.dedent(
    """
    import asyncio, json, random, sys, time
    import wa_async as wa

    gateway, pnid, count, redis_url, key, load = sys.argv[1:]
    count = int(count)

    async def hog(stop):
        rng = random.Random(1)
        while not stop.is_set():
            time.sleep(rng.uniform(0.005, 0.04))  # the loop is blocked, as by heavy work in a handler
            await asyncio.sleep(rng.uniform(0.0, 0.02))

    async def main():
        redis = None
        options = {}
        if redis_url != "-":
            import redis.asyncio as aioredis
            redis = aioredis.Redis.from_url(redis_url)
            options["limiter"] = wa.RedisLimiter(redis, key, rate=10)
        print("ready", flush=True)
        start_at = float(await asyncio.to_thread(sys.stdin.readline))
        await asyncio.sleep(max(0.0, start_at - time.time()))
        stop = asyncio.Event()
        busy = asyncio.create_task(hog(stop)) if load == "1" else None
        sent, errors = 0, []
        async with wa.Client.maton(pnid, api_key="k", base_url=gateway, windows=False, **options) as client:
            futures = [await client.submit(wa.Text(f"1555{i:07d}", "hello")) for i in range(count)]
            for result in await asyncio.gather(*futures, return_exceptions=True):
                if isinstance(result, BaseException):
                    errors.append(repr(result))
                else:
                    sent += 1
        stop.set()
        if busy is not None:
            await busy
        if redis is not None:
            await redis.aclose()
        print(json.dumps({"sent": sent, "errors": errors}), flush=True)

    asyncio.run(main())
    """
)


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as resp:  # loopback only
        return json.load(resp)


def one_run(processes: int, messages: int, redis_url: str, load: bool) -> dict[str, float]:
    """Start ``processes`` cold clients together against a fresh emulator process; return the server's view."""
    key = f"wa-bench:{uuid.uuid4().hex}"
    with emulator_process("--rate", str(RATE)) as emu:
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", _CLIENT, emu["gateway_url"], emu["phone_number_id"], str(messages),
                 redis_url, key, "1" if load else "0"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
            )
            for _ in range(processes)
        ]
        for p in procs:
            assert p.stdout is not None and p.stdout.readline().strip() == "ready"
        start_at = time.time() + 0.5
        for p in procs:
            assert p.stdin is not None
            p.stdin.write(f"{start_at}\n")
            p.stdin.flush()
        results = [json.loads(p.communicate(timeout=600)[0].strip().splitlines()[-1]) for p in procs]
        stats = _get(emu["stats"])
        accepted = _get(emu["graph_url"] + "/__emulator/accepted")
    times = sorted(a["time"] for a in accepted) if accepted and "time" in accepted[0] else []
    span = (times[-1] - times[0]) if len(times) > 1 else 0.0
    sent = sum(r["sent"] for r in results)
    return {
        "sent": sent,
        "errors": sum(len(r["errors"]) for r in results),
        "rate_limited": stats["rate_limited"],
        "max_window": stats["max_window"],
        "rate": (len(times) - 1) / span if span else 0.0,
    }


def run(runs: int, processes: int, messages: int) -> dict[str, list[dict[str, float]]]:
    """Every scenario ``runs`` times; the raw figures per run."""
    out: dict[str, list[dict[str, float]]] = {"processes": [], "single": [], "loaded": []}
    with RedisServer() as redis:
        for _ in range(runs):
            out["processes"].append(one_run(processes, messages, redis.url, load=False))
            out["single"].append(one_run(1, messages * 2, "-", load=False))
            out["loaded"].append(one_run(1, messages * 2, "-", load=True))
    return out


def main(argv: list[str] | None = None) -> int:
    """Print one line per run and a median line per scenario."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--messages", type=int, default=50, help="per process (twice that for one process)")
    args = parser.parse_args(argv)
    results = run(args.runs, args.processes, args.messages)
    for scenario, runs in results.items():
        for r in runs:
            print(f"{scenario:9} run  sent {r['sent']:4.0f}  429s {r['rate_limited']:3.0f}  "
                  f"max window {r['max_window']:3.0f}  rate {r['rate']:5.2f}/s")  # fmt: skip
        print(f"{scenario:9} all  429s {sum(r['rate_limited'] for r in runs):3.0f} in {len(runs)} runs  "
              f"worst window {max(r['max_window'] for r in runs):3.0f}  "
              f"median rate {statistics.median(r['rate'] for r in runs):5.2f}/s")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
