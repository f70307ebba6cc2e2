"""RedisLimiter against a real redis-server on 127.0.0.1.

The spacing properties are checked on the slots Redis hands out (server time, read from the script's replies),
which is what the limiter decides; the callers' own timestamps are only checked never to run ahead of their slots.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, cast

import pytest
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from tests.redis_server import RedisServer
from wa_async._errors import WhatsAppError
from wa_async._limiter import SPACING_GUARD, Limiter, LocalLimiter
from wa_async._redis_limiter import RECHECK_AFTER, LimiterUnavailable, RedisLimiter

ROOT = Path(__file__).resolve().parent.parent
EPS = 0.002  # clock granularity between an asyncio sleep and Redis TIME


class RecordingRedis(aioredis.Redis):
    """A Redis client that records every slot the limiter script reserves (server time, seconds)."""

    slots: list[float]
    calls: list[str]
    recorded: asyncio.Event

    async def evalsha(self, sha: str, numkeys: int, *keys_and_args: Any) -> Any:
        reply = await super().evalsha(sha, numkeys, *keys_and_args)
        op = keys_and_args[numkeys]
        self.calls.append(op)
        if op == "acquire":
            self.slots.append((reply[0] + reply[1]) / 1e6)
            self.recorded.set()
        return reply


def min_gap(times: list[float]) -> float:
    return min(b - a for a, b in itertools.pairwise(sorted(times)))


def max_window(times: list[float], width: float = 1.0) -> int:
    """The most timestamps in any closed window ``[t, t + width]``."""
    ts = sorted(times)
    best, j = 0, 0
    for i, t in enumerate(ts):
        j = max(j, i)
        while j + 1 < len(ts) and ts[j + 1] <= t + width:
            j += 1
        best = max(best, j - i + 1)
    return best


def assert_never_early(returned: list[float], slots: list[float]) -> None:
    """Every acquire returned at or after a slot of its own: the i-th return is not before the i-th slot."""
    assert len(returned) <= len(slots)
    for r, s in zip(sorted(returned), sorted(slots), strict=False):
        assert r >= s - EPS


@pytest.fixture
async def connect() -> AsyncIterator[Callable[..., RecordingRedis]]:
    """Open recording Redis clients (each its own connection pool); all are closed after the test."""
    clients: list[RecordingRedis] = []

    def open_(url: str, **kwargs: Any) -> RecordingRedis:
        client = cast(RecordingRedis, RecordingRedis.from_url(url, **kwargs))
        client.slots, client.calls, client.recorded = [], [], asyncio.Event()
        clients.append(client)
        return client

    yield open_
    for client in clients:
        await client.aclose()


@pytest.fixture
def key() -> str:
    return f"wa-test:{uuid.uuid4().hex}"


async def test_single_limiter_spaces_slots_and_round_trips_once(
    redis_server: RedisServer, connect: Callable[..., RecordingRedis], key: str
) -> None:
    redis = connect(redis_server.url)
    limiter = RedisLimiter(redis, key, rate=50)
    returned: list[float] = []

    async def worker() -> None:
        for _ in range(15):
            await limiter.acquire()
            returned.append(time.time())

    await asyncio.gather(*(worker() for _ in range(4)))

    slots = sorted(redis.slots)
    assert len(slots) == 60
    assert min_gap(slots) >= SPACING_GUARD / 50 - 1e-6
    assert max_window(slots) <= 50
    assert_never_early(returned, slots)
    # 4 waiters at 50/s never wait past RECHECK_AFTER: exactly one script call per acquire, no polling.
    assert 4 / 50 * SPACING_GUARD < RECHECK_AFTER
    assert redis.calls == ["acquire"] * 60


async def test_instances_with_separate_connections_share_one_key(
    redis_server: RedisServer, connect: Callable[..., RecordingRedis], key: str
) -> None:
    clients = [connect(redis_server.url) for _ in range(3)]
    limiters = [RedisLimiter(c, key, rate=40) for c in clients]
    returned: list[float] = []

    async def worker(limiter: RedisLimiter) -> None:
        for _ in range(14):
            await limiter.acquire()
            returned.append(time.time())

    await asyncio.gather(*(worker(lim) for lim in limiters))

    slots = sorted(s for c in clients for s in c.slots)
    assert len(slots) == 42
    assert min_gap(slots) >= SPACING_GUARD / 40 - 1e-6
    assert max_window(slots) <= 40
    assert_never_early(returned, slots)

    # Another key is another limit: its first slot is now, however busy this one is.
    other = connect(redis_server.url)
    await RedisLimiter(other, key + ":other", rate=1).acquire()
    await RedisLimiter(clients[0], key, rate=40).acquire()
    assert other.slots[0] < clients[0].slots[-1]


async def test_burst_lets_that_many_through_then_spaces(
    redis_server: RedisServer, connect: Callable[..., RecordingRedis], key: str
) -> None:
    redis = connect(redis_server.url)
    limiter = RedisLimiter(redis, key, rate=20, burst=5)
    for _ in range(8):
        await limiter.acquire()
    first, rest = redis.slots[:5], redis.slots[5:]
    assert first[-1] - first[0] < SPACING_GUARD / 20  # back to back, no waiting
    assert rest[0] - first[0] >= SPACING_GUARD / 20 - 1e-6
    assert min_gap(rest) >= SPACING_GUARD / 20 - 1e-6


_WORKER = textwrap.dedent(
    """
    import asyncio, json, sys, time
    import redis.asyncio as aioredis
    from wa_async._redis_limiter import RedisLimiter

    url, key, rate, start_at, stop_at, out = sys.argv[1:]

    async def main():
        redis = aioredis.Redis.from_url(url)
        slots, returned = [], []
        real = redis.evalsha

        async def evalsha(sha, numkeys, *args):
            reply = await real(sha, numkeys, *args)
            if args[numkeys] == "acquire":
                slots.append((reply[0] + reply[1]) / 1e6)
            return reply

        redis.evalsha = evalsha
        limiter = RedisLimiter(redis, key, rate=float(rate))
        await asyncio.sleep(max(0.0, float(start_at) - time.time()))

        async def worker():
            while time.time() < float(stop_at):
                await limiter.acquire()
                returned.append(time.time())

        await asyncio.gather(worker(), worker())
        await redis.aclose()
        with open(out, "w") as f:
            json.dump({"slots": slots, "returned": returned}, f)

    asyncio.run(main())
    """
)


def test_four_processes_share_one_limit(redis_server: RedisServer, key: str, tmp_path: Path) -> None:
    rate, duration = 20, 4.0
    script = tmp_path / "worker.py"
    script.write_text(_WORKER)
    start_at = time.time() + 1.5  # time for the interpreters to start, so that they all begin together
    stop_at = start_at + duration
    outs = [tmp_path / f"out{i}.json" for i in range(4)]
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), redis_server.url, key, str(rate), str(start_at), str(stop_at), str(out)],
            cwd=ROOT,
        )
        for out in outs
    ]
    for proc in procs:
        assert proc.wait(30) == 0
    results = [json.loads(out.read_text()) for out in outs]

    slots = sorted(s for r in results for s in r["slots"])
    assert all(r["slots"] for r in results), "every process got slots"
    assert min_gap(slots) >= SPACING_GUARD / rate - 1e-6
    assert max_window(slots) <= rate
    for r in results:
        assert_never_early(r["returned"], r["slots"])
    # Two waiters in each of four processes keep the schedule full: the aggregate is the whole rate.
    steady = [s for s in slots if start_at + 0.5 <= s <= stop_at]
    assert (len(steady) - 1) / (steady[-1] - steady[0]) >= 0.95 * rate


@pytest.mark.parametrize("pauser", ["other", "self"])
async def test_pause_holds_back_reservations_of_every_instance(
    redis_server: RedisServer, connect: Callable[..., RecordingRedis], key: str, pauser: str
) -> None:
    rate, pause = 5, 1.0
    waiting = connect(redis_server.url)
    limiter = RedisLimiter(waiting, key, rate=rate)
    other = RedisLimiter(connect(redis_server.url), key, rate=rate)
    returned: list[float] = []

    async def one() -> None:
        await limiter.acquire()
        returned.append(time.time())

    tasks = [asyncio.create_task(one()) for _ in range(5)]
    # One reservation at a time per process: the first slot is now, the second is reserved 0.2 s ahead.
    while len(waiting.slots) < 2:
        waiting.recorded.clear()
        await waiting.recorded.wait()
    sec, usec = await waiting.time()
    paused_at = sec + usec / 1e6
    await (other if pauser == "other" else limiter).pause(pause)
    await asyncio.gather(*tasks)

    resumed = paused_at + pause
    # The slot reserved before the pause, 0.2 s ahead (under RECHECK_AFTER), goes ahead when another process paused;
    # a pause set by this process re-reserves it. Every later reservation comes after the pause.
    early = 2 if pauser == "other" else 1
    assert sum(t < resumed for t in returned) == early
    assert all(s >= resumed for s in waiting.slots[2:])
    assert_never_early(returned, waiting.slots)
    # Any later acquire, from any instance, also waits for the pause.
    other_redis = connect(redis_server.url)
    await RedisLimiter(other_redis, key, rate=rate).acquire()
    assert other_redis.slots[0] >= resumed


async def test_lateness_reported_by_one_process_widens_every_processs_spacing(
    redis_server: RedisServer, connect: Callable[..., RecordingRedis], key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a virtual clock handed to the script: once one process reports that a request left 50 ms after its slot,
    every process's next slots are spaced a tenth of that wider at 10/s (ten slots then span a second plus the
    lateness, so no server window sees an eleventh), and the widening is forgotten as the lateness decays."""
    from wa_async._limiter import LATENESS_HALF_LIFE

    now = [1000.0]

    async def advance(seconds: float) -> None:  # sleeping moves the virtual clock, at once
        now[0] += seconds

    monkeypatch.setattr("wa_async._redis_limiter.asyncio.sleep", advance)
    a_redis, b_redis = connect(redis_server.url), connect(redis_server.url)
    a = RedisLimiter(a_redis, key, rate=10, clock=lambda: now[0])
    b = RedisLimiter(b_redis, key, rate=10, clock=lambda: now[0])
    interval = SPACING_GUARD / 10
    await a.acquire()
    await b.acquire()
    a.departed(0.05)  # a's request left 50 ms late: a cold connection, a busy loop
    await a.acquire()
    await b.acquire()
    await b.acquire()
    slots = sorted(a_redis.slots + b_redis.slots)
    gaps = [round(y - x, 6) for x, y in itertools.pairwise(slots)]
    assert gaps[0] == pytest.approx(interval, abs=2e-6)  # before anyone reported lateness
    # b widens too (the lateness is shared), by the lateness decayed over the fraction of a second gone by.
    assert gaps[2:] == [pytest.approx(interval + 0.05 / 10, abs=5e-5)] * 2
    now[0] += 20 * LATENESS_HALF_LIFE  # much later: forgotten
    first = len(b_redis.slots)
    await b.acquire()
    await b.acquire()
    assert b_redis.slots[first + 1] - b_redis.slots[first] == pytest.approx(interval, abs=2e-6)


