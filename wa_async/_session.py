"""The one seam to the network: aiohttp, auth headers, base URLs and error decoding.

Every request the client makes goes through :meth:`Session.request`, or :meth:`Session.stream` for a body read
in chunks. aiohttp's exceptions are translated here, once, into :class:`~wa_async.TransportError` (the request
never left) or :class:`~wa_async.DeliveryUnknown` (it may have reached Meta); an error answer becomes the
:class:`~wa_async.ApiError` subclass its Graph code names.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from typing import Any, NamedTuple, TypeVar

import aiohttp
import msgspec

from ._errors import ApiError, DeliveryUnknown, TransportError, error_class
from ._retry import parse_retry_after, usage_wait

__all__ = ["CHUNK_SIZE", "Response", "Session", "StreamedResponse", "decode_error"]

T = TypeVar("T")

CHUNK_SIZE = 256 * 1024


class Response(msgspec.Struct, frozen=True):
    """A raw HTTP answer: status, headers and body bytes."""

    status: int
    headers: Mapping[str, str]
    body: bytes


class StreamedResponse(NamedTuple):
    """A successful answer whose body is read in chunks: ``status, headers, chunks = response``."""

    status: int
    headers: Mapping[str, str]
    chunks: AsyncIterator[bytes]


class _GraphError(msgspec.Struct):
    message: str = ""
    type: str | None = None
    code: int | None = None
    error_subcode: int | None = None
    error_data: dict[str, Any] | None = None
    fbtrace_id: str | None = None
    is_transient: bool | None = None
    error_user_msg: str | None = None


class _GraphErrorBody(msgspec.Struct):
    error: _GraphError


_error_decoder = msgspec.json.Decoder(_GraphErrorBody)

# Without a Graph body these statuses leave the outcome unknown: a proxy or load balancer failed after the
# request may already have been handed on (API.md: "body-less 502/504").
_AMBIGUOUS_STATUSES = frozenset({500, 502, 504})


def decode_error(status: int, headers: Mapping[str, str], body: bytes, *, request: object = None) -> ApiError:
    """The exception for a non-2xx answer; raises :class:`DeliveryUnknown` for a body-less 500/502/504."""
    retry_after = parse_retry_after(headers.get("Retry-After"))
    usage = usage_wait(headers)
    if usage is not None:
        retry_after = max(retry_after or 0.0, usage)
    try:
        err = _error_decoder.decode(body).error
    except (msgspec.DecodeError, msgspec.ValidationError):
        if status in _AMBIGUOUS_STATUSES:
            raise DeliveryUnknown(
                f"HTTP {status} with no Graph error body: the request may have been delivered"
            ) from None
        text = body[:200].decode("utf-8", "replace").strip() or aiohttp.http.RESPONSES.get(status, ("",))[0]
        cls = error_class(None, status)
        return cls(text or f"HTTP {status}", http_status=status, retry_after=retry_after, request=request)
    details = None
    if err.error_data is not None:
        raw = err.error_data.get("details")
        details = raw if isinstance(raw, str) else None
    cls = error_class(err.code, status, err.error_subcode)
    return cls(
        err.message or err.error_user_msg or f"HTTP {status}",
        http_status=status,
        code=err.code,
        subcode=err.error_subcode,
        type=err.type,
        details=details,
        fbtrace_id=err.fbtrace_id,
        is_transient=err.is_transient,
        retry_after=retry_after,
        request=request,
    )


class Session:
    """An aiohttp session with the client's auth headers and base URL.

    It is created inside the running loop by :meth:`open` (or borrows ``session=``, which it then leaves open).
    """

    __slots__ = ("_connector_limit", "_owned", "_session", "base_url", "headers", "timeout")

    def __init__(
        self,
        base_url: str,
        headers: Mapping[str, str],
        *,
        timeout: float | None = 30.0,
        session: aiohttp.ClientSession | None = None,
        connector_limit: int = 100,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.headers = dict(headers)
        self.timeout = timeout
        self._session = session
        self._owned = session is None
        self._connector_limit = connector_limit

    def open(self) -> None:
        """Create the pooled aiohttp session (in the running loop) unless one was given."""
        if self._session is None or (self._owned and self._session.closed):
            self._owned = True
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connector_limit, limit_per_host=0),
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                raise_for_status=False,
            )

    async def close(self) -> None:
        """Close the aiohttp session if this object created it."""
        if self._session is not None and self._owned and not self._session.closed:
            await self._session.close()

    @property
    def closed(self) -> bool:
        """True when there is no open aiohttp session."""
        return self._session is None or self._session.closed

    async def request(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None = None,
        params: Mapping[str, str] | None = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """Send one request and read the whole answer; translate aiohttp's exceptions.

        Raises :class:`TransportError` when the connection could not be made (nothing left),
        :class:`DeliveryUnknown` when the request may have been sent but no answer was read.
        """
        session = self._open_session()
        hdrs = self.headers if headers is None else {**self.headers, **headers}
        if body is not None:
            data = body
        elif data is not None:
            # Let aiohttp set the multipart Content-Type.
            hdrs = {k: v for k, v in hdrs.items() if k != "Content-Type"}
        try:
            async with session.request(method, url, data=data, params=params, headers=hdrs) as resp:
                payload = await resp.read()
                return Response(resp.status, resp.headers, payload)
        except (aiohttp.ClientError, OSError, TimeoutError) as e:
            raise _translate(e, url) from e

    @contextlib.asynccontextmanager
    async def stream(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        chunk_size: int = CHUNK_SIZE,
    ) -> AsyncIterator[StreamedResponse]:
        """Send a body-less request and yield the answer with its body as an async iterator of chunks.

        The connection is released when the block ends, read to the end or not. An error answer (status 300 or
        more) is read whole and raised as :func:`decode_error` decodes it. aiohttp's exceptions become
        :class:`TransportError` or :class:`DeliveryUnknown` as in :meth:`request`, also while the chunks are read.
        ``timeout`` bounds the connect and each read, not the whole body, whose time grows with its size.
        """
        session = self._open_session()
        hdrs = {k: v for k, v in (self.headers if headers is None else {**self.headers, **headers}).items()
                if k != "Content-Type"}  # fmt: skip  (there is no body)
        timeout = aiohttp.ClientTimeout(total=None, connect=self.timeout, sock_read=self.timeout)
        try:
            resp = await session.request(method, url, headers=hdrs, timeout=timeout)
        except (aiohttp.ClientError, OSError, TimeoutError) as e:
            raise _translate(e, url) from e
        chunks = _chunks(resp, url, chunk_size)
        try:
            if resp.status >= 300:
                try:
                    body = await resp.read()
                except (aiohttp.ClientError, OSError, TimeoutError) as e:
                    raise _translate(e, url) from e
                raise decode_error(resp.status, resp.headers, body, request=url)
            yield StreamedResponse(resp.status, resp.headers, chunks)
        finally:
            await chunks.aclose()
            resp.release()

    def _open_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("the session is not open: use `async with client:` or `await client.start()`")
        return self._session


async def _chunks(resp: aiohttp.ClientResponse, url: str, size: int) -> AsyncGenerator[bytes, None]:
    try:
        async for chunk in resp.content.iter_chunked(size):
            yield chunk
    except (aiohttp.ClientError, OSError, TimeoutError) as e:
        raise _translate(e, url) from e


def _translate(error: BaseException, url: str) -> TransportError:
    """The one translation of aiohttp's exceptions: could not connect, or maybe delivered."""
    if isinstance(error, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError):
        return TransportError(f"could not connect to {url}: {error}")
    if isinstance(error, TimeoutError | aiohttp.ServerTimeoutError):
        return DeliveryUnknown(f"no answer from {url} within the timeout; it may have been delivered")
    return DeliveryUnknown(
        f"the connection to {url} failed after the request was sent ({type(error).__name__}: {error}); "
        "it may have been delivered"
    )
