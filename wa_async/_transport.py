"""The one seam to the network: the [`Transport`][wa_async.Transport] protocol, the aiohttp transport, and a mock one.

A transport sends an [`HttpRequest`][wa_async.HttpRequest] and returns the raw [`Response`][wa_async.Response]
(or streams its body); it knows nothing of Graph's error bodies or of retries. aiohttp's exceptions are translated
here, once: [`TransportError`][wa_async.TransportError] when the request provably never left (no connection, a
connect timeout, a bad URL), [`DeliveryUnknown`][wa_async.DeliveryUnknown] when it may have reached the server.

```python
def handler(request: wa.HttpRequest) -> wa.Response:
    return wa.Response(200, {}, b'{"messages": [{"id": "wamid.1"}]}')

client = wa.Client.graph("123", access_token="t", transport=wa.MockTransport(handler))
```
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import io
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, NamedTuple, Protocol, runtime_checkable

import aiohttp
import msgspec
from aiohttp import payload
from yarl import URL

from ._errors import DeliveryUnknown, TransportError, ValidationError

__all__ = [
    "CHUNK_SIZE",
    "AiohttpTransport",
    "FilePart",
    "FileSource",
    "HttpRequest",
    "MockTransport",
    "Multipart",
    "Response",
    "StreamedResponse",
    "Transport",
    "check_base_url",
    "check_headers",
]

CHUNK_SIZE = 256 * 1024


class FileSource:
    """What to upload: bytes in memory, a path opened per try, or the caller's seekable file from ``start``."""

    __slots__ = ("data", "file", "filename", "head", "path", "progress", "size", "start")

    def __init__(
        self,
        *,
        size: int,
        head: bytes,
        filename: str,
        data: bytes | None = None,
        path: Path | None = None,
        file: IO[bytes] | None = None,
        start: int = 0,
    ) -> None:
        self.size = size
        self.head = head
        self.filename = filename
        self.data = data
        self.path = path
        self.file = file
        self.start = start
        self.progress: Callable[[int, int | None], None] | None = None
        """Called with (bytes sent, size) as the transport sends the content."""

    def read_all(self) -> bytes:
        """The whole content (blocking: call it in a thread for a file)."""
        if self.data is not None:
            return self.data
        f = self.path.open("rb") if self.path is not None else self.file
        assert f is not None
        try:
            f.seek(self.start)
            return f.read(self.size)
        finally:
            if self.path is not None:
                f.close()


class FilePart(NamedTuple):
    """One file field of a multipart body."""

    name: str
    source: FileSource
    content_type: str


class Multipart(NamedTuple):
    """A ``multipart/form-data`` body: plain fields, then files; the transport encodes it for each try."""

    fields: Sequence[tuple[str, str]]
    files: Sequence[FilePart] = ()


class HttpRequest(msgspec.Struct, frozen=True):
    """One HTTP request as the transport sends it.

    ``body`` is JSON bytes (sent with ``Content-Type: application/json``), a multipart body, or None;
    ``headers`` are the client's own (authorization, Maton's connection), the same mapping for every request.
    """

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes | Multipart | None = None
    params: Mapping[str, str] | None = None
    timed: bool = False
    """Ask the transport to say when the body left (``Response.sent_at``): the rate limiter learns from it."""


