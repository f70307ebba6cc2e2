"""The real client against the emulator's faults and limits: what is retried, what is never sent twice.

The rule under test (API.md, errors): an answered error means the message was not accepted, so retrying it is
safe when retrying can help; no usable answer after the request left (a reset, a dropped connection, a
body-less 502, a read timeout) is :class:`wa.DeliveryUnknown` and is never resent unless
``RetryPolicy(retry_unknown=True)`` asks for it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any

import pytest

import wa_async as wa
from wa_async.emulator import Emulator, Fault

TO = "16505551234"
FAST = wa.RetryPolicy(base=0.0, random=lambda: 0.0)


class Sleeps:
    """An injected ``sleep`` that records each delay and only yields, so retry schedules cost no time."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        await asyncio.sleep(0)


@asynccontextmanager
async def running(
    faults: Iterable[Fault] = (), *, retry: wa.RetryPolicy = FAST, **client_options: Any
) -> AsyncIterator[tuple[Emulator, wa.Client]]:
    async with Emulator(rate_limit=None, faults=list(faults)) as emu:
        client = wa.Client.maton(
            emu.phone_number_id, api_key="k", base_url=emu.gateway_url, rate_limit=None, retry=retry,
            **client_options,
        )  # fmt: skip
        async with client:
            yield emu, client


def text(i: int = 0, to: str = TO) -> wa.Text:
    return wa.Text(to, f"message {i}")


def bodies(emu: Emulator) -> list[dict[str, Any]]:
    return [a.payload for a in emu.accepted]


async def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


# -- retried: answered errors, nothing accepted -----------------------------------------------------------------


async def test_server_errors_are_retried_and_the_message_delivered_once() -> None:
    async with running([Fault("server_error", times=2)]) as (emu, client):
        wamid = await client.send(text())
    assert [a.wamid for a in emu.accepted] == [wamid]
    assert bodies(emu) == [json.loads(text().to_json())]
    assert emu.stats.requests == 3 and emu.stats.faults == 2


async def test_unavailable_is_retried_after_its_retry_after() -> None:
    sleeps = Sleeps()
    async with running([Fault("unavailable", times=2, retry_after=3)], sleep=sleeps) as (emu, client):
        wamid = await client.send(text())
    assert [a.wamid for a in emu.accepted] == [wamid]
    assert emu.stats.requests == 3
    # FAST's own backoff is 0: the waits can only come from the 503's Retry-After.
    assert sleeps.delays == [3.0, 3.0]


async def test_server_errors_past_the_attempts_fail_with_the_last_error_and_nothing_accepted() -> None:
    async with running([Fault("server_error", code=131016)], retry=wa.RetryPolicy(attempts=3, base=0.0)) as (
        emu,
        client,
    ):
        with pytest.raises(wa.ServerError) as info:
            await client.send(text())
    assert info.value.code == 131016 and info.value.http_status == 500
    assert emu.stats.requests == 3 and emu.accepted == []


async def test_an_error_retrying_cannot_fix_is_sent_once() -> None:
    async with running([Fault("error", code=131047, status=400)]) as (emu, client):
        with pytest.raises(wa.RecipientError) as info:
            await client.send(text())
    assert info.value.code == 131047
    assert emu.stats.requests == 1 and emu.accepted == []


# -- ambiguous: the request left and no usable answer came back ----------------------------------------------------


@pytest.mark.parametrize("kind", ["drop_after_accept", "bad_gateway"])
async def test_ambiguous_faults_are_delivery_unknown_and_never_sent_twice(kind: str) -> None:
    async with running([Fault(kind, times=1)]) as (emu, client):  # type: ignore[arg-type]
        with pytest.raises(wa.DeliveryUnknown):
            await client.send(text(1))
        # The client is still usable afterwards.
        second = await client.send(text(2))
    assert emu.stats.requests == 2
    assert bodies(emu) == [json.loads(text(1).to_json()), json.loads(text(2).to_json())]
    assert emu.accepted[1].wamid == second


