"""The one dispatch: every request passes the limiter, the transport, its own decoding and the retry policy here.

```
request ─► limiter.acquire() ─► transport.send() ─► request.decode()  ─► result
                 ▲                                       │ error
                 └──── RetryPolicy.decide() ◄────────────┘  (account-wide limits pause the limiter)
```

[`Pipeline.execute`][wa_async._pipeline.Pipeline.execute] runs that loop in the caller's task (resources, Maton
calls, inline sends); the outbound queue runs the same steps, `Pipeline.attempt` and `Pipeline.after`, from
its workers so that a retry never holds a worker.
"""

from __future__ import annotations

import asyncio
import contextlib
from bisect import bisect_right
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, TypeVar

from ._errors import ApiError, ClientClosed, DeliveryUnknown, RateLimited, TransportError
from ._limiter import Limiter
from ._request import Request
from ._retry import RetryDecision, RetryPolicy
from ._stats import BOUNDS, Counters, Observer
from ._transport import CHUNK_SIZE, HttpRequest, Response, StreamedResponse, Transport

__all__ = ["Pipeline", "Tries"]

T = TypeVar("T")


class Tries:
    """One request's tries so far: when the first began, how many, how many hit the pair limit, how long the
    limiter held them; `observed` is an installed observer's own state for the request (its span)."""

    __slots__ = ("attempt", "first", "observed", "pair_failures", "waited")

    def __init__(self, first: float, waited: float = 0.0) -> None:
        self.first = first
        self.attempt = 1
        self.pair_failures = 0
        self.waited = waited
        self.observed: object = None

    def __repr__(self) -> str:
        return f"<Tries attempt={self.attempt} pair_failures={self.pair_failures}>"