class Response(msgspec.Struct, frozen=True):
    """A raw HTTP answer: status, headers and body bytes; ``sent_at`` is the event loop's time when the request
    body was handed to the socket, when the request asked for it and the transport knows (else 0)."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    sent_at: float = 0.0


class StreamedResponse(NamedTuple):
    """An answer whose body is read in chunks: ``status, headers, chunks = response``."""

    status: int
    headers: Mapping[str, str]
    chunks: AsyncIterator[bytes]


@runtime_checkable
class Transport(Protocol):
    """What the client needs of the network. [`AiohttpTransport`][wa_async.AiohttpTransport] is the default;
    [`MockTransport`][wa_async.MockTransport] answers from a function, for tests."""

    def open(self) -> None:
        """Get ready to send (called in the running event loop, before the first request)."""
        ...

    async def aclose(self) -> None:
        """Release connections; the transport is not used again."""
        ...

    async def send(self, request: HttpRequest) -> Response:
        """Send one request and read its whole answer (any status). Raise ``TransportError`` (never left) or
        ``DeliveryUnknown`` (may have arrived) when no answer was read."""
        ...

    def stream(
        self, request: HttpRequest, *, chunk_size: int = CHUNK_SIZE
    ) -> contextlib.AbstractAsyncContextManager[StreamedResponse]:
        """Send one body-less request and yield the answer (any status) with its body in chunks."""
        ...


def check_base_url(base_url: str) -> str:
    """The base URL without a trailing slash; ``ValidationError`` unless it is an absolute http(s) URL."""
    text = str(base_url).strip().rstrip("/")
    try:
        url = URL(text)
    except (TypeError, ValueError):
        url = None
    if url is None or url.scheme not in ("http", "https") or not url.host:
        raise ValidationError("base_url", f"{base_url!r} is not an absolute http(s) URL")
    return text


def check_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers as a dict; ``ValidationError`` for a value no server would take (a CR or LF from a Windows
    ``.env`` file, other control characters)."""
    out: dict[str, str] = {}
    for name, value in headers.items():
        if any((ord(c) < 32 and c != "\t") or ord(c) == 127 for c in f"{name}{value}"):
            shown = "credential" if name.lower() in ("authorization", "maton-connection") else f"{name} header"
            raise ValidationError(
                shown, "contains a control character (a trailing \\r from a Windows .env file?): strip it"
            )
        out[name] = value
    return out


class AiohttpTransport:
    """Sends through one pooled ``aiohttp.ClientSession``, created in the running loop by `open()` (or
    borrowed with ``session=``, which it then leaves open).

    ``timeout`` bounds each phase on its own: getting a connection (a connect that never completes is a
    [`TransportError`][wa_async.TransportError]: nothing left), and then reading the answer (a
    [`DeliveryUnknown`][wa_async.DeliveryUnknown]).
    """

    __slots__ = ("_connector_limit", "_headers", "_owned", "_session", "_timeout", "timeout")

    def __init__(
        self,
        *,
        timeout: float | None = 30.0,
        session: aiohttp.ClientSession | None = None,
        connector_limit: int = 100,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.timeout = timeout
        self._session = session
        self._owned = session is None
        self._connector_limit = connector_limit
        self._timeout = aiohttp.ClientTimeout(total=None, connect=timeout, sock_read=timeout)
        # The headers every request carries: set once on a session this transport creates, so that aiohttp
        # does not merge them again for each request (requests that carry exactly this mapping).
        self._headers = headers

    def __repr__(self) -> str:
        return f"<AiohttpTransport timeout={self.timeout} {'closed' if self.closed else 'open'}>"

    def open(self) -> None:
        """Create the pooled aiohttp session (in the running loop) unless one was given."""
        if self._session is None or (self._owned and self._session.closed):
            self._owned = True
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connector_limit, limit_per_host=0),
                timeout=self._timeout,
                headers=self._headers,
                raise_for_status=False,
            )

    async def aclose(self) -> None:
        """Close the aiohttp session if this object created it."""
        if self._session is not None and self._owned and not self._session.closed:
            await self._session.close()

    @property
    def closed(self) -> bool:
        """True when there is no open aiohttp session."""
        return self._session is None or self._session.closed

    async def send(self, request: HttpRequest) -> Response:
        """Send one request and read the whole answer; translate aiohttp's exceptions."""
        session = self._open_session()
        body = request.body
        data: Any
        if type(body) is bytes:
            if request.timed:
                data = _TimedJson(body, content_type="application/json")
            else:
                data = payload.BytesPayload(body, content_type="application/json")
        elif body is None:
            data = None
        else:
            data = _form(body)  # type: ignore[arg-type]
        headers: Mapping[str, str] | None = request.headers
        if headers is self._headers and self._owned:
            headers = None  # already the session's own
        try:
            async with session.request(
                request.method, request.url, data=data, params=request.params, headers=headers, timeout=self._timeout
            ) as resp:
                sent_at = data.sent_at if request.timed and type(data) is _TimedJson else 0.0
                return Response(resp.status, resp.headers, await resp.read(), sent_at)
        except (aiohttp.ClientError, OSError, TimeoutError) as e:
            raise _translate(e, request.url) from e

    async def warm(self, url: str, count: int) -> int:
        """Open up to ``count`` connections to ``url``'s host ahead of the first requests; return how many.

        A request that has to open its connection (TCP, TLS) leaves late after the rate limiter granted it;
        opening them before any slot is taken keeps the first requests on schedule. Best effort: a failure here
        is left for the first request to report.
        """
        session = self._open_session()
        connector = session.connector
        if connector is None or count < 1:
            return 0
        try:
            probe = aiohttp.ClientRequest("GET", URL(url), loop=asyncio.get_running_loop())
            opened = await asyncio.gather(
                *(connector.connect(probe, [], self._timeout) for _ in range(count)), return_exceptions=True
            )
        except Exception:  # an aiohttp that builds requests differently: simply do not warm up
            return 0
        ready = [c for c in opened if not isinstance(c, BaseException)]
        for connection in ready:
            connection.release()
        return len(ready)

    @contextlib.asynccontextmanager
    async def stream(self, request: HttpRequest, *, chunk_size: int = CHUNK_SIZE) -> AsyncIterator[StreamedResponse]:
        """Send a body-less request and yield the answer with its body as an async iterator of chunks.

        The connection is released when the block ends, read to the end or not; a failure while the chunks are
        read is translated as in `send()`.
        """
        session = self._open_session()
        url = request.url
        headers = None if request.headers is self._headers and self._owned else request.headers
        try:
            resp = await session.request(
                request.method, url, params=request.params, headers=headers, timeout=self._timeout
            )
        except (aiohttp.ClientError, OSError, TimeoutError) as e:
            raise _translate(e, url) from e
        chunks = _chunks(resp, url, chunk_size)
        try:
            yield StreamedResponse(resp.status, resp.headers, chunks)
        finally:
            await chunks.aclose()
            resp.release()

    def _open_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("the transport is not open: use `async with client:` or `await client.start()`")
        return self._session