async def test_a_reset_is_ambiguous_to_the_client_so_it_is_not_retried() -> None:
    # The emulator did not accept it, but the client cannot know that: it must not guess.
    async with running([Fault("reset", times=1)]) as (emu, client):
        with pytest.raises(wa.DeliveryUnknown):
            await client.send(text())
    assert emu.stats.requests == 1 and emu.accepted == []


async def test_a_read_timeout_is_delivery_unknown_and_not_retried() -> None:
    async with running([Fault("latency", times=1, delay=0.5)], timeout=0.1) as (emu, client):
        with pytest.raises(wa.DeliveryUnknown):
            await client.send(text())
        # The late answer was still an acceptance: exactly once, since the client did not resend (closing the
        # client below awaits any retry it could have scheduled).
        await wait_for(lambda: len(emu.accepted) >= 1)
    assert emu.stats.requests == 1 and len(emu.accepted) == 1


async def test_latency_within_the_timeout_is_just_slow() -> None:
    async with running([Fault("latency", delay=0.05)]) as (emu, client):
        wamid = await client.send(text())
    assert [a.wamid for a in emu.accepted] == [wamid]


@pytest.mark.parametrize("kind", ["drop_after_accept", "bad_gateway"])
async def test_retry_unknown_resends_as_asked_so_the_emulator_has_it_twice(kind: str) -> None:
    policy = wa.RetryPolicy(base=0.0, retry_unknown=True)
    async with running([Fault(kind, times=1)], retry=policy) as (emu, client):  # type: ignore[arg-type]
        wamid = await client.send(text())
    assert bodies(emu) == [json.loads(text().to_json())] * 2
    assert emu.accepted[1].wamid == wamid and emu.accepted[0].wamid != wamid


async def test_retry_unknown_after_a_reset_delivers_once() -> None:
    policy = wa.RetryPolicy(base=0.0, retry_unknown=True)
    async with running([Fault("reset", times=1)], retry=policy) as (emu, client):
        wamid = await client.send(text())
    assert [a.wamid for a in emu.accepted] == [wamid] and emu.stats.requests == 2


async def test_undeliverable_is_accepted_by_the_api() -> None:
    async with running([Fault("undeliverable", to=TO)]) as (emu, client):
        wamid = await client.send(text())
    assert [a.wamid for a in emu.accepted] == [wamid]


# -- faults per recipient ---------------------------------------------------------------------------------------


async def test_one_failing_recipient_does_not_affect_the_others() -> None:
    broken, unknown, gone = "15550000001", "15550000002", "15550000003"
    faults = [
        Fault("server_error", to=broken),
        Fault("drop_after_accept", to=unknown),
        Fault("error", to=gone, code=131026, status=400),
    ]
    others = [text(i, f"1555010{i:04d}") for i in range(12)]
    async with running(faults, retry=wa.RetryPolicy(attempts=3, base=0.0)) as (emu, client):
        futures = [await client.submit(m) for m in (text(0, broken), text(0, unknown), *others, text(0, gone))]
        results = await asyncio.gather(*futures, return_exceptions=True)
    assert isinstance(results[0], wa.ServerError)
    assert isinstance(results[1], wa.DeliveryUnknown)
    assert isinstance(results[-1], wa.RecipientError) and results[-1].code == 131026
    delivered = results[2:-1]
    assert all(isinstance(r, str) for r in delivered)
    by_wamid = {a.wamid: a.payload for a in emu.accepted}
    assert [by_wamid[w] for w in delivered] == [json.loads(m.to_json()) for m in others]  # type: ignore[index]
    # broken: 3 tries, nothing accepted; unknown: accepted once, never resent; gone: one try.
    assert sorted(a.wa_id for a in emu.accepted if a.wa_id in (broken, unknown, gone)) == [unknown]
    assert emu.stats.requests == 3 + 1 + len(others) + 1


