"""Shared test setup."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Iterator
from types import SimpleNamespace
from typing import Any

import aiohttp
import aioresponses.core
import pytest

from tests.redis_server import RedisServer
from wa_async.emulator import Emulator


def _aioresponses_compat() -> None:
    # aioresponses 0.7.9 builds ClientResponse without the `stream_writer` argument aiohttp 3.14 added;
    # give it a default so the mocks build real responses with newer aiohttp too.
    if "stream_writer" not in inspect.signature(aiohttp.ClientResponse.__init__).parameters:
        return

    class _Response(aiohttp.ClientResponse):
        def __init__(self, *args: Any, stream_writer: Any = None, **kwargs: Any) -> None:
            if stream_writer is None:
                stream_writer = SimpleNamespace(output_size=0)
            super().__init__(*args, stream_writer=stream_writer, **kwargs)

    aioresponses.core.ClientResponse = _Response  # type: ignore[misc]


_aioresponses_compat()


class FakeClock:
    """A clock that moves only when a test sets ``now`` or sleeps on it (for the emulator's and the client's
    ``clock=`` and ``sleep=``): :meth:`sleep` records the delay and moves the clock on at once."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.delays: list[float] = []

    def __call__(self) -> float:
        return self.now

    def time(self) -> float:
        """The time (as a loop's ``time()``)."""
        return self.now

    async def sleep(self, delay: float) -> None:
        """Record ``delay`` and move the clock on by it, yielding to the loop once."""
        self.delays.append(delay)
        self.now += delay
        await asyncio.sleep(0)


@pytest.fixture
def clock() -> FakeClock:
    """A fresh :class:`FakeClock`."""
    return FakeClock()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain aiohttp session for raw requests (tests that want default headers define their own)."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def emu(clock: FakeClock) -> AsyncIterator[Emulator]:
    """An in-process emulator on the fake clock, without the gateway's rate limit (tests that need other options
    define their own ``emu``)."""
    async with Emulator(rate_limit=None, clock=clock) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    """A real ``redis-server`` on loopback, one per test module (so one module's server settings, such as
    ``notify-keyspace-events``, never reach another's); each test uses keys of its own on it."""
    with RedisServer() as server:
        yield server
