"""The SQLite journal that lets a broadcast job survive a crash.

Every message of a job has one row, found by a stable key. A row moves ``pending`` (known, never left) →
``inflight`` (committed just before its request goes on the wire) → ``sent`` / ``failed``. A run that starts on a
journal left by a crash turns ``inflight`` rows into ``unknown``: they may have been delivered, and WhatsApp has no
idempotency key, so they are not sent again unless asked.

All SQLite work runs on one writer thread that owns the connection; the event loop never blocks on it.
Marks made just before a request leaves are group-committed: the writer takes every mark waiting when it gets
to them, so marks made while a commit runs share the next one. Outcomes are buffered and written with the next
commit (at least every ``flush_interval`` seconds).

::

    async with Journal("job.sqlite") as journal:
        await journal.begin({"template": "sale", "phone_number_id": "123"})
        claims = await journal.claim([("4915112345678:ab12", "4915112345678")])
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import queue
import secrets
import sqlite3
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Protocol, Self, TypeVar

import msgspec

from ._errors import WhatsAppError

try:  # Unix only; elsewhere a second run on the same journal is not prevented.
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

__all__ = ["Claim", "Journal", "JournalError", "JournalRow", "RowState", "parse_callback_data"]

RowState = Literal["pending", "inflight", "sent", "failed", "unknown"]
"""``pending``: known, never left. ``inflight``: on the wire, no answer yet. ``sent``/``failed``: Meta answered.
``unknown``: was in flight when a run died; may have been delivered."""

_APP = "wa_async.broadcast"
_SCHEMA = "1"
_MAGIC = b"SQLite format 3\x00"
_CALLBACK_PREFIX = "wa"

T = TypeVar("T")


class JournalError(WhatsAppError):
    """The journal file cannot be used: not a journal, corrupted, in use, or belongs to another job."""


class Claim(msgspec.Struct, frozen=True, gc=False):
    """What the journal knows of one message when a run reaches it.

    ``duplicate`` is true when the same key was already claimed by this run.
    """

    row: int
    state: RowState
    duplicate: bool = False
    wamid: str | None = None
    error: str | None = None


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


def parse_callback_data(data: str | None) -> tuple[str, int] | None:
    """``(job_id, row)`` from callback data written by a journal (``wa:<job_id>:<row>``), else ``None``."""
    if not data:
        return None
    parts = data.split(":")
    if len(parts) != 3 or parts[0] != _CALLBACK_PREFIX or not parts[2].isdigit():
        return None
    return parts[1], int(parts[2])


_DDL = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rows (
    row INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    recipient TEXT NOT NULL,
    state TEXT NOT NULL,
    run INTEGER NOT NULL,
    wamid TEXT,
    error_code INTEGER,
    error TEXT,
    duplicates INTEGER NOT NULL DEFAULT 0
);
"""

# (row, state, wamid, error_code, error): an outcome waiting for the next commit.
_Result = tuple[int, RowState, str | None, int | None, str | None]
# Work for the writer thread: a function, its arguments, and the loop future for its result (None: no one waits).
_Call = tuple[Callable[..., Any], tuple[Any, ...], "asyncio.Future[Any] | None"]