# -- limits -------------------------------------------------------------------------------------------------------


class SpyLimiter(wa.UnlimitedLimiter):
    """No rate limit, like ``rate_limit=None``, recording each pause the client asks for."""

    def __init__(self) -> None:
        super().__init__()
        self.pauses: list[float] = []

    async def pause(self, seconds: float) -> None:
        self.pauses.append(seconds)
        await super().pause(seconds)


async def test_sliding_window_429s_pause_the_limiter_and_every_message_arrives_once() -> None:
    # A client with no limit bursts into a 5/s gateway. The retries must wait out the window: against a strict
    # window that counts refused arrivals too, retries under a second apart only keep it full, hence cap=2.
    policy = wa.RetryPolicy(attempts=20, base=0.5, cap=2.0, deadline=30.0)
    limiter = SpyLimiter()
    messages = [text(i, f"1555020{i:04d}") for i in range(12)]
    async with (
        Emulator(rate_limit=5) as emu,
        wa.Client.maton(
            emu.phone_number_id, api_key="k", base_url=emu.gateway_url, rate_limit=None, limiter=limiter, retry=policy
        ) as client,
    ):
        futures = [await client.submit(m) for m in messages]
        wamids = await asyncio.gather(*futures)
    assert emu.stats.rate_limited > 0
    assert len(limiter.pauses) == emu.stats.rate_limited  # each 130429 paused the whole limiter
    # Each message exactly once, under the wamid its future got.
    assert len(emu.accepted) == len(messages)
    assert {a.wamid: a.payload for a in emu.accepted} == {
        w: json.loads(m.to_json()) for w, m in zip(wamids, messages, strict=True)
    }


async def test_pair_limit_delays_only_that_recipient_by_powers_of_four() -> None:
    # One fake clock for both sides: the emulator's pair bucket (one token per 6 s) and the client's retry clock.
    # A retry's sleep waits for the test to open the gate, then moves the clock to its own wake-up time, so the
    # 4**X-second waits take no real time and nothing depends on how fast the machine is.
    now = 0.0
    gate = asyncio.Event()
    delays: list[float] = []

    def clock() -> float:
        return now

    async def sleep(seconds: float) -> None:
        nonlocal now
        wake = now + seconds
        delays.append(seconds)
        await gate.wait()
        await asyncio.sleep(0)
        now = max(now, wake)

    busy = "15550000009"
    async with (
        Emulator(rate_limit=None, pair_burst=2, clock=clock) as emu,
        wa.Client.maton(
            emu.phone_number_id, api_key="k", base_url=emu.gateway_url, rate_limit=None, sleep=sleep, clock=clock
        ) as client,
    ):
        limited = [await client.submit(text(i, busy)) for i in range(4)]
        await wait_for(lambda: emu.stats.pair_limited >= 2 and len(delays) >= 2)
        others = [await client.submit(text(i, f"1555030{i:04d}")) for i in range(10)]
        other_wamids = await asyncio.gather(*others)
        # The busy recipient's last two are still waiting when everyone else is done.
        assert [f.done() for f in limited] == [True, True, False, False]
        gate.set()
        busy_wamids = await asyncio.gather(*limited)

    order = [a.wamid for a in emu.accepted]
    assert order == [*busy_wamids[:2], *other_wamids, *busy_wamids[2:]]
    # Bucket of 2 refilled every 6 s: refused at 0, 1 and 5 s, accepted after waits of 4**0, 4**1, 4**2 seconds.
    assert sorted(delays) == [1.0, 1.0, 4.0, 4.0, 16.0, 16.0]
    assert emu.stats.pair_limited == 6
    burst_spent = emu.accepted[1].time
    assert all(a.time - burst_spent >= 1.0 + 4.0 + 16.0 for a in emu.accepted[-2:])
