"""OutboundQueue: futures, backpressure, drain and cancel on close, retries that never hold a worker."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.conftest import FakeClock
from wa_async._errors import (
    ClientClosed,
    DeliveryUnknown,
    QueueFull,
    RateLimited,
    RecipientError,
    ServerError,
)
from wa_async._limiter import Limiter, UnlimitedLimiter
from wa_async._pipeline import Pipeline
from wa_async._queue import OutboundQueue
from wa_async._request import Request
from wa_async._retry import RetryPolicy
from wa_async._transport import HttpRequest, Response

EXACT = RetryPolicy(attempts=5, base=1.0, cap=100, deadline=10_000, random=lambda: 1.0)


class GatedSleep(FakeClock):
    """A fake sleep that waits until the test releases it, then moves the clock on."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()

    async def sleep(self, delay: float) -> None:
        self.delays.append(delay)
        await self.gate.wait()
        self.now += delay


class RecordingLimiter(UnlimitedLimiter):
    def __init__(self) -> None:
        super().__init__()
        self.pauses: list[float] = []

    async def pause(self, seconds: float) -> None:
        self.pauses.append(seconds)


class BlockedLimiter(UnlimitedLimiter):
    """Never grants until released."""

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()

    async def acquire(self) -> None:
        await self.release.wait()


Post = Callable[[bytes], Awaitable[str]]


class Req(Request[str]):
    """A request whose answer body is its result: the queue sees it as it sees a message."""

    def __init__(self, body: bytes, to: str) -> None:
        super().__init__("POST", "messages", body=body)
        self.recipient = to

    def decode(self, response: Response) -> str:
        return response.body.decode()


class PostTransport:
    """Answers each request with what ``post(body)`` returns (or raises)."""

    def __init__(self, post: Post) -> None:
        self.post = post

    def open(self) -> None: ...

    async def aclose(self) -> None: ...

    async def send(self, request: HttpRequest) -> Response:
        assert isinstance(request.body, bytes)
        return Response(200, {}, (await self.post(request.body)).encode())

    def stream(self, request: HttpRequest, *, chunk_size: int = 0) -> Any:
        raise NotImplementedError


class Q:
    """The queue under test, fed with (body, recipient) pairs."""

    def __init__(self, q: OutboundQueue) -> None:
        self.q = q

    async def put(self, body: bytes, to: str) -> asyncio.Future[str]:
        return await self.q.put(Req(body, to))

    def put_nowait(self, body: bytes, to: str) -> asyncio.Future[str]:
        return self.q.put_nowait(Req(body, to))

    @property
    def pending(self) -> int:
        return self.q.pending

    async def close(self, *, cancel: bool = False) -> None:
        await self.q.close(cancel=cancel)


def queue(
    post: Post,
    *,
    maxsize: int = 100,
    workers: int = 4,
    retry: RetryPolicy = EXACT,
    limiter: Limiter | None = None,
    sleep: FakeClock | None = None,
) -> Q:
    clock = sleep.time if sleep is not None else None
    sleeper = sleep.sleep if sleep is not None else asyncio.sleep
    pipeline = Pipeline(
        PostTransport(post),
        limiter if limiter is not None else UnlimitedLimiter(),
        retry,
        api_root="http://test",
        headers={},
        clock=clock,
        sleep=sleeper,
    )
    q = OutboundQueue(pipeline, maxsize=maxsize, workers=workers, sleep=sleeper)
    q.start()
    return Q(q)


async def echo(body: bytes) -> str:
    await asyncio.sleep(0)
    return "wamid." + body.decode()


async def test_each_future_gets_its_own_wamid() -> None:
    q = queue(echo)
    futures = [await q.put(str(i).encode(), "1555000000" + str(i)) for i in range(50)]
    assert await asyncio.gather(*futures) == [f"wamid.{i}" for i in range(50)]
    await q.close()


async def test_backpressure_and_queue_full() -> None:
    gate = asyncio.Event()

    async def slow(body: bytes) -> str:
        await gate.wait()
        return "w"

    q = queue(slow, maxsize=2, workers=1)
    first = await q.put(b"a", "1")
    await asyncio.sleep(0)  # the worker takes "a" and blocks on the wire
    await q.put(b"b", "1")
    await q.put(b"c", "1")
    blocked = asyncio.create_task(q.put(b"d", "1"))
    for _ in range(5):
        await asyncio.sleep(0)
    assert not blocked.done()  # waits for room
    with pytest.raises(QueueFull):
        q.put_nowait(b"e", "1")
    assert q.pending == 3  # two queued + one in flight
    gate.set()
    await blocked
    assert await first == "w"
    await q.close()


async def test_close_drains_everything_queued() -> None:
    sent: list[bytes] = []

    async def post(body: bytes) -> str:
        await asyncio.sleep(0)
        sent.append(body)
        return "w"

    q = queue(post, workers=2)
    futures = [await q.put(b"%d" % i, "1") for i in range(30)]
    await q.close()
    assert len(sent) == 30 and all(f.done() and f.result() == "w" for f in futures)


