"""`Receiver.asgi`: the receiver as an ASGI 3 application, for Starlette, FastAPI or any ASGI server.

It reads the body as the bytes the server received (the signature is computed on them), refuses a body over
`max_body` while it arrives (413, from `Content-Length` before reading anything), and answers what
`Receiver.handle` says. On a lifespan scope (run on its own, e.g. `uvicorn app:receiver.asgi`) it starts the
receiver and, on shutdown, awaits its handler tasks; mounted in another app it sees no lifespan, and that app's
lifespan enters the receiver instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

if TYPE_CHECKING:
    from ._receiver import Receiver

__all__ = ["AsgiApp"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class AsgiApp:
    """An ASGI 3 application answering webhook requests with a `Receiver` (get it as `receiver.asgi`)."""

    __slots__ = ("receiver",)

    def __init__(self, receiver: Receiver) -> None:
        self.receiver = receiver

    def __repr__(self) -> str:
        return f"<AsgiApp {self.receiver!r}>"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)
        else:
            raise ValueError(f"the webhook receiver serves HTTP only, not {kind!r}")

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        receiver = self.receiver
        headers: dict[str, str] = {}
        for raw_name, raw_value in scope.get("headers", ()):
            name = raw_name.decode("latin-1").lower()
            if name not in headers:  # the first of repeated headers counts, as in aiohttp and Starlette
                headers[name] = raw_value.decode("latin-1")
        method = scope["method"]
        body = b""
        if method == "POST":
            declared = headers.get("content-length", "")
            if declared.isdigit() and int(declared) > receiver.max_body:
                await _answer(send, 413, b"body too large")
                return
            chunks: list[bytes] = []
            size = 0
            more = True
            while more:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return  # the caller went away: nothing to answer, nothing was accepted
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > receiver.max_body:
                    await _answer(send, 413, b"body too large")
                    return
                chunks.append(chunk)
                more = message.get("more_body", False)
            body = b"".join(chunks)
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
        reply = await receiver.handle(method, query, headers, body)
        await _answer(send, reply.status, reply.body, reply.content_type, reply.headers)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.receiver.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.receiver.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _answer(
    send: Send,
    status: int,
    body: bytes,
    content_type: str = "text/plain; charset=utf-8",
    extra: dict[str, str] | None = None,
) -> None:
    headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]
    if extra:
        headers += [(k.lower().encode(), v.encode()) for k, v in extra.items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
