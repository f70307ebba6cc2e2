"""The broadcast runner: reads the input in batches, dedupes, paces each recipient, submits and records outcomes.

A message to a recipient who got one less than ``pair_interval`` ago waits aside (a "held" task) until that one
has been on the wire for ``pair_interval`` seconds; the others keep flowing. Every wait runs on the client's
clock and sleep (see ``client_timing()``), so the spacing can be checked on a fake clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, cast

import msgspec

from ._broadcast import (
    PACING_STATUSES,
    BroadcastReport,
    Display,
    Item,
    Outcome,
    OutcomeStatus,
    _Message,
    legacy_message_key,
    message_key,
)
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
from ._journal import Claim, JournalError, JournalStore, RowState, RowTaken, SharedJournalStore
from ._messages import Template
from ._pacer import RecipientPacer
from ._redis_limiter import LimiterUnavailable
from ._request import SendResult

if TYPE_CHECKING:
    from ._opt_outs import OptOuts

__all__ = ["Run", "client_timing"]

_BATCH = 256  # messages claimed from the journal per transaction
_FIRST_BATCH = 16  # small, so the first requests leave at once
_MAX_HELD = 1000  # messages held back for pacing before the reader waits
_SHARED_AHEAD = 1024  # with a shared journal, rows claimed but not yet answered before the reader waits
# Errors no message of the job can get past: the job stops and its unsent rows stay pending for the next run.
# 134101: the template is still syncing with the Marketing Messages API, for about 10 minutes (docs/limits.md).
_STOP_CODES = frozenset({134101})

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


def client_timing(client: object) -> tuple[Clock, Sleep]:
    """The client's ``clock`` and ``sleep`` (given to it as ``clock=``, ``sleep=``: fakes in tests), else the loop's."""
    clock = getattr(client, "clock", None)
    sleep = getattr(client, "sleep", None)
    return (clock if callable(clock) else asyncio.get_running_loop().time,
            sleep if callable(sleep) else asyncio.sleep)  # fmt: skip


class _Flight:
    """One message on its way: the wire hook and what the outcome needs to know."""

    __slots__ = ("key", "leaving", "row", "run", "slot", "to", "wired")

    def __init__(self, run: Run, key: str, row: int, to: str, slot: asyncio.Future[float | None]) -> None:
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

    def never_left(self) -> None:
        """The message will not go on the wire (refused, failed before it, or stopped): the next may follow."""
        if not self.slot.done():
            self.slot.set_result(None)


class Run:
    """One run of a broadcast job: reads, dedupes, paces, submits and records."""

    def __init__(
        self,
        client: Any,
        journal: JournalStore | None,
        *,
        resend_unknown: bool,
        pair_interval: float,
        marketing: bool = False,
        opt_outs: OptOuts | None = None,
        stop_on_pause: bool = False,
    ) -> None:
        self.client = client
        self.journal = journal
        self.resend_unknown = resend_unknown
        self.marketing = marketing
        self.opt_outs = opt_outs
        self.stop_on_pause = stop_on_pause
        self.clock, self.sleep = client_timing(client)
        self.pacer = RecipientPacer(pair_interval, self.clock)
        self.counts: dict[str, int] = {"sent": 0, "failed": 0, "unknown": 0, "skipped": 0, "opted_out": 0}
        self.message_statuses: dict[str, int] = {}  # this run's answers by message_status
        self.stopped: str | None = None  # why the job stopped early, its unsent rows pending
        self.sent_now = 0  # sent by this run
        self.settled_now = 0  # answered in this run (sent, failed or unknown): the rate's numerator
        self.done = 0  # input messages with an outcome, earlier runs' and skipped ones included
        self.outcomes: dict[str, Outcome] = {}
        self.display: Display | None = None
        self.fatal: ApiError | LimiterUnavailable | JournalError | None = None  # no message can succeed: stop
        self._pending: dict[asyncio.Future[Any], _Flight] = {}
        self._held: set[asyncio.Task[None]] = set()
        self._held_slots = asyncio.Semaphore(_MAX_HELD)
        self._seen: set[bytes] = set()  # keys' digests, when there is no journal
        self.taken: dict[str, str] = {}  # key -> recipient of the rows another worker of a shared job holds
        self._shared = isinstance(journal, SharedJournalStore)
        self._room: asyncio.Future[None] | None = None  # with a shared journal: an answer came, the reader may go on
        self._rows = 0
        self._callback_prefix = f"wa:{journal.job_id}:" if journal is not None else None
        self._key = legacy_message_key if journal is not None and journal.key_version < 2 else message_key

    def __repr__(self) -> str:
        return f"<Run {self.counts} pending={len(self._pending)} held={len(self._held)} fatal={self.fatal!r}>"

    async def run(self, messages: Iterable[Item] | AsyncIterable[Item]) -> BroadcastReport:
        """Send every message; the report, or the error that stopped the job (after a clean stop)."""
        start = self.clock()
        try:
            async for batch in self._batches(messages):
                if self._shared:
                    await self._keep_within(_SHARED_AHEAD)  # claim no further ahead: the other workers share
                claims = await self._claim(batch)
                opted_out = await self._opted_out(batch, claims)
                for (key, msg), claim in zip(batch, claims, strict=True):
                    if self.fatal is not None:
                        raise self.fatal
                    if self.stopped is not None:
                        break
                    await self._dispatch(key, msg, claim, opted_out)
                if self.stopped is not None:
                    break
            await self._drain()
            if self.fatal is not None:
                raise self.fatal
            if isinstance(self.journal, SharedJournalStore):
                from ._broadcast_shared import finish_shared

                await finish_shared(self, self.journal, messages)
        except BaseException:
            await self._stop()
            raise
        if self.journal is not None:
            await self.journal.flush()
        elapsed = self.clock() - start
        c = self.counts
        return BroadcastReport(c["sent"], c["failed"], c["unknown"], c["skipped"], self.outcomes, elapsed,
                               self.sent_now / elapsed if elapsed > 0 else 0.0, opted_out=c["opted_out"],
                               message_statuses=dict(self.message_statuses), stopped=self.stopped)  # fmt: skip

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

    def _is_marketing(self, msg: _Message) -> bool:
        return self.marketing or getattr(msg, "marketing", False) is True

    def _will_send(self, claim: Claim) -> bool:
        return not claim.duplicate and not claim.taken and (
            claim.state == "pending" or (claim.state == "unknown" and self.resend_unknown))

    async def _opted_out(self, batch: list[tuple[str, _Message]], claims: list[Claim]) -> set[str]:
        """The recipients of this batch's marketing messages who are in the opt-out store (one question a batch)."""
        if self.opt_outs is None:
            return set()
        wanted = [msg.to for (_, msg), claim in zip(batch, claims, strict=True)
                  if self._will_send(claim) and self._is_marketing(msg)]  # fmt: skip
        return await self.opt_outs.which(wanted) if wanted else set()

    async def _dispatch(self, key: str, msg: _Message, claim: Claim, opted_out: set[str]) -> None:
        if claim.duplicate or key in self.outcomes or key in self.taken:
            self._count("skipped")  # a shared journal knows only its own rows' repeats: the rest are found here
            return
        if claim.taken:  # another worker of the job sends it; its outcome is read at the end
            self.taken[key] = msg.to
            return
        if claim.state in ("sent", "failed") or (claim.state == "unknown" and not self.resend_unknown):
            status = cast(OutcomeStatus, claim.state)
            self._outcome(key, Outcome(msg.to, status, claim.wamid, claim.error, True, claim.error_code))
            return
        if self.marketing:
            try:
                msg = _as_marketing(msg)
            except ValidationError as e:  # refused locally: failed for good
                self.settled_now += 1
                if self.journal is not None:
                    self.journal.record(claim.row, "failed", error=str(e))
                self._outcome(key, Outcome(msg.to, "failed", None, str(e)))
                return
        if msg.to in opted_out and self._is_marketing(msg):
            self._outcome(key, Outcome(msg.to, "opted_out"))  # the row stays pending: sent once the user resumes
            return
        if self._callback_prefix is not None and msg.callback_data is None:
            msg = cast(_Message, msgspec.structs.replace(cast(Any, msg), callback_data=self._callback_prefix
                                                         + str(claim.row)))  # fmt: skip
        prev, slot = self.pacer.follow(msg.to)
        flight = _Flight(self, key, claim.row, msg.to, slot)
        if prev is None:
            await self._submit(flight, msg)
            return
        await self._held_slots.acquire()
        task = asyncio.create_task(self._hold(prev, flight, msg))
        self._held.add(task)
        task.add_done_callback(self._held.discard)
        task.add_done_callback(self._make_room)

    async def _hold(self, prev: asyncio.Future[float | None], flight: _Flight, msg: _Message) -> None:
        queued = False
        try:
            await self.pacer.turn(prev, self.sleep)
            try:
                queued = await self._submit(flight, msg)
            except ClientClosed as e:  # the reader meets it too and ends the run
                self._finish(flight, e, None)
        finally:
            self._held_slots.release()
            if not queued:  # a queued message frees its slot on the wire, or when it fails before
                flight.never_left()

    async def _submit(self, flight: _Flight, msg: _Message) -> bool:
        """Queue the message; whether it was queued (a local refusal is recorded as its outcome)."""
        try:
            fut = await self._queue(msg, flight)
        except ClientClosed:
            raise
        except WhatsAppError as e:  # refused locally (validation, closed window): nothing left
            self._finish(flight, e, None)
            return False
        self._pending[fut] = flight
        fut.add_done_callback(lambda f: self._finished(flight, f))
        return True

    async def _queue(self, msg: _Message, flight: _Flight) -> asyncio.Future[SendResult | str]:
        """Queue the message on the client; a template's future gives Meta's whole answer (its ``message_status``),
        any other message's the wamid (``submit()``, as for another client, such as a test's fake)."""
        client = self.client
        if isinstance(msg, Template) and hasattr(client, "submit_result"):
            return cast("asyncio.Future[SendResult | str]", await client.submit_result(msg, on_wire=flight.on_wire))
        return cast("asyncio.Future[SendResult | str]", await client.submit(msg, on_wire=flight.on_wire))

    def _finished(self, flight: _Flight, fut: asyncio.Future[SendResult | str]) -> None:
        self._pending.pop(fut, None)
        self._make_room()
        if fut.cancelled():
            if flight.leaving:  # cancelled too late: the worker posts it anyway
                self._finish(flight, DeliveryUnknown("the broadcast stopped while this message was leaving"), None)
            else:
                flight.never_left()  # stays pending for the next run
        else:
            exc = fut.exception()
            self._finish(flight, exc, None if exc is not None else fut.result())

    def _finish(self, flight: _Flight, exc: BaseException | None, result: SendResult | str | None) -> None:
        flight.never_left()  # a no-op once it left
        if isinstance(exc, RowTaken):  # another worker of the job took the row over before it left
            self.taken[flight.key] = flight.to
            return
        journal = self.journal
        self.settled_now += 1
        if exc is None:
            wamid, message_status = (result, None) if not isinstance(result, SendResult) else (
                result.wamid, result.message_status)  # fmt: skip
            self.sent_now += 1
            if journal is not None:
                journal.record(flight.row, "sent", wamid=wamid)
            self._outcome(flight.key, Outcome(flight.to, "sent", wamid, message_status=message_status))
            if message_status is not None:
                self._paced(message_status)
            return
        error = str(exc) or type(exc).__name__
        code = exc.code if isinstance(exc, ApiError) else None
        state: RowState
        status: OutcomeStatus
        if isinstance(exc, (AuthError, LimiterUnavailable, JournalError)) or (
            isinstance(exc, ApiError) and code in _STOP_CODES
        ):
            # Not this message's fault (a bad token, the shared limiter or the journal gone, a marketing template
            # still syncing): it stays pending; the job stops.
            state, status = "pending", "failed"
            if self.fatal is None:
                self.fatal = exc
                self._halt()
        elif isinstance(exc, DeliveryUnknown) or (flight.wired and not isinstance(exc, (ApiError, TransportError))):
            state, status = "unknown", "unknown"  # may have been delivered
        elif isinstance(exc, (ValidationError, WindowClosed)) or (
            isinstance(exc, ApiError) and exc.retry_scope == "never"
        ):
            state, status = "failed", "failed"  # failed for good
        else:
            state, status = "pending", "failed"  # never delivered and worth another run: sent again on resume
        if journal is not None:
            journal.record(flight.row, state, error_code=code, error=error)
        self._outcome(flight.key, Outcome(flight.to, status, None, error, code=code))

    def _paced(self, message_status: str) -> None:
        """Count an answer's ``message_status``; with ``stop_on_pause``, stop the job when Meta paces the template."""
        self.message_statuses[message_status] = self.message_statuses.get(message_status, 0) + 1
        if message_status in PACING_STATUSES and self.stop_on_pause and self.stopped is None:
            self.stopped = "paused"
            self._halt()

    def _halt(self) -> None:
        """No message can succeed: drop what is queued or held without sending it; its rows stay pending.

        The client's workers skip a queued message whose future is already done, so cancelling it is enough.
        """
        for task in self._held:
            task.cancel()
        for fut, flight in list(self._pending.items()):
            if not flight.leaving:
                fut.cancel()

    def _outcome(self, key: str, outcome: Outcome) -> None:
        self.outcomes[key] = outcome
        self._count(outcome.status)

    def _count(self, status: OutcomeStatus) -> None:
        self.counts[status] += 1
        self.done += 1
        if self.display is not None:
            self.display.update(self.counts, self.done, self.settled_now)

    def _make_room(self, *_: object) -> None:
        """A message was answered (or dropped): a reader waiting in `_keep_within` may look again."""
        if self._room is not None and not self._room.done():
            self._room.set_result(None)

    async def _keep_within(self, limit: int) -> None:
        while len(self._pending) + len(self._held) > limit:
            self._room = asyncio.get_running_loop().create_future()  # resolved by the next answer
            await self._room

    async def _drain(self) -> None:
        while self._pending or self._held:
            waiting: list[asyncio.Future[Any]] = [*self._pending, *self._held]
            await asyncio.wait(waiting)

    async def _stop(self) -> None:
        """Let nothing more leave, wait for what is on the wire, write the journal."""
        self._halt()
        with contextlib.suppress(asyncio.CancelledError):  # a second cancel stops the wait, not the journal
            await self._drain()
        if self.journal is not None:
            with contextlib.suppress(JournalError):
                await self.journal.flush()

    async def _batches(
        self, messages: Iterable[Item] | AsyncIterable[Item]
    ) -> AsyncIterator[list[tuple[str, _Message]]]:
        size = _FIRST_BATCH
        batch: list[tuple[str, _Message]] = []
        async for item in _aiter(messages):
            batch.append(self._keyed(item))
            if len(batch) >= size:
                yield batch
                batch, size = [], _BATCH
        if batch:
            yield batch

    def _keyed(self, item: Item) -> tuple[str, _Message]:
        if isinstance(item, tuple):
            key, msg = item
            return str(key), msg
        if not hasattr(item, "to_json"):
            raise TypeError(f"broadcast takes messages or (key, message) pairs, not {type(item).__name__}")
        return self._key(item), item


async def _aiter(messages: Iterable[Item] | AsyncIterable[Item]) -> AsyncIterator[Item]:
    if isinstance(messages, AsyncIterable):
        async for item in messages:
            yield item
    else:
        for item in messages:
            yield item


def _as_marketing(msg: _Message) -> _Message:
    """The message as a marketing template (``Template(..., marketing=True)``), checked again as one."""
    if not isinstance(msg, Template):
        raise ValidationError("type", f"the Marketing Messages API sends templates only, not {type(msg).__name__}")
    if msg.marketing:
        return msg
    fields = {name: getattr(msg, name) for name in msg.__struct_fields__}
    return Template(**(fields | {"marketing": True}))
