"""Issue 8's acceptance test: four processes, one account, one limit.

Four client processes, each a real ``wa.Client`` with ``RedisLimiter(rate=10)`` on one key, send for 20 s to
one emulator running in a fifth process: the emulator answers no 429, its sliding 1-second window never holds
more than 10, and the four together get at least 9.5 messages per second through.

The emulator's window counts arrivals, so this is the one test here that depends on scheduling jitter staying
under the 1% spacing guard (about 10 ms at 10/s).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.emulator_process import emulator_process
from tests.redis_server import RedisServer

ROOT = Path(__file__).resolve().parent.parent
RATE, DURATION, PROCESSES = 10, 20.0, 4

_CLIENT = textwrap.dedent(
    """
    import asyncio, json, sys, time
    import redis.asyncio as aioredis
    import wa_async as wa
    from wa_async._redis_limiter import RedisLimiter

    redis_url, key, gateway, pnid, rate, index = sys.argv[1:]

    async def main():
        redis = aioredis.Redis.from_url(redis_url)
        limiter = RedisLimiter(redis, key, rate=float(rate))
        client = wa.Client.maton(pnid, api_key="k", base_url=gateway, limiter=limiter, windows=False)
        sent, errors = [], []
        async with client:
            # Open the keep-alive connection first, as a running service has: a cold TCP connect can make the
            # first request leave later than the 1% spacing guard covers on a loaded machine.
            await client.request("GET", pnid)
            print("ready", flush=True)
            start_at, stop_at = map(float, (await asyncio.to_thread(sys.stdin.readline)).split())
            await asyncio.sleep(max(0.0, start_at - time.time()))

            async def sender(n):
                i = 0
                while time.time() < stop_at:
                    i += 1
                    try:
                        await client.send(wa.Text(f"1555{index}{n}{i:06d}", "hello"))
                        sent.append(time.time())
                    except wa.WhatsAppError as e:
                        errors.append(repr(e))

            await asyncio.gather(*(sender(n) for n in range(3)))
        await redis.aclose()
        print(json.dumps({"sent": sent, "errors": errors}), flush=True)

    asyncio.run(main())
    """
)


@pytest.fixture
def emulator() -> Iterator[tuple[str, str, str]]:
    """``python -m wa_async.emulator --rate 10`` in its own process: (gateway_url, phone_number_id, stats url)."""
    with emulator_process("--rate", str(RATE)) as info:
        yield info["gateway_url"], info["phone_number_id"], info["stats"]


@pytest.mark.timeout(90)
def test_four_client_processes_share_the_emulator_rate(emulator: tuple[str, str, str], tmp_path: Path) -> None:
    gateway, pnid, stats_url = emulator
    script = tmp_path / "client.py"
    script.write_text(_CLIENT)
    key = f"wa-test:{uuid.uuid4().hex}"
    with RedisServer() as redis_server:
        args = [sys.executable, str(script), redis_server.url, key, gateway, pnid, str(RATE)]
        procs = [
            subprocess.Popen([*args, str(i)], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            for i in range(PROCESSES)
        ]
        try:
            for proc in procs:
                assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
            start_at = time.time() + 0.2
            for proc in procs:
                assert proc.stdin is not None
                proc.stdin.write(f"{start_at} {start_at + DURATION}\n")
                proc.stdin.flush()
            results = []
            for proc in procs:
                out, _ = proc.communicate(timeout=DURATION + 30)
                assert proc.returncode == 0
                results.append(json.loads(out.strip().splitlines()[-1]))
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()

    with urllib.request.urlopen(stats_url, timeout=5) as response:
        stats = json.load(response)
    assert [r["errors"] for r in results] == [[]] * PROCESSES
    assert stats["rate_limited"] == 0, stats
    assert stats["max_window"] <= RATE, stats
    assert all(r["sent"] for r in results), "every process sent"
    sent = sorted(t for r in results for t in r["sent"])
    assert stats["accepted"] == len(sent)
    assert stats["requests"] == len(sent) + PROCESSES  # the warm-up GETs
    in_run = [t for t in sent if start_at <= t <= start_at + DURATION]
    assert len(in_run) / DURATION >= 0.95 * RATE, f"{len(in_run)} messages in {DURATION} s"
