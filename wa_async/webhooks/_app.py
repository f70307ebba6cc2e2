"""``make_app``: an aiohttp application that receives WhatsApp webhooks (FACTS §5.1, §5.2).

POST bodies are verified, parsed, deduplicated and answered 200 at once; the events go to the handler in
background tasks the app owns and awaits on cleanup, so a slow handler never makes Meta retry.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any, Protocol

from aiohttp import web

from wa_async._errors import WebhookError

from ._dedupe import Deduplicator
from ._events import Event, Message
from ._parse import parse
from ._router import Handler, call_handler
from ._signature import verify_signature

__all__ = ["Receiver", "make_app"]

log = logging.getLogger("wa_async.webhooks")

SIGNATURE_HEADER = "X-Hub-Signature-256"


class _Conversations(Protocol):
    def attach(self) -> None: ...

    def observe(self, event: Event) -> None: ...


class _Client(Protocol):
    """What the receiver needs of a client: its conversations, and ``send``/``mark_read`` for bound events."""

    @property
    def conversations(self) -> _Conversations | None: ...

    async def send(self, msg: Any, /) -> str: ...

    async def mark_read(self, message_id: str, *, typing: bool = False) -> Any: ...


class Receiver:
    """The state behind one app: the handler, the duplicate window and the handler tasks it owns."""

    __slots__ = ("_tasks", "app_secret", "client", "dedupe", "handler", "verify_token")

    def __init__(
        self,
        handler: Handler | None,
        *,
        verify_token: str,
        app_secret: str | bytes | None,
        client: _Client | None,
        dedupe_size: int,
    ) -> None:
        self.handler = handler
        self.verify_token = verify_token
        self.app_secret = app_secret
        self.client = client
        self.dedupe = Deduplicator(dedupe_size)
        self._tasks: set[asyncio.Task[None]] = set()

    def __repr__(self) -> str:
        return f"<Receiver {len(self._tasks)} handler tasks running, {self.dedupe!r}>"

    @property
    def tasks(self) -> frozenset[asyncio.Task[None]]:
        """Handler tasks still running."""
        return frozenset(self._tasks)

    async def handshake(self, request: web.Request) -> web.Response:
        """GET: echo ``hub.challenge`` when ``hub.mode`` is subscribe and the verify token matches (FACTS §5.1)."""
        q = request.query
        if q.get("hub.mode") == "subscribe" and q.get("hub.verify_token") == self.verify_token:
            return web.Response(text=q.get("hub.challenge", ""))
        return web.Response(status=403, text="verification failed")

    async def receive(self, request: web.Request) -> web.Response:
        """POST: check the signature on the raw bytes, parse, drop duplicates, answer 200, dispatch."""
        body = await request.read()
        if self.app_secret is not None:
            header = request.headers.get(SIGNATURE_HEADER)
            if header is None:
                return web.Response(status=401, text=f"missing {SIGNATURE_HEADER}")
            if not verify_signature(body, header, self.app_secret):
                return web.Response(status=403, text=f"bad {SIGNATURE_HEADER}")
        try:
            events = parse(body)
        except WebhookError as e:
            return web.Response(status=400, text=str(e))
        self.accept(self.dedupe.fresh(events))
        return web.Response(text="OK")

    def accept(self, events: list[Event]) -> None:
        """Hand already verified, deduplicated events to the client and the handler."""
        if self.client is not None:
            conversations = self.client.conversations
            for event in events:
                if conversations is not None:
                    conversations.observe(event)
                if isinstance(event, Message):
                    event.bind(self.client)
        if self.handler is not None and events:
            task = asyncio.create_task(self._dispatch(self.handler, events))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _dispatch(self, handler: Handler, events: Iterable[Event]) -> None:
        # One task per delivery keeps its events in order; one failing event does not stop the next.
        for event in events:
            try:
                await call_handler(handler, event)
            except Exception:
                log.exception("webhook handler failed on %s %s", type(event).__name__, getattr(event, "id", ""))

    async def drain(self) -> None:
        """Wait for every handler task still running."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


RECEIVER = web.AppKey("wa_async.receiver", Receiver)


def make_app(
    handler: Handler | None = None,
    *,
    verify_token: str,
    app_secret: str | bytes | None = None,
    client: _Client | None = None,
    path: str = "/webhook",
    dedupe_size: int = 100_000,
) -> web.Application:
    """An aiohttp application receiving WhatsApp webhooks at ``path``.

    ``handler`` (sync or async, or a :class:`Router`) gets each event once. With ``app_secret`` a POST
    without a valid ``X-Hub-Signature-256`` is refused (401 missing, 403 wrong) before parsing. With
    ``client``, every event goes to ``client.conversations`` (windows, ``wait_status``) and messages are
    bound to it so they can ``reply``. The :class:`Receiver` is at ``app[wa_async.webhooks.RECEIVER]``.

    ::

        app = wa.webhooks.make_app(router, verify_token="tok", app_secret=secret, client=client)
        web.run_app(app, port=8080)
    """
    if not verify_token:
        raise ValueError("verify_token must be a non-empty string")
    receiver = Receiver(
        handler, verify_token=verify_token, app_secret=app_secret, client=client, dedupe_size=dedupe_size
    )
    app = web.Application()
    app[RECEIVER] = receiver
    app.router.add_get(path, receiver.handshake)
    app.router.add_post(path, receiver.receive)

    async def attach(_: web.Application) -> None:
        if client is not None and client.conversations is not None:
            # From now on, silence from a contact is evidence that no window is open (see Conversations).
            client.conversations.attach()

    async def drain(_: web.Application) -> None:
        await receiver.drain()

    app.on_startup.append(attach)
    app.on_cleanup.append(drain)
    return app