async def test_pause_delays_a_fresh_instance(
    redis_server: RedisServer, connect: Callable[..., RecordingRedis], key: str
) -> None:
    a = RedisLimiter(connect(redis_server.url), key, rate=50)
    b_redis = connect(redis_server.url)
    b = RedisLimiter(b_redis, key, rate=50)
    sec, usec = await b_redis.time()
    await a.pause(0.3)
    assert "paused_for=0.3" in repr(a) or "paused_for=0.2" in repr(a)
    await a.pause(0.1)  # a shorter pause does not shorten the longer one
    await b.acquire()
    assert time.time() >= sec + usec / 1e6 + 0.3 - EPS
    assert b_redis.slots[0] >= sec + usec / 1e6 + 0.3


async def test_key_expires_when_idle(
    redis_server: RedisServer, connect: Callable[..., RecordingRedis], key: str
) -> None:
    redis = connect(redis_server.url)
    limiter = RedisLimiter(redis, key, rate=50)
    await limiter.acquire()
    assert 0 < await redis.pttl(key) <= 1100
    await limiter.pause(2.0)
    assert 2000 < await redis.pttl(key) <= 3100


async def test_redis_stopped_mid_run_raises_limiter_unavailable(
    connect: Callable[..., RecordingRedis], key: str, caplog: pytest.LogCaptureFixture
) -> None:
    with RedisServer() as server:
        redis = connect(server.url, retry=Retry(NoBackoff(), 1))
        limiter = RedisLimiter(redis, key, rate=50)
        for _ in range(3):
            await limiter.acquire()
        server.stop()
        with pytest.raises(LimiterUnavailable) as info:
            await limiter.acquire()
        assert isinstance(info.value, WhatsAppError)
        assert isinstance(info.value.__cause__, RedisError)
        assert server.url in str(info.value) and key in str(info.value)
        assert "ConnectionError" in str(info.value)

        # pause() is called while handling a 429: it warns instead of raising, and still holds this process.
        started = time.monotonic()  # before the pause: the acquire below returns no earlier than 0.2 s after it
        with caplog.at_level(logging.WARNING, logger="wa_async.limiter"):
            await limiter.pause(0.2)
        assert [r.levelno for r in caplog.records] == [logging.WARNING]
        assert server.url in caplog.records[0].getMessage()
        with pytest.raises(LimiterUnavailable):
            await limiter.acquire()
        assert time.monotonic() - started >= 0.2


