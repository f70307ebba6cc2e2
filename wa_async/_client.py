"""The :class:`Client`: a thin façade over the session, the outbound queue, the limiter and the resources."""

from __future__ import annotations

import asyncio
import contextlib
import enum
import math
import os
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, Unpack, overload

import aiohttp
import msgspec

from ._conversations import Conversations, WaitableStatus, WindowStore
from ._errors import ApiError, ClientClosed, DeliveryUnknown, TransportError, ValidationError
from ._limiter import Limiter, LocalLimiter, UnlimitedLimiter
from ._messages import (
    MarkRead,
    Message,
)
from ._options import DEFAULT_API_VERSION, GRAPH_BASE_URL, GRAPH_RATE, MATON_BASE_URL, MATON_RATE, ClientOptions
from ._queue import OnWire, OutboundQueue
from ._retry import RetryPolicy
from ._session import CHUNK_SIZE, Response, Session, StreamedResponse, decode_error
from ._shortcuts import Shortcuts
from .resources import Media, PhoneNumbers, Profile, Templates

if TYPE_CHECKING:
    from ._broadcast import BroadcastReport
    from ._journal import Journal
    from .webhooks import Status

__all__ = ["Client", "SendResult"]

T = TypeVar("T")



class _State(enum.Enum):
    UNOPENED = 1
    OPEN = 2
    CLOSED = 3


class _Contact(msgspec.Struct):
    input: str = ""
    wa_id: str = ""


class _MessageId(msgspec.Struct):
    id: str
    message_status: str | None = None


class SendResult(msgspec.Struct):
    """The answer to a send (FACTS §3.1): it means *accepted*, not delivered."""

    messages: list[_MessageId]
    contacts: list[_Contact] = []
    messaging_product: str = "whatsapp"


class _Success(msgspec.Struct):
    success: bool = False


_send_decoder = msgspec.json.Decoder(SendResult)


