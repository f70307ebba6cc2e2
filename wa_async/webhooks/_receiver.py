"""`Receiver`: the framework-free webhook endpoint that `make_app`, `Receiver.asgi` and any framework's view share.

One call, `await receiver.handle(method, query, headers, body)`, answers a request: the GET handshake, or a POST
that is checked (signature on the raw bytes, size), parsed, deduplicated and answered 200 at once, its events
going to the handler in background tasks the receiver owns, at most `concurrency` at a time with at most
`backlog` more waiting. When that is full, or the duplicate filter cannot be asked, it answers 503 before
marking anything seen, so Meta delivers the body again later instead of it piling up in memory or getting lost.
`aclose()` waits `shutdown_timeout` seconds for the handlers, then cancels them.
"""

from __future__ import annotations

import asyncio
import hmac
import inspect
import logging
from collections.abc import Awaitable, Iterable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from wa_async._errors import ValidationError, WebhookError
from wa_async._inbound._events import Event, Message, Status
from wa_async._inbound._parse import parse

from ._dedupe import Deduplicator
from ._router import Handler, call_handler
from ._signature import verify_signature

if TYPE_CHECKING:
    from ._asgi import AsgiApp

__all__ = ["MAX_BODY", "SIGNATURE_HEADER", "DuplicateFilter", "Receiver", "Reply"]

log = logging.getLogger("wa_async.webhooks")

SIGNATURE_HEADER = "X-Hub-Signature-256"
TEXT = "text/plain; charset=utf-8"

MAX_BODY = 4 * 1024 * 1024
"""The largest body accepted by default: Meta sends webhook payloads of up to 3 MB."""

RETRY_AFTER = "5"


class Reply(NamedTuple):
    """What `Receiver.handle` answers: unpack it as `status, content_type, body`."""

    status: int
    content_type: str
    body: bytes

    @property
    def headers(self) -> dict[str, str]:
        """Headers to send besides the content type: `Retry-After` with a 503, `Allow` with a 405."""
        if self.status == 503:
            return {"Retry-After": RETRY_AFTER}
        if self.status == 405:
            return {"Allow": "GET, POST"}
        return {}


def _text(status: int, text: str) -> Reply:
    return Reply(status, TEXT, text.encode())


class DuplicateFilter(Protocol):
    """What drops redelivered events: `Deduplicator` (in the process) or `RedisDeduplicator` (shared)."""

    def fresh(self, events: list[Event]) -> list[Event] | Awaitable[list[Event]]:
        """The events not seen before, in order; remembers them."""
        ...


class _Conversations(Protocol):
    def attach(self) -> None: ...

    def observe(self, event: Event) -> None: ...


class BoundClient(Protocol):
    """What a receiver needs of the client it binds received messages to ([`wa.Client`][wa_async.Client] is one):
    its number, its conversations, and what a bound message's `reply()`, `react()` and `mark_read()` call."""

    @property
    def phone_number_id(self) -> str: ...

    @property
    def conversations(self) -> _Conversations | None: ...

    async def send(self, msg: Any, /) -> str: ...

    async def send_text(self, to: str, body: str, *, reply_to: str | None = None) -> str: ...

    async def send_reaction(self, to: str, message_id: str, emoji: str) -> str: ...

    async def mark_read(self, message_id: str, *, typing: bool = False) -> Any: ...


