"""`make_app`: an aiohttp application that receives WhatsApp webhooks.

POST bodies are verified, parsed, deduplicated and answered 200 at once; the events go to the handler in
background tasks the receiver owns, at most `concurrency` at a time with at most `backlog` more waiting. When
that is full the app answers 503 before marking anything seen, so Meta delivers the body again later instead of
it piling up in memory. On shutdown the receiver waits `shutdown_timeout` seconds for handlers, then cancels them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from aiohttp import web

from wa_async._errors import ValidationError, WebhookError
from wa_async._inbound._events import Event, Message, Status
from wa_async._inbound._parse import parse

from ._dedupe import Deduplicator
from ._router import Handler, call_handler
from ._signature import verify_signature

__all__ = ["MAX_BODY", "RECEIVER", "Receiver", "make_app"]

log = logging.getLogger("wa_async.webhooks")

SIGNATURE_HEADER = "X-Hub-Signature-256"

MAX_BODY = 4 * 1024 * 1024
"""The largest body accepted by default: Meta sends webhook payloads of up to 3 MB."""


class _Conversations(Protocol):
    def attach(self) -> None: ...

    def observe(self, event: Event) -> None: ...


class _Client(Protocol):
    """What the receiver needs of a client: its number, its conversations, and what bound messages call."""

    @property
    def phone_number_id(self) -> str: ...

    @property
    def conversations(self) -> _Conversations | None: ...

    async def send(self, msg: Any, /) -> str: ...

    async def send_text(self, to: str, body: str, *, reply_to: str | None = None) -> str: ...

    async def send_reaction(self, to: str, message_id: str, emoji: str) -> str: ...

    async def mark_read(self, message_id: str, *, typing: bool = False) -> Any: ...


class Receiver:
    """The state behind one app: the handler, the clients by number, the duplicate window, the handler tasks.

    `make_app` builds one (its arguments are described there) and keeps it at `app[RECEIVER]`.
    """

    __slots__ = (
        "_by_number",
        "_clients",
        "_slots",
        "_tasks",
        "app_secret",
        "backlog",
        "concurrency",
        "dedupe",
        "handler",
        "shutdown_timeout",
        "verify_token",
    )

    def __init__(
        self,
        handler: Handler | None,
        *,
        verify_token: str,
        app_secret: str | bytes | None = None,
        client: _Client | Sequence[_Client] | None = None,
        dedupe_size: int = 100_000,
        concurrency: int = 64,
        backlog: int = 1_000,
        shutdown_timeout: float | None = 30.0,
    ) -> None:
        if not verify_token:
            raise ValidationError("verify_token", "must be a non-empty string")
        if app_secret is not None and not app_secret:
            raise ValidationError(
                "app_secret", "is empty: anyone could sign a forged webhook; pass the app secret or None"
            )
        if concurrency < 1:
            raise ValidationError("concurrency", "must be at least 1", limit=1)
        if backlog < 0:
            raise ValidationError("backlog", "must not be negative", limit=0)
        self.handler = handler
        self.verify_token = verify_token
        self.app_secret = app_secret
        if client is None:
            self._clients: tuple[_Client, ...] = ()
        elif isinstance(client, Sequence):
            self._clients = tuple(client)
        else:
            self._clients = (client,)
        self._by_number = {str(c.phone_number_id): c for c in self._clients}
        if len(self._by_number) != len(self._clients):
            raise ValidationError("client", "two clients share one phone_number_id")
        self.dedupe = Deduplicator(dedupe_size)
        self.concurrency = concurrency
        self.backlog = backlog
        self.shutdown_timeout = shutdown_timeout
        self._slots = asyncio.Semaphore(concurrency)
        self._tasks: set[asyncio.Task[None]] = set()

    def __repr__(self) -> str:
        return f"<Receiver {len(self._tasks)} handler tasks ({self.concurrency} at once), {self.dedupe!r}>"

    @property
    def tasks(self) -> frozenset[asyncio.Task[None]]:
        """Handler tasks running or waiting for a slot."""
        return frozenset(self._tasks)

    @property
    def clients(self) -> tuple[_Client, ...]:
        """The clients events are bound to, one per business number."""
        return self._clients

    def client_for(self, event: Event) -> _Client | None:
        """The client of the business number `event` is about, or None when no client has that number.

        An event that names no number goes to the client when there is exactly one.
        """
        number = event.phone_number_id
        if number is None:
            return self._clients[0] if len(self._clients) == 1 else None
        return self._by_number.get(number)

    @property
    def full(self) -> bool:
        """Whether the handler tasks are at their bound (`concurrency` running plus `backlog` waiting)."""
        return self.handler is not None and len(self._tasks) >= self.concurrency + self.backlog

    async def handshake(self, request: web.Request) -> web.Response:
        """GET: echo `hub.challenge` when `hub.mode` is subscribe and the verify token matches."""
        q = request.query
        if q.get("hub.mode") == "subscribe" and q.get("hub.verify_token") == self.verify_token:
            return web.Response(text=q.get("hub.challenge", ""))
        return web.Response(status=403, text="verification failed")

    async def receive(self, request: web.Request) -> web.Response:
        """POST: check the signature on the raw bytes, parse, make room or answer 503, drop duplicates, answer 200."""
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
        if self.full:
            # Nothing was marked seen or observed: Meta retries the body later and it is handled then.
            log.warning("webhook handlers are at their bound (%d tasks): answering 503", len(self._tasks))
            return web.Response(status=503, text="busy: retry later", headers={"Retry-After": "5"})
        self.accept(self.dedupe.fresh(events))
        return web.Response(text="OK")

    def accept(self, events: list[Event]) -> None:
        """Hand verified, deduplicated events to the clients and the handler.

        A message or status goes to the client of its business number only (a message is bound to it, so it can
        reply from the right number); other events reach every client's conversations.
        """
        if self._clients:
            for event in events:
                if isinstance(event, Message | Status):
                    client = self.client_for(event)
                    if client is None:
                        continue
                    if client.conversations is not None:
                        client.conversations.observe(event)
                    if isinstance(event, Message):
                        event.bind(client)
                else:
                    for client in self._clients:
                        if client.conversations is not None:
                            client.conversations.observe(event)
        if self.handler is not None and events:
            task = asyncio.create_task(self._dispatch(self.handler, events))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _dispatch(self, handler: Handler, events: Iterable[Event]) -> None:
        # One task per delivery keeps its events in order; one failing event does not stop the next.
        async with self._slots:
            for event in events:
                try:
                    await call_handler(handler, event)
                except Exception:
                    log.exception("webhook handler failed on %s %s", type(event).__name__, getattr(event, "id", ""))

    async def drain(self, timeout: float | None = None) -> bool:
        """Wait for the handler tasks; return False if some still run after `timeout` seconds (None: no limit)."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while self._tasks:
            remaining = None if deadline is None else deadline - loop.time()
            if remaining is not None and remaining <= 0:
                return False
            await asyncio.wait(set(self._tasks), timeout=remaining)
        return True

    async def shutdown(self) -> None:
        """Wait up to `shutdown_timeout` seconds for the handler tasks, then cancel those still running."""
        if await self.drain(self.shutdown_timeout):
            return
        tasks = list(self._tasks)
        log.warning("cancelling %d webhook handler tasks still running after %ss", len(tasks), self.shutdown_timeout)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


