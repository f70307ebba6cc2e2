"""Shared by the account-management tests: an emulated client, a scripted MockTransport client, body readers."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Iterable
from typing import Any

import wa_async as wa

PNID, WABA = "106540352242922", "102290129340398"
FAST = wa.RetryPolicy(base=0.0, random=lambda: 0.0)
BUSY = wa.Response(503, {}, b'{"error": {"message": "busy", "code": 2, "is_transient": true}}')
BAD = wa.Response(400, {}, b'{"error": {"message": "(#100) Invalid parameter", "code": 100, "fbtrace_id": "T"}}')
OK = wa.Response(200, {}, b'{"success": true}')


def answer(body: Any, status: int = 200) -> wa.Response:
    """A JSON answer."""
    return wa.Response(status, {}, json.dumps(body).encode())


class Counting:
    """A limiter that only counts."""

    def __init__(self) -> None:
        self.acquired = 0
        self.paused = 0.0

    async def acquire(self) -> None:
        self.acquired += 1

    async def pause(self, seconds: float) -> None:
        self.paused += seconds


class Scripted:
    """A client on a MockTransport that answers from ``answers`` in order; ``requests`` holds what was sent."""

    def __init__(self, answers: Iterable[wa.Response], *, waba_id: str | None = WABA) -> None:
        self._answers = iter(answers)
        self.transport = wa.MockTransport(lambda request: next(self._answers))
        self.limiter = Counting()
        self.client = wa.Client.graph(PNID, access_token="t", waba_id=waba_id, transport=self.transport,
                                      limiter=self.limiter, retry=FAST)  # fmt: skip

    @property
    def requests(self) -> list[wa.HttpRequest]:
        return self.transport.requests

    def sent(self, index: int = -1) -> Any:
        """The JSON body of a request."""
        body = self.requests[index].body
        assert isinstance(body, bytes), body
        return json.loads(body)

    def form(self, index: int = -1) -> dict[str, str]:
        """The plain fields of a multipart request."""
        body = self.requests[index].body
        assert isinstance(body, wa.Multipart), body
        return dict(body.fields)

    def path(self, index: int = -1) -> str:
        """The request's path after the version."""
        return self.requests[index].url.split("/v25.0/", 1)[1]


@contextlib.asynccontextmanager
async def emulated(**options: Any) -> AsyncIterator[tuple[wa.Emulator, wa.Client]]:
    """An in-process emulator (no gateway rate limit) and a Maton client on it."""
    async with wa.Emulator(rate_limit=None, **options) as emu:
        client = wa.Client.maton(emu.phone_number_id, api_key="test", base_url=emu.gateway_url, waba_id=emu.waba_id,
                                 rate_limit=None)  # fmt: skip
        async with client:
            yield emu, client
