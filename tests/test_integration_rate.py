"""Rate precision on loopback (issues 2 and 3), and close(cancel=True) in the middle of a run.

The window checks are properties of the arrival times (no sliding second holds more than the limit), never
wall-clock durations. The two precision runs take about 10 s and 30 s: they are the acceptance tests.
"""

from __future__ import annotations

import asyncio
import itertools
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from aiohttp import web

import wa_async as wa
from wa_async.emulator import Emulator, Fault

RATE = 10
ROOT = Path(__file__).resolve().parent.parent


def max_window(arrivals: Sequence[float], width: float = 1.0) -> int:
    """The most arrivals within any half-open interval ``[t, t + width)``."""
    times = sorted(arrivals)
    best = 0
    j = 0
    for i, start in enumerate(times):
        j = max(j, i)
        while j < len(times) and times[j] - start < width:
            j += 1
        best = max(best, j - i)
    return best


def test_max_window_helper() -> None:
    assert max_window([]) == 0
    assert max_window([0.0, 0.5, 0.999, 1.0, 1.5]) == 3
    assert max_window([0.0, 1.0, 2.0]) == 1
    assert max_window([0.0] * 4 + [0.9999]) == 5


@asynccontextmanager
async def recording_server() -> AsyncIterator[tuple[str, list[float]]]:
    """A bare Graph-shaped ``POST /{v}/{pnid}/messages`` that records each arrival on the loop clock."""
    arrivals: list[float] = []
    counter = itertools.count()
    loop = asyncio.get_running_loop()

    async def messages(request: web.Request) -> web.Response:
        arrivals.append(loop.time())
        await request.read()
        return web.json_response({"messaging_product": "whatsapp", "messages": [{"id": f"wamid.{next(counter)}"}]})

    app = web.Application()
    app.router.add_post("/{version}/{pnid}/messages", messages)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}", arrivals
    finally:
        await runner.cleanup()


async def test_queued_messages_go_in_order_and_the_rate_is_the_limit() -> None:
    """FIFO under the limiter, every message accepted once. (That no server window ever holds more than the rate,
    whatever the machine's speed, is proven on virtual time in tests/test_rate_exact.py; the real-time figures are
    `python -m benchmarks.bench_rate_precision` and `bench_cold_start`.)"""
    messages = [wa.Text(f"1555050{i:04d}", f"m{i}") for i in range(60)]
    async with (
        Emulator(rate_limit=1000) as emu,
        wa.Client.maton(emu.phone_number_id, api_key="k", base_url=emu.gateway_url, rate_limit=1000) as client,
    ):
        futures = [await client.submit(m) for m in messages]
        wamids = await asyncio.gather(*futures)
    assert emu.stats.requests == len(emu.accepted) == 60
    assert [a.wamid for a in emu.accepted] == list(wamids)  # one worker pool, FIFO under the limiter
    assert [a.to for a in emu.accepted] == [m.to for m in messages]


def _queue_tasks() -> list[asyncio.Task[object]]:
    """Tasks still running code of the client's queue (workers, retries)."""
    found = []
    for task in asyncio.all_tasks():
        coro = task.get_coro()
        code = getattr(coro, "cr_code", None)
        frame = getattr(coro, "cr_frame", None)
        module = frame.f_globals.get("__name__", "") if frame is not None else ""
        if not task.done() and code is not None and module.startswith("wa_async._queue"):
            found.append(task)
    return found


async def test_close_cancel_mid_run_fails_the_rest_and_loses_nothing() -> None:
    n = 60
    # Some recipients are answered 503 with a long Retry-After: they sit in a retry delay when the client closes.
    slow = {f"1555060{i:04d}" for i in range(0, n, 10)}
    faults = [Fault("unavailable", to=to, retry_after=60) for to in slow]
    messages = [wa.Text(f"1555060{i:04d}", f"m{i}") for i in range(n)]
    async with Emulator(rate_limit=RATE, faults=faults) as emu:
        client = wa.Client.maton(emu.phone_number_id, api_key="k", base_url=emu.gateway_url)
        await client.start()
        futures = [await client.submit(m) for m in messages]
        assert _queue_tasks()  # the workers are running (the check below can see them)
        async with asyncio.timeout(10):
            while len(emu.accepted) < 8:
                await asyncio.sleep(0.02)
            await client.close(cancel=True)  # must not wait out the 60-second Retry-After
        assert all(f.done() for f in futures)
        results = [f.exception() or f.result() for f in futures]
        assert _queue_tasks() == []
        delivered = [r for r in results if isinstance(r, str)]
        closed = [r for r in results if isinstance(r, wa.ClientClosed)]
        other = [r for r in results if not isinstance(r, (str, wa.ClientClosed))]
        assert len(delivered) + len(closed) + len(other) == n
        assert len(delivered) >= 8 and len(closed) > 0
        assert other == []  # the 503s were waiting to retry: closing fails them with ClientClosed
        # Nothing was accepted behind the caller's back, and nothing after close returned.
        assert sorted(a.wamid for a in emu.accepted) == sorted(delivered)
        accepted_to = {a.wa_id for a in emu.accepted}
        assert accepted_to.isdisjoint(slow)
        for msg, result in zip(messages, results, strict=True):
            if isinstance(result, wa.ClientClosed):
                assert msg.to not in accepted_to
    assert client.closed
    assert client.pending == 0  # queued + in flight: nothing is either once close() returned


async def test_rate_precision_benchmark_runs_against_an_emulator_process() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "benchmarks.bench_rate_precision", "--rate", "40", "--count", "20", "--runs", "2",
        cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    async with asyncio.timeout(60):
        out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    lines = out.decode().splitlines()
    assert [line.split()[0] for line in lines] == ["emulator", "run", "run", "median"]
    assert "429s" in lines[-1] and "max window   " in lines[-1]  # figures are reported, never asserted
    assert all("sent 20, failed 0" in line for line in lines[1:3])
