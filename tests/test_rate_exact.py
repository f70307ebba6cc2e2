"""The server's sliding window sees no more than the rate, even when requests leave late after their slots: proven
on virtual time (looptime), with the real client, limiter and queue, and a transport that plays the late departures
of cold connections and a busy event loop. (The real-time figures are in `python -m benchmarks`.)"""

from __future__ import annotations

import asyncio
import functools
import itertools
import random
from collections.abc import Awaitable, Callable, Iterator

import looptime
import pytest

import wa_async as wa
from wa_async.emulator._limits import SlidingWindow

OK = b'{"messages": [{"id": "wamid.1"}]}'


class LateTransport:
    """Each request leaves ``lateness`` seconds after the limiter granted it, arrives at a strict sliding window
    ``latency`` later, and is answered ``latency`` after that; a refused one gets Graph's 130429."""

    def __init__(self, rate: int, lateness: Iterator[float], latency: float = 0.05) -> None:
        self.window = SlidingWindow(rate)
        self.lateness = lateness
        self.latency = latency
        self.refused = 0
        self.arrivals: list[float] = []

    def open(self) -> None: ...

    async def aclose(self) -> None: ...

    async def send(self, request: wa.HttpRequest) -> wa.Response:
        loop = asyncio.get_running_loop()
        await asyncio.sleep(next(self.lateness))  # opening a connection, or a busy loop, before the body leaves
        sent_at = loop.time()
        await asyncio.sleep(self.latency)
        arrived = loop.time()
        self.arrivals.append(arrived)
        ok = self.window.hit("account", arrived)
        await asyncio.sleep(self.latency)
        if ok:
            return wa.Response(200, {}, OK, sent_at)
        self.refused += 1
        return wa.Response(400, {}, b'{"error": {"message": "(#130429) Rate limit hit", "code": 130429}}', sent_at)

    def stream(self, request: wa.HttpRequest, *, chunk_size: int = 0) -> object:
        raise NotImplementedError


def on_virtual_time(test: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """Run an async test on an event loop whose clock is virtual: sleeps take no real time, so the test knows no
    machine speed (looptime's loop, used directly rather than through its pytest plugin)."""

    @functools.wraps(test)
    def run_test(*args: object, **kwargs: object) -> None:
        with asyncio.Runner(loop_factory=lambda: looptime.new_event_loop(start=1000.0)) as runner:
            runner.run(test(*args, **kwargs))

    return run_test


def cold_then_busy(seed: int) -> Iterator[float]:
    """The first requests open connections (25 ms late each), then a busy loop makes every request leave up to
    40 ms late, at random."""
    rng = random.Random(seed)
    return itertools.chain([0.025] * 8, (rng.uniform(0.0, 0.04) for _ in itertools.count()))


async def run(rate: int, count: int, lateness: Iterator[float], workers: int | None = None) -> LateTransport:
    transport = LateTransport(rate, lateness)
    client = wa.Client.graph("123", access_token="t", rate_limit=rate, transport=transport, workers=workers,
                             windows=False)  # fmt: skip
    async with client:
        futures = [await client.submit(wa.Text("15551234567", f"n{i}")) for i in range(count)]
        await asyncio.gather(*futures)
    return transport


@on_virtual_time
@pytest.mark.parametrize("seed", range(5))
async def test_late_departures_never_crowd_the_servers_window(seed: int) -> None:
    loop = asyncio.get_running_loop()
    start = loop.time()
    transport = await run(10, 300, cold_then_busy(seed))
    elapsed = loop.time() - start
    assert transport.refused == 0 and transport.window.max_window <= 10
    assert 300 / elapsed >= 9.5  # the widening costs little of the rate


@on_virtual_time
async def test_on_time_requests_keep_the_full_rate() -> None:
    loop = asyncio.get_running_loop()
    start = loop.time()
    transport = await run(80, 1600, itertools.repeat(0.0))
    assert transport.refused == 0 and transport.window.max_window == 80  # the limit, and not something slower
    assert 1600 / (loop.time() - start) >= 0.99 * 80 * 0.99


@on_virtual_time
async def test_without_learning_the_lateness_the_window_is_crowded() -> None:
    """The same departures against a limiter that is not told how late requests leave: the server sees more than
    the rate (this is what the learning prevents)."""

    class Deaf(wa.LocalLimiter):
        def departed(self, lateness: float) -> None:  # type: ignore[override]
            pass

    transport = LateTransport(10, cold_then_busy(0))
    async with wa.Client.graph("123", access_token="t", limiter=Deaf(10), transport=transport, windows=False) as c:
        await asyncio.gather(*[await c.submit(wa.Text("15551234567", f"n{i}")) for i in range(300)])
    assert transport.window.max_window > 10


def test_lateness_is_a_decaying_maximum() -> None:
    from wa_async._limiter import LATENESS_HALF_LIFE, Lateness

    late = Lateness()
    assert late.bound(0.0) == 0.0
    late.observe(0.04, 100.0)
    late.observe(0.01, 100.5)  # smaller: the larger one still holds
    assert late.bound(100.5) == pytest.approx(0.04 * 0.5 ** (0.5 / LATENESS_HALF_LIFE))
    assert late.bound(100.0 + LATENESS_HALF_LIFE) == pytest.approx(0.02)
    assert late.bound(100.0 + 30 * LATENESS_HALF_LIFE) == 0.0  # forgotten