class Receiver:
    """A webhook endpoint without a web framework: verify, parse, deduplicate, answer, dispatch.

    ```python
    receiver = wa.webhooks.Receiver(
        router, verify_token="tok", app_secret=secret, client=client
    )
    status, content_type, body = await receiver.handle("POST", {}, headers, raw_body)
    app.add_route("/webhook", receiver.asgi, methods=["GET", "POST"])   # Starlette, FastAPI
    ```

    Args:
        handler: called once per event (sync or async), or a `Router`; None only deduplicates and observes.
        verify_token: the token Meta's verification GET must carry.
        app_secret: with it, a POST without a valid `X-Hub-Signature-256` is refused (401 missing, 403 wrong)
            before parsing. An empty secret is refused here: it would let anyone sign.
        client: a client, or several (one per business number of the WABA). Every message and status goes to
            the conversations of the client of its number (windows, `wait_status`), and a message is bound to
            that client so it can `reply`; a message for a number no client has is not bound.
        dedupe: what drops redelivered events; by default a `Deduplicator` of `dedupe_size` keys in this
            process. Several receiver processes behind one URL share a `RedisDeduplicator`.
        dedupe_size: how many event keys the default duplicate filter remembers.
        max_body: the largest body accepted (413 above); the default is above Meta's 3 MB.
        concurrency: handler tasks running at once (one per delivery, its events in order).
        backlog: deliveries accepted and waiting for a handler slot; beyond it the receiver answers 503 so
            Meta delivers again later.
        shutdown_timeout: seconds `aclose()` waits for handlers before cancelling them (None: no limit).

    Raises:
        ValidationError: an empty `verify_token` or `app_secret`, or a bound below 1.
    """

    __slots__ = (
        "_asgi",
        "_by_number",
        "_clients",
        "_closed",
        "_slots",
        "_started",
        "_tasks",
        "app_secret",
        "backlog",
        "concurrency",
        "dedupe",
        "handler",
        "max_body",
        "shutdown_timeout",
        "verify_token",
    )

    def __init__(
        self,
        handler: Handler | None = None,
        *,
        verify_token: str,
        app_secret: str | bytes | None = None,
        client: BoundClient | Sequence[BoundClient] | None = None,
        dedupe: DuplicateFilter | None = None,
        dedupe_size: int = 100_000,
        max_body: int = MAX_BODY,
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
        if max_body < 1:
            raise ValidationError("max_body", "must be at least 1 byte", limit=1)
        self.handler = handler
        self.verify_token = verify_token
        self.app_secret = app_secret
        if client is None:
            self._clients: tuple[BoundClient, ...] = ()
        elif isinstance(client, Sequence):
            self._clients = tuple(client)
        else:
            self._clients = (client,)
        self._by_number = {str(c.phone_number_id): c for c in self._clients}
        if len(self._by_number) != len(self._clients):
            raise ValidationError("client", "two clients share one phone_number_id")
        self.dedupe: DuplicateFilter = dedupe if dedupe is not None else Deduplicator(dedupe_size)
        self.max_body = max_body
        self.concurrency = concurrency
        self.backlog = backlog
        self.shutdown_timeout = shutdown_timeout
        self._slots = asyncio.Semaphore(concurrency)
        self._tasks: set[asyncio.Task[None]] = set()
        self._started = False
        self._closed = False
        self._asgi: AsgiApp | None = None

    def __repr__(self) -> str:
        state = " closed" if self._closed else ""
        return f"<Receiver {len(self._tasks)} handler tasks ({self.concurrency} at once), {self.dedupe!r}{state}>"

    # -- lifecycle ---------------------------------------------------------------------------------------------

    def start(self) -> None:
        """Tell the clients' conversations a receiver now feeds them (done on the first delivery anyway).

        From then on, silence from a contact is evidence that no 24-hour window is open (see `Conversations`).
        """
        if self._started:
            return
        self._started = True
        for c in self._clients:
            if c.conversations is not None:
                c.conversations.attach()

    async def aclose(self) -> None:
        """Refuse new deliveries (503), wait up to `shutdown_timeout` seconds for the handler tasks, then cancel
        those still running."""
        self._closed = True
        if await self.drain(self.shutdown_timeout):
            return
        tasks = list(self._tasks)
        log.warning("cancelling %d webhook handler tasks still running after %ss", len(tasks), self.shutdown_timeout)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    @property
    def closed(self) -> bool:
        """True once `aclose()` was called: deliveries are answered 503 (Meta sends them again later)."""
        return self._closed

    async def __aenter__(self) -> Receiver:
        self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    @property
    def asgi(self) -> AsgiApp:
        """This receiver as an ASGI 3 application (for Starlette, FastAPI, or any ASGI server).

        It answers at whatever path it is routed to. Mounted in another app it sees no lifespan events: enter
        the receiver (`async with receiver:`) in that app's lifespan so its handler tasks are awaited on
        shutdown. Run on its own, it handles the lifespan protocol itself.
        """
        if self._asgi is None:
            from ._asgi import AsgiApp

            self._asgi = AsgiApp(self)
        return self._asgi

    # -- state -------------------------------------------------------------------------------------------------

    @property
    def tasks(self) -> frozenset[asyncio.Task[None]]:
        """Handler tasks running or waiting for a slot."""
        return frozenset(self._tasks)

    @property
    def clients(self) -> tuple[BoundClient, ...]:
        """The clients events are bound to, one per business number."""
        return self._clients

    def client_for(self, event: Event) -> BoundClient | None:
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

    # -- requests ----------------------------------------------------------------------------------------------

    async def handle(self, method: str, query: Mapping[str, str], headers: Mapping[str, str], body: bytes) -> Reply:
        """Answer one request to the webhook URL.

        Args:
            method: `GET` (the verification handshake; `HEAD` too) or `POST` (a delivery); others get 405.
            query: the query parameters (only the handshake reads them).
            headers: the request headers; names are matched without regard to case.
            body: the raw body bytes exactly as received: the signature is computed on them, so never pass a
                re-encoded body (a framework's parsed-then-dumped JSON would not match).

        Returns:
            A `Reply` (`status, content_type, body`); its `headers` property adds `Retry-After` to a 503.
        """
        method = method.upper()
        if method in ("GET", "HEAD"):
            return self.handshake(query)
        if method != "POST":
            return _text(405, "method not allowed: GET (verification) or POST (deliveries)")
        return await self.receive(headers, body)

    def handshake(self, query: Mapping[str, str]) -> Reply:
        """The verification GET: echo `hub.challenge` when `hub.mode` is subscribe and the verify token matches."""
        token = query.get("hub.verify_token")
        if query.get("hub.mode") == "subscribe" and token is not None and _same(token, self.verify_token):
            return Reply(200, TEXT, query.get("hub.challenge", "").encode())
        return _text(403, "verification failed")

    async def receive(self, headers: Mapping[str, str], body: bytes) -> Reply:
        """A POST: check size and signature on the raw bytes, parse, make room or answer 503, drop duplicates,
        hand the rest over, answer 200."""
        if len(body) > self.max_body:
            return _text(413, f"body over {self.max_body} bytes")
        if self.app_secret is not None:
            header = _header(headers, SIGNATURE_HEADER)
            if header is None:
                return _text(401, f"missing {SIGNATURE_HEADER}")
            if not verify_signature(body, header, self.app_secret):
                return _text(403, f"bad {SIGNATURE_HEADER}")
        try:
            events = parse(body)
        except WebhookError as e:
            return _text(400, str(e))
        if self._closed:
            return _text(503, "shutting down: retry later")
        if self.full:
            # Nothing was marked seen or observed: Meta retries the body later and it is handled then.
            log.warning("webhook handlers are at their bound (%d tasks): answering 503", len(self._tasks))
            return _text(503, "busy: retry later")
        self.start()
        try:
            fresh = self.dedupe.fresh(events)
            if inspect.isawaitable(fresh):
                fresh = await fresh
        except Exception:
            # Not knowing what was seen, handling could repeat an event and dropping could lose one: let Meta
            # deliver it again once the filter answers.
            log.exception("the duplicate filter failed: answering 503")
            return _text(503, "duplicate filter unavailable: retry later")
        self.accept(fresh)
        return Reply(200, TEXT, b"OK")

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


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """`headers[name]` whatever the case of the names (a plain dict from a framework may hold them lowercase)."""
    value = headers.get(name)
    if value is not None:
        return value
    lowered = name.lower()
    value = headers.get(lowered)
    if value is not None:
        return value
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8", "replace"))