class Client(Shortcuts):
    """An asyncio WhatsApp Business Cloud API client, through the Maton gateway or straight to Graph.

    ::

        async with wa.Client.maton(phone_number_id) as client:       # MATON_API_KEY from the environment
            wamid = await client.send(wa.Text("15551234567", "Hello"))
            futures = [await client.submit(m) for m in messages]       # backpressure from the bounded queue

    Every request (messages, media, templates, profile) passes the rate limiter first. The other APIs hang off
    the client: ``client.media``, ``client.templates``, ``client.phone_numbers``, ``client.profile``.
    """

    def __init__(
        self,
        phone_number_id: str,
        *,
        headers: Mapping[str, str],
        base_url: str = GRAPH_BASE_URL,
        waba_id: str | None = None,
        api_version: str = DEFAULT_API_VERSION,
        rate_limit: float | None = GRAPH_RATE,
        burst: int = 1,
        limiter: Limiter | None = None,
        queue_size: int = 10_000,
        workers: int | None = None,
        retry: RetryPolicy | None = None,
        timeout: float | None = 30.0,
        session: aiohttp.ClientSession | None = None,
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
        self.base_url = base_url.rstrip("/")
        self.rate_limit = rate_limit
        self.retry = retry if retry is not None else RetryPolicy()
        if limiter is None:
            limiter = UnlimitedLimiter() if rate_limit is None else LocalLimiter(rate_limit, burst)
        self.limiter: Limiter = limiter
        if workers is None:
            # Enough concurrency to keep the rate with ~0.5 s round trips; unlimited gets 64.
            workers = 64 if rate_limit is None else max(4, min(256, math.ceil(rate_limit * 0.5)))
        self._sleep = sleep
        self._clock = clock
        self.auth_headers = dict(headers)
        self._session = Session(
            self.base_url,
            {**headers, "Content-Type": "application/json"},
            timeout=timeout,
            session=session,
            connector_limit=max(100, workers),
        )
        self._api_root = f"{self.base_url}/{api_version}"
        self._messages_url = f"{self._api_root}/{self.phone_number_id}/messages"
        self._queue = OutboundQueue(
            self._post_message,
            self.limiter,
            maxsize=queue_size,
            workers=workers,
            retry=self.retry,
            sleep=sleep,
            clock=clock,
        )
        self._state = _State.UNOPENED
        self.media = Media(self)
        self.templates = Templates(self)
        self.phone_numbers = PhoneNumbers(self)
        self.profile = Profile(self)
        self.conversations = Conversations(windows=windows, store=window_store, phone_number_id=self.phone_number_id)
        self._check_windows = windows is not False
        self._windows_local = self.conversations.local_only  # no shared store: check without awaiting

    # -- constructors ----------------------------------------------------------------------------

    @classmethod
    def maton(
        cls,
        phone_number_id: str,
        *,
        api_key: str | None = None,
        connection_id: str | None = None,
        **options: Unpack[ClientOptions],
    ) -> Client:
        """A client for the Maton gateway (``Authorization: Bearer $MATON_API_KEY``, 10 requests/second)."""
        key = api_key if api_key is not None else os.environ.get("MATON_API_KEY")
        if not key:
            raise ValidationError("api_key", "no Maton API key: pass api_key= or set MATON_API_KEY")
        headers = {"Authorization": f"Bearer {key}"}
        if connection_id:
            headers["Maton-Connection"] = connection_id
        options.setdefault("base_url", MATON_BASE_URL)
        options.setdefault("rate_limit", MATON_RATE)
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
        client = wa.Client.from_env()      # one .env file drives the library and the command line
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
        """Open the HTTP session and start the workers (also done by ``async with`` and on first use)."""
        self._open()

    def _open(self) -> None:
        if self._state is _State.CLOSED:
            raise ClientClosed("this client is closed; create a new one")
        if self._state is _State.OPEN:
            return
        asyncio.get_running_loop()  # RuntimeError outside a running loop, before anything is opened
        self._session.open()
        self._queue.start()
        self._state = _State.OPEN

    async def close(self, *, cancel: bool = False) -> None:
        """Drain the queue (every message sent or failed), stop the workers and close the session.

        With ``cancel=True`` everything not yet on the wire fails with :class:`ClientClosed`; requests already
        sent are awaited.
        """
        if self._state is _State.CLOSED:
            return
        was_open = self._state is _State.OPEN
        self._state = _State.CLOSED
        try:
            if was_open:
                await self._queue.close(cancel=cancel)
        finally:
            await self.conversations.aclose()
            await self._session.close()

    async def __aenter__(self) -> Client:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close(cancel=exc[0] is not None and issubclass(exc[0], asyncio.CancelledError))  # type: ignore[arg-type]

    @property
    def closed(self) -> bool:
        """True once :meth:`close` has been called."""
        return self._state is _State.CLOSED

    @property
    def pending(self) -> int:
        """Messages queued or in flight."""
        return self._queue.pending

    # -- sending ---------------------------------------------------------------------------------

    async def submit(self, msg: Message, *, on_wire: OnWire | None = None) -> asyncio.Future[str]:
        """Queue a message, waiting for room; return a future that resolves to its wamid.

        ``on_wire`` (advanced) is awaited once, just before the message first goes on the wire.
        """
        if self._state is not _State.OPEN or not isinstance(msg, Message):
            await self._prepare(msg)
        if self._check_windows and msg.free_form:
            if self._windows_local:
                self.conversations.check_window_nowait(msg.to)
            else:
                await self.conversations.check_window(msg.to)
        return await self._queue.put(msg.to_json(), msg.to, on_wire)

    def submit_nowait(self, msg: Message, *, on_wire: OnWire | None = None) -> asyncio.Future[str]:
        """Queue a message or raise :class:`QueueFull` at once; return its future."""
        if self._state is not _State.OPEN or not isinstance(msg, Message):
            _check_message(msg)
            self._open()  # in the running loop: the session and the workers belong to it
        if self._check_windows and msg.free_form:
            self.conversations.check_window_nowait(msg.to)
        return self._queue.put_nowait(msg.to_json(), msg.to, on_wire)

    async def send(self, msg: Message) -> str:
        """Send a message and return its wamid (waits for queue room, then for the answer)."""
        queue = self._queue
        if self._state is _State.OPEN and queue.can_inline() and isinstance(msg, Message):
            # No rate limit and an idle worker: post from this task, skipping the hop to a worker and back.
            if self._check_windows and msg.free_form:
                if self._windows_local:
                    self.conversations.check_window_nowait(msg.to)
                else:
                    await self.conversations.check_window(msg.to)
            if queue.can_inline():  # still, after any await above
                return await queue.send_inline(msg.to_json(), msg.to)
            future = await queue.put(msg.to_json(), msg.to)
        else:
            future = await self.submit(msg)
        return await future

    async def _prepare(self, msg: Message) -> None:
        _check_message(msg)
        if self._state is not _State.OPEN:
            await self.start()

    async def mark_read(self, message_id: str, *, typing: bool = False) -> bool:
        """Mark a received message (and those before it) as read, optionally showing a typing indicator."""
        body = MarkRead(message_id, typing=typing).to_json()
        result = await self.request("POST", f"{self.phone_number_id}/messages", body=body, decode=_Success)
        return result.success

    async def wait_status(
        self, wamid: str, status: WaitableStatus = "delivered", *, timeout: float | None = None
    ) -> Status:
        """Wait until a status webhook says ``wamid`` reached ``status`` (needs a webhook receiver bound to this
        client, see :func:`wa_async.webhooks.make_app`); a ``failed`` status raises its :class:`ApiError`."""
        return await self.conversations.wait_status(wamid, status, timeout=timeout)

    async def broadcast(
        self,
        messages: Iterable[Any] | AsyncIterable[Any],
        journal: str | os.PathLike[str] | Journal | None = None,
        progress: bool = False,
        *,
        resend_unknown: bool = False,
        job: str | Mapping[str, Any] | None = None,
    ) -> BroadcastReport:
        """Send many messages through the queue, optionally journaled so a killed run resumes without sending
        anything twice; see :doc:`broadcast`. Returns a :class:`BroadcastReport`."""
        from ._broadcast import broadcast

        return await broadcast(self, messages, journal, progress, resend_unknown=resend_unknown, job=job)

    async def _post_message(self, body: bytes) -> str:
        resp = await self._session.request("POST", self._messages_url, body=body)
        if resp.status >= 300:
            raise decode_error(resp.status, resp.headers, resp.body, request=body)
        try:
            return _send_decoder.decode(resp.body).messages[0].id
        except (msgspec.DecodeError, msgspec.ValidationError, IndexError) as e:
            raise DeliveryUnknown(f"HTTP {resp.status} with an unreadable answer: {resp.body[:200]!r}") from e

    # -- any other request -----------------------------------------------------------------------

    @overload
    async def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = ...,
        params: Mapping[str, str] | None = ...,
        data: Any = ...,
        absolute: bool = ...,
        headers: Mapping[str, str] | None = ...,
    ) -> dict[str, Any]: ...

    @overload
    async def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = ...,
        params: Mapping[str, str] | None = ...,
        data: Any = ...,
        decode: type[T],
        absolute: bool = ...,
        headers: Mapping[str, str] | None = ...,
    ) -> T: ...

    async def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        params: Mapping[str, str] | None = None,
        data: Any = None,
        decode: Any = dict,
        absolute: bool = False,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Send one API request through the limiter, with retries and the error model; decode the answer.

        ``path`` is relative to ``{base_url}/{api_version}/`` unless ``absolute``. ``data`` may be a callable
        that builds fresh form data for each try (a multipart body can be sent only once). ``decode=bytes``
        returns the raw body.
        """
        url, tries = await self._begin(method, path, absolute)
        while True:
            await self.limiter.acquire()
            try:
                payload = data() if callable(data) else data
                resp = await self._session.request(method, url, body=body, params=params, data=payload, headers=headers)
                return _decode(resp, decode, body)
            except (ApiError, TransportError) as error:
                if not await tries.wait_after(error):
                    raise

    @contextlib.asynccontextmanager
    async def stream(
        self,
        method: str,
        path: str,
        *,
        absolute: bool = False,
        headers: Mapping[str, str] | None = None,
        chunk_size: int = CHUNK_SIZE,
    ) -> AsyncIterator[StreamedResponse]:
        """Send a body-less request through the limiter and yield its answer with the body in chunks, unbuffered.

        ``async with client.stream("GET", url, absolute=True) as (status, headers, chunks)``. Until the first
        chunk is in hand every failure goes through the retry policy as in :meth:`request` (GET, HEAD and DELETE
        are idempotent); a failure later, while the caller reads, is raised (:class:`DeliveryUnknown`).
        """
        url, tries = await self._begin(method, path, absolute)
        while True:
            await self.limiter.acquire()
            async with contextlib.AsyncExitStack() as stack:
                try:
                    resp = await stack.enter_async_context(
                        self._session.stream(method, url, headers=headers, chunk_size=chunk_size)
                    )
                    head = await anext(resp.chunks, b"")
                except (ApiError, TransportError) as error:
                    if not await tries.wait_after(error):
                        raise
                    continue
                chunks = _prepend(head, resp.chunks)
                stack.push_async_callback(chunks.aclose)
                yield resp._replace(chunks=chunks)
                return

    async def _begin(self, method: str, path: str, absolute: bool) -> tuple[str, _Tries]:
        """Start the client if needed; the request's URL and its retry bookkeeping."""
        if self._state is not _State.OPEN:
            await self.start()
        url = path if absolute else f"{self._api_root}/{path.lstrip('/')}"
        clock = self._clock or asyncio.get_running_loop().time
        return url, _Tries(self, method.upper() in ("GET", "HEAD", "DELETE"), clock)

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


