"""The journal's writer thread: one thread owns the database connection and runs every call on it, in order.

The event loop never blocks on the database. Marks made just before a request leaves are group-committed: the
writer takes every mark waiting when it gets to them, so marks made while a commit runs share the next one.
Outcomes are buffered and written with the next commit (at least every ``flush_interval`` seconds).
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from ._journal import JournalError, RowState

__all__ = ["Result", "Sink", "Writer"]

T = TypeVar("T")

Result = tuple[int, RowState, str | None, int | None, str | None]
"""An outcome waiting for the next commit: ``(row, state, wamid, error_code, error)``."""



class Sink(Protocol):
    """Where the writer commits: in-flight marks and outcomes, in one transaction (called on the writer thread)."""

    def write(self, marks: list[int], results: list[Result]) -> None: ...


# Work for the thread: a function, its arguments, and the loop future for its result (None: no one waits).
_Call = tuple[Callable[..., Any], tuple[Any, ...], "asyncio.Future[Any] | None"]


class Writer:
    """Runs a store's synchronous calls on one daemon thread; group-commits marks and outcomes to ``sink``.

    A daemon, so a journal never closed cannot hang the interpreter; a commit is atomic if cut short.
    """

    __slots__ = ("_commit", "_inbox", "_loop", "_marks", "_outcomes", "_sink", "_thread", "commits",
                 "flush_interval")  # fmt: skip

    def __init__(self, sink: Sink, *, flush_interval: float) -> None:
        self._sink = sink
        self.flush_interval = flush_interval
        self.commits = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._inbox: queue.SimpleQueue[_Call | None] = queue.SimpleQueue()
        self._commit: _Call = (self._commit_sync, (), None)
        # Filled on the loop, emptied by the thread: deque appends and pops are atomic, so no lock is needed.
        self._marks: deque[tuple[int, asyncio.Future[None]]] = deque()
        self._outcomes: deque[Result] = deque()

    def __repr__(self) -> str:
        return (f"<Writer running={self._thread is not None} commits={self.commits} "
                f"buffered={len(self._outcomes)} marks={len(self._marks)}>")  # fmt: skip

    @property
    def running(self) -> bool:
        """Whether ``start()`` was called and ``stop()`` was not."""
        return self._thread is not None

    def start(self) -> None:
        """Start the thread; its results come back to the running loop."""
        self._loop = asyncio.get_running_loop()
        self._inbox = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name="wa-journal", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Let the thread end once it has done what is queued (not waited for: the loop never blocks)."""
        if self._thread is not None:
            self._inbox.put(None)
            self._thread = None

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` on the thread, after everything queued before it."""
        if self._thread is None or self._loop is None:
            raise JournalError("the journal is not open")
        fut: asyncio.Future[T] = self._loop.create_future()
        self._inbox.put((fn, args, fut))
        return await fut

    async def mark(self, row: int) -> None:
        """Commit ``row`` as in flight; returns once it is durable. Concurrent calls share one transaction."""
        assert self._loop is not None
        fut: asyncio.Future[None] = self._loop.create_future()
        self._marks.append((row, fut))
        if len(self._marks) == 1:
            # Only a mark that finds no other waiting wakes the thread: a mark behind another is taken by the
            # commit that takes the one before it (_take empties the deque). Waking it per mark cost ~2%.
            self._inbox.put(self._commit)
        await fut

    def record(self, result: Result) -> None:
        """Buffer an outcome for the next commit."""
        self._outcomes.append(result)

    async def flush(self) -> None:
        """Write every buffered outcome and mark now."""
        if self._outcomes or self._marks:
            await self.call(self._commit_sync)

    @property
    def buffered(self) -> int:
        """Outcomes waiting for a commit."""
        return len(self._outcomes)

    # -- the thread --------------------------------------------------------------------------------------

    def _serve(self) -> None:
        """Run calls in order; commit marks as they come and outcomes when due."""
        written = time.monotonic()
        while True:
            try:
                call = self._inbox.get(timeout=self.flush_interval)
            except queue.Empty:
                call = self._commit
            if call is None:
                return
            due = bool(self._outcomes) and time.monotonic() - written >= self.flush_interval
            if due and call is not self._commit:
                self._run(self._commit)  # calls keep coming but no marks: the outcomes are written first
            if due or call is self._commit:
                written = time.monotonic()
            self._run(call)

    def _run(self, call: _Call) -> None:
        fn, args, fut = call
        try:
            result = fn(*args)
        except BaseException as e:  # a mark's commit told its waiters already; a caller gets it here
            if fut is not None:
                self._post(_settle, fut, None, e)
        else:
            if fut is not None:
                self._post(_settle, fut, result, None)

    def _post(self, fn: Callable[..., None], *args: Any) -> None:
        assert self._loop is not None
        with contextlib.suppress(RuntimeError):  # the loop is closed: no one is left waiting
            self._loop.call_soon_threadsafe(fn, *args)

    def _commit_sync(self) -> None:
        """Commit every mark and outcome waiting, in one transaction, then wake the marks' waiters (one hop)."""
        marks = _take(self._marks)
        results = _take(self._outcomes)
        if not marks and not results:
            return
        try:
            self._sink.write([row for row, _ in marks], results)
        except Exception as e:
            self._outcomes.extendleft(reversed(results))  # tried again by the next commit; rewriting is harmless
            error = e if isinstance(e, JournalError) else JournalError(f"cannot write the journal: {e}")
            if marks:
                self._post(_wake, [fut for _, fut in marks], error)
            raise error from e
        self.commits += 1
        if marks:
            self._post(_wake, [fut for _, fut in marks], None)


def _take(items: deque[Any]) -> list[Any]:
    """Empty ``items``: popleft is atomic, and an item appended meanwhile is taken too (it stops only when empty)."""
    out = []
    with contextlib.suppress(IndexError):
        while True:
            out.append(items.popleft())
    return out


def _settle(fut: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if fut.done():  # its caller was cancelled
        return
    if error is not None:
        fut.set_exception(error)
    else:
        fut.set_result(result)


def _wake(futs: list[asyncio.Future[None]], error: BaseException | None) -> None:
    for fut in futs:
        _settle(fut, None, error)