async def test_unresponsive_redis_times_out_into_limiter_unavailable(key: str) -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # accept and never answer
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    redis = aioredis.Redis(host="127.0.0.1", port=port)
    try:
        limiter = RedisLimiter(redis, key, rate=10, timeout=0.2)
        with pytest.raises(LimiterUnavailable, match=f"redis://127.0.0.1:{port}/0.*TimeoutError"):
            await limiter.acquire()
    finally:
        await redis.aclose()
        server.close()
        await server.wait_closed()


class CountingLimiter:
    def __init__(self, inner: Limiter) -> None:
        self.inner, self.acquired, self.paused = inner, 0, 0.0

    async def acquire(self) -> None:
        await self.inner.acquire()
        self.acquired += 1

    async def pause(self, seconds: float) -> None:
        self.paused = seconds
        await self.inner.pause(seconds)


async def test_fallback_warns_once_limits_and_returns_to_redis(
    connect: Callable[..., RecordingRedis], key: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="wa_async.limiter")
    with RedisServer() as server:
        redis = connect(server.url, retry=Retry(NoBackoff(), 1))
        fallback = CountingLimiter(LocalLimiter(20))
        limiter = RedisLimiter(redis, key, rate=50, fallback=fallback, probe_interval=0.2)
        await limiter.acquire()
        assert fallback.acquired == 0 and "using=redis" in repr(limiter)

        server.stop()
        started = time.monotonic()
        for _ in range(10):
            await limiter.acquire()
        assert fallback.acquired == 10
        assert time.monotonic() - started >= 9 * SPACING_GUARD / 20 - EPS  # the fallback still limits
        await limiter.pause(0.05)  # does not raise; pauses the fallback
        assert fallback.paused == 0.05
        assert "using=fallback" in repr(limiter)
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1
        assert server.url in warnings[0].getMessage() and "fallback" in warnings[0].getMessage()

        server.start()  # same port
        await asyncio.sleep(0.2)
        before = len(redis.slots)
        await limiter.acquire()
        assert len(redis.slots) == before + 1 and fallback.acquired == 10
        assert "using=redis" in repr(limiter)
        assert any("reachable again" in r.getMessage() for r in caplog.records)