class Pipeline:
    """Sends [`Request`][wa_async.Request] values for one phone number: limiter, transport, decode, retries.

    ``start`` is awaited before the first request (it opens the client); ``closed`` says whether new requests
    are refused.
    """

    __slots__ = (
        "_api_root",
        "_clock",
        "_departed",
        "_sleep",
        "_start",
        "closed",
        "headers",
        "limiter",
        "observer",
        "phone_number_id",
        "ready",
        "retry",
        "stats",
        "transport",
        "waba_id",
    )

    def __init__(
        self,
        transport: Transport,
        limiter: Limiter,
        retry: RetryPolicy,
        *,
        api_root: str,
        headers: Mapping[str, str],
        phone_number_id: str = "",
        waba_id: str | None = None,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        start: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.transport = transport
        self.limiter = limiter
        self.retry = retry
        self.phone_number_id = phone_number_id
        self.waba_id = waba_id
        self._api_root = api_root.rstrip("/")
        # One mapping for every request: a transport may set it once (a JSON body says its own content type).
        self.headers: Mapping[str, str] = (
            {k: v for k, v in headers.items() if k.lower() != "content-type"}
            if any(k.lower() == "content-type" for k in headers)
            else headers
        )
        self._clock = clock
        self._sleep = sleep
        self._start = start
        # A limiter that widens its spacing by how late requests leave after their slots (LocalLimiter,
        # RedisLimiter) learns it here; any other limiter is not asked.
        self._departed: Callable[[float], None] | None = getattr(limiter, "departed", None)
        self.ready = start is None
        self.closed = False
        self.stats = Counters()
        # Called only when installed (wa_async.otel): without one the hot path pays one `is None` per step.
        self.observer: Observer | None = None

    def __repr__(self) -> str:
        return f"<Pipeline {self._api_root} limiter={self.limiter!r} transport={self.transport!r}>"

    @property
    def clock(self) -> Callable[[], float]:
        """The pipeline's clock itself (to call it without `now()`'s indirection on a hot path)."""
        clock = self._clock
        if clock is None:
            clock = self._clock = asyncio.get_running_loop().time
        return clock

    def now(self) -> float:
        """The pipeline's clock (the event loop's unless one was injected)."""
        clock = self._clock
        if clock is None:
            clock = self._clock = asyncio.get_running_loop().time
        return clock()

    def http(self, request: Request[Any], timed: bool = False) -> HttpRequest:
        """The HTTP request for ``request``: its URL under the API root, the auth headers, its body (``timed``: ask
        the transport when the body left)."""
        path = request.path
        url = path if path.startswith(("https://", "http://")) else f"{self._api_root}/{path}"
        return HttpRequest(request.method, url, self.headers, request.body, request.params, timed)

    def granted(self, request: Request[Any], tries: Tries | None, waited: float = 0.0) -> Tries:
        """Note that the limiter let a try of ``request`` go after ``waited`` seconds; return its tries (new for
        a first try)."""
        if waited:
            self.stats.limiter_wait += waited
        if tries is not None:
            tries.waited += waited
            return tries
        tries = Tries(self.now(), waited)
        if self.observer is not None:
            self.observer.started(request, tries)
        return tries

    def observe(self, request: Request[Any], first: float, waited: float = 0.0) -> Tries:
        """The tries of a request whose first try begins at ``first``, shown to the observer (call only with one:
        without, the queue makes a request's tries after its first failure)."""
        tries = Tries(first, waited)
        assert self.observer is not None
        self.observer.started(request, tries)
        return tries

    async def attempt(self, request: Request[T], granted_at: float = 0.0, tries: Tries | None = None) -> T:
        """One try, after the limiter granted it (at ``granted_at`` on the loop's clock, when the limiter wants to
        learn how late requests leave): send, then decode the answer or raise its error."""
        departed = self._departed if granted_at > 0.0 else None
        started = self.now()
        try:
            resp = await self.transport.send(self.http(request, departed is not None))
        except TransportError as e:
            if e.request is None:
                e.request = request
            raise
        latency = self.now() - started
        stats = self.stats
        stats.buckets[bisect_right(BOUNDS, latency)] += 1  # Counters.add_latency, inline: this runs per request
        stats.latency_total += latency
        if latency > stats.latency_max:
            stats.latency_max = latency
        observer = self.observer
        if observer is not None:
            observer.answered(request, tries, latency, resp.status)
        if departed is not None and resp.sent_at:
            departed(resp.sent_at - granted_at)
        if resp.status >= 300:
            raise request.error(resp)
        result = request.decode(resp)
        stats.sent += 1
        if observer is not None:
            observer.succeeded(request, tries, result)
        return result

    def gave_up(
        self, tries: Tries | None, request: Request[Any], error: BaseException, *, unknown: bool = False
    ) -> None:
        """Count a request that ended with ``error``: ``unknown`` when it may have reached Meta."""
        if unknown or isinstance(error, DeliveryUnknown):
            self.stats.unknown += 1
        else:
            self.stats.failed += 1
        if self.observer is not None:
            self.observer.failed(request, tries, error)

    async def after(self, tries: Tries, request: Request[Any], error: BaseException) -> RetryDecision | None:
        """Ask the retry policy about a failed try; count it; pause the limiter for an account-wide limit.

        Returns how long to wait before the next try, or None to give up.
        """
        decision = self.retry.decide(
            error,
            attempt=tries.attempt,
            elapsed=self.now() - tries.first,
            pair_failures=tries.pair_failures,
            idempotent=request.idempotent,
        )
        if isinstance(error, RateLimited):
            self.stats.rate_limited += 1
        if decision is None:
            self.gave_up(tries, request, error)
            return None
        self.stats.retried += 1
        if self.observer is not None:
            self.observer.retrying(request, tries, error, decision.delay)
        tries.attempt += 1
        if decision.scope == "recipient":
            tries.pair_failures += 1
        elif decision.scope == "account":
            # An account-wide limit: hold back every request, not only this one.
            await self.limiter.pause(decision.delay)
        return decision

    async def begin(self) -> None:
        """Start the client on first use; refuse once it is closed."""
        if self.closed:
            raise ClientClosed("this client is closed; create a new one")
        if not self.ready and self._start is not None:
            await self._start()

    async def execute(self, request: Request[T]) -> T:
        """Send ``request`` through the limiter, retrying as the policy allows; return its decoded result."""
        if not self.ready or self.closed:
            await self.begin()
        tries: Tries | None = None
        loop_time = asyncio.get_running_loop().time
        while True:
            asked = self.now()
            await self.limiter.acquire()
            granted = loop_time()
            tries = self.granted(request, tries, self.now() - asked)
            try:
                return await self.attempt(request, granted, tries)
            except (ApiError, TransportError) as error:
                decision = await self.after(tries, request, error)
                if decision is None:
                    raise
                await self._sleep(decision.delay)

    @contextlib.asynccontextmanager
    async def stream(
        self, request: Request[object], *, chunk_size: int = CHUNK_SIZE
    ) -> AsyncIterator[StreamedResponse]:
        """Send a body-less request through the limiter; yield its answer with the body in chunks, unbuffered.

        Until the first chunk is in hand every failure goes through the retry policy as in `execute()`; a
        failure later, while the caller reads, is raised.
        """
        if not self.ready or self.closed:
            await self.begin()
        tries: Tries | None = None
        http = self.http(request)
        while True:
            asked = self.now()
            await self.limiter.acquire()
            tries = self.granted(request, tries, self.now() - asked)
            async with contextlib.AsyncExitStack() as stack:
                try:
                    resp = await stack.enter_async_context(self.transport.stream(http, chunk_size=chunk_size))
                    if resp.status >= 300:
                        body = b"".join([chunk async for chunk in resp.chunks])
                        raise request.error(Response(resp.status, resp.headers, body))
                    head = await anext(resp.chunks, b"")
                except TransportError as error:
                    if error.request is None:
                        error.request = request
                    if not await self._wait(tries, request, error):
                        raise
                    continue
                except ApiError as error:
                    if not await self._wait(tries, request, error):
                        raise
                    continue
                chunks = _prepend(head, resp.chunks)
                stack.push_async_callback(chunks.aclose)
                self.stats.sent += 1
                if self.observer is not None:
                    self.observer.succeeded(request, tries, resp.status)
                yield resp._replace(chunks=chunks)
                return

    async def _wait(self, tries: Tries, request: Request[object], error: BaseException) -> bool:
        decision = await self.after(tries, request, error)
        if decision is None:
            return False
        await self._sleep(decision.delay)
        return True


async def _prepend(head: bytes, rest: AsyncIterator[bytes]) -> AsyncGenerator[bytes, None]:
    if head:
        yield head
    async for chunk in rest:
        yield chunk
