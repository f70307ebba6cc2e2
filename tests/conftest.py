"""Shared test setup."""

from __future__ import annotations

import inspect
from types import SimpleNamespace
from typing import Any

import aiohttp
import aioresponses.core
import pytest


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
    """A clock that moves only when a test sets ``now`` (for the emulator's and the client's ``clock=``)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    """A fresh :class:`FakeClock`."""
    return FakeClock()