RECEIVER = web.AppKey("wa_async.receiver", Receiver)


def make_app(
    handler: Handler | None = None,
    *,
    verify_token: str,
    app_secret: str | bytes | None = None,
    client: _Client | Sequence[_Client] | None = None,
    path: str = "/webhook",
    dedupe_size: int = 100_000,
    max_body: int = MAX_BODY,
    concurrency: int = 64,
    backlog: int = 1_000,
    shutdown_timeout: float | None = 30.0,
) -> web.Application:
    """An aiohttp application receiving WhatsApp webhooks at `path`.

    The `Receiver` behind it is at `app[wa_async.webhooks.RECEIVER]`.

    Args:
        handler: called once per event (sync or async), or a `Router`.
        verify_token: the token Meta's verification GET must carry.
        app_secret: with it, a POST without a valid `X-Hub-Signature-256` is refused (401 missing, 403 wrong)
            before parsing. An empty secret is refused here: it would let anyone sign.
        client: a client, or several (one per business number of the WABA). Every message and status goes to
            the conversations of the client of its number (windows, `wait_status`), and a message is bound to
            that client so it can `reply`; a message for a number no client has is not bound.
        path: where the app listens.
        dedupe_size: how many event keys the duplicate filter remembers.
        max_body: the largest body accepted (413 above); the default is above Meta's 3 MB.
        concurrency: handler tasks running at once (one per delivery, its events in order).
        backlog: deliveries accepted and waiting for a handler slot; beyond it the app answers 503 so Meta
            delivers again later.
        shutdown_timeout: seconds to wait for handlers on cleanup before cancelling them (None: no limit).

    Raises:
        ValidationError: an empty `verify_token` or `app_secret`, or a bound below 1.

    ```python
    app = wa.webhooks.make_app(router, verify_token="tok", app_secret=secret, client=client)
    web.run_app(app, port=8080)
    ```
    """
    if max_body < 1:
        raise ValidationError("max_body", "must be at least 1 byte", limit=1)
    receiver = Receiver(
        handler,
        verify_token=verify_token,
        app_secret=app_secret,
        client=client,
        dedupe_size=dedupe_size,
        concurrency=concurrency,
        backlog=backlog,
        shutdown_timeout=shutdown_timeout,
    )
    app = web.Application(client_max_size=max_body)
    app[RECEIVER] = receiver
    app.router.add_get(path, receiver.handshake)
    app.router.add_post(path, receiver.receive)

    async def attach(_: web.Application) -> None:
        for c in receiver.clients:
            if c.conversations is not None:
                # From now on, silence from a contact is evidence that no window is open (see Conversations).
                c.conversations.attach()

    async def shutdown(_: web.Application) -> None:
        await receiver.shutdown()

    app.on_startup.append(attach)
    app.on_cleanup.append(shutdown)
    return app
