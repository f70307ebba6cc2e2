"""The [`Client`][wa_async.Client]: a thin façade over the request pipeline, the outbound queue and the resources.

A message travels in one straight line: ``send()`` builds a [`SendMessage`][wa_async.SendMessage] request
(``_request.py``), the bounded queue (``_queue.py``) hands it to a worker, which runs it through the pipeline
(``_pipeline.py``: limiter, retries) and the transport (``_transport.py``: aiohttp), and the request decodes the
answer into the wamid that resolves the caller's future.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import math
import os
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, Unpack, overload

import aiohttp

from ._conversations import Conversations, WaitableStatus, WindowStore
from ._errors import ClientClosed, ValidationError
from ._limiter import Limiter, LocalLimiter, UnlimitedLimiter
from ._messages import MarkRead, Message
from ._options import DEFAULT_API_VERSION, GRAPH_BASE_URL, GRAPH_RATE, MATON_BASE_URL, MATON_RATE, ClientOptions
from ._pacer import PAIR_INTERVAL
from ._pipeline import Pipeline
from ._queue import OnWire, OutboundQueue
from ._request import ApiCall, MarkMessageRead, Request, SendMessage, SendMessageResult, SendResult
from ._retry import RetryPolicy
from ._shortcuts import Shortcuts
from ._stats import ClientStats
from ._transport import CHUNK_SIZE, AiohttpTransport, StreamedResponse, Transport, check_base_url, check_headers
from .resources import (
    Blocked,
    Calls,
    Flows,
    Groups,
    Media,
    PhoneNumbers,
    Profile,
    QrCodes,
    Subscriptions,
    Templates,
    ThroughputLimiter,
    Usernames,
)

if TYPE_CHECKING:
    from ._broadcast import BroadcastReport
    from ._journal import JournalStore
    from ._opt_outs import OptOuts
    from .webhooks import Status

__all__ = ["Client"]

T = TypeVar("T")


class _State(enum.Enum):
    UNOPENED = 1
    OPEN = 2
    CLOSED = 3


class Client(Shortcuts):
    """An asyncio WhatsApp Business Cloud API client, through the Maton gateway or straight to Graph.

    ```python
    # MATON_API_KEY from the environment
    async with wa.Client.maton(phone_number_id) as client:
        wamid = await client.send(wa.Text("15551234567", "Hello"))
        # backpressure from the bounded queue
        futures = [await client.submit(m) for m in messages]
    ```

    Every request (messages, media, templates, profile) passes the rate limiter first. The other APIs hang off
    the client: ``client.media``, ``client.templates``, ``client.phone_numbers``, ``client.profile``, and for
    account management ``client.subscriptions``, ``client.blocked``, ``client.qr_codes``, ``client.flows``,
    ``client.calls``, ``client.groups``, ``client.usernames``. ``rate_limit="auto"`` follows the number's
    throughput level (see [`ThroughputLimiter`][wa_async.resources.ThroughputLimiter]).
    Build it with [`maton`][wa_async.Client.maton], [`graph`][wa_async.Client.graph] or
    [`from_env`][wa_async.Client.from_env]; their options are those of [`ClientOptions`][wa_async.ClientOptions].
    """

    def __init__(
        self,
        phone_number_id: str,
        *,
        headers: Mapping[str, str],
        base_url: str = GRAPH_BASE_URL,
        waba_id: str | None = None,
        api_version: str = DEFAULT_API_VERSION,
        rate_limit: float | Literal["auto"] | None = GRAPH_RATE,
        burst: int = 1,
        limiter: Limiter | None = None,
        queue_size: int = 10_000,
        workers: int | None = None,
        retry: RetryPolicy | None = None,
        timeout: float | None = 30.0,
        session: aiohttp.ClientSession | None = None,
        transport: Transport | None = None,
        windows: bool | Literal["auto"] = "auto",
        window_store: WindowStore | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] | None = None,
    ) -> None:
        if not str(phone_number_id).strip():
            raise ValidationError("phone_number_id", "is empty")
        self.phone_number_id = str(phone_number_id)
        self.waba_id = waba_id
        self.api_version = api_version
        self.base_url = check_base_url(base_url)
        self.rate_limit = rate_limit
        self.retry = retry if retry is not None else RetryPolicy()
        if limiter is None:
            if rate_limit == "auto":  # the number's throughput level, read before the first request
                limiter = ThroughputLimiter(burst=burst)
            else:
                limiter = UnlimitedLimiter() if rate_limit is None else LocalLimiter(rate_limit, burst)
        self.limiter: Limiter = limiter
        if workers is None:
            # Enough concurrency to keep the rate with ~0.5 s round trips; unlimited gets 64.
            top = limiter.max_rate if isinstance(limiter, ThroughputLimiter) else rate_limit
            workers = 64 if top is None or top == "auto" else max(4, min(256, math.ceil(top * 0.5)))
        self._sleep = sleep
        self._clock = clock
        headers = check_headers(headers)
        if transport is None:
            transport = AiohttpTransport(
                timeout=timeout, session=session, connector_limit=max(100, workers), headers=headers
            )
        self.transport: Transport = transport
        self._pipeline = Pipeline(
            transport,
            limiter,
            self.retry,
            api_root=f"{self.base_url}/{api_version}",
            headers=headers,
            phone_number_id=self.phone_number_id,
            waba_id=waba_id,
            clock=clock,
            sleep=sleep,
            start=self.start,
        )
        self._queue = OutboundQueue(self._pipeline, maxsize=queue_size, workers=workers, sleep=sleep)
        self._state = _State.UNOPENED
        self.media = Media(self._pipeline)
        self.templates = Templates(self._pipeline)
        self.phone_numbers = PhoneNumbers(self._pipeline)
        self.profile = Profile(self._pipeline)
        self.subscriptions = Subscriptions(self._pipeline)
        self.blocked = Blocked(self._pipeline)
        self.qr_codes = QrCodes(self._pipeline)
        self.flows = Flows(self._pipeline)
        self.calls = Calls(self._pipeline)
        self.groups = Groups(self._pipeline)
        self.usernames = Usernames(self._pipeline)
        if isinstance(limiter, ThroughputLimiter):
            limiter.bind(self.phone_numbers.throughput)
        self.conversations = Conversations(windows=windows, store=window_store, phone_number_id=self.phone_number_id)
        self._check_windows = windows is not False
        self._windows_local = self.conversations.local_only  # no shared store: check without awaiting

    @classmethod
    def maton(
        cls,
        phone_number_id: str,
        *,
        api_key: str | None = None,
        connection_id: str | None = None,
        **options: Unpack[ClientOptions],
    ) -> Client:
        """A client for the Maton gateway (``Authorization: Bearer $MATON_API_KEY``, 10 requests/second; with
        ``rate_limit="auto"`` the number's throughput level is read, and the gateway's 10/s still caps it)."""
        key = api_key if api_key is not None else os.environ.get("MATON_API_KEY")
        if not key:
            raise ValidationError("api_key", "no Maton API key: pass api_key= or set MATON_API_KEY")
        headers = {"Authorization": f"Bearer {key}"}
        if connection_id:
            headers["Maton-Connection"] = connection_id
        options.setdefault("base_url", MATON_BASE_URL)
        options.setdefault("rate_limit", MATON_RATE)
        if options["rate_limit"] == "auto" and options.get("limiter") is None:
            options["limiter"] = ThroughputLimiter(cap=MATON_RATE, burst=options.get("burst", 1))
        return cls(phone_number_id, headers=headers, **options)

    @classmethod
    def graph(cls, phone_number_id: str, *, access_token: str, **options: Unpack[ClientOptions]) -> Client:
        """A client for Meta's Graph API with a system-user or business access token (80 messages/second)."""
        if not access_token:
            raise ValidationError("access_token", "is empty")
        options.setdefault("base_url", GRAPH_BASE_URL)
        options.setdefault("rate_limit", GRAPH_RATE)
        return cls(phone_number_id, headers={"Authorization": f"Bearer {access_token}"}, **options)

    @classmethod
    def from_env(
        cls,
        phone_number_id: str | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        **options: Unpack[ClientOptions],
    ) -> Client:
        """A client configured by the same environment variables as the ``wa-async`` command line.

        ``WA_PHONE_NUMBER_ID`` (unless given), ``WA_WABA_ID``, ``WA_BASE_URL`` (e.g. an emulator) and
        ``WA_API_VERSION``; then ``WA_ACCESS_TOKEN`` for the Graph API, or else ``MATON_API_KEY`` (with
        ``MATON_CONNECTION_ID``) for the Maton gateway. Keyword options given here win over the environment.

        ```python
        client = wa.Client.from_env()  # one .env drives the library and the command line
        ```
        """
        env = os.environ if environ is None else environ
        phone = phone_number_id or env.get("WA_PHONE_NUMBER_ID")
        if not phone:
            raise ValidationError("phone_number_id", "no phone number id: pass it or set WA_PHONE_NUMBER_ID")
        if "waba_id" not in options and env.get("WA_WABA_ID"):
            options["waba_id"] = env["WA_WABA_ID"]
        if "base_url" not in options and env.get("WA_BASE_URL"):
            options["base_url"] = env["WA_BASE_URL"]
        if "api_version" not in options and env.get("WA_API_VERSION"):
            options["api_version"] = env["WA_API_VERSION"]
        token = env.get("WA_ACCESS_TOKEN")
        if token:
            return cls.graph(phone, access_token=token, **options)
        key = env.get("MATON_API_KEY")
        if not key:
            raise ValidationError(
                "api_key", "no credentials: set MATON_API_KEY, or WA_ACCESS_TOKEN for the Graph API"
            )
        return cls.maton(phone, api_key=key, connection_id=env.get("MATON_CONNECTION_ID"), **options)

    # -- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        """Open the transport and start the workers (also done by ``async with`` and on first use).

        A rate-limited client also opens a few connections first, so that its first requests do not leave late
        (while a connection is being opened) after the limiter granted their slots.
        """
        if self._state is _State.UNOPENED:
            self._open()
            warm = getattr(self.transport, "warm", None)
            limit = self.rate_limit if self.rate_limit != "auto" else None
            rate = limit or getattr(self.limiter, "rate", None)
            if warm is not None and rate and type(self.limiter) is not UnlimitedLimiter:
                await warm(f"{self.base_url}/", min(self._queue.worker_count, max(2, math.ceil(rate / 10))))
            return
        self._open()

    def _open(self) -> None:
        if self._state is _State.CLOSED:
            raise ClientClosed("this client is closed; create a new one")
        if self._state is _State.OPEN:
            return
        asyncio.get_running_loop()  # RuntimeError outside a running loop, before anything is opened
        self.transport.open()
        self._queue.start()
        self._state = _State.OPEN
        self._pipeline.ready = True

    async def close(self, *, cancel: bool = False) -> None:
        """Drain the queue (every message sent or failed), stop the workers and close the transport.

        With ``cancel=True`` everything not yet on the wire fails with [`ClientClosed`][wa_async.ClientClosed];
        requests already sent are awaited.
        """
        if self._state is _State.CLOSED:
            return
        was_open = self._state is _State.OPEN
        self._state = _State.CLOSED
        self._pipeline.closed = True
        try:
            if was_open:
                await self._queue.close(cancel=cancel)
        finally:
            await self.conversations.aclose()
            await self.transport.aclose()

    async def __aenter__(self) -> Client:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close(cancel=exc[0] is not None and issubclass(exc[0], asyncio.CancelledError))  # type: ignore[arg-type]

    @property
    def closed(self) -> bool:
        """True once [`close`][wa_async.Client.close] has been called."""
        return self._state is _State.CLOSED

    @property
    def pending(self) -> int:
        """Messages queued or in flight."""
        return self._queue.pending

    def stats(self) -> ClientStats:
        """What this client did so far: queued, in flight, sent, failed, unknown, retried, rate-limited, limiter
        wait and latency percentiles (a [`ClientStats`][wa_async.ClientStats]; cheap, call it as often as you
        like)."""
        queue = self._queue
        return self._pipeline.stats.snapshot(queued=queue.pending - queue.in_flight, in_flight=queue.in_flight)

    @property
    def clock(self) -> Callable[[], float]:
        """The client's clock (the event loop's unless ``clock=`` was given)."""
        return self._pipeline.now

    @property
    def sleep(self) -> Callable[[float], Awaitable[None]]:
        """The client's sleep (``asyncio.sleep`` unless ``sleep=`` was given)."""
        return self._sleep

    # -- sending ---------------------------------------------------------------------------------

    async def send(self, msg: Message) -> str:
        """Send a message and return its wamid (waits for queue room, then for the answer)."""
        request = self._prepared(msg) or await self._message(msg)
        queue = self._queue
        if queue.can_inline():
            # No rate limit and an idle worker: send from this task, skipping the hop to a worker and back.
            return await queue.send_inline(request)
        return await (await queue.put(request))

    async def send_result(self, msg: Message) -> SendResult:
        """Send a message and return Meta's whole answer: the wamid, the template pacing status
        (``message_status``) and whom the recipient resolved to (``wa_id``, ``user_id``)."""
        return await (await self.submit_result(msg))

    async def submit(self, msg: Message, *, on_wire: OnWire | None = None) -> asyncio.Future[str]:
        """Queue a message, waiting for room; return a future that resolves to its wamid.

        ``on_wire`` (advanced) is awaited once, just before the message first goes on the wire.
        """
        return await self._queue.put(self._prepared(msg) or await self._message(msg), on_wire)

    async def submit_result(self, msg: Message, *, on_wire: OnWire | None = None) -> asyncio.Future[SendResult]:
        """As [`submit`][wa_async.Client.submit], with a future that resolves to Meta's whole answer (a
        [`SendResult`][wa_async.SendResult]: the wamid, the template pacing ``message_status``, the recipient)."""
        if self._prepared(msg) is None:
            await self._message(msg)  # the checks that need awaiting, and the client started
        return await self._queue.put(SendMessageResult(msg, self.phone_number_id), on_wire)

    def submit_nowait(self, msg: Message, *, on_wire: OnWire | None = None) -> asyncio.Future[str]:
        """Queue a message or raise [`QueueFull`][wa_async.QueueFull] at once; return its future."""
        _check_message(msg)
        self._open()  # in the running loop: the transport and the workers belong to it
        if self._check_windows and msg.free_form:
            self.conversations.check_window_nowait(msg.to)  # what is known in this process
        return self._queue.put_nowait(SendMessage(msg, self.phone_number_id), on_wire)

    def _prepared(self, msg: Message) -> SendMessage | None:
        """The request for ``msg`` when nothing has to be awaited first (the client is open, and the customer-service
        window, if checked, is known in this process); else None: then `_message()` does it all."""
        if self._state is not _State.OPEN or not isinstance(msg, Message):
            return None
        if self._check_windows and msg.free_form:
            if not self._windows_local:
                return None
            self.conversations.check_window_nowait(msg.to)
        return SendMessage(msg, self.phone_number_id)

    async def _message(self, msg: Message) -> SendMessage:
        """The request for ``msg``, once the client is open and the customer-service window allows it."""
        _check_message(msg)
        if self._state is not _State.OPEN:
            await self.start()
        if self._check_windows and msg.free_form:
            await self.conversations.check_window(msg.to)
        return SendMessage(msg, self.phone_number_id)

    async def mark_read(self, message_id: str, *, typing: bool = False) -> bool:
        """Mark a received message (and those before it) as read, optionally showing a typing indicator."""
        return await self.execute(MarkMessageRead(MarkRead(message_id, typing=typing), self.phone_number_id))

    async def wait_status(
        self, wamid: str, status: WaitableStatus = "delivered", *, timeout: float | None = None
    ) -> Status:
        """Wait until a status webhook says ``wamid`` reached ``status`` (needs a webhook receiver bound to this
        client, see [`make_app`][wa_async.webhooks.make_app]); a ``failed`` status raises its
        [`ApiError`][wa_async.ApiError]."""
        return await self.conversations.wait_status(wamid, status, timeout=timeout)

    async def broadcast(
        self,
        messages: Iterable[Any] | AsyncIterable[Any],
        journal: str | os.PathLike[str] | JournalStore | None = None,
        progress: bool = False,
        *,
        resend_unknown: bool = False,
        job: str | Mapping[str, Any] | None = None,
        pair_interval: float = PAIR_INTERVAL,
        total: int | None = None,
        marketing: bool = False,
        opt_outs: OptOuts | str | os.PathLike[str] | None = None,
        stop_on_pause: bool = False,
    ) -> BroadcastReport:
        """Send many messages through the queue, optionally journaled so a killed run resumes without sending
        anything twice (see the broadcast guide). Returns a [`BroadcastReport`][wa_async.BroadcastReport].

        ``pair_interval`` is the time between two messages to one recipient; ``total`` gives the progress bar a
        total when ``messages`` has no ``len()`` (a generator). ``marketing=True`` sends every template through
        the Marketing Messages API and skips the users in ``opt_outs`` (by default ``opt-outs.sqlite`` beside the
        journal); ``stop_on_pause`` stops the job when Meta paces the template.
        """
        from ._broadcast import broadcast

        return await broadcast(
            self,
            messages,
            journal,
            progress,
            resend_unknown=resend_unknown,
            job=job,
            pair_interval=pair_interval,
            total=total,
            marketing=marketing,
            opt_outs=opt_outs,
            stop_on_pause=stop_on_pause,
        )

    # -- any other request -----------------------------------------------------------------------

    async def execute(self, request: Request[T]) -> T:
        """Send one [`Request`][wa_async.Request] through the limiter, with retries and the error model; return
        its decoded result. Every resource call goes through here."""
        return await self._pipeline.execute(request)

    @overload
    async def request(
        self, method: str, path: str, *, body: bytes | None = ..., params: Mapping[str, str] | None = ...
    ) -> dict[str, Any]: ...

    @overload
    async def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = ...,
        params: Mapping[str, str] | None = ...,
        decode: type[T],
    ) -> T: ...

    async def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        params: Mapping[str, str] | None = None,
        decode: Any = dict,
    ) -> Any:
        """Send one API call described in place (an [`ApiCall`][wa_async.ApiCall]) and decode its answer.

        ``path`` is relative to ``{base_url}/{api_version}/``, or an absolute URL; ``decode=bytes`` returns the
        raw body.
        """
        return await self._pipeline.execute(ApiCall(method, path, decode, body=body, params=params))

    def stream(
        self, method: str, path: str, *, chunk_size: int = CHUNK_SIZE
    ) -> contextlib.AbstractAsyncContextManager[StreamedResponse]:
        """Send a body-less request through the limiter and yield its answer with the body in chunks, unbuffered.

        ``async with client.stream("GET", url) as (status, headers, chunks)``. Until the first chunk is in hand
        every failure goes through the retry policy (GET, HEAD and DELETE are idempotent); a failure later,
        while the caller reads, is raised ([`DeliveryUnknown`][wa_async.DeliveryUnknown]).
        """
        return self._pipeline.stream(ApiCall(method, path, bytes), chunk_size=chunk_size)

    def __repr__(self) -> str:
        return (
            f"<Client {self.base_url} phone_number_id={self.phone_number_id} state={self._state.name.lower()} "
            f"pending={self.pending} limiter={self.limiter!r}>"
        )


def _check_message(msg: object) -> None:
    if not isinstance(msg, Message):
        raise TypeError(
            f"expected a message struct such as wa.Text, got {type(msg).__name__}"
            + ("; use client.mark_read()" if isinstance(msg, MarkRead) else "")
        )