Handler = Callable[[HttpRequest], Response | Awaitable[Response]]


class MockTransport:
    """Answers every request from ``handler(request)`` (a function or a coroutine function), in process.

    Like httpx's ``MockTransport``: the client's limiter, retries, decoding and errors all run as with the real
    network. A handler may raise [`TransportError`][wa_async.TransportError] or
    [`DeliveryUnknown`][wa_async.DeliveryUnknown] to play a network failure. Multipart bodies reach the
    handler with their file contents read into memory (as ``FileSource.data``).
    """

    __slots__ = ("_handler", "requests")

    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self.requests: list[HttpRequest] = []

    def __repr__(self) -> str:
        return f"<MockTransport requests={len(self.requests)}>"

    def open(self) -> None:
        """Nothing to open."""

    async def aclose(self) -> None:
        """Nothing to close."""

    async def send(self, request: HttpRequest) -> Response:
        """Record the request and answer it from the handler."""
        if isinstance(request.body, Multipart):
            request = msgspec.structs.replace(request, body=await _in_memory(request.body))
        self.requests.append(request)
        sent_at = asyncio.get_running_loop().time() if request.timed else 0.0
        answer = self._handler(request)
        resp = await answer if inspect.isawaitable(answer) else answer
        if sent_at and not resp.sent_at:
            resp = msgspec.structs.replace(resp, sent_at=sent_at)  # it "left" when the handler was called
        return resp

    @contextlib.asynccontextmanager
    async def stream(self, request: HttpRequest, *, chunk_size: int = CHUNK_SIZE) -> AsyncIterator[StreamedResponse]:
        """The handler's answer with its body in chunks of ``chunk_size``."""
        resp = await self.send(request)

        async def chunks() -> AsyncGenerator[bytes, None]:
            for i in range(0, len(resp.body), chunk_size):
                yield resp.body[i : i + chunk_size]

        gen = chunks()
        try:
            yield StreamedResponse(resp.status, resp.headers, gen)
        finally:
            await gen.aclose()


