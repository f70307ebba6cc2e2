"""The journal that lets a broadcast job survive a crash: its interface, its rows, and the SQLite journal.

Every message of a job has one row, found by a stable key. A row moves ``pending`` (known, never left) →
``inflight`` (marked durably just before its request goes on the wire) → ``sent`` / ``failed``. A run that starts
on a journal left by a crash turns ``inflight`` rows into ``unknown``: they may have been delivered, and WhatsApp
has no idempotency key, so they are not sent again unless asked. (The SQLite journal keeps its marks in a
memory-mapped file beside it, ``_journal_marks``, unless ``synchronous="FULL"``.)

The broadcast runner talks to a [`JournalStore`][wa_async.JournalStore]: [`Journal`][wa_async.Journal] (a SQLite
file) for one machine, or [`PostgresJournal`][wa_async.PostgresJournal] (``_journal_postgres``), a
[`SharedJournalStore`][wa_async.SharedJournalStore] that several processes on several hosts share. The SQLite
store's SQL runs on a writer thread (``_journal_writer``) in ``_journal_sqlite``, both imported when a journal is
opened, so ``import wa_async`` loads neither ``sqlite3`` nor a PostgreSQL driver.

```python
async with Journal("job.sqlite") as journal:
    await journal.begin({"template": "sale", "phone_number_id": "123"})
    claims = await journal.claim([("4915112345678:ab12", "4915112345678")])
```
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Protocol, Self, runtime_checkable

import msgspec

from ._errors import WhatsAppError, status_error

if TYPE_CHECKING:
    from ._journal_sqlite import SqliteFile
    from ._journal_writer import Writer

__all__ = ["Claim", "Journal", "JournalError", "JournalRow", "JournalStore", "RowState", "RowTaken",
           "SharedJournalStore", "StatusLike", "describe_differences", "is_postgres_url", "open_store",
           "parse_callback_data", "status_outcome"]  # fmt: skip

RowState = Literal["pending", "inflight", "sent", "failed", "unknown"]
"""``pending``: known, never left. ``inflight``: on the wire, no answer yet. ``sent``/``failed``: Meta answered.
``unknown``: was in flight when a run died; may have been delivered."""

_CALLBACK_PREFIX = "wa"


class JournalError(WhatsAppError):
    """The journal file cannot be used: not a journal, corrupted, in use, or belongs to another job."""


class RowTaken(JournalError):
    """Another worker of a shared job holds this row: this one did not send it (its outcome is that worker's)."""


class Claim(msgspec.Struct, frozen=True, gc=False):
    """What the journal knows of one message when a run reaches it.

    ``duplicate`` is true when the same key was already claimed by this run. ``taken`` is true when another
    worker of a shared job holds the row: this run does not send it.
    """

    row: int
    state: RowState
    duplicate: bool = False
    wamid: str | None = None
    error: str | None = None
    error_code: int | None = None
    taken: bool = False


class JournalRow(msgspec.Struct, frozen=True, gc=False):
    """One row of the journal, for reports. ``duplicates``: how often the last run saw the key again."""

    row: int
    key: str
    recipient: str
    state: RowState
    wamid: str | None
    error_code: int | None
    error: str | None
    duplicates: int


class StatusLike(Protocol):
    """The parts of a status webhook (``wa.webhooks.Status``) the journal reads."""

    @property
    def id(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def callback_data(self) -> str | None: ...


@runtime_checkable
class JournalStore(Protocol):
    """What a broadcast needs of a journal: [`Journal`][wa_async.Journal] (SQLite) and
    [`PostgresJournal`][wa_async.PostgresJournal] are two.

    The runner calls, in order: ``open()`` (if not open), ``begin()``, then per batch ``claim()``, per message
    ``mark_inflight()`` just before it leaves and ``record()`` once it is answered, and at the end ``flush()`` and
    ``close()``; [`Journal`][wa_async.Journal] says what each does. ``job_id`` names the job in each message's
    callback data; ``key_version`` says how the rows' message keys were made: ``2``, the recipient and a hash of
    the message without it (so [`move_user`][wa_async.Journal.move_user] can rename them), or ``1``, a hash that
    covers the recipient too (journals started by wa_async 0.1).
    """

    job_id: str | None
    key_version: int

    @property
    def is_open(self) -> bool: ...
    async def open(self) -> Self: ...
    async def close(self) -> None: ...
    async def begin(self, params: Mapping[str, Any]) -> int: ...
    async def claim(self, entries: Sequence[tuple[str, str]]) -> list[Claim]: ...
    async def mark_inflight(self, row: int) -> None: ...
    def record(self, row: int, state: RowState, *, wamid: str | None = None, error_code: int | None = None,
               error: str | None = None) -> None: ...  # fmt: skip
    async def flush(self) -> None: ...
    def rows(self, *, states: Sequence[RowState] | None = None, batch: int = 1000) -> AsyncIterator[JournalRow]: ...
    async def counts(self) -> dict[str, int]: ...
    async def move_user(self, previous: str, current: str) -> int: ...
    async def settle_from_status(self, status: StatusLike) -> bool: ...


@runtime_checkable
class SharedJournalStore(JournalStore, Protocol):
    """A journal several workers (processes, hosts) share, one job each run: each row is sent by one of them.

    On top of [`JournalStore`][wa_async.JournalStore]: ``claim()`` gives ``taken`` claims for rows another worker
    holds, and ``mark_inflight()`` raises ``RowTaken`` (a [`JournalError`][wa_async.JournalError]) for a row this
    worker no longer holds. When its input is done, the runner calls ``wait_for_others()`` (which returns how many
    rows are free again, left by workers that stopped), may read its input again and ``reclaim()`` those, and
    reads the other workers' outcomes with ``lookup()``.
    """

    async def reclaim(self, entries: Sequence[tuple[str, str]]) -> list[Claim]: ...
    async def wait_for_others(self) -> int: ...
    async def lookup(self, keys: Sequence[str]) -> dict[str, JournalRow]: ...


def is_postgres_url(journal: object) -> bool:
    """Whether ``journal`` names a PostgreSQL database (``postgresql://`` or ``postgres://``) rather than a file."""
    return isinstance(journal, str) and journal.startswith(("postgresql://", "postgres://"))


def open_store(journal: str | os.PathLike[str], job: object = None) -> JournalStore:
    """The store for ``journal=``: a [`PostgresJournal`][wa_async.PostgresJournal] for a ``postgresql://`` URL
    (``job`` must then be the job's name), else a SQLite [`Journal`][wa_async.Journal] at that path. Not opened yet.

    Raises:
        ValidationError: a PostgreSQL URL without a job name.
    """
    if is_postgres_url(journal):
        from ._errors import ValidationError
        from ._journal_postgres import PostgresJournal

        if not isinstance(job, str):
            raise ValidationError("job", "a postgresql:// journal needs the job's name (job='spring-sale')")
        return PostgresJournal(str(journal), job=job)
    return Journal(journal)


def describe_differences(before: str, after: str) -> str:
    """``"job.template: 'sale' -> 'other'"`` for two job fingerprints (JSON)."""

    def flat(value: Any, prefix: str = "") -> dict[str, Any]:
        if isinstance(value, dict):
            out: dict[str, Any] = {}
            for k, v in value.items():
                out.update(flat(v, f"{prefix}{k}."))
            return out
        return {prefix.rstrip("."): value}

    try:
        old, new = flat(json.loads(before)), flat(json.loads(after))
    except ValueError:
        return f"{before} -> {after}"
    keys = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
    return ", ".join(f"{k}: {old.get(k)!r} -> {new.get(k)!r}" for k in keys)


def parse_callback_data(data: str | None) -> tuple[str, int] | None:
    """``(job_id, row)`` from callback data written by a journal (``wa:<job_id>:<row>``), else ``None``."""
    if not data:
        return None
    parts = data.split(":")
    if len(parts) != 3 or parts[0] != _CALLBACK_PREFIX or not parts[2].isdigit():
        return None
    return parts[1], int(parts[2])


class Journal:
    """A broadcast job's journal in the SQLite file at ``path`` (created if missing).

    An existing file is checked read-only first: a file that is not SQLite, is corrupted, or is another
    program's database raises [`JournalError`][wa_async.JournalError] and is left untouched. ``NORMAL`` (WAL)
    survives a killed process: in-flight marks are bytes in ``<path>-marks``, a memory-mapped file beside the
    journal, so a request never waits for a commit. ``synchronous="FULL"`` survives a power loss too: each mark is
    a commit with an fsync (marks made together share one), which the request waits for.
    """

    __slots__ = ("_closing", "_file", "_writer", "flush_interval", "job_id", "key_version", "path", "run",
                 "synchronous")  # fmt: skip

    def __init__(self, path: str | os.PathLike[str], *, flush_interval: float = 0.25,
                 synchronous: Literal["NORMAL", "FULL"] = "NORMAL") -> None:  # fmt: skip
        self.path = Path(path)
        self.flush_interval = flush_interval
        self.synchronous = synchronous
        self.job_id: str | None = None
        self.key_version = 2
        self.run = 0
        self._file: SqliteFile | None = None
        self._writer: Writer | None = None
        self._closing = False

    def __repr__(self) -> str:
        state = "open" if self.is_open else "closed"
        return f"<Journal {str(self.path)!r} {state} job={self.job_id} run={self.run} writer={self._writer!r}>"

    @property
    def is_open(self) -> bool:
        """Whether [`open`][wa_async.Journal.open] was called and [`close`][wa_async.Journal.close] was not."""
        return self._file is not None

    @property
    def commits(self) -> int:
        """Transactions written so far (marks and outcomes are grouped)."""
        return self._writer.commits if self._writer is not None else 0

    # -- lifecycle ------------------------------------------------------------------------------------

    async def open(self) -> Self:
        """Check and open the file (creating a new journal if it is missing or empty)."""
        if self._file is not None:
            return self
        from ._journal_sqlite import SqliteFile
        from ._journal_writer import Writer

        file = SqliteFile(self.path, self.synchronous)
        writer = Writer(file, flush_interval=self.flush_interval)
        writer.start()
        try:
            await writer.call(file.open)
        except BaseException:
            writer.stop()
            raise
        self._file, self._writer, self._closing = file, writer, False
        return self

    async def close(self) -> None:
        """Write everything buffered, release the job lock and close the file."""
        file, writer = self._file, self._writer
        if file is None or writer is None:
            return
        self._closing = True
        try:
            await writer.flush()  # raises if writing fails
        finally:
            with contextlib.suppress(Exception):  # after a failed write, the error above is the one to see
                await writer.call(file.close)
            self._file = None
            writer.stop()

    async def __aenter__(self) -> Self:
        return await self.open()

    async def __aexit__(self, et: type[BaseException] | None, e: BaseException | None,
                        tb: TracebackType | None) -> None:  # fmt: skip
        await self.close()

    async def begin(self, params: Mapping[str, Any]) -> int:
        """Start a run of the job described by ``params`` (JSON-able).

        The first run records the parameters. Rows left in flight by an earlier run become ``unknown``. Only one
        run may hold a journal at a time.

        Returns:
            The run number (1 for the first).

        Raises:
            JournalError: ``params`` differ from the first run's, or another run holds the journal.
        """
        file, writer = self._parts()
        fingerprint = json.dumps(dict(params), sort_keys=True, separators=(",", ":"), default=str)
        self.job_id, self.run, self.key_version = await writer.call(file.begin, fingerprint)
        return self.run

    # -- per-message operations -------------------------------------------------------------------------

    async def claim(self, entries: Sequence[tuple[str, str]]) -> list[Claim]:
        """Find or add one row per ``(key, recipient)``, in one transaction, and note them as seen by this run."""
        file, writer = self._running()
        return await writer.call(file.claim, list(entries))

    async def mark_inflight(self, row: int) -> None:
        """Mark ``row`` in flight; returns once the mark survives a killed process (and, with ``synchronous="FULL"``,
        a power cut: then concurrent calls share one transaction)."""
        file, writer = self._running()
        if self._closing:
            raise JournalError("the journal is closing")
        if file.marks is not None:  # a byte stored into the mapped marks file: no wait (see _journal_marks)
            file.marks.mark(row)
        else:
            await writer.mark(row)

    def record(self, row: int, state: RowState, *, wamid: str | None = None,
               error_code: int | None = None, error: str | None = None) -> None:  # fmt: skip
        """Buffer an outcome; it is written with the next commit (or by [`flush`][wa_async.Journal.flush])."""
        _, writer = self._parts()
        writer.record((row, state, wamid, error_code, error))

    async def flush(self) -> None:
        """Write every buffered outcome now."""
        if self._writer is not None:
            await self._writer.flush()

    async def settle_from_status(self, status: StatusLike) -> bool:
        """Settle an ``unknown`` (or in-flight) row from a status webhook carrying this job's callback data.

        ``sent``/``delivered``/``read`` make the row ``sent`` (the webhook's id is its wamid); ``failed`` makes it
        ``failed``. Needs the callback data the broadcast wrote, so a message whose own ``callback_data`` was kept
        cannot be settled this way.

        Returns:
            Whether a row changed.
        """
        parsed = parse_callback_data(status.callback_data)
        if parsed is None or self._file is None or self._writer is None:
            return False
        job_id, row = parsed
        if self.job_id is not None and job_id != self.job_id:
            return False
        outcome = status_outcome(status)
        if outcome is None:
            return False
        state, code, error = outcome
        return await self._writer.call(self._file.settle, job_id, row, state, status.id, code, error)

    async def move_user(self, previous: str, current: str) -> int:
        """Give a user's rows to their new id (a ``user_id_update`` webhook's previous and current BSUID).

        Rows keyed by the broadcast's own message keys (the recipient and a hash of the message without it) take
        the new id into their key too, so a run whose input names the user by the new id finds them and sends
        nothing twice.

        Returns:
            How many rows moved.

        Raises:
            JournalError: a journal started by wa_async 0.1, whose keys hash the id itself.
        """
        file, writer = self._parts()
        return await writer.call(file.move_user, previous, current)

    # -- reading ---------------------------------------------------------------------------------------------

    async def rows(self, *, states: Sequence[RowState] | None = None, batch: int = 1000) -> AsyncIterator[JournalRow]:
        """Every row (or those in ``states``, e.g. ``("unknown", "pending")``), in row order, ``batch`` at a time."""
        file, writer = self._parts()
        after = 0
        while True:
            chunk = await writer.call(file.rows, after, batch, tuple(states) if states else None)
            for item in chunk:
                yield item
            if len(chunk) < batch:
                return
            after = chunk[-1].row

    async def counts(self) -> dict[str, int]:
        """How many rows are in each state."""
        file, writer = self._parts()
        return await writer.call(file.counts)

    def _parts(self) -> tuple[SqliteFile, Writer]:
        if self._file is None or self._writer is None:
            raise JournalError(f"journal {self.path} is not open")
        return self._file, self._writer

    def _running(self) -> tuple[SqliteFile, Writer]:
        if self._file is None or self._writer is None or self.job_id is None:
            raise JournalError("call open() and begin() on the journal first")
        return self._file, self._writer


def status_outcome(status: StatusLike) -> tuple[RowState, int | None, str | None] | None:
    """``(state, error_code, error)`` a status webhook settles a row with, or ``None`` for one that settles nothing."""
    if status.status in ("sent", "delivered", "read"):
        return "sent", None, None
    if status.status == "failed":
        failure = status_error(status)
        return "failed", failure.code, failure.message
    return None
