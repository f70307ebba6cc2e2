"""Maton connections: the OAuth links between a Maton account and a WhatsApp Business Account.

The control plane lives at ``https://ctrl.maton.ai``: ``GET/POST /connections``, ``GET/DELETE /connections/{id}``;
a list answers ``{"connections": [...]}``, one connection ``{"connection": {...}}``. A new connection is ``PENDING``
until its ``url`` is opened in a browser and authorized.
"""

from __future__ import annotations

import os
from types import TracebackType
from typing import Any, Self, TypeVar

import aiohttp
import msgspec

from ._errors import ApiError, AuthError, NotFound, ValidationError
from ._limiter import Limiter
from ._session import Session, decode_error

__all__ = ["CTRL_URL", "Connection", "Connections"]

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
        """The connection id (send it as ``connection_id=`` to :meth:`Client.maton`)."""
        return self.connection_id


class _List(msgspec.Struct):
    connections: list[Connection] = []


class _One(msgspec.Struct):
    connection: Connection


class _Success(msgspec.Struct):
    success: bool = True


class Connections:
    """The Maton control plane's connections.

    ::

        async with wa.maton.Connections() as conns:        # MATON_API_KEY from the environment
            for c in await conns.list():
                print(c.connection_id, c.status)
            new = await conns.create()                     # open new.url in a browser to authorize it
    """

    __slots__ = ("_limiter", "_session", "base_url")

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str = CTRL_URL,
        session: aiohttp.ClientSession | None = None,
        limiter: Limiter | None = None,
        *,
        timeout: float | None = 30.0,
    ) -> None:
        key = api_key if api_key is not None else os.environ.get("MATON_API_KEY")
        if not key:
            raise ValidationError("api_key", "no Maton API key: pass api_key= or set MATON_API_KEY")
        self.base_url = base_url.rstrip("/")
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        self._session = Session(self.base_url, headers, timeout=timeout, session=session)
        self._limiter = limiter

    def __repr__(self) -> str:
        return f"<Connections {self.base_url} {'closed' if self._session.closed else 'open'}>"

    async def __aenter__(self) -> Self:
        self._session.open()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP session (if this object opened it)."""
        await self._session.close()

    async def list(self, app: str | None = "whatsapp-business", status: str | None = "ACTIVE") -> list[Connection]:
        """The connections of ``app`` with ``status`` (None for any)."""
        params = {k: v for k, v in (("app", app), ("status", status)) if v}
        return (await self._call("GET", "/connections", _List, params=params)).connections

    async def create(self, app: str = "whatsapp-business") -> Connection:
        """Start a new connection: it is ``PENDING`` until its ``url`` is opened and authorized."""
        body = msgspec.json.encode({"app": app})
        return (await self._call("POST", "/connections", _One, body=body)).connection

    async def get(self, connection_id: str) -> Connection:
        """One connection by id."""
        return (await self._call("GET", f"/connections/{_id(connection_id)}", _One)).connection

    async def delete(self, connection_id: str) -> bool:
        """Delete a connection; True when Maton confirms."""
        return (await self._call("DELETE", f"/connections/{_id(connection_id)}", _Success)).success

    async def _call(
        self, method: str, path: str, decode: type[T], *, params: dict[str, str] | None = None,
        body: bytes | None = None,
    ) -> T:  # fmt: skip
        if self._session.closed:
            self._session.open()
        if self._limiter is not None:
            await self._limiter.acquire()
        resp = await self._session.request(method, self.base_url + path, body=body, params=params)
        if resp.status >= 300:
            raise _error(decode_error(resp.status, resp.headers, resp.body, request=body or path))
        try:
            return msgspec.json.decode(resp.body, type=decode)
        except (msgspec.DecodeError, msgspec.ValidationError) as e:
            raise ApiError(f"unexpected answer from Maton: {e}: {resp.body[:200]!r}", http_status=resp.status) from e


def _error(error: ApiError) -> ApiError:
    # The control plane's codes are HTTP statuses, not Graph codes: let the status pick the class.
    cls = {401: AuthError, 403: AuthError, 404: NotFound}.get(error.http_status)
    if cls is None or isinstance(error, cls):
        return error
    return cls(error.message, http_status=error.http_status, code=error.code, details=error.details,
               retry_after=error.retry_after, request=error.request)  # fmt: skip


def _id(connection_id: str) -> str:
    value = str(connection_id).strip()
    if not value or "/" in value or "?" in value:
        raise ValidationError("connection_id", f"{connection_id!r} is not a connection id")
    return value
