"""The bounded outbound queue, its workers, and the futures that resolve to wamids.

A message goes ``submit() -> queue -> worker -> limiter.acquire() -> pipeline.attempt()``; its future gets the
request's result or its error. A retry never holds a worker: it waits in a task of its own, so one throttled
recipient (the pair limit, 131056) does not slow the others. Nothing is dropped: every item's future is resolved,
failed, or (only by its caller) cancelled.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from ._channel import Channel, ChannelFull
from ._errors import ApiError, ClientClosed, QueueFull, TransportError
from ._limiter import UnlimitedLimiter
from ._pacer import RecipientPacer
from ._pipeline import Pipeline, Tries
from ._request import Request

__all__ = ["OnWire", "OutboundQueue"]

log = logging.getLogger("wa_async")

T = TypeVar("T")

OnWire = Callable[[], Awaitable[None]]
"""Awaited once, after the limiter granted and just before the message first goes on the wire."""


class _Item:
    __slots__ = ("first", "future", "on_wire", "request", "tries")

    def __init__(self, request: Request[Any], future: asyncio.Future[Any], on_wire: OnWire | None) -> None:
        self.request = request
        self.future = future
        self.on_wire = on_wire
        self.first = 0.0  # when the first try began (0.0: not yet)
        self.tries: Tries | None = None  # made after the first failure


class OutboundQueue:
    """A bounded queue drained by ``workers`` tasks through ``pipeline`` (its limiter and retry policy)."""

    __slots__ = (
        "_cancelling",
        "_closing",
        "_held",
        "_inline",
        "_inline_done",
        "_loop",
        "_pacer",
        "_pipeline",
        "_queue",
        "_retry_tasks",
        "_sleep",
        "_unlimited",
        "_workers",
        "in_flight",
        "worker_count",
    )

    def __init__(
        self,
        pipeline: Pipeline,
        *,
        maxsize: int,
        workers: int,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if maxsize < 1:
            raise ValueError(f"queue_size must be >= 1, got {maxsize}")
        if workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers}")
        self._pipeline = pipeline
        self._sleep = sleep
        self._queue: Channel[_Item | None] = Channel(maxsize)
        self.worker_count = workers
        self._workers: list[asyncio.Task[None]] = []
        self._retry_tasks: set[asyncio.Task[None]] = set()
        # Items a task holds while it waits for the limiter or a retry delay (not yet on the wire):
        # close(cancel=True) fails exactly these.
        self._held: dict[asyncio.Task[None], _Item] = {}
        self._pacer = RecipientPacer()
        self._closing = False
        self._cancelling = False
        self.in_flight = 0
        # Sends posted from their caller's task (see send_inline); close() waits for them to finish.
        self._inline = 0
        self._inline_done: asyncio.Event | None = None
        # Exactly the built-in no-limit limiter (a subclass may do work in acquire()): then only a pause needs an
        # acquire(), and a send may go from its caller's task.
        limiter = pipeline.limiter
        self._unlimited = limiter if type(limiter) is UnlimitedLimiter else None
        self._loop: asyncio.AbstractEventLoop | None = None

    def __repr__(self) -> str:
        return (
            f"<OutboundQueue queued={len(self._queue)} in_flight={self.in_flight} workers={self.worker_count}"
            f"{' closing' if self._closing else ''}>"
        )

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the worker tasks in the running loop."""
        if self._workers:
            return
        self._loop = asyncio.get_running_loop()
        self._workers = [
            self._loop.create_task(self._work(), name=f"wa_async-worker-{i}") for i in range(self.worker_count)
        ]

    async def close(self, *, cancel: bool = False) -> None:
        """Drain (send everything queued), or with ``cancel`` fail all not yet on the wire with ClientClosed."""
        self._closing = True
        if cancel:
            self._cancelling = True
            while self._queue:
                item = self._queue.get_nowait()
                if item is not None:
                    _fail(item, ClientClosed("the client was closed before this message was sent"))
            for task in list(self._held):
                task.cancel()
        for _ in self._workers:
            await self._queue.put(None)
        while self._workers or self._retry_tasks:
            tasks = [*self._workers, *self._retry_tasks]
            await asyncio.gather(*tasks, return_exceptions=True)
            self._workers = [t for t in self._workers if not t.done()]
            self._retry_tasks = {t for t in self._retry_tasks if not t.done()}
        # Workers cancelled while they waited for the limiter never read their stop sentinels.
        while self._queue:
            self._queue.get_nowait()
        while self._inline:  # requests on the wire from their callers' tasks
            self._inline_done = asyncio.Event()
            await self._inline_done.wait()
        while self._retry_tasks:  # retries those may have left behind
            await asyncio.gather(*self._retry_tasks, return_exceptions=True)

    # -- submitting ------------------------------------------------------------------------------

    @property
    def pending(self) -> int:
        """Requests queued or in flight (including those waiting to retry)."""
        return len(self._queue) + self.in_flight

    async def put(self, request: Request[T], on_wire: OnWire | None = None) -> asyncio.Future[T]:
        """Queue one request, waiting for room; return its future."""
        assert self._loop is not None
        future: asyncio.Future[T] = self._loop.create_future()
        queue = self._queue
        if queue.full():
            await queue.put(_Item(request, future, on_wire))
            if self._closing:  # closed while we waited for room: the workers may be gone
                self._reject_late()
        else:
            queue.put_nowait(_Item(request, future, on_wire))
        return future

    def put_nowait(self, request: Request[T], on_wire: OnWire | None = None) -> asyncio.Future[T]:
        """Queue one request or raise QueueFull."""
        assert self._loop is not None
        future: asyncio.Future[T] = self._loop.create_future()
        try:
            self._queue.put_nowait(_Item(request, future, on_wire))
        except ChannelFull:
            raise QueueFull(f"the outbound queue is full ({self._queue.maxsize} messages)") from None
        return future

    def can_inline(self) -> bool:
        """True when a request may be sent from its caller's task: no rate limit and no pause, nothing queued
        (so nothing is overtaken), a worker idle (so the concurrency bound holds) and no recipient held back."""
        return (
            self._unlimited is not None
            and not self._closing
            and self.in_flight < self.worker_count
            and not self._queue
            and not self._pacer.holding
            and not self._unlimited.paused
        )

    async def send_inline(self, request: Request[T]) -> T:
        """Send one request from the calling task and return its result: the same delivery, retries and errors
        as a queued one, without the hop to a worker and back. Only when `can_inline()` said so: no limit
        and no pause, so there is nothing to wait for before it goes on the wire."""
        pipeline = self._pipeline
        first = pipeline.now()
        tries = pipeline.observe(request, first) if pipeline.observer is not None else None
        self.in_flight += 1
        self._inline += 1
        try:
            return await pipeline.attempt(request, 0.0, tries)
        except (ApiError, TransportError) as error:
            assert self._loop is not None
            future: asyncio.Future[T] = self._loop.create_future()
            item = _Item(request, future, None)
            item.first = first
            item.tries = tries
            await self._after_error(item, error)  # fails the future, or schedules a retry that resolves it
        finally:
            self.in_flight -= 1
            self._inline -= 1
            if not self._inline and self._inline_done is not None:
                self._inline_done.set()
        return await future

    def fail_queued(self, error: BaseException, *, where: Callable[[Request[Any]], bool] | None = None) -> int:
        """Fail every queued request (or those ``where`` picks) with ``error`` before it is sent; return how many.

        Their futures get ``error``; the workers skip them. Requests already with a worker are not touched.
        """
        failed = 0
        kept: list[_Item | None] = []
        while self._queue:
            kept.append(self._queue.get_nowait())
        for item in kept:
            if item is not None and not item.future.done() and (where is None or where(item.request)):
                _fail(item, error)
                failed += 1
                self._pipeline.stats.failed += 1
            else:
                self._queue.put_nowait(item)
        return failed

    def _reject_late(self) -> None:
        # Items that arrived after the stop sentinels would never be served.
        kept: list[_Item | None] = []
        while self._queue:
            kept.append(self._queue.get_nowait())
        seen_stop = False
        for item in kept:
            if item is None:
                seen_stop = True
                self._queue.put_nowait(None)
            elif seen_stop:
                _fail(item, ClientClosed("the client was closed before this message was sent"))
            else:
                self._queue.put_nowait(item)

    # -- delivering ------------------------------------------------------------------------------

    async def _work(self) -> None:
        queue = self._queue
        unlimited = self._unlimited
        while True:
            item = queue.get_nowait() if queue else await queue.get()
            if item is None:
                return
            if item.future.done():  # its caller gave up (or it was failed) before it was sent: never send it
                continue
            self.in_flight += 1
            try:
                if unlimited is not None and not unlimited.paused and item.on_wire is None and not self._pacer.holding:
                    await self._send(item, 0.0)  # nothing to wait for: straight to the wire
                else:
                    await self._deliver(item, None)
            finally:
                self.in_flight -= 1

    async def _deliver(self, item: _Item, delay: float | None) -> None:
        """Wait for what holds ``item`` back (a retry delay, its recipient's pair limit, the limiter), then send it."""
        pipeline = self._pipeline
        task = asyncio.current_task()
        assert task is not None
        self._held[task] = item
        try:
            if delay:
                await self._sleep(delay)
            recipient = item.request.recipient
            if self._pacer.holding and recipient is not None:
                wait = self._pacer.wait(recipient, pipeline.now())
                if wait > 0:
                    # This recipient is pair-limited: wait aside so the worker serves others.
                    self._spawn_retry(item, wait)
                    return
            granted = waited = 0.0
            unlimited = self._unlimited
            if unlimited is None or unlimited.paused:
                clock = pipeline.clock
                asked = clock()
                await pipeline.limiter.acquire()
                granted = self._loop.time()  # type: ignore[union-attr]
                waited = clock() - asked
                pipeline.stats.limiter_wait += waited
            if item.future.done():
                return
            if item.on_wire is not None:
                hook, item.on_wire = item.on_wire, None
                await hook()
        except asyncio.CancelledError:
            _fail(item, ClientClosed("the client was closed before this message was sent"))
            raise
        except Exception as error:  # a limiter or on_wire hook failed: this message was not sent
            pipeline.gave_up(item.tries, item.request, error)
            _fail(item, error)
            return
        finally:
            del self._held[task]
        await self._send(item, granted, waited)

    async def _send(self, item: _Item, granted: float, waited: float = 0.0) -> None:
        """One try on the wire; the future gets the result, or the error once no retry is left."""
        pipeline = self._pipeline
        tries = item.tries
        if not item.first:
            item.first = pipeline.now()
            if pipeline.observer is not None:  # only then is a request's Tries made before a failure
                tries = item.tries = pipeline.observe(item.request, item.first, waited)
        elif tries is not None:
            tries.waited += waited
        try:
            result = await pipeline.attempt(item.request, granted, tries)
        except (ApiError, TransportError) as error:
            await self._after_error(item, error)
        except Exception as error:
            # A bug or an unexpected failure below us: the outcome is unknown, so report it, never retry it.
            log.exception("unexpected error while sending a request")
            pipeline.gave_up(tries, item.request, error, unknown=True)
            _fail(item, error)
        else:
            if not item.future.done():
                item.future.set_result(result)

    async def _after_error(self, item: _Item, error: ApiError | TransportError) -> None:
        tries = item.tries
        if tries is None:
            tries = item.tries = Tries(item.first)
        if self._cancelling:
            self._pipeline.gave_up(tries, item.request, error)
            _fail(item, error)
            return
        try:
            decision = await self._pipeline.after(tries, item.request, error)
        except Exception as failure:  # the limiter's pause() failed: give up on this request, say why
            log.exception("the limiter failed to pause after %s", error)
            self._pipeline.gave_up(tries, item.request, failure)
            _fail(item, failure)
            return
        if decision is None:  # the pipeline counted it
            _fail(item, error)
            return
        if self._cancelling:
            self._pipeline.gave_up(tries, item.request, error)
            _fail(item, error)
            return
        recipient = item.request.recipient
        if decision.scope == "recipient" and recipient is not None:
            self._pacer.hold(recipient, self._pipeline.now() + decision.delay)
        log.debug("retrying in %.3fs after %s", decision.delay, error)
        self._spawn_retry(item, decision.delay)

    def _spawn_retry(self, item: _Item, delay: float) -> None:
        self.in_flight += 1
        self._spawn(self._retry_later(item, delay))

    async def _retry_later(self, item: _Item, delay: float) -> None:
        try:
            await self._deliver(item, delay)
        finally:
            self.in_flight -= 1

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        assert self._loop is not None
        task = self._loop.create_task(coro)
        self._retry_tasks.add(task)
        task.add_done_callback(self._retry_tasks.discard)


def _fail(item: _Item, error: BaseException) -> None:
    if not item.future.done():
        item.future.set_exception(error)
