"""The throughput contenders, each run in a fresh process: ``python -m benchmarks.contenders`` reads
``{"contender", "url", "n", "concurrency", "uvloop"}`` as JSON on stdin and prints one JSON result line.

Every contender builds its own messages inside the timed phase (to the same recipient, bodies ``"bench <i>"``),
posts them to the loopback server, and reads each wamid back. Setup (imports, client construction) is outside the
timed phase; connections are opened inside it, alike for all.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import time
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import msgspec

from benchmarks._proc import child_main
from benchmarks.fast_server import RECIPIENT

__all__ = ["API_VERSION", "CONTENDERS", "PNID", "fan_out", "run_contender"]

PNID = "106540352242922"
API_VERSION = "v21.0"
Sender = Callable[[str, int, int], Awaitable[int]]
"""``(base_url, n, concurrency) -> count of wamids received``; only the timed phase is inside."""


class _Sent(msgspec.Struct):
    id: str


class _SendResponse(msgspec.Struct):
    messages: list[_Sent]


_decode_response = msgspec.json.Decoder(_SendResponse).decode
_encode = msgspec.json.encode


class _Timed:
    """The timed phase: wall and process CPU time between ``start()`` and ``stop()``."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0

    def start(self) -> None:
        self._w0, self._c0 = time.perf_counter(), time.process_time()

    def stop(self) -> None:
        self.wall = time.perf_counter() - self._w0
        self.cpu = time.process_time() - self._c0


async def fan_out(n: int, concurrency: int, one: Callable[[int], Awaitable[str]]) -> int:
    """Send messages ``0..n-1`` from ``concurrency`` tasks; return how many came back with a wamid."""
    items: Iterator[int] = iter(range(n))
    ok = 0

    async def worker() -> None:
        nonlocal ok
        for i in items:
            if (await one(i)).startswith("wamid."):
                ok += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return ok


def _text_dict(i: int) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": RECIPIENT,
        "type": "text",
        "text": {"preview_url": False, "body": f"bench {i}"},
    }


_HEADERS = {"Authorization": "Bearer bench", "Content-Type": "application/json"}


async def floor_msgspec(url: str, n: int, concurrency: int, timed: _Timed) -> int:
    """The floor: raw aiohttp, one ClientSession, msgspec-encoded bytes, msgspec-decoded wamid."""
    import aiohttp

    endpoint = f"{url}/{API_VERSION}/{PNID}/messages"
    async with aiohttp.ClientSession(headers=_HEADERS) as session:

        async def one(i: int) -> str:
            async with session.post(endpoint, data=_encode(_text_dict(i))) as resp:
                return _decode_response(await resp.read()).messages[0].id

        timed.start()
        ok = await fan_out(n, concurrency, one)
        timed.stop()
    return ok


async def aiohttp_json(url: str, n: int, concurrency: int, timed: _Timed) -> int:
    """Raw aiohttp the usual way: ``json=`` (json.dumps) out, ``resp.json()`` (json.loads) back."""
    import aiohttp

    endpoint = f"{url}/{API_VERSION}/{PNID}/messages"
    async with aiohttp.ClientSession(headers={"Authorization": "Bearer bench"}) as session:

        async def one(i: int) -> str:
            async with session.post(endpoint, json=_text_dict(i)) as resp:
                body = await resp.json()
                return str(body["messages"][0]["id"])

        timed.start()
        ok = await fan_out(n, concurrency, one)
        timed.stop()
    return ok


def _wa_client(url: str, concurrency: int) -> Any:
    import wa_async as wa

    return wa.Client.graph(
        PNID, access_token="bench", base_url=url, api_version=API_VERSION, rate_limit=None, workers=concurrency
    )


async def wa_send(url: str, n: int, concurrency: int, timed: _Timed) -> int:
    """wa_async: ``await client.send(Text(...))`` from ``concurrency`` tasks."""
    import wa_async as wa

    async with _wa_client(url, concurrency) as client:

        async def one(i: int) -> str:
            wamid: str = await client.send(wa.Text(to=RECIPIENT, body=f"bench {i}"))
            return wamid

        timed.start()
        ok = await fan_out(n, concurrency, one)
        timed.stop()
    return ok


async def wa_submit(url: str, n: int, concurrency: int, timed: _Timed) -> int:
    """wa_async: ``await client.submit(Text(...))`` for every message, then gather the futures."""
    import wa_async as wa

    async with _wa_client(url, concurrency) as client:
        timed.start()
        futures = [await client.submit(wa.Text(to=RECIPIENT, body=f"bench {i}")) for i in range(n)]
        wamids = await asyncio.gather(*futures)
        timed.stop()
    return sum(1 for w in wamids if w.startswith("wamid."))