class Journal:
    """A broadcast job's journal in the SQLite file at ``path`` (created if missing).

    An existing file is checked read-only first: a file that is not SQLite, is corrupted, or is another
    program's database raises :class:`JournalError` and is left untouched.
    """

    __slots__ = (
        "_closing",
        "_commit",
        "_conn",
        "_inbox",
        "_lock_fd",
        "_loop",
        "_marks",
        "_outcomes",
        "_thread",
        "commits",
        "flush_interval",
        "job_id",
        "path",
        "run",
        "synchronous",
    )

    def __init__(self, path: str | os.PathLike[str], *, flush_interval: float = 0.25,
                 synchronous: Literal["NORMAL", "FULL"] = "NORMAL") -> None:
        self.path = Path(path)
        self.flush_interval = flush_interval
        # NORMAL (WAL) survives a killed process; FULL also survives power loss, at an fsync per commit.
        self.synchronous = synchronous
        self.job_id: str | None = None
        self.run = 0
        self.commits = 0
        self._conn: sqlite3.Connection | None = None
        self._lock_fd: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._inbox: queue.SimpleQueue[_Call | None] = queue.SimpleQueue()
        self._commit: _Call = (self._commit_sync, (), None)
        # Filled on the loop, emptied by the writer: deque appends and pops are atomic, so no lock is needed.
        self._marks: deque[tuple[int, asyncio.Future[None]]] = deque()
        self._outcomes: deque[_Result] = deque()
        self._closing = False

    def __repr__(self) -> str:
        state = "open" if self._conn is not None else "closed"
        return (f"<Journal {str(self.path)!r} {state} job={self.job_id} run={self.run} "
                f"commits={self.commits} buffered={len(self._outcomes)} marks={len(self._marks)}>")

    @property
    def is_open(self) -> bool:
        """Whether :meth:`open` was called and :meth:`close` was not."""
        return self._conn is not None

    # -- lifecycle ------------------------------------------------------------------------------------

    async def open(self) -> Self:
        """Check and open the file (creating a new journal if it is missing or empty)."""
        if self._conn is not None:
            return self
        self._loop = asyncio.get_running_loop()
        self._inbox = queue.SimpleQueue()
        # A daemon, so a journal never closed cannot hang the interpreter; a commit is atomic if cut short.
        self._thread = threading.Thread(target=self._serve, name="wa-journal", daemon=True)
        self._thread.start()
        try:
            self._conn = await self._call(self._open_sync)
        except BaseException:
            self._stop_thread()
            raise
        self._closing = False
        return self

    async def close(self) -> None:
        """Write everything buffered, release the job lock and close the file."""
        if self._conn is None:
            return
        self._closing = True
        try:
            await self.flush()  # raises if writing fails
        finally:
            with contextlib.suppress(Exception):
                await self._call(self._close_sync)
            self._conn = None
            self._stop_thread()

    async def __aenter__(self) -> Self:
        return await self.open()

    async def __aexit__(self, et: type[BaseException] | None, e: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.close()

    async def begin(self, params: Mapping[str, Any]) -> int:
        """Start a run of the job described by ``params`` (JSON-able); returns the run number.

        The first run records the parameters; a later run with different ones raises :class:`JournalError`.
        Rows left in flight by an earlier run become ``unknown``. Only one run may hold a journal at a time.
        """
        fingerprint = json.dumps(dict(params), sort_keys=True, separators=(",", ":"), default=str)
        self.job_id, self.run = await self._call(self._begin_sync, fingerprint)
        return self.run

    # -- per-message operations -------------------------------------------------------------------------

    async def claim(self, entries: Sequence[tuple[str, str]]) -> list[Claim]:
        """Find or add one row per ``(key, recipient)``, in one transaction, and note them as seen by this run."""
        self._require_run()
        return await self._call(self._claim_sync, list(entries))

    async def mark_inflight(self, row: int) -> None:
        """Commit ``row`` as in flight; returns once it is durable. Concurrent calls share one transaction."""
        self._require_run()
        if self._closing:
            raise JournalError("the journal is closing")
        assert self._loop is not None
        fut: asyncio.Future[None] = self._loop.create_future()
        self._marks.append((row, fut))
        if len(self._marks) == 1:
            # Only a mark that finds no other waiting wakes the writer: a mark behind another is taken by the
            # commit that takes the one before it (_take empties the deque). Waking it per mark cost ~2%.
            self._inbox.put(self._commit)
        await fut

    def record(self, row: int, state: RowState, *, wamid: str | None = None,
               error_code: int | None = None, error: str | None = None) -> None:
        """Buffer an outcome; it is written with the next commit (or by :meth:`flush`)."""
        self._outcomes.append((row, state, wamid, error_code, error))

    async def flush(self) -> None:
        """Write every buffered outcome now."""
        if self._outcomes or self._marks:
            await self._call(self._commit_sync)

    async def settle_from_status(self, status: StatusLike) -> bool:
        """Settle an ``unknown`` (or in-flight) row from a status webhook carrying this job's callback data.

        ``sent``/``delivered``/``read`` make the row ``sent`` (the webhook's id is its wamid); ``failed`` makes it
        ``failed``. Returns whether a row changed. Needs the callback data the broadcast wrote, so a message
        whose own ``callback_data`` was kept cannot be settled this way.
        """
        parsed = parse_callback_data(status.callback_data)
        if parsed is None or self._conn is None:
            return False
        job_id, row = parsed
        if self.job_id is not None and job_id != self.job_id:
            return False
        if status.status in ("sent", "delivered", "read"):
            state: RowState = "sent"
            code, error = None, None
        elif status.status == "failed":
            state = "failed"
            code, error = _status_error(status)
        else:
            return False
        return await self._call(self._settle_sync, job_id, row, state, status.id, code, error)

    # -- reading ---------------------------------------------------------------------------------------------

    async def rows(self, *, batch: int = 1000) -> AsyncIterator[JournalRow]:
        """Every row, in row order, read ``batch`` at a time."""
        after = 0
        while True:
            chunk = await self._call(self._rows_sync, after, batch)
            for item in chunk:
                yield item
            if len(chunk) < batch:
                return
            after = chunk[-1].row

    async def counts(self) -> dict[str, int]:
        """How many rows are in each state."""
        return await self._call(self._counts_sync)

    # -- the writer thread -----------------------------------------------------------------------------

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` on the writer thread, after everything queued before it."""
        if self._thread is None or self._loop is None:
            raise JournalError(f"journal {self.path} is not open")
        fut: asyncio.Future[T] = self._loop.create_future()
        self._inbox.put((fn, args, fut))
        return await fut

    def _stop_thread(self) -> None:
        """Let the writer end once it has done what is queued (not waited for: the loop never blocks)."""
        if self._thread is not None:
            self._inbox.put(None)
            self._thread = None

    def _serve(self) -> None:
        """The writer thread: runs calls in order; commits marks as they come and outcomes when due."""
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
            self._write_sync([row for row, _ in marks], results)
        except Exception as e:
            self._outcomes.extendleft(reversed(results))  # tried again by the next commit; rewriting is harmless
            error = e if isinstance(e, JournalError) else JournalError(f"cannot write the journal: {e}")
            if marks:
                self._post(_wake, [fut for _, fut in marks], error)
            raise error from e
        self.commits += 1
        if marks:
            self._post(_wake, [fut for _, fut in marks], None)

    # -- thread side: everything below runs on the writer thread ------------------------------------------

    def _require_run(self) -> None:
        if self._conn is None or self.job_id is None:
            raise JournalError("call open() and begin() on the journal first")

    def _open_sync(self) -> sqlite3.Connection:
        if self.path.exists() and self.path.stat().st_size > 0:
            self._check_existing()
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=True)
        except sqlite3.Error as e:
            raise JournalError(f"cannot open journal {self.path}: {e}") from e
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA synchronous={self.synchronous}")
            conn.execute("PRAGMA busy_timeout=5000")
            conn.execute("PRAGMA wal_autocheckpoint=20000")
            with _transaction(conn):
                for statement in _DDL.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute("INSERT OR IGNORE INTO meta VALUES ('app', ?), ('schema', ?)", (_APP, _SCHEMA))
        except sqlite3.Error as e:
            conn.close()
            raise JournalError(f"cannot set up journal {self.path}: {e}") from e
        return conn

    def _check_existing(self) -> None:
        """Read-only checks, so a foreign or damaged file is never written to."""
        try:
            with self.path.open("rb") as f:
                head = f.read(len(_MAGIC))
        except OSError as e:
            raise JournalError(f"cannot read journal {self.path}: {e}") from e
        if head != _MAGIC:
            raise JournalError(f"{self.path} is not a wa_async journal (not a SQLite file); left untouched")
        try:
            ro = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error as e:
            raise JournalError(f"cannot open journal {self.path}: {e}") from e
        try:
            tables = {r[0] for r in ro.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "meta" not in tables or "rows" not in tables:
                raise JournalError(f"{self.path} is a SQLite database but not a wa_async journal; left untouched")
            meta = dict(ro.execute("SELECT name, value FROM meta").fetchall())
            if meta.get("app") != _APP:
                raise JournalError(f"{self.path} is a SQLite database but not a wa_async journal; left untouched")
            if meta.get("schema") != _SCHEMA:
                raise JournalError(f"journal {self.path} has schema {meta.get('schema')}, expected {_SCHEMA}")
            check = ro.execute("PRAGMA quick_check").fetchall()
            if check != [("ok",)]:
                raise JournalError(f"journal {self.path} is corrupted ({check[0][0]}); left untouched")
        except sqlite3.DatabaseError as e:
            raise JournalError(f"journal {self.path} is corrupted or unreadable ({e}); left untouched") from e
        finally:
            ro.close()

    def _close_sync(self) -> None:
        if self._conn is not None:
            self._conn.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # releases the flock
            self._lock_fd = None

    def _begin_sync(self, fingerprint: str) -> tuple[str, int]:
        conn = self._connection()
        self._lock()
        with _transaction(conn):
            meta = dict(conn.execute("SELECT name, value FROM meta").fetchall())
            if "params" in meta and meta["params"] != fingerprint:
                raise JournalError(
                    f"journal {self.path} belongs to a different job ({_differences(meta['params'], fingerprint)}); "
                    "use a new journal file for a new job"
                )
            job_id = meta.get("job_id") or secrets.token_hex(4)
            run = int(meta.get("runs", "0")) + 1
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('params', ?), ('job_id', ?), ('runs', ?)",
                         (fingerprint, job_id, str(run)))
            conn.execute("UPDATE rows SET state='unknown' WHERE state='inflight'")
        return job_id, run

    def _lock(self) -> None:
        if fcntl is None or self._lock_fd is not None:
            return
        fd = os.open(self.path, os.O_RDONLY)
        try:
            # flock, not fcntl locks: SQLite's own POSIX locks are separate and unaffected.
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            os.close(fd)
            raise JournalError(f"journal {self.path} is in use by another running broadcast") from e
        self._lock_fd = fd

    def _claim_sync(self, entries: list[tuple[str, str]]) -> list[Claim]:
        conn = self._connection()
        out: list[Claim] = []
        with _transaction(conn):
            for key, recipient in entries:
                # Most keys are new on a first run: one statement for them.
                cur = conn.execute(
                    "INSERT OR IGNORE INTO rows (key, recipient, state, run) VALUES (?, ?, 'pending', ?)",
                    (key, recipient, self.run),
                )
                if cur.rowcount == 1 and cur.lastrowid is not None:
                    out.append(Claim(cur.lastrowid, "pending"))
                    continue
                row, state, run, wamid, error = conn.execute(
                    "SELECT row, state, run, wamid, error FROM rows WHERE key=?", (key,)
                ).fetchone()
                if run == self.run:
                    conn.execute("UPDATE rows SET duplicates=duplicates+1 WHERE row=?", (row,))
                    out.append(Claim(row, state, True, wamid, error))
                else:
                    conn.execute("UPDATE rows SET run=?, duplicates=0 WHERE row=?", (self.run, row))
                    out.append(Claim(row, state, False, wamid, error))
        return out

    def _write_sync(self, marks: list[int], results: list[_Result]) -> None:
        conn = self._connection()
        with _transaction(conn):
            conn.executemany("UPDATE rows SET state='inflight' WHERE row=?", [(r,) for r in marks])
            conn.executemany(
                "UPDATE rows SET state=?, wamid=?, error_code=?, error=? WHERE row=?",
                [(state, wamid, code, error, row) for row, state, wamid, code, error in results],
            )

    def _settle_sync(self, job_id: str, row: int, state: RowState, wamid: str, code: int | None,
                     error: str | None) -> bool:
        conn = self._connection()
        with _transaction(conn):
            meta_job = conn.execute("SELECT value FROM meta WHERE name='job_id'").fetchone()
            if meta_job is None or meta_job[0] != job_id:
                return False
            cur = conn.execute(
                "UPDATE rows SET state=?, wamid=?, error_code=?, error=? WHERE row=? "
                "AND state IN ('unknown', 'inflight')",
                (state, wamid, code, error, row),
            )
            return cur.rowcount > 0

    def _rows_sync(self, after: int, limit: int) -> list[JournalRow]:
        cur = self._connection().execute(
            "SELECT row, key, recipient, state, wamid, error_code, error, duplicates FROM rows "
            "WHERE row > ? ORDER BY row LIMIT ?", (after, limit))
        return [JournalRow(*r) for r in cur.fetchall()]

    def _counts_sync(self) -> dict[str, int]:
        cur = self._connection().execute("SELECT state, count(*) FROM rows GROUP BY state")
        return {state: n for state, n in cur.fetchall()}

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise JournalError(f"journal {self.path} is not open")
        return self._conn


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


@contextlib.contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _status_error(status: StatusLike) -> tuple[int | None, str | None]:
    errors = getattr(status, "errors", None) or ()
    if not errors:
        return None, "failed (status webhook)"
    first = errors[0]
    code = getattr(first, "code", None)
    text = getattr(first, "title", None) or getattr(first, "details", None) or "failed (status webhook)"
    return code, str(text)


def _differences(before: str, after: str) -> str:
    """``"job.template: 'sale' -> 'other'"`` for two job fingerprints."""
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
