"""rate_limit="auto": the number's throughput level is read once, before the first request, and sets the rate;
Maton's 10/s cap still wins."""

from __future__ import annotations

import asyncio
import json

import pytest

import wa_async as wa
from tests._account import BAD, FAST, PNID, emulated
from tests._data import PAYLOADS

SENT = (PAYLOADS / "send-message-response-text.json").read_bytes()


def level(name: str | None) -> wa.Response:
    body = {"id": PNID} if name is None else {"throughput": {"level": name}, "id": PNID}
    return wa.Response(200, {}, json.dumps(body).encode())


def answering(first: wa.Response) -> wa.MockTransport:
    """The lookup gets ``first``; every other request a send's answer."""

    def handler(request: wa.HttpRequest) -> wa.Response:
        return first if request.method == "GET" else wa.Response(200, {}, SENT)

    return wa.MockTransport(handler)


@pytest.mark.parametrize(("name", "rate"), [("HIGH", 1000.0), ("STANDARD", 80.0), ("NOT_APPLICABLE", 80.0),
                                            (None, 80.0)])  # fmt: skip
async def test_the_level_sets_the_rate_before_the_first_request(name: str | None, rate: float) -> None:
    mock = answering(level(name))
    async with wa.Client.graph(PNID, access_token="t", transport=mock, rate_limit="auto") as client:
        limiter = client.limiter
        assert isinstance(limiter, wa.ThroughputLimiter) and limiter.level is None and not limiter.resolved
        await client.send(wa.Text("15551234567", "hi"))
        assert limiter.resolved and limiter.level == name and limiter.rate == rate and limiter.error is None
    lookup, send = mock.requests
    assert lookup.method == "GET" and lookup.url.endswith(f"/{PNID}") and lookup.params == {"fields": "throughput"}
    assert send.method == "POST"


async def test_concurrent_first_requests_share_one_lookup() -> None:
    mock = answering(level("HIGH"))
    async with wa.Client.graph(PNID, access_token="t", transport=mock, rate_limit="auto") as client:
        await asyncio.gather(*(client.send(wa.Text("15551234567", str(i))) for i in range(20)))
        await client.profile.update(about="later requests do not look it up again")
    methods = [r.method for r in mock.requests]
    assert methods.count("GET") == 1 and methods[0] == "GET" and methods.count("POST") == 21


async def test_maton_keeps_its_own_cap() -> None:
    mock = answering(level("HIGH"))
    async with wa.Client.maton(PNID, api_key="k", transport=mock, rate_limit="auto") as client:
        await client.send(wa.Text("15551234567", "hi"))
        assert client.limiter.level == "HIGH" and client.limiter.rate == 10.0  # type: ignore[attr-defined]


async def test_a_failed_lookup_keeps_the_standard_rate_and_says_why() -> None:
    mock = answering(BAD)
    async with wa.Client.graph(PNID, access_token="t", transport=mock, rate_limit="auto", retry=FAST) as client:
        await client.send(wa.Text("15551234567", "hi"))  # the send itself still goes
        limiter = client.limiter
        assert isinstance(limiter, wa.ThroughputLimiter)
        assert limiter.resolved and limiter.level is None and limiter.rate == 80.0
        assert isinstance(limiter.error, wa.ApiError) and limiter.error.code == 100
    assert [r.method for r in mock.requests] == ["GET", "POST"]


async def test_a_cancelled_lookup_is_done_again_by_the_next_request() -> None:
    gate = asyncio.Event()
    lookups = 0

    async def lookup() -> str:
        nonlocal lookups
        lookups += 1
        if lookups == 1:
            await gate.wait()  # the first lookup hangs until its caller is cancelled
        return "HIGH"

    limiter = wa.ThroughputLimiter()
    limiter.bind(lookup)
    first = asyncio.create_task(limiter.acquire())
    waiting = asyncio.create_task(limiter.acquire())  # waits for the first one's lookup
    while lookups == 0:
        await asyncio.sleep(0)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    await waiting  # it looked the level up itself
    assert lookups == 2 and limiter.level == "HIGH" and limiter.rate == 1000.0


async def test_pause_and_lateness_reach_the_rate_in_force() -> None:
    limiter = wa.ThroughputLimiter(cap=50.0)
    assert limiter.rate == 50.0 and limiter.max_rate == 50.0
    assert wa.ThroughputLimiter().max_rate == 1000.0
    loop = asyncio.get_running_loop()
    start = loop.time()  # before the pause began
    await limiter.pause(0.05)
    limiter.departed(0.001)
    limiter.bind(lambda: _level("HIGH"))
    await limiter.acquire()
    assert loop.time() - start >= 0.05  # the pause held (a lower bound only: a sleep never ends early)
    assert limiter.rate == 50.0 and limiter.level == "HIGH"
    other = wa.ThroughputLimiter()
    start = loop.time()
    await other.pause(0.05)
    other.bind(lambda: _level("HIGH"))
    await other.acquire()
    assert loop.time() - start >= 0.05 and other.rate == 1000.0  # carried over to the new, faster limiter
    with pytest.raises(ValueError, match="cap"):
        wa.ThroughputLimiter(cap=0)


async def _level(name: str) -> str:
    return name


async def test_against_the_emulator() -> None:
    async with emulated() as (emu, _):
        client = wa.Client.graph(emu.phone_number_id, access_token="t", base_url=emu.graph_url, rate_limit="auto")
        async with client:
            await client.send(wa.Text("15551234567", "hi"))
            assert client.limiter.level == "STANDARD" and client.limiter.rate == 80.0  # type: ignore[attr-defined]
            assert emu.accepted[0].to == "15551234567"
