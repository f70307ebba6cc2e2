"""Shared test setup."""

from __future__ import annotations

import inspect
from types import SimpleNamespace
from typing import Any

import aiohttp
import aioresponses.core


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
