"""RedisLimiter cost on loopback: Redis round trips and microseconds per ``acquire()``, median of 5 runs.

    python benchmarks/bench_redis_limiter.py            # starts its own redis-server on 127.0.0.1
    python benchmarks/bench_redis_limiter.py --url redis://127.0.0.1:6379/0

Round trips are counted by the server (``INFO commandstats``: the EVALSHA/EVAL/SCRIPT calls clients sent, not the
commands the script runs inside). Wall time per acquire is the latency when nothing waits and just the rate when
waiting; CPU time per acquire is this process's cost either way.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import redis.asyncio as aioredis

from wa_async._limiter import LocalLimiter
from wa_async._redis_limiter import RedisLimiter

RUNS = 5


@dataclass(frozen=True)
class Case:
    name: str
    rate: float
    tasks: int
    acquires: int


CASES = [
    Case("no wait, 1 task", 1e6, 1, 2000),
    Case("no wait, 16 tasks", 1e6, 16, 4000),
    Case("steady 500/s, 8 tasks (waits < 0.25 s)", 500, 8, 250),
    Case("steady 50/s, 20 tasks (waits > 0.25 s)", 50, 20, 40),
]


CLIENT_COMMANDS = {"cmdstat_evalsha", "cmdstat_eval", "cmdstat_script|load", "cmdstat_script"}


async def round_trips(redis: aioredis.Redis) -> int:
    """Script calls the server has received from clients so far."""
    stats = await redis.info("commandstats")
    return sum(int(v["calls"]) for k, v in stats.items() if k in CLIENT_COMMANDS)


async def run(redis: aioredis.Redis, case: Case) -> tuple[float, float, float]:
    limiter = RedisLimiter(redis, f"bench:{uuid.uuid4().hex}", case.rate)
    await limiter.acquire()  # load the script and open the connection outside the measurement
    per_task = case.acquires // case.tasks

    async def worker() -> None:
        for _ in range(per_task):
            await limiter.acquire()

    before = await round_trips(redis)
    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(case.tasks)))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    calls = await round_trips(redis) - before
    n = per_task * case.tasks
    return calls / n, elapsed / n * 1e6, cpu / n * 1e6


async def local_baseline() -> float:
    limiter = LocalLimiter(1e6)
    started = time.perf_counter()
    for _ in range(20_000):
        await limiter.acquire()
    return (time.perf_counter() - started) / 20_000 * 1e6


async def main(url: str) -> None:
    redis = aioredis.Redis.from_url(url)
    try:
        print(f"RedisLimiter on {url}, median of {RUNS} runs")
        print(f"{'case':44} {'round trips/acquire':>20} {'wall us/acquire':>16} {'CPU us/acquire':>15}")
        for case in CASES:
            results = [await run(redis, case) for _ in range(RUNS)]
            trips, wall, cpu = (statistics.median(r[i] for r in results) for i in range(3))
            print(f"{case.name:44} {trips:20.2f} {wall:16.1f} {cpu:15.1f}")
        local = statistics.median([await local_baseline() for _ in range(RUNS)])
        print(f"{'LocalLimiter, no wait, 1 task (reference)':44} {0:20.2f} {local:16.1f} {'':>15}")
    finally:
        await redis.aclose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="an existing Redis (default: start redis-server on a free port)")
    args = parser.parse_args()
    if args.url:
        asyncio.run(main(args.url))
    else:
        from tests.redis_server import RedisServer

        with RedisServer() as server:
            asyncio.run(main(server.url))