async def _in_memory(body: Multipart) -> Multipart:
    files = []
    for part in body.files:
        data = await asyncio.to_thread(part.source.read_all)
        if part.source.progress is not None:
            part.source.progress(len(data), part.source.size)
        src = FileSource(size=len(data), head=data[:32], filename=part.source.filename, data=data)
        files.append(part._replace(source=src))
    return body._replace(files=files)


def _form(body: Multipart) -> aiohttp.FormData:
    """A fresh form for one try (a multipart body can be sent only once)."""
    form = aiohttp.FormData()
    for name, value in body.fields:
        form.add_field(name, value)
    for part in body.files:
        src = part.source
        data: payload.Payload = (
            payload.BytesPayload(src.data, content_type=part.content_type)
            if src.data is not None and src.progress is None
            else _FilePayload(src, content_type=part.content_type)
        )
        form.add_field(part.name, data, filename=src.filename, content_type=part.content_type)
    return form


class _TimedJson(payload.BytesPayload):
    """A JSON body that notes the loop's time once it is written to the connection: when the request left."""

    sent_at = 0.0

    async def write(self, writer: Any) -> None:
        """Write the body, then note the time."""
        await super().write(writer)
        self.sent_at = asyncio.get_running_loop().time()

    async def write_with_length(self, writer: Any, content_length: int | None) -> None:
        """Write the body (up to ``content_length``), then note the time."""
        await super().write_with_length(writer, content_length)
        self.sent_at = asyncio.get_running_loop().time()


class _FilePayload(payload.Payload):
    """An upload streamed from disk in chunks read in a thread; its size is known, so no chunked encoding."""

    _autoclose = True  # it holds no file between writes

    def __init__(self, source: FileSource, *, content_type: str) -> None:
        super().__init__(source, content_type=content_type)
        self._source = source
        self._size = source.size

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        """Not decodable: a file payload is only ever streamed."""
        raise TypeError("a file payload cannot be decoded")

    async def write(self, writer: Any) -> None:
        """Stream the file to ``writer``."""
        await self.write_with_length(writer, None)

    async def write_with_length(self, writer: Any, content_length: int | None) -> None:
        """Stream at most ``content_length`` bytes (all when None), reopening or rewinding the source."""
        src = self._source
        f: IO[bytes] | None
        if src.data is not None:
            f = io.BytesIO(src.data)
        else:
            f = await asyncio.to_thread(src.path.open, "rb") if src.path is not None else src.file
        assert f is not None
        try:
            await asyncio.to_thread(f.seek, src.start)
            left = src.size if content_length is None else min(src.size, content_length)
            done = 0
            if src.progress is not None:
                src.progress(0, src.size)
            while left > 0:
                chunk = await asyncio.to_thread(f.read, min(CHUNK_SIZE, left))
                if not chunk:
                    break
                left -= len(chunk)
                await writer.write(chunk)
                done += len(chunk)
                if src.progress is not None:
                    src.progress(done, src.size)
        finally:
            if src.path is not None:
                await asyncio.to_thread(f.close)


async def _chunks(resp: aiohttp.ClientResponse, url: str, size: int) -> AsyncGenerator[bytes, None]:
    try:
        async for chunk in resp.content.iter_chunked(size):
            yield chunk
    except (aiohttp.ClientError, OSError, TimeoutError) as e:
        raise _translate(e, url) from e


def _translate(error: BaseException, url: str) -> TransportError:
    """The one translation of aiohttp's exceptions: never left, or maybe delivered."""
    if isinstance(error, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError | aiohttp.InvalidURL):
        # No connection was made (refused, unreachable, DNS, TLS handshake, a connect that never completed),
        # or the URL could not even be used: the request never left.
        return TransportError(f"could not connect to {url}: {error}")
    if isinstance(error, TimeoutError | aiohttp.ServerTimeoutError):
        return DeliveryUnknown(f"no answer from {url} within the timeout; it may have been delivered")
    return DeliveryUnknown(
        f"the connection to {url} failed after the request was sent ({type(error).__name__}: {error}); "
        "it may have been delivered"
    )
