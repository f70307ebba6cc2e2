"""Broadcast jobs: many messages through the client's bounded queue, optionally journaled so a killed run can resume.

::

    report = await client.broadcast(
        (wa.Template(to, "spring_sale") for to in numbers), journal="sale.sqlite", progress=True
    )
    print(report.sent, report.failed, report.unknown)

Messages are read lazily, a batch at a time, so a million recipients are never held in memory at once.
Each message gets a stable key: its recipient plus a hash of its wire bytes (without ``callback_data``), or a key
the caller gives by yielding ``(key, message)``. A key seen twice in one job is sent once; the repeat is
``skipped``. With a journal, every row is committed as in flight just before its request leaves, so a run
started again on the same journal skips what was sent or failed for good, sends what never left, and reports
what was in flight at the crash as ``unknown`` (sent again only with ``resend_unknown=True``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
from collections import deque
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping, Sized
from typing import Any, Literal, Protocol, cast

import msgspec
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from ._errors import (
    ApiError,
    AuthError,
    ClientClosed,
    DeliveryUnknown,
    TransportError,
    ValidationError,
    WhatsAppError,
    WindowClosed,
)
from ._journal import Claim, Journal, JournalError
from ._redis_limiter import LimiterUnavailable

__all__ = ["PAIR_INTERVAL", "BroadcastReport", "Outcome", "OutcomeStatus", "broadcast", "message_key"]

PAIR_INTERVAL = 6.0
"""Seconds between two messages to the same recipient: "1 message every 6 seconds to the same WhatsApp user"
(FACTS §1.2, pair rate limit, error 131056)."""

_BATCH = 256  # messages claimed from the journal per transaction
_FIRST_BATCH = 16  # small, so the first requests leave at once
_MAX_HELD = 1000  # messages held back for pacing before the reader waits

OutcomeStatus = Literal["sent", "failed", "unknown", "skipped"]


class Outcome(msgspec.Struct, frozen=True, gc=False):
    """What happened to one message. ``earlier``: settled by an earlier run of the same journaled job."""

    to: str
    status: OutcomeStatus
    wamid: str | None = None
    error: str | None = None
    earlier: bool = False


class BroadcastReport(msgspec.Struct, frozen=True):
    """The result of a broadcast: counts per status, the outcome per message key, and this run's pace.

    With a journal the counts cover the whole job, earlier runs included; ``rate`` is what this run sent
    per second of ``elapsed``.
    """

    sent: int
    failed: int
    unknown: int
    skipped: int
    outcomes: dict[str, Outcome]
    elapsed: float
    rate: float


class _Message(Protocol):
    @property
    def to(self) -> str: ...
    @property
    def callback_data(self) -> str | None: ...
    def to_json(self) -> bytes: ...


Hook = Callable[[], Awaitable[None]]


class _Client(Protocol):
    @property
    def phone_number_id(self) -> str: ...
    async def submit(self, msg: Any, *, on_wire: Hook | None = None) -> asyncio.Future[str]: ...


Item = _Message | tuple[str, _Message]


def message_key(msg: _Message) -> str:
    """The stable key of a message: recipient and a hash of its wire bytes without ``callback_data``."""
    if msg.callback_data is not None:
        msg = cast(_Message, msgspec.structs.replace(cast(Any, msg), callback_data=None))
    return f"{msg.to}:{hashlib.sha256(msg.to_json()).hexdigest()[:24]}"


async def broadcast(
    client: _Client,
    messages: Iterable[Item] | AsyncIterable[Item],
    journal: str | os.PathLike[str] | Journal | None = None,
    progress: bool = False,
    *,
    resend_unknown: bool = False,
    job: str | Mapping[str, Any] | None = None,
    pair_interval: float = PAIR_INTERVAL,
) -> BroadcastReport:
    """Send ``messages`` (messages, or ``(key, message)`` pairs) through ``client``'s queue; see the module doc.

    ``journal``: a file name (opened and closed here) or a :class:`Journal` (left open if it was open, e.g. to
    settle unknown rows from status webhooks). ``job`` names the job's parameters; a journal refuses a run whose
    ``job`` or sending number differs from the one it was started with. Cancelling the call stops the job cleanly:
    nothing more leaves, requests on the wire are awaited, the journal is written, and ``CancelledError`` is
    raised again.
    """
    jnl = journal if journal is None or isinstance(journal, Journal) else Journal(journal)
    opened = jnl is not None and not jnl.is_open
    try:
        if jnl is not None:
            if opened:
                await jnl.open()
            await jnl.begin({"phone_number_id": client.phone_number_id, "job": job})
        run = _Run(client, jnl, resend_unknown=resend_unknown, pair_interval=pair_interval)
        total = len(messages) if isinstance(messages, Sized) else None
        with _progress_bar(run, total) if progress else contextlib.nullcontext():
            return await run.run(messages)
    finally:
        if jnl is not None and opened:
            await jnl.close()


class _Pacer:
    """Holds back a message to a recipient until ``interval`` after the previous one to them went on the wire.

    Each message gets a future resolved with its wire time (loop clock), or ``None`` if it never left.
    Entries older than ``interval`` are forgotten, so memory follows the recent recipients only.
    """

    __slots__ = ("_clock", "_interval", "_last", "_order")

    def __init__(self, interval: float, clock: Callable[[], float]) -> None:
        self._interval = interval
        self._clock = clock
        self._last: dict[str, asyncio.Future[float | None]] = {}
        self._order: deque[tuple[str, asyncio.Future[float | None]]] = deque()

    def __repr__(self) -> str:
        return f"<_Pacer interval={self._interval} tracked={len(self._last)}>"

    def reserve(self, to: str) -> tuple[asyncio.Future[float | None] | None, asyncio.Future[float | None]]:
        """``(previous, mine)``: wait for ``previous`` (if any) with :meth:`wait`; resolve ``mine`` on the wire."""
        self._prune()
        prev = self._last.get(to)
        mine: asyncio.Future[float | None] = asyncio.get_running_loop().create_future()
        self._last[to] = mine
        self._order.append((to, mine))
        if prev is not None and self._expired(prev):
            prev = None
        return prev, mine

    async def wait(self, prev: asyncio.Future[float | None], sleep: Callable[[float], Awaitable[None]]) -> None:
        """Wait until a message may follow ``prev`` to the same recipient."""
        wired = await asyncio.shield(prev)
        if wired is not None:
            delay = wired + self._interval - self._clock()
            if delay > 0:
                await sleep(delay)

    def _expired(self, fut: asyncio.Future[float | None]) -> bool:
        if not fut.done():
            return False
        wired = fut.result()
        return wired is None or wired + self._interval <= self._clock()

    def _prune(self) -> None:
        while self._order and self._expired(self._order[0][1]):
            to, fut = self._order.popleft()
            if self._last.get(to) is fut:
                del self._last[to]


class _Flight:
    """One message on its way: the wire hook and what the outcome needs to know."""

    __slots__ = ("key", "leaving", "row", "run", "slot", "to", "wired")

    def __init__(self, run: _Run, key: str, row: int, to: str, slot: asyncio.Future[float | None]) -> None:
        self.run = run
        self.key = key
        self.row = row
        self.to = to
        self.slot = slot
        self.leaving = False  # the hook started: the request leaves once it returns
        self.wired = False  # the hook returned (and the journal holds the in-flight mark)

    async def on_wire(self) -> None:
        """Called by the client's worker after the limiter, just before the POST."""
        self.leaving = True
        if self.run.journal is not None:
            await self.run.journal.mark_inflight(self.row)
        self.wired = True
        if not self.slot.done():
            self.slot.set_result(self.run.clock())