async def test_construction(redis_server: RedisServer, connect: Callable[..., RecordingRedis]) -> None:
    redis = connect(redis_server.url)
    with pytest.raises(ValueError, match="rate"):
        RedisLimiter(redis, "k", rate=0)
    with pytest.raises(ValueError, match="burst"):
        RedisLimiter(redis, "k", rate=1, burst=0)
    with pytest.raises(ValueError, match="key"):
        RedisLimiter(redis, "", rate=1)
    limiter = RedisLimiter(redis, "wa:1", rate=10, burst=2)
    assert isinstance(limiter, Limiter)
    assert repr(limiter) == (
        f"<RedisLimiter key='wa:1' rate=10.0 burst=2 redis={redis_server.url} using=redis paused_for=0.000s>"
    )
    with pytest.raises(AttributeError):
        limiter.extra = 1  # type: ignore[attr-defined]


def test_module_imports_without_redis() -> None:
    code = "import sys, wa_async._redis_limiter; assert 'redis' not in sys.modules, 'redis imported eagerly'"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


async def test_client_send_fails_with_limiter_unavailable(connect: Callable[..., RecordingRedis], key: str) -> None:
    import wa_async as wa

    with RedisServer() as server:
        url = server.url
    redis = connect(url, retry=Retry(NoBackoff(), 0))  # nothing listens there any more
    limiter = RedisLimiter(redis, key, rate=10)
    async with wa.Client.maton(
        "106540352242922", api_key="k", base_url="http://127.0.0.1:9", limiter=limiter
    ) as client:
        with pytest.raises(LimiterUnavailable, match=url):
            await client.send(wa.Text("15551234567", "never sent"))