async def test_close_cancel_fails_what_is_not_on_the_wire() -> None:
    on_wire = asyncio.Event()
    release = asyncio.Event()

    async def post(body: bytes) -> str:
        on_wire.set()
        await release.wait()
        return "sent-" + body.decode()

    limiter = BlockedLimiter()
    q = queue(post, workers=2, limiter=limiter)
    # Let exactly one request through the limiter, then block the rest.
    limiter.release.set()
    wire = await q.put(b"a", "1")
    await on_wire.wait()
    limiter.release.clear()
    held = await q.put(b"b", "1")  # a worker holds it, waiting for the limiter
    queued = [await q.put(b"c", "1"), await q.put(b"d", "1")]
    await asyncio.sleep(0)
    closing = asyncio.create_task(q.close(cancel=True))
    await asyncio.sleep(0)
    release.set()
    await closing
    assert wire.result() == "sent-a"  # already sent: awaited, not cancelled
    for f in [held, *queued]:
        assert isinstance(f.exception(), ClientClosed)


async def test_cancel_close_fails_messages_waiting_to_retry() -> None:
    sleep = GatedSleep()

    async def post(body: bytes) -> str:
        raise ServerError("down", http_status=500, code=131000)

    q = queue(post, sleep=sleep)
    fut = await q.put(b"a", "1")
    while not sleep.delays:
        await asyncio.sleep(0)
    await q.close(cancel=True)
    assert isinstance(fut.exception(), ClientClosed)


async def test_a_cancelled_caller_is_never_sent() -> None:
    gate = asyncio.Event()
    sent: list[bytes] = []

    async def post(body: bytes) -> str:
        sent.append(body)
        await gate.wait()
        return "w-" + body.decode()

    q = queue(post, workers=1)
    a = await q.put(b"a", "1")
    b = await q.put(b"b", "1")
    c = await q.put(b"c", "1")
    await asyncio.sleep(0)
    b.cancel()
    gate.set()
    assert await a == "w-a" and await c == "w-c"
    await q.close()
    assert sent == [b"a", b"c"]


async def test_transient_error_retried_on_exact_schedule() -> None:
    calls: list[bytes] = []

    async def post(body: bytes) -> str:
        calls.append(body)
        if len(calls) < 3:
            raise ServerError("try again", http_status=500, code=131000)
        return "w"

    clock = FakeClock()
    q = queue(post, sleep=clock)
    assert await (await q.put(b"a", "1")) == "w"
    await q.close()
    assert clock.delays == [1.0, 2.0]
    assert calls == [b"a"] * 3


async def test_permanent_error_fails_at_once() -> None:
    calls = 0

    async def post(body: bytes) -> str:
        nonlocal calls
        calls += 1
        raise RecipientError("undeliverable", http_status=400, code=131026)

    q = queue(post, sleep=FakeClock())
    with pytest.raises(RecipientError) as info:
        await (await q.put(b"a", "1"))
    assert info.value.code == 131026 and calls == 1
    await q.close()


async def test_attempts_exhausted_raise_the_last_error() -> None:
    calls = 0

    async def post(body: bytes) -> str:
        nonlocal calls
        calls += 1
        raise ServerError("down", http_status=503, code=2)

    q = queue(post, sleep=FakeClock(), retry=RetryPolicy(attempts=3, random=lambda: 0.0))
    with pytest.raises(ServerError):
        await (await q.put(b"a", "1"))
    assert calls == 3
    await q.close()


async def test_delivery_unknown_is_never_resent_by_default() -> None:
    calls = 0

    async def post(body: bytes) -> str:
        nonlocal calls
        calls += 1
        raise DeliveryUnknown("connection dropped after sending")

    q = queue(post, sleep=FakeClock())
    with pytest.raises(DeliveryUnknown):
        await (await q.put(b"a", "1"))
    assert calls == 1
    await q.close()

    calls = 0
    q = queue(post, sleep=FakeClock(), retry=RetryPolicy(attempts=2, retry_unknown=True, random=lambda: 0.0))
    with pytest.raises(DeliveryUnknown):
        await (await q.put(b"a", "1"))
    assert calls == 2
    await q.close()


async def test_account_rate_limit_pauses_the_limiter() -> None:
    calls = 0

    async def post(body: bytes) -> str:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RateLimited("(#130429) Rate limit hit", http_status=429, code=130429, retry_after=7)
        return "w"

    limiter = RecordingLimiter()
    clock = FakeClock()
    q = queue(post, limiter=limiter, sleep=clock)
    assert await (await q.put(b"a", "1")) == "w"
    await q.close()
    assert limiter.pauses == [7] and clock.delays == [7]


async def test_pair_limit_delays_only_that_recipient() -> None:
    order: list[str] = []
    failures = {"A": 2}

    async def post(body: bytes) -> str:
        to = body.decode()[0]
        order.append(body.decode())
        if failures.get(to, 0) > 0 and body.decode() == "A1":
            failures[to] -= 1
            raise RateLimited("pair", http_status=400, code=131056)
        await asyncio.sleep(0)
        return "w-" + body.decode()

    sleep = GatedSleep()
    q = queue(post, workers=1, sleep=sleep)
    a1 = await q.put(b"A1", "A")
    while not sleep.delays:
        await asyncio.sleep(0)
    # A is pair-limited now: a later message to A waits too, while B flows through the single worker.
    a2 = await q.put(b"A2", "A")
    b = [await q.put(b"B%d" % i, "B") for i in range(3)]
    assert await asyncio.gather(*b) == ["w-B0", "w-B1", "w-B2"]
    assert not a1.done() and not a2.done()
    sleep.gate.set()
    assert await a1 == "w-A1" and await a2 == "w-A2"
    await q.close()
    assert sleep.delays[0] == 1.0 and 4.0 in sleep.delays  # 4**0, then 4**1 (FACTS §1.2)
    assert order.index("B0") < order.index("A2")
