"""The network seam against a real aiohttp server on 127.0.0.1: AiohttpTransport.send and .stream translate
aiohttp's failures alike; the pipeline's stream decodes error answers and retries until the first chunk is in
hand, never after."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from pathlib import Path

import pytest
from aiohttp import web

import wa_async as wa
from tests._server import free_port as _free_port
from wa_async._options import DEFAULT_API_VERSION
from wa_async._transport import AiohttpTransport, HttpRequest, StreamedResponse
from wa_async.resources import MediaInfo

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
DATA = bytes(range(256)) * 4096  # 1 MiB
NOT_FOUND = {"error": {"message": "(#100) Invalid parameter", "type": "OAuthException", "code": 100,
                       "error_subcode": 33, "fbtrace_id": "AbC"}}  # fmt: skip
UNAVAILABLE = {"error": {"message": "(#2) Service temporarily unavailable", "type": "OAuthException", "code": 2,
                         "is_transient": True, "fbtrace_id": "AbC"}}  # fmt: skip


class Server:
    """Answers each request with the next planned handler (the last one repeats); records what arrived."""

    def __init__(self) -> None:
        self.plan: list[Handler] = []
        self.requests: list[web.Request] = []
        self.url = ""
        self.runner: web.AppRunner | None = None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(request)
        handler = self.plan[min(len(self.requests), len(self.plan)) - 1]
        return await handler(request)

    async def __aenter__(self) -> Server:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        self.runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self.runner.addresses[0][1]}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.runner is not None
        await self.runner.cleanup()


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    async with Server() as s:
        yield s


AUTH = {"Authorization": "Bearer k"}


def get(url: str, headers: Mapping[str, str] = AUTH) -> HttpRequest:
    return HttpRequest("GET", url, headers)


@pytest.fixture
async def session() -> AsyncIterator[AiohttpTransport]:
    s = AiohttpTransport(timeout=5)
    s.open()
    try:
        yield s
    finally:
        await s.aclose()


def body(data: bytes = DATA, status: int = 200) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(body=data, status=status, content_type="application/octet-stream")

    return handler


def graph_error(payload: Mapping[str, object], status: int) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.json_response(payload, status=status)

    return handler


def drop_after(data: bytes, *, wait: asyncio.Event | None = None, total: int = len(DATA)) -> Handler:
    """Promise ``total`` bytes, send ``data``, wait for ``wait`` (the client read it), then drop the connection."""

    async def handler(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()
        resp.content_length = total
        await resp.prepare(request)
        if data:
            await resp.write(data)
        if wait is not None:
            await wait.wait()
        assert request.transport is not None
        request.transport.close()
        return resp

    return handler


def names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


async def read_all(chunks: AsyncIterator[bytes]) -> tuple[bytes, list[int]]:
    sizes, parts = [], []
    async for chunk in chunks:
        sizes.append(len(chunk))
        parts.append(chunk)
    return b"".join(parts), sizes


# --- AiohttpTransport ------------------------------------------------------------------------------------------


async def test_stream_yields_status_headers_and_bounded_chunks(server: Server, session: AiohttpTransport) -> None:
    server.plan = [body()]
    request = get(f"{server.url}/file", {**AUTH, "X-Extra": "1"})
    async with session.stream(request, chunk_size=64 * 1024) as resp:
        assert isinstance(resp, StreamedResponse)
        status, headers, chunks = resp
        assert status == 200 and headers["Content-Type"] == "application/octet-stream"
        data, sizes = await read_all(chunks)
    assert data == DATA and max(sizes) <= 64 * 1024 and len(sizes) >= 16
    (request,) = server.requests
    assert request.headers["Authorization"] == "Bearer k" and request.headers["X-Extra"] == "1"
    assert "Content-Type" not in request.headers  # no body, so no JSON content type


@pytest.mark.parametrize(
    ("handler", "error", "code"),
    [(graph_error(NOT_FOUND, 400), wa.NotFound, 100), (graph_error(UNAVAILABLE, 503), wa.ServerError, 2),
     (body(b"Not Found", 404), wa.NotFound, None)],
    ids=["graph-100-33", "graph-2", "plain-404"],
)
async def test_stream_raises_error_answers_as_decode_error_does(
    server: Server,
    client: tuple[wa.Client, CountingLimiter, list[float]],
    handler: Handler,
    error: type[wa.ApiError],
    code: int | None,
) -> None:
    c, _, _ = client
    server.plan = [handler]
    with pytest.raises(error) as caught:
        async with c.stream("GET", f"{server.url}/x"):
            pytest.fail("an error answer must not be yielded")
    assert caught.value.code == code
    assert isinstance(caught.value.request, wa.ApiCall) and caught.value.request.path == f"{server.url}/x"


async def test_stream_body_less_502_is_delivery_unknown(
    server: Server, client: tuple[wa.Client, CountingLimiter, list[float]]
) -> None:
    c, _, _ = client
    server.plan = [body(b"", 502)]
    with pytest.raises(wa.DeliveryUnknown, match="HTTP 502"):
        async with c.stream("POST", f"{server.url}/x"):
            pass


async def test_connection_refused_is_a_transport_error_for_both(session: AiohttpTransport) -> None:
    url = f"http://127.0.0.1:{_free_port()}/x"
    with pytest.raises(wa.TransportError, match="could not connect") as caught:
        async with session.stream(get(url)):
            pass
    assert not isinstance(caught.value, wa.DeliveryUnknown)
    with pytest.raises(wa.TransportError, match="could not connect") as caught:
        await session.send(get(url))
    assert not isinstance(caught.value, wa.DeliveryUnknown)


async def test_a_drop_mid_body_is_delivery_unknown_while_reading(server: Server, session: AiohttpTransport) -> None:
    read_some = asyncio.Event()
    server.plan = [drop_after(DATA[:1000], wait=read_some)]
    async with session.stream(get(f"{server.url}/x")) as resp:
        first = await anext(resp.chunks)
        assert first == DATA[: len(first)]
        read_some.set()
        with pytest.raises(wa.DeliveryUnknown, match="may have been delivered"):
            await read_all(resp.chunks)
    server.plan = [drop_after(DATA[:1000])]
    with pytest.raises(wa.DeliveryUnknown):
        await session.send(get(f"{server.url}/x"))


async def test_a_stalled_body_times_out_per_read(server: Server) -> None:
    stall = asyncio.Event()

    async def stalled(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()
        resp.content_length = 10
        await resp.prepare(request)
        await resp.write(b"12345")
        await stall.wait()  # set only after the client's read timed out
        return resp

    server.plan = [stalled]
    s = AiohttpTransport(timeout=0.2)
    s.open()
    try:
        async with s.stream(get(f"{server.url}/x")) as resp:
            with pytest.raises(wa.DeliveryUnknown, match="within the timeout"):
                await read_all(resp.chunks)
    finally:
        stall.set()
        await s.aclose()


async def test_leaving_early_releases_the_connection(server: Server, session: AiohttpTransport) -> None:
    server.plan = [body()]
    async with session.stream(get(f"{server.url}/x")) as resp:
        await anext(resp.chunks)
    assert session._session is not None and not session._session.connector._acquired  # type: ignore[union-attr]
    async with session.stream(get(f"{server.url}/x")) as resp:  # the session still works
        assert (await read_all(resp.chunks))[0] == DATA


async def test_stream_needs_an_open_session() -> None:
    with pytest.raises(RuntimeError, match="not open"):
        async with AiohttpTransport().stream(get("http://x/y")):
            pass


# --- Client.stream: the limiter and the retry policy ------------------------------------------------------------


class CountingLimiter:
    def __init__(self) -> None:
        self.acquired = 0
        self.paused: list[float] = []

    async def acquire(self) -> None:
        self.acquired += 1

    async def pause(self, seconds: float) -> None:
        self.paused.append(seconds)


@pytest.fixture
async def client(server: Server) -> AsyncIterator[tuple[wa.Client, CountingLimiter, list[float]]]:
    limiter, slept = CountingLimiter(), []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    retry = wa.RetryPolicy(attempts=4, base=1.0, random=lambda: 0.5)
    async with wa.Client.maton("123", api_key="k", base_url=server.url, limiter=limiter, retry=retry,
                               sleep=sleep) as c:  # fmt: skip
        yield c, limiter, slept


async def test_client_stream_retries_a_transient_error_through_the_limiter(
    server: Server, client: tuple[wa.Client, CountingLimiter, list[float]]
) -> None:
    c, limiter, slept = client
    server.plan = [graph_error(UNAVAILABLE, 503), graph_error(UNAVAILABLE, 503), body()]
    async with c.stream("GET", "media-bytes") as (status, _, chunks):
        assert status == 200
        assert (await read_all(chunks))[0] == DATA
    assert len(server.requests) == 3 and limiter.acquired == 3
    assert slept == [0.5, 1.0]  # full jitter with random=0.5: base * 2**n / 2
    assert server.requests[0].path == f"/{DEFAULT_API_VERSION}/media-bytes"


async def test_client_stream_retries_a_drop_before_the_first_chunk(
    server: Server, client: tuple[wa.Client, CountingLimiter, list[float]]
) -> None:
    c, limiter, _ = client
    server.plan = [drop_after(b""), body()]
    async with c.stream("GET", f"{server.url}/file") as resp:
        assert (await read_all(resp.chunks))[0] == DATA
    assert len(server.requests) == 2 and limiter.acquired == 2


async def test_client_stream_never_retries_once_a_chunk_was_handed_out(
    server: Server, client: tuple[wa.Client, CountingLimiter, list[float]]
) -> None:
    c, _, slept = client
    read_some = asyncio.Event()
    server.plan = [drop_after(DATA[:1000], wait=read_some), body()]
    async with c.stream("GET", f"{server.url}/file") as resp:
        await anext(resp.chunks)
        read_some.set()
        with pytest.raises(wa.DeliveryUnknown):
            await read_all(resp.chunks)
    assert len(server.requests) == 1 and slept == []


@pytest.mark.parametrize(("method", "requests"), [("GET", 2), ("POST", 1)])
async def test_an_unknown_outcome_is_retried_only_when_idempotent(
    server: Server, client: tuple[wa.Client, CountingLimiter, list[float]], method: str, requests: int
) -> None:
    c, _, _ = client
    server.plan = [body(b"", 502), body(b"ok")]
    if method == "GET":
        async with c.stream(method, "x") as resp:
            assert (await read_all(resp.chunks))[0] == b"ok"
    else:
        with pytest.raises(wa.DeliveryUnknown):
            async with c.stream(method, "x"):
                pass
    assert len(server.requests) == requests


async def test_client_stream_does_not_retry_not_found_and_pauses_on_throttling(
    server: Server, client: tuple[wa.Client, CountingLimiter, list[float]]
) -> None:
    c, limiter, _ = client
    server.plan = [graph_error(NOT_FOUND, 400)]
    with pytest.raises(wa.NotFound):
        async with c.stream("GET", "x"):
            pass
    assert len(server.requests) == 1
    throttled = {"error": {"message": "(#130429) Rate limit hit", "code": 130429, "type": "OAuthException"}}
    server.requests.clear()
    server.plan = [graph_error(throttled, 429), body(b"ok")]
    async with c.stream("GET", "x") as resp:
        assert (await read_all(resp.chunks))[0] == b"ok"
    assert len(server.requests) == 2 and limiter.paused  # an account-wide wait holds the limiter


async def test_caller_errors_inside_the_block_are_not_translated_or_retried(
    server: Server, client: tuple[wa.Client, CountingLimiter, list[float]]
) -> None:
    c, _, _ = client
    server.plan = [body()]
    with pytest.raises(OSError, match="disk full"):
        async with c.stream("GET", "x") as resp:
            await anext(resp.chunks)
            raise OSError("disk full")
    assert len(server.requests) == 1


async def test_media_download_to_a_file_gets_the_retry_policy(
    server: Server, client: tuple[wa.Client, CountingLimiter, list[float]], tmp_path: Path
) -> None:
    c, _, _ = client
    info = MediaInfo(id="7", url=f"{server.url}/media/7", mime_type="application/pdf",
                     sha256=hashlib.sha256(DATA).hexdigest())  # fmt: skip
    server.plan = [graph_error(UNAVAILABLE, 503), drop_after(b""), body()]
    out = await c.media.download(info, tmp_path / "doc.pdf")
    assert out.read_bytes() == DATA and names(tmp_path) == ["doc.pdf"]
    assert len(server.requests) == 3
    assert all(r.headers["Authorization"] == "Bearer k" for r in server.requests)
