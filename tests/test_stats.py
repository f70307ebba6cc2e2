"""client.stats(): what the pipeline and the queue count, on a fake clock."""

from __future__ import annotations

import asyncio
import json

import pytest

import wa_async as wa
from tests._data import PAYLOADS
from tests.conftest import FakeClock
from wa_async._stats import BOUNDS, Counters

FAST = wa.RetryPolicy(base=0.0, random=lambda: 0.0)
OK = (PAYLOADS / "send-message-response-text.json").read_bytes()
THROTTLED = b'{"error": {"message": "(#130429) Rate limit hit", "code": 130429}}'
NO_RECIPIENT = b'{"error": {"message": "Message undeliverable", "code": 131026}}'


async def test_latency_percentiles_come_from_buckets_about_9_percent_wide() -> None:
    counters = Counters()
    assert counters.latency() == wa.LatencySummary()
    for i in range(1, 101):
        counters.add_latency(i / 1000)  # 1 ms .. 100 ms
    summary = counters.latency()
    assert summary.count == 100 and summary.max == 0.1
    assert summary.mean == pytest.approx(0.0505)
    for q, value in ((summary.p50, 0.050), (summary.p90, 0.090), (summary.p99, 0.099)):
        assert value <= q <= value * 2 ** (1 / 8) + 1e-12
    assert summary.p99 <= summary.max


async def test_latency_beyond_the_last_bucket_and_below_the_first() -> None:
    counters = Counters()
    counters.add_latency(BOUNDS[-1] * 10)
    counters.add_latency(0.0)
    assert counters.latency().p99 == BOUNDS[-1] * 10
    assert counters.percentile(0.01) == BOUNDS[0]  # the upper bound of the first bucket (0.5 ms)


async def test_sent_failed_unknown_retried_rate_limited_latency_and_limiter_wait(clock: FakeClock) -> None:
    answers = {
        "15550000001": [wa.Response(200, {}, OK)],
        "15550000002": [wa.Response(400, {}, THROTTLED), wa.Response(400, {}, THROTTLED), wa.Response(200, {}, OK)],
        "15550000003": [wa.Response(400, {}, NO_RECIPIENT)],
        "15550000004": [wa.Response(200, {}, b"not json")],  # an unreadable 2xx: DeliveryUnknown
    }

    def answer(request: wa.HttpRequest) -> wa.Response:
        clock.now += 0.2  # Meta takes 200 ms to answer
        assert isinstance(request.body, bytes)
        return answers[json.loads(request.body)["to"]].pop(0)

    class Slow(wa.UnlimitedLimiter):
        async def acquire(self) -> None:
            clock.now += 0.25  # each request waits 250 ms for its slot

    mock = wa.MockTransport(answer)
    async with wa.Client.graph(
        "123",
        access_token="t",
        transport=mock,
        retry=FAST,
        limiter=Slow(),
        clock=clock,
        sleep=lambda s: asyncio.sleep(0),
    ) as client:
        assert client.stats() == wa.ClientStats()
        assert await client.send(wa.Text("15550000001", "ok"))
        assert await client.send(wa.Text("15550000002", "retried twice"))
        with pytest.raises(wa.RecipientError):
            await client.send(wa.Text("15550000003", "failed"))
        with pytest.raises(wa.DeliveryUnknown):
            await client.send(wa.Text("15550000004", "unknown"))
        stats = client.stats()
    assert (stats.sent, stats.failed, stats.unknown) == (2, 1, 1)
    assert (stats.retried, stats.rate_limited) == (2, 2)
    assert stats.limiter_wait == pytest.approx(6 * 0.25)  # six tries, each through the limiter
    assert stats.latency.count == 6 and stats.latency.max == pytest.approx(0.2)
    assert stats.latency.p50 == stats.latency.p99 == pytest.approx(0.2)
    assert (stats.queued, stats.in_flight) == (0, 0)
    assert "sent 2, failed 1, unknown 1; retried 2, rate-limited 2" in str(stats)


async def test_resource_calls_count_through_execute(clock: FakeClock) -> None:
    busy = b'{"error": {"message": "busy", "code": 2, "is_transient": true}}'
    gone = b'{"error": {"message": "gone", "code": 100, "error_subcode": 33}}'
    answers = iter([wa.Response(503, {}, busy), wa.Response(200, {}, b'{"success": true}'), wa.Response(404, {}, gone)])
    mock = wa.MockTransport(lambda request: next(answers))
    async with wa.Client.graph("123", access_token="t", transport=mock, retry=FAST, clock=clock) as client:
        assert await client.media.delete("m1") is True
        with pytest.raises(wa.NotFound):
            await client.media.delete("m2")
        stats = client.stats()
    assert (stats.sent, stats.failed, stats.unknown, stats.retried, stats.rate_limited) == (1, 1, 0, 1, 0)
    assert stats.latency.count == 3


async def test_queued_and_in_flight_while_a_worker_is_busy() -> None:
    release = asyncio.Event()
    arrived = asyncio.Event()

    async def slow(request: wa.HttpRequest) -> wa.Response:
        arrived.set()
        await release.wait()
        return wa.Response(200, {}, OK)

    async with wa.Client.graph("123", access_token="t", transport=wa.MockTransport(slow), workers=1) as client:
        futures = [await client.submit(wa.Text("15551234567", f"m{i}")) for i in range(4)]
        await arrived.wait()
        stats = client.stats()
        assert (stats.queued, stats.in_flight, stats.sent) == (3, 1, 0)
        release.set()
        await asyncio.gather(*futures)
    assert client.stats().sent == 4


async def test_failures_before_the_first_try_count_as_failed() -> None:
    class Broken(wa.UnlimitedLimiter):
        async def acquire(self) -> None:
            raise wa.LimiterUnavailable("redis is gone")

    mock = wa.MockTransport(lambda request: wa.Response(200, {}, OK))
    async with wa.Client.graph("123", access_token="t", transport=mock, limiter=Broken()) as client:
        with pytest.raises(wa.LimiterUnavailable):
            await client.send(wa.Text("15551234567", "hi"))
    assert (client.stats().failed, client.stats().sent, len(mock.requests)) == (1, 0, 0)
