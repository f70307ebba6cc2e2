"""LocalLimiter: even spacing with no initial burst, pauses, and validation."""

import asyncio

import pytest

from wa_async._limiter import SPACING_GUARD, Limiter, LocalLimiter, UnlimitedLimiter


def max_in_window(times: list[float], window: float = 1.0) -> int:
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


async def test_no_window_holds_more_than_rate_from_the_first_request() -> None:
    rate = 100
    limiter = LocalLimiter(rate)
    loop = asyncio.get_running_loop()
    times = []
    for _ in range(rate + 30):
        await limiter.acquire()
        times.append(loop.time())
    assert max_in_window(times) <= rate


async def test_concurrent_acquirers_share_the_rate() -> None:
    rate = 100
    limiter = LocalLimiter(rate)
    loop = asyncio.get_running_loop()
    times: list[float] = []

    async def worker() -> None:
        for _ in range(20):
            await limiter.acquire()
            times.append(loop.time())

    await asyncio.gather(*(worker() for _ in range(8)))
    times.sort()
    assert len(times) == 160
    assert max_in_window(times) <= rate


async def test_slots_are_evenly_spaced_and_burst_goes_back_to_back(monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []

    async def no_sleep(seconds: float) -> None:  # record the wait each acquire asks for, without waiting
        waits.append(seconds)

    monkeypatch.setattr("wa_async._limiter.asyncio.sleep", no_sleep)
    monkeypatch.setattr("wa_async._limiter.asyncio.get_running_loop", lambda: FrozenLoop())
    limiter = LocalLimiter(10, burst=3)
    for _ in range(3):
        await limiter.acquire()
    assert waits == []  # the burst needs no wait
    await limiter.acquire()
    assert waits == [pytest.approx(SPACING_GUARD / 10)]  # then one slot of 1.0075 / rate
    one = LocalLimiter(10)
    waits.clear()
    for _ in range(4):
        await one.acquire()
    assert waits == [pytest.approx(n * SPACING_GUARD / 10) for n in (1, 2, 3)]  # reserved slots, from "now"


class FrozenLoop:
    """A loop whose clock does not move: every acquire sees the same "now"."""

    def time(self) -> float:
        return 100.0


async def test_pause_holds_back_acquire() -> None:
    for limiter in (LocalLimiter(1000), UnlimitedLimiter()):
        loop = asyncio.get_running_loop()
        start = loop.time()  # before the pause began: the acquire cannot return sooner than 0.2 s after it
        await limiter.pause(0.2)
        assert limiter.paused_for > 0
        await limiter.acquire()
        assert loop.time() - start >= 0.2
        # A shorter pause never shortens a longer one.
        await limiter.pause(0.3)
        await limiter.pause(0.01)
        assert limiter.paused_for > 0.2


def test_protocol_and_validation() -> None:
    assert isinstance(LocalLimiter(1), Limiter)
    assert isinstance(UnlimitedLimiter(), Limiter)
    with pytest.raises(ValueError, match="rate"):
        LocalLimiter(0)
    with pytest.raises(ValueError, match="burst"):
        LocalLimiter(1, burst=0)
    assert "rate=5.0" in repr(LocalLimiter(5))
