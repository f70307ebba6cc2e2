"""A send endpoint that enforces a strict sliding 1-second window and records every arrival.

``POST /{version}/{phone_number_id}/messages`` is accepted (200 with a wamid) while fewer than ``limit`` requests
were accepted in the last second, else answered 429 with Graph code 130429 (FACTS §1.1, §2.3). The limit comes
from the phone number id, so that several contenders can run side by side on one server: an id ``9LLLLKK`` means
limit ``LLLL`` for contender ``KK`` (see :func:`phone_number_id`). ``GET /stats/{phone_number_id}`` returns
``{"t": [arrival seconds...], "status": [http status...]}`` on the server's monotonic clock.

Run it as its own process: ``python -m benchmarks.rate_server [--port 0]``; it prints ``PORT <n>``.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import itertools
import signal

import msgspec
from aiohttp import web

__all__ = ["make_app", "phone_number_id"]

_RATE_LIMITED = msgspec.json.encode(
    {
        "error": {
            "message": "(#130429) Rate limit hit",
            "type": "OAuthException",
            "code": 130429,
            "error_data": {"messaging_product": "whatsapp", "details": "Cloud API message throughput reached"},
            "fbtrace_id": "Bench429",
        }
    }
)


def phone_number_id(limit: int, contender: int) -> str:
    """The phone number id that tells the server to hold ``contender`` to ``limit`` requests per second."""
    return f"9{limit:04d}{contender:02d}"


class _Number:
    __slots__ = ("accepted", "limit", "status", "t")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.accepted: collections.deque[float] = collections.deque()
        self.t: list[float] = []
        self.status: list[int] = []


def make_app() -> web.Application:
    """The aiohttp application (one state per phone number id)."""
    numbers: dict[str, _Number] = {}
    wamids = itertools.count()

    async def send(request: web.Request) -> web.Response:
        now = asyncio.get_running_loop().time()
        pnid = request.match_info["pnid"]
        await request.read()
        number = numbers.get(pnid)
        if number is None:
            number = numbers[pnid] = _Number(int(pnid[1:5]))
        window = number.accepted
        while window and window[0] <= now - 1.0:
            window.popleft()
        number.t.append(now)
        if len(window) >= number.limit:
            number.status.append(429)
            return web.Response(status=429, body=_RATE_LIMITED, content_type="application/json")
        window.append(now)
        number.status.append(200)
        body = {
            "messaging_product": "whatsapp",
            "contacts": [{"input": "15550001111", "wa_id": "15550001111"}],
            "messages": [{"id": f"wamid.BENCH{next(wamids):012d}"}],
        }
        return web.Response(body=msgspec.json.encode(body), content_type="application/json")

    async def stats(request: web.Request) -> web.Response:
        number = numbers.get(request.match_info["pnid"])
        data = {"t": number.t, "status": number.status} if number else {"t": [], "status": []}
        return web.Response(body=msgspec.json.encode(data), content_type="application/json")

    app = web.Application()
    app.router.add_post("/{version}/{pnid}/messages", send)
    app.router.add_get("/stats/{pnid}", stats)
    return app


async def serve(port: int) -> None:
    """Listen on 127.0.0.1, print ``PORT <n>``, serve until SIGTERM/SIGINT."""
    runner = web.AppRunner(make_app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    server = site._server
    assert server is not None
    sockets = getattr(server, "sockets", None) or []
    print(f"PORT {sockets[0].getsockname()[1]}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    asyncio.run(serve(parser.parse_args(argv).port))


if __name__ == "__main__":
    main()