class _Run:
    """One run of a broadcast job: reads, dedupes, paces, submits and records."""

    def __init__(self, client: _Client, journal: Journal | None, *, resend_unknown: bool,
                 pair_interval: float) -> None:
        loop = asyncio.get_running_loop()
        self.client = client
        self.journal = journal
        self.resend_unknown = resend_unknown
        self.clock = loop.time
        self.pacer = _Pacer(pair_interval, self.clock)
        self.stopping = False
        self.counts = {"sent": 0, "failed": 0, "unknown": 0, "skipped": 0}
        self.sent_now = 0
        self.done = 0
        self.outcomes: dict[str, Outcome] = {}
        self.on_change: Callable[[], None] | None = None
        self.fatal: AuthError | LimiterUnavailable | None = None  # no message can succeed: the job stops
        self._pending: dict[asyncio.Future[str], _Flight] = {}
        self._held: set[asyncio.Task[None]] = set()
        self._held_slots = asyncio.Semaphore(_MAX_HELD)
        self._seen: set[bytes] = set()  # keys' digests, when there is no journal
        self._rows = 0
        self._callback_prefix = f"wa:{journal.job_id}:" if journal is not None else None

    async def run(self, messages: Iterable[Item] | AsyncIterable[Item]) -> BroadcastReport:
        start = self.clock()
        try:
            async for batch in _batches(messages):
                claims = await self._claim(batch)
                for (key, msg), claim in zip(batch, claims, strict=True):
                    if self.fatal is not None:
                        raise self.fatal
                    await self._dispatch(key, msg, claim)
            await self._drain()
            if self.fatal is not None:
                raise self.fatal
        except BaseException:
            await self._stop()
            raise
        if self.journal is not None:
            await self.journal.flush()
        elapsed = self.clock() - start
        c = self.counts
        return BroadcastReport(c["sent"], c["failed"], c["unknown"], c["skipped"], self.outcomes, elapsed,
                               self.sent_now / elapsed if elapsed > 0 else 0.0)

    async def _claim(self, batch: list[tuple[str, _Message]]) -> list[Claim]:
        if self.journal is not None:
            return await self.journal.claim([(key, msg.to) for key, msg in batch])
        claims = []
        for key, _ in batch:
            digest = hashlib.blake2b(key.encode(), digest_size=16).digest()
            self._rows += 1
            claims.append(Claim(self._rows, "pending", duplicate=digest in self._seen))
            self._seen.add(digest)
        return claims

    async def _dispatch(self, key: str, msg: _Message, claim: Claim) -> None:
        if claim.duplicate:
            self._count("skipped")
            return
        if claim.state in ("sent", "failed") or (claim.state == "unknown" and not self.resend_unknown):
            self._outcome(key, Outcome(msg.to, claim.state, claim.wamid, claim.error, earlier=True))
            return
        if self._callback_prefix is not None and msg.callback_data is None:
            msg = cast(_Message, msgspec.structs.replace(cast(Any, msg), callback_data=self._callback_prefix
                                                         + str(claim.row)))
        prev, slot = self.pacer.reserve(msg.to)
        flight = _Flight(self, key, claim.row, msg.to, slot)
        if prev is None:
            await self._submit(flight, msg)
            return
        await self._held_slots.acquire()
        task = asyncio.create_task(self._hold(prev, flight, msg))
        self._held.add(task)
        task.add_done_callback(self._held.discard)

    async def _hold(self, prev: asyncio.Future[float | None], flight: _Flight, msg: _Message) -> None:
        try:
            await self.pacer.wait(prev, asyncio.sleep)
            try:
                await self._submit(flight, msg)
            except ClientClosed as e:  # the reader meets it too and ends the run
                self._finish(flight, e, None)
        finally:
            self._held_slots.release()
            if not flight.slot.done():
                flight.slot.set_result(None)

    async def _submit(self, flight: _Flight, msg: _Message) -> None:
        try:
            fut = await self.client.submit(msg, on_wire=flight.on_wire)
        except ClientClosed:
            raise
        except WhatsAppError as e:  # refused locally (validation, closed window): nothing left
            self._finish(flight, e, None)
            return
        self._pending[fut] = flight
        fut.add_done_callback(lambda f: self._finished(flight, f))

    def _finished(self, flight: _Flight, fut: asyncio.Future[str]) -> None:
        self._pending.pop(fut, None)
        if fut.cancelled():
            if flight.leaving:  # cancelled too late: the worker posts it anyway
                self._finish(flight, DeliveryUnknown("the broadcast stopped while this message was leaving"), None)
            elif not flight.slot.done():
                flight.slot.set_result(None)  # never left; stays pending for the next run
        else:
            exc = fut.exception()
            self._finish(flight, exc, None if exc is not None else fut.result())

    def _finish(self, flight: _Flight, exc: BaseException | None, wamid: str | None) -> None:
        if not flight.slot.done():
            flight.slot.set_result(None)
        journal = self.journal
        if exc is None:
            self.sent_now += 1
            if journal is not None:
                journal.record(flight.row, "sent", wamid=wamid)
            self._outcome(flight.key, Outcome(flight.to, "sent", wamid))
            return
        error = str(exc) or type(exc).__name__
        code = exc.code if isinstance(exc, ApiError) else None
        if isinstance(exc, (AuthError, LimiterUnavailable)):
            # Not this message's fault (a bad token, the shared limiter gone): it stays pending; the job stops.
            state, status = "pending", "failed"
            self.fatal = self.fatal or exc
        elif isinstance(exc, DeliveryUnknown) or (flight.wired and not isinstance(exc, (ApiError, TransportError))):
            state, status = "unknown", "unknown"  # may have been delivered
        elif isinstance(exc, (ValidationError, WindowClosed)) or (
            isinstance(exc, ApiError) and exc.retry_scope == "never"
        ):
            state, status = "failed", "failed"  # failed for good
        else:
            state, status = "pending", "failed"  # never delivered and worth another run: sent again on resume
        if journal is not None:
            journal.record(flight.row, state, error_code=code, error=error)  # type: ignore[arg-type]
        self._outcome(flight.key, Outcome(flight.to, status, None, error))  # type: ignore[arg-type]

    def _outcome(self, key: str, outcome: Outcome) -> None:
        self.outcomes[key] = outcome
        self._count(outcome.status)

    def _count(self, status: OutcomeStatus) -> None:
        self.counts[status] += 1
        self.done += 1
        if self.on_change is not None:
            self.on_change()

    async def _drain(self) -> None:
        while self._pending or self._held:
            waiting: list[asyncio.Future[Any]] = [*self._pending, *self._held]
            await asyncio.wait(waiting)

    async def _stop(self) -> None:
        """Let nothing more leave, wait for what is on the wire, write the journal."""
        self.stopping = True
        for task in self._held:
            task.cancel()
        # A cancelled future is never posted by the client's workers.
        for fut, flight in list(self._pending.items()):
            if not flight.leaving:
                fut.cancel()
        with contextlib.suppress(asyncio.CancelledError):  # a second cancel stops the wait, not the journal
            await self._drain()
        if self.journal is not None:
            with contextlib.suppress(JournalError):
                await self.journal.flush()