async def pywa(url: str, n: int, concurrency: int, timed: _Timed) -> int:
    """pywa's async client. Its base URL is fixed on the httpx session it is given, so we set it afterwards."""
    import httpx
    from pywa_async import WhatsApp  # type: ignore[attr-defined]

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits) as session:
        client = WhatsApp(phone_id=PNID, token="bench", session=session, api_version=API_VERSION[1:])
        session.base_url = httpx.URL(f"{url}/{API_VERSION}")

        async def one(i: int) -> str:
            sent = await client.send_message(to=RECIPIENT, text=f"bench {i}")
            return str(sent.id)

        timed.start()
        ok = await fan_out(n, concurrency, one)
        timed.stop()
    return ok


class _Sink(io.StringIO):
    """Swallows whatever is printed."""

    def write(self, s: str) -> int:
        return len(s)


class _Redirect:
    """Stands in for the ``aiohttp`` module inside whatsapp-python: every ``ClientSession`` it makes posts to the
    loopback server instead of the hard-coded ``https://graph.facebook.com`` (one session per message, as theirs)."""

    def __init__(self, url: str) -> None:
        import aiohttp

        self._aiohttp = aiohttp
        self._url = url

    def __getattr__(self, name: str) -> Any:
        return getattr(self._aiohttp, name)

    def ClientSession(self, *args: Any, **kwargs: Any) -> Any:
        session = self._aiohttp.ClientSession(*args, **kwargs)
        real_post = session.post
        url = self._url

        def post(target: str, **kw: Any) -> Any:
            return real_post(target.replace("https://graph.facebook.com", url), **kw)

        session.post = post  # type: ignore[method-assign,assignment]
        return session


async def whatsapp_python(url: str, n: int, concurrency: int, timed: _Timed) -> int:
    """whatsapp-python's ``AsyncWhatsApp``. Its constructor fetches a Meta web page (we stub ``requests.get``); its
    send URL is hard-coded (we hand it a redirecting ``aiohttp``); it prints a line per message (swallowed)."""
    import whatsapp  # type: ignore[import-untyped]

    class _Page:
        text = ""

    real_get = whatsapp.requests.get
    whatsapp.requests.get = lambda *a, **k: _Page()
    try:
        client = whatsapp.AsyncWhatsApp(
            token="bench",
            phone_number_id={"bench": PNID},
            logger=False,
            update_check=False,
            debug=False,
            version=API_VERSION,
        )
    finally:
        whatsapp.requests.get = real_get
    whatsapp.aiohttp = _Redirect(url)

    async def one(i: int) -> str:
        message = client.create_message(content=f"bench {i}", to=RECIPIENT)
        response = await (await message.send(preview_url=False))
        return str(response["messages"][0]["id"])

    with contextlib.redirect_stdout(_Sink()):
        timed.start()
        ok = await fan_out(n, concurrency, one)
        timed.stop()
    return ok


async def heyoo(url: str, n: int, concurrency: int, timed: _Timed) -> int:
    """heyoo is synchronous (``requests.post`` per message): run it on ``concurrency`` threads. Its URL is the
    instance attribute ``url``, which we point at the loopback server."""
    from heyoo import WhatsApp  # type: ignore[import-untyped]

    client = WhatsApp(token="bench", phone_number_id=PNID)
    client.url = f"{url}/{API_VERSION}/{PNID}/messages"
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(concurrency) as pool:

        def send(i: int) -> str:
            return str(client.send_message(f"bench {i}", RECIPIENT, preview_url=False)["messages"][0]["id"])

        async def one(i: int) -> str:
            return await loop.run_in_executor(pool, send, i)

        timed.start()
        ok = await fan_out(n, concurrency, one)
        timed.stop()
    return ok


CONTENDERS: dict[str, Callable[[str, int, int, _Timed], Awaitable[int]]] = {
    "floor (aiohttp + msgspec)": floor_msgspec,
    "aiohttp + json": aiohttp_json,
    "wa_async send()": wa_send,
    "wa_async submit()": wa_submit,
    "pywa (async)": pywa,
    "whatsapp-python (async)": whatsapp_python,
    "heyoo (threads)": heyoo,
}
"""Name to contender; the first is the floor every other is compared with."""


async def run_contender(name: str, url: str, n: int, concurrency: int) -> dict[str, Any]:
    """Run one contender once in this process and measure its timed phase."""
    timed = _Timed()
    ok = await CONTENDERS[name](url, n, concurrency, timed)
    if ok != n:
        raise RuntimeError(f"{n - ok} of {n} sends returned no wamid")
    return {
        "msgs_per_s": n / timed.wall,
        "cpu_us_per_msg": timed.cpu / n * 1e6,
        "wall_s": timed.wall,
    }


async def _child(cfg: dict[str, Any]) -> dict[str, Any]:
    return await run_contender(cfg["contender"], cfg["url"], cfg["n"], cfg["concurrency"])


if __name__ == "__main__":
    child_main(_child)
