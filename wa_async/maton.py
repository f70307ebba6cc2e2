"""Maton connections: the OAuth links between a Maton account and a WhatsApp Business Account.

The control plane lives at ``https://ctrl.maton.ai``: ``GET/POST /connections``, ``GET/DELETE /connections/{id}``;
a list answers ``{"connections": [...]}``, one connection ``{"connection": {...}}``. A new connection is ``PENDING``
until its ``url`` is opened in a browser and authorized.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self, TypeVar

import aiohttp
import msgspec

from ._errors import ApiError, DeliveryUnknown, ValidationError
from ._limiter import Limiter, UnlimitedLimiter
from ._pipeline import Pipeline
from ._request import Request, decode_error, decode_json, node_id
from ._retry import RetryPolicy
from ._transport import AiohttpTransport, Response, Transport, check_base_url, check_headers

__all__ = [
    "CTRL_URL",
    "Connection",
    "Connections",
    "CreateConnection",
    "DeleteConnection",
    "GetConnection",
    "ListConnections",
]

CTRL_URL = "https://ctrl.maton.ai"
T = TypeVar("T")


class Connection(msgspec.Struct, frozen=True):
    """One Maton connection; ``url`` is the OAuth page that activates a ``PENDING`` one."""

    connection_id: str
    status: str | None = None
    app: str | None = None
    url: str | None = None
    creation_time: str | None = None
    last_updated_time: str | None = None
    metadata: dict[str, Any] = {}

    @property
    def id(self) -> str:
        """The connection id (send it as ``connection_id=`` to [`Client.maton`][wa_async.Client.maton])."""
        return self.connection_id


class _List(msgspec.Struct):
    connections: list[Connection] = []


class _One(msgspec.Struct):
    connection: Connection


class _ControlRequest(Request[T]):
    """A control-plane call: its error codes are HTTP statuses, not Graph codes, so the status picks the class."""

    __slots__ = ()

    def error(self, response: Response) -> ApiError | DeliveryUnknown:
        """The exception for an error answer."""
        return decode_error(response.status, response.headers, response.body, request=self, graph_codes=False)


class ListConnections(_ControlRequest[list[Connection]]):
    """``GET /connections``."""

    __slots__ = ()

    def __init__(self, params: Mapping[str, str]) -> None:
        super().__init__("GET", "connections", params=params)

    def decode(self, response: Response) -> list[Connection]:
        """The connections."""
        return list(decode_json(response, _List, self).connections)


class CreateConnection(_ControlRequest[Connection]):
    """``POST /connections``: a new ``PENDING`` connection."""

    __slots__ = ()

    def __init__(self, app: str) -> None:
        super().__init__("POST", "connections", body=msgspec.json.encode({"app": app}))

    def decode(self, response: Response) -> Connection:
        """The new connection."""
        return decode_json(response, _One, self).connection  # type: ignore[no-any-return]


class GetConnection(_ControlRequest[Connection]):
    """``GET /connections/{id}``."""

    __slots__ = ()

    def __init__(self, connection_id: str) -> None:
        super().__init__("GET", f"connections/{node_id(connection_id, 'connection_id')}")

    def decode(self, response: Response) -> Connection:
        """The connection."""
        return decode_json(response, _One, self).connection  # type: ignore[no-any-return]


class DeleteConnection(_ControlRequest[bool]):
    """``DELETE /connections/{id}``."""

    __slots__ = ()

    def __init__(self, connection_id: str) -> None:
        super().__init__("DELETE", f"connections/{node_id(connection_id, 'connection_id')}")

    def decode(self, response: Response) -> bool:
        """True when Maton confirms (an empty answer counts as confirmation)."""
        return bool(decode_json(response, _Deleted, self).success)


class _Deleted(msgspec.Struct):
    success: bool = True


class Connections:
    """The Maton control plane's connections.

    ```python
    async with wa.maton.Connections() as conns:  # MATON_API_KEY from the environment
        for c in await conns.list():
            print(c.connection_id, c.status)
        new = await conns.create()  # open new.url in a browser to authorize it
    ```

    Calls go through the same pipeline as the client's (limiter, retries of what is safe to retry, typed errors
    that carry their request).
    """

    __slots__ = ("_pipeline", "_transport", "base_url")

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        session: aiohttp.ClientSession | None = None,
        limiter: Limiter | None = None,
        *,
        timeout: float | None = 30.0,
        retry: RetryPolicy | None = None,
        transport: Transport | None = None,
    ) -> None:
        key = api_key if api_key is not None else os.environ.get("MATON_API_KEY")
        if not key:
            raise ValidationError("api_key", "no Maton API key: pass api_key= or set MATON_API_KEY")
        self.base_url = check_base_url(base_url or os.environ.get("MATON_CTRL_URL") or CTRL_URL)
        headers = check_headers({"Authorization": f"Bearer {key}"})
        if transport is None:
            transport = AiohttpTransport(timeout=timeout, session=session, headers=headers)
        self._transport = transport
        self._pipeline = Pipeline(
            self._transport,
            limiter if limiter is not None else UnlimitedLimiter(),
            retry if retry is not None else RetryPolicy(),
            api_root=self.base_url,
            headers=headers,
            start=self._start,
        )

    def __repr__(self) -> str:
        return f"<Connections {self.base_url}>"

    async def _start(self) -> None:
        self._transport.open()
        self._pipeline.ready = True

    async def __aenter__(self) -> Self:
        await self._start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP session (if this object opened it)."""
        await self._transport.aclose()

    async def list(self, app: str | None = "whatsapp-business", status: str | None = "ACTIVE") -> list[Connection]:
        """The connections of ``app`` with ``status`` (None for any)."""
        params = {k: v for k, v in (("app", app), ("status", status)) if v}
        return await self._pipeline.execute(ListConnections(params))

    async def create(self, app: str = "whatsapp-business") -> Connection:
        """Start a new connection: it is ``PENDING`` until its ``url`` is opened and authorized."""
        return await self._pipeline.execute(CreateConnection(app))

    async def get(self, connection_id: str) -> Connection:
        """One connection by id."""
        return await self._pipeline.execute(GetConnection(connection_id))

    async def delete(self, connection_id: str) -> bool:
        """Delete a connection; True when Maton confirms."""
        return await self._pipeline.execute(DeleteConnection(connection_id))