async def _batches(messages: Iterable[Item] | AsyncIterable[Item]) -> AsyncIterator[list[tuple[str, _Message]]]:
    size = _FIRST_BATCH
    batch: list[tuple[str, _Message]] = []
    async for item in _aiter(messages):
        batch.append(_keyed(item))
        if len(batch) >= size:
            yield batch
            batch, size = [], _BATCH
    if batch:
        yield batch


async def _aiter(messages: Iterable[Item] | AsyncIterable[Item]) -> AsyncIterator[Item]:
    if isinstance(messages, AsyncIterable):
        async for item in messages:
            yield item
    else:
        for item in messages:
            yield item


def _keyed(item: Item) -> tuple[str, _Message]:
    if isinstance(item, tuple):
        key, msg = item
        return str(key), msg
    if not hasattr(item, "to_json"):
        raise TypeError(f"broadcast takes messages or (key, message) pairs, not {type(item).__name__}")
    return message_key(item), item


class _RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.speed
        return Text(f"{speed:.1f} msg/s" if speed else "- msg/s", style="progress.data.speed")


@contextlib.contextmanager
def _progress_bar(run: _Run, total: int | None) -> Iterator[Progress]:
    bar = Progress(
        TextColumn("[bold]broadcast"), BarColumn(), MofNCompleteColumn(),
        TextColumn("sent [green]{task.fields[sent]}[/] failed [red]{task.fields[failed]}[/] "
                   "unknown [yellow]{task.fields[unknown]}[/]"),
        _RateColumn(), TimeRemainingColumn(),
        console=Console(stderr=True),
    )
    task = bar.add_task("broadcast", total=total, sent=0, failed=0, unknown=0)

    def update() -> None:
        c = run.counts
        bar.update(task, completed=run.done, sent=c["sent"], failed=c["failed"], unknown=c["unknown"])

    run.on_change = update
    with bar:
        try:
            yield bar
        finally:
            update()