class _Tries:
    """One request's tries: asks the retry policy after each failure and waits as it says."""

    __slots__ = ("attempt", "client", "clock", "first", "idempotent", "pair_failures")

    def __init__(self, client: Client, idempotent: bool, clock: Callable[[], float]) -> None:
        self.client = client
        self.idempotent = idempotent
        self.clock = clock
        self.first = clock()
        self.attempt = 1
        self.pair_failures = 0

    async def wait_after(self, error: ApiError | TransportError) -> bool:
        """Wait before the next try (pausing the limiter for an account-wide limit); False: give up."""
        client = self.client
        decision = client.retry.decide(
            error,
            attempt=self.attempt,
            elapsed=self.clock() - self.first,
            pair_failures=self.pair_failures,
            idempotent=self.idempotent,
        )
        if decision is None:
            return False
        if decision.scope == "recipient":
            self.pair_failures += 1
        elif decision.scope == "account":
            await client.limiter.pause(decision.delay)
        await client._sleep(decision.delay)
        self.attempt += 1
        return True


async def _prepend(head: bytes, rest: AsyncIterator[bytes]) -> AsyncGenerator[bytes, None]:
    if head:
        yield head
    async for chunk in rest:
        yield chunk


def _decode(resp: Response, decode: Any, request: object) -> Any:
    if resp.status >= 300:
        raise decode_error(resp.status, resp.headers, resp.body, request=request)
    if decode is bytes:
        return resp.body
    try:
        return msgspec.json.decode(resp.body, type=decode)
    except (msgspec.DecodeError, msgspec.ValidationError) as e:
        raise ApiError(f"unexpected answer: {e}: {resp.body[:200]!r}", http_status=resp.status, request=request) from e
