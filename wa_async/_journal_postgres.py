"""A broadcast journal in PostgreSQL that several workers on several hosts share: `PostgresJournal`.

Every worker given the same URL and job name reads the same input and asks the database for each batch of rows:
a row goes to the first worker that claims it (``FOR UPDATE SKIP LOCKED``, so two workers never hold one row),
is committed ``inflight`` just before its request leaves (only if this worker still holds it), and is settled
after. Each worker holds a lease it renews every third of ``lease`` seconds; once a worker's lease runs out
(killed, host gone, cut off), any other worker turns that worker's in-flight rows ``unknown`` and frees its claimed
rows for the others. Times are the database's, so the hosts' clocks do not matter.

The driver is asyncpg (``pip install 'wa-async[postgres]'``), imported when the journal opens: asyncio-native, so
its work runs on the event loop without blocking it or a thread, and the least CPU per statement of the asyncio
drivers (the event loop is what a fast broadcast saturates). Three connections: two for the in-flight marks, which
each request waits for (marks made together share one statement, on whichever connection is idle), and one for
everything else.

Tables (created on first use): ``wa_async_jobs`` (one row per job name), ``wa_async_workers`` (one per worker run),
``wa_async_rows`` (one per message key of a job).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import secrets
import socket
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar
from urllib.parse import urlsplit, urlunsplit

import msgspec

from ._errors import ValidationError
from ._journal import (
    Claim,
    JournalError,
    JournalRow,
    RowState,
    RowTaken,
    StatusLike,
    describe_differences,
    parse_callback_data,
    status_outcome,
)

if TYPE_CHECKING:
    import asyncpg

__all__ = ["JobStatus", "PostgresJournal", "WorkerStatus", "redact_url"]

T = TypeVar("T")

_KEYS = 2  # the key format of new jobs (see _broadcast.message_key)
_AUTO_KEY = re.compile(r"[0-9a-f]{24}")
_MAX_JOB_NAME = 200
_MARK_CONNECTIONS = 2  # marks go out on whichever is idle: a request waits about one round trip for its mark
_LOCK_ID = 0x7761_6173_796E_6301 & 0x7FFF_FFFF_FFFF_FFFF  # advisory lock for creating the tables

_DDL = """
CREATE TABLE IF NOT EXISTS wa_async_jobs (
    name TEXT PRIMARY KEY,
    job_id TEXT NOT NULL,
    params TEXT NOT NULL,
    keys INTEGER NOT NULL,
    runs INTEGER NOT NULL DEFAULT 0,
    created TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS wa_async_workers (
    id TEXT PRIMARY KEY,
    job TEXT NOT NULL REFERENCES wa_async_jobs (name) ON DELETE CASCADE,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    run INTEGER NOT NULL,
    state TEXT NOT NULL,
    started TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS wa_async_workers_job ON wa_async_workers (job, state);
CREATE TABLE IF NOT EXISTS wa_async_rows (
    row BIGSERIAL PRIMARY KEY,
    job TEXT NOT NULL REFERENCES wa_async_jobs (name) ON DELETE CASCADE,
    key TEXT NOT NULL,
    recipient TEXT NOT NULL,
    state TEXT NOT NULL,
    owner TEXT,
    wamid TEXT,
    error_code INTEGER,
    error TEXT,
    duplicates INTEGER NOT NULL DEFAULT 0,
    UNIQUE (job, key)
) WITH (fillfactor = 50);
CREATE INDEX IF NOT EXISTS wa_async_rows_recipient ON wa_async_rows (job, recipient);
"""
# No index covers state or owner: a row's claim, mark and outcome then change no indexed column, so PostgreSQL
# updates it in place (a HOT update, room left by the fill factor) without touching any index. What finds rows by
# state or owner (a worker's end, a dead worker's reaping, the status) scans the job's rows, a few times a run.

_COLUMNS = "row, key, recipient, state, wamid, error_code, error, duplicates"

# Expired workers of a job: their in-flight rows become unknown, their claimed rows free again. The rows are
# scanned only when a worker expired (the first statement says so cheaply).
_EXPIRED = """
SELECT EXISTS (SELECT 1 FROM wa_async_workers WHERE job = $1 AND state IN ('running', 'waiting') AND expires < now())
"""
_REAP = """
WITH dead AS (
    UPDATE wa_async_workers SET state = 'lost'
    WHERE job = $1 AND state IN ('running', 'waiting') AND expires < now() RETURNING id
), lost AS (
    UPDATE wa_async_rows SET state = 'unknown'
    WHERE job = $1 AND state = 'inflight' AND owner IN (SELECT id FROM dead) RETURNING 1
), freed AS (
    UPDATE wa_async_rows SET owner = NULL
    WHERE job = $1 AND state = 'pending' AND owner IN (SELECT id FROM dead) RETURNING 1
)
SELECT (SELECT count(*) FROM dead), (SELECT count(*) FROM lost), (SELECT count(*) FROM freed)
"""

# A row leaves only if this worker holds it: its own pending row, or an unknown one it was asked to resend.
# Row ids come from this job's claims and worker ids are unique, so neither statement names the job: a condition
# on it could lead the planner (before the table's statistics catch up) to scan the job instead of the rows.
_MARK = """
UPDATE wa_async_rows SET state = 'inflight', owner = $2
WHERE row = ANY($1::bigint[]) AND ((owner = $2 AND state = 'pending') OR state = 'unknown')
RETURNING row
"""

_RECORD = """
UPDATE wa_async_rows SET state = $2, wamid = $3, error_code = $4, error = $5 WHERE row = $1 AND owner = $6
"""


class WorkerStatus(msgspec.Struct, frozen=True):
    """One worker (one run of ``wa-async broadcast``) of a shared job, and the rows it holds or settled.

    ``state``: ``running`` (sending), ``waiting`` (its input is done; it waits for the others to finish),
    ``expired`` (silent past its lease: about to be reaped), ``done``, or ``lost`` (its lease ran out; its
    in-flight rows became ``unknown`` and its claimed ones went back to the job).
    """

    id: str
    host: str
    pid: int
    run: int
    state: str
    started: str
    counts: dict[str, int]


class JobStatus(msgspec.Struct, frozen=True):
    """A shared job's progress: rows per state (``pending`` includes those claimed but not yet sent), per worker."""

    job: str
    job_id: str
    runs: int
    counts: dict[str, int]
    workers: list[WorkerStatus]

    @property
    def total(self) -> int:
        """Rows in the job."""
        return sum(self.counts.values())


def redact_url(url: str) -> str:
    """``url`` with its password replaced by ``***``, for messages."""
    with contextlib.suppress(ValueError):
        parts = urlsplit(url)
        if parts.password:
            netloc = parts.netloc.replace(":" + parts.password + "@", ":***@", 1)
            return urlunsplit(parts._replace(netloc=netloc))
    return url


class PostgresJournal:
    """A broadcast job's journal in PostgreSQL, shared by every worker given the same ``url`` and ``job`` name.

    Args:
        url: ``postgresql://user:password@host:port/database`` (libpq's URL form, as asyncpg takes it).
        job: the job's name; workers with the same name share the job, one run of it each.
        lease: seconds a worker may go silent before the others take its rows over (its in-flight rows
            become ``unknown``, its claimed ones go to another worker). Renewed every ``lease / 3`` seconds.
        flush_interval: seconds between writes of buffered outcomes.
        poll_interval: seconds between looks at the other workers' progress once this worker's input is done.

    ```python
    journal = wa.PostgresJournal(url, job="spring-sale")
    report = await client.broadcast(messages, journal=journal)
    ```

    Raises:
        ValidationError: an empty or too long job name, or a lease that is not positive.
    """

    __slots__ = ("_conn", "_flusher", "_heartbeat", "_host", "_idle", "_lock", "_mark_conns", "_marks",
                 "_outcomes", "_pid", "flush_interval", "job", "job_id", "key_version", "lease", "poll_interval",
                 "run", "url", "worker")  # fmt: skip

    def __init__(self, url: str, *, job: str, lease: float = 30.0, flush_interval: float = 0.25,
                 poll_interval: float = 1.0) -> None:  # fmt: skip
        if not isinstance(job, str) or not job.strip() or len(job) > _MAX_JOB_NAME:
            raise ValidationError("job", f"the job's name must be 1 to {_MAX_JOB_NAME} characters, not {job!r}")
        if not lease > 0:
            raise ValidationError("lease", f"must be a positive number of seconds, not {lease!r}")
        self.url = url
        self.job = job
        self.lease = float(lease)
        self.flush_interval = flush_interval
        self.poll_interval = poll_interval
        self.job_id: str | None = None
        self.key_version = _KEYS
        self.run = 0
        self.worker = secrets.token_hex(8)
        self._host = socket.gethostname()
        self._pid = os.getpid()
        self._conn: asyncpg.Connection | None = None
        self._mark_conns: list[asyncpg.Connection] = []
        self._idle: list[asyncpg.Connection] = []  # mark connections with no statement running
        self._lock = asyncio.Lock()  # one statement at a time on _conn
        self._marks: deque[tuple[int, asyncio.Future[None]]] = deque()
        self._outcomes: list[tuple[int, RowState, str | None, int | None, str | None]] = []
        self._heartbeat: asyncio.Task[None] | None = None
        self._flusher: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        state = "open" if self.is_open else "closed"
        return f"<PostgresJournal {redact_url(self.url)!r} job={self.job!r} {state} worker={self.worker}>"

    @property
    def is_open(self) -> bool:
        """Whether `open` was called and `close` was not."""
        return self._conn is not None

    # -- lifecycle ------------------------------------------------------------------------------------

    async def open(self) -> Self:
        """Connect and create the tables if they are missing."""
        if self._conn is not None:
            return self
        try:
            import asyncpg
        except ImportError:
            raise JournalError("a postgresql:// journal needs asyncpg: pip install 'wa-async[postgres]'") from None
        conns: list[asyncpg.Connection] = []
        try:
            for _ in range(1 + _MARK_CONNECTIONS):
                conns.append(await asyncpg.connect(self.url, timeout=10))
            async with conns[0].transaction():
                await conns[0].execute(f"SELECT pg_advisory_xact_lock({_LOCK_ID})")  # one creator at a time
                await conns[0].execute(_DDL)
        except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError, ValueError) as e:
            for conn in conns:
                with contextlib.suppress(Exception):
                    await conn.close()
            raise JournalError(f"cannot open the journal {redact_url(self.url)}: {e}") from e
        self._conn, self._mark_conns = conns[0], conns[1:]
        self._idle = list(self._mark_conns)
        return self

    async def close(self) -> None:
        """Write what is buffered, free this worker's unsent rows for the others, end its lease, disconnect."""
        conn = self._conn
        if conn is None:
            return
        try:
            await self._end_run()
        finally:
            self._conn, marks, self._mark_conns, self._idle = None, self._mark_conns, [], []
            for c in (conn, *marks):
                with contextlib.suppress(Exception):
                    await c.close()

    async def _end_run(self) -> None:
        """End this worker's run, if one began: stop renewing its lease, write its outcomes, free its rows."""
        tasks = [t for t in (self._heartbeat, self._flusher) if t is not None]
        if not tasks:
            return
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._heartbeat = self._flusher = None
        await self.flush()
        await self._run(self._release)

    async def _release(self, conn: asyncpg.Connection) -> None:
        async with conn.transaction():
            # What this worker left in flight (a stop while a request was leaving) may have been delivered.
            await conn.execute("UPDATE wa_async_rows SET state = 'unknown' WHERE job = $1 AND owner = $2 "
                               "AND state = 'inflight'", self.job, self.worker)  # fmt: skip
            await conn.execute("UPDATE wa_async_rows SET owner = NULL WHERE job = $1 AND owner = $2 "
                               "AND state = 'pending'", self.job, self.worker)  # fmt: skip
            await conn.execute("UPDATE wa_async_workers SET state = 'done' WHERE id = $1", self.worker)

    async def __aenter__(self) -> Self:
        return await self.open()

    async def __aexit__(self, et: type[BaseException] | None, e: BaseException | None,
                        tb: TracebackType | None) -> None:  # fmt: skip
        await self.close()

    async def begin(self, params: Mapping[str, Any]) -> int:
        """Join the job (creating it on first use) as a new worker; returns this worker's run number.

        The first run records the parameters; a later one with different ones raises `JournalError`.
        Workers whose lease ran out are reaped (their in-flight rows become ``unknown``).
        """
        await self._end_run()  # a journal kept open across runs: the last one is over
        self.worker = secrets.token_hex(8)  # a new worker for each run, even of the same journal object
        params = dict(params)
        if params.get("job") == self.job:  # the name is the job's identity, not one of its parameters
            params["job"] = None
        fingerprint = json.dumps(params, sort_keys=True, separators=(",", ":"), default=str)

        async def begin(conn: asyncpg.Connection) -> tuple[str, int, int]:
            async with conn.transaction():
                await conn.execute("INSERT INTO wa_async_jobs (name, job_id, params, keys) VALUES ($1, $2, $3, $4) "
                                   "ON CONFLICT (name) DO NOTHING", self.job, secrets.token_hex(4), fingerprint,
                                   _KEYS)  # fmt: skip
                row = await conn.fetchrow("SELECT job_id, params, keys, runs FROM wa_async_jobs WHERE name = $1 "
                                          "FOR UPDATE", self.job)  # fmt: skip
                assert row is not None
                if row["params"] != fingerprint:
                    raise JournalError(
                        f"job {self.job!r} in {redact_url(self.url)} has different parameters "
                        f"({describe_differences(row['params'], fingerprint)}); use a new job name for a new job"
                    )
                run = row["runs"] + 1
                await conn.execute("UPDATE wa_async_jobs SET runs = $2 WHERE name = $1", self.job, run)
                await conn.execute(
                    "INSERT INTO wa_async_workers (id, job, host, pid, run, state, expires) "
                    "VALUES ($1, $2, $3, $4, $5, 'running', now() + make_interval(secs => $6))",
                    self.worker, self.job, self._host, self._pid, run, self.lease,
                )
                await _reap(conn, self.job)
                return row["job_id"], run, row["keys"]

        self.job_id, self.run, self.key_version = await self._run(begin)
        loop = asyncio.get_running_loop()
        self._heartbeat = loop.create_task(self._beat(), name="wa-journal-lease")
        self._flusher = loop.create_task(self._flush_often(), name="wa-journal-flush")
        return self.run

    # -- per-message operations -------------------------------------------------------------------------

    async def claim(self, entries: Sequence[tuple[str, str]]) -> list[Claim]:
        """Take every free row of ``entries`` (adding the new ones); the others come back settled or ``taken``."""
        return await self._claim(entries, count_duplicates=True)

    async def reclaim(self, entries: Sequence[tuple[str, str]]) -> list[Claim]:
        """As `claim`, for input this run has read before: nothing counts as a duplicate."""
        await self._set_state("running")
        return await self._claim(entries, count_duplicates=False)

    async def _set_state(self, state: str) -> None:
        await self._run(lambda conn: conn.execute(
            "UPDATE wa_async_workers SET state = $2 WHERE id = $1 AND state IN ('running', 'waiting')",
            self.worker, state,
        ))  # fmt: skip

    async def _claim(self, entries: Sequence[tuple[str, str]], *, count_duplicates: bool) -> list[Claim]:
        self._running()
        first: dict[str, str] = {}
        for key, recipient in entries:
            first.setdefault(key, recipient)
        keys, recipients = list(first), list(first.values())

        async def claim(conn: asyncpg.Connection) -> dict[str, Any]:
            mine: dict[str, int] = {}
            # New rows are this worker's at once; free rows of other keys are taken unless another worker is
            # taking them at this very moment (SKIP LOCKED), in which case they are left to it.
            for r in await conn.fetch(
                "INSERT INTO wa_async_rows (job, key, recipient, state, owner) "
                "SELECT $1, k, r, 'pending', $2 FROM unnest($3::text[], $4::text[]) AS t(k, r) "
                "ON CONFLICT (job, key) DO NOTHING RETURNING row, key",
                self.job, self.worker, keys, recipients,
            ):  # fmt: skip
                mine[r["key"]] = r["row"]
            rest = [k for k in keys if k not in mine]
            found: dict[str, Any] = {}
            if rest:
                for r in await conn.fetch(
                    "UPDATE wa_async_rows SET owner = $2 WHERE row IN (SELECT row FROM wa_async_rows "
                    "WHERE job = $1 AND key = ANY($3::text[]) AND state = 'pending' AND owner IS NULL "
                    "FOR UPDATE SKIP LOCKED) RETURNING row, key",
                    self.job, self.worker, rest,
                ):  # fmt: skip
                    mine[r["key"]] = r["row"]
                rest = [k for k in rest if k not in mine]
            if rest:
                for r in await conn.fetch("SELECT row, key, state, owner, wamid, error_code, error FROM "
                                          "wa_async_rows WHERE job = $1 AND key = ANY($2::text[])",
                                          self.job, rest):  # fmt: skip
                    found[r["key"]] = r
            return {"mine": mine, "found": found}

        got = await self._run(claim)
        mine, found = got["mine"], got["found"]
        out: list[Claim] = []
        seen: set[str] = set()
        duplicates: dict[int, int] = {}
        for key, _ in entries:
            again = key in seen
            seen.add(key)
            if key in mine:
                if again and count_duplicates:
                    duplicates[mine[key]] = duplicates.get(mine[key], 0) + 1
                out.append(Claim(mine[key], "pending", again))
                continue
            r = found[key]
            row, state, owner = r["row"], r["state"], r["owner"]
            if owner == self.worker:  # this run holds or settled it already
                if count_duplicates:
                    duplicates[row] = duplicates.get(row, 0) + 1
                out.append(Claim(row, state, True, r["wamid"], r["error"], r["error_code"]))
            elif state in ("pending", "inflight"):
                out.append(Claim(row, state, again, taken=True))
            else:
                out.append(Claim(row, state, again, r["wamid"], r["error"], r["error_code"]))
        if duplicates:
            await self._run(lambda conn: conn.execute(
                "UPDATE wa_async_rows AS r SET duplicates = r.duplicates + d.n "
                "FROM unnest($1::bigint[], $2::int[]) AS d(row, n) WHERE r.row = d.row",
                list(duplicates), list(duplicates.values()),
            ))  # fmt: skip
        return out

    async def mark_inflight(self, row: int) -> None:
        """Commit ``row`` as in flight; returns once it is durable. Concurrent calls share one statement.

        Raises:
            RowTaken: this worker does not hold the row (any more): it must not be sent.
        """
        self._running()
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._marks.append((row, fut))
        if self._idle:
            asyncio.get_running_loop().create_task(self._mark_all(self._idle.pop()))
        await fut

    async def _mark_all(self, conn: asyncpg.Connection) -> None:
        """Commit every waiting mark in one statement on ``conn``, again until none is waiting.

        Marks that come while a statement runs go on an idle connection at once, so a request waits about one
        round trip for its mark, not one and a half.
        """
        try:
            while self._marks:
                marks = list(self._marks)
                self._marks.clear()
                try:
                    if conn not in self._mark_conns:
                        raise JournalError("the journal is closed")
                    done = {r["row"] for r in await conn.fetch(_MARK, [row for row, _ in marks], self.worker)}
                except Exception as e:
                    error = e if isinstance(e, JournalError) else JournalError(f"cannot write the journal: {e}")
                    for _, fut in marks:
                        if not fut.done():
                            fut.set_exception(error)
                    continue
                for row, fut in marks:
                    if fut.done():
                        continue
                    if row in done:
                        fut.set_result(None)
                    else:
                        fut.set_exception(RowTaken(f"row {row} of job {self.job!r} is held by another worker"))
        finally:
            if conn in self._mark_conns:
                self._idle.append(conn)

    def record(self, row: int, state: RowState, *, wamid: str | None = None, error_code: int | None = None,
               error: str | None = None) -> None:  # fmt: skip
        """Buffer an outcome; it is written within ``flush_interval`` seconds (or by `flush`)."""
        self._outcomes.append((row, state, wamid, error_code, error))

    async def flush(self) -> None:
        """Write every buffered outcome now."""
        while self._outcomes and self._conn is not None:
            batch, self._outcomes = self._outcomes, []
            args = [(*outcome, self.worker) for outcome in batch]

            async def write(conn: asyncpg.Connection, args: list[tuple[Any, ...]] = args) -> None:
                await conn.executemany(_RECORD, args)  # one round trip, one transaction

            try:
                await self._run(write)
            except BaseException:
                self._outcomes[:0] = batch  # written by the next flush; writing twice is harmless
                raise

    async def _flush_often(self) -> None:
        while True:
            await asyncio.sleep(self.flush_interval)
            with contextlib.suppress(JournalError):  # the next flush (or close) tries again and raises
                await self.flush()

    async def _beat(self) -> None:
        """Renew this worker's lease and reap the workers whose lease ran out, every third of the lease."""
        while True:
            await asyncio.sleep(self.lease / 3)
            with contextlib.suppress(JournalError):
                await self._run(lambda conn: conn.execute(
                    "UPDATE wa_async_workers SET expires = now() + make_interval(secs => $2) WHERE id = $1",
                    self.worker, self.lease,
                ))  # fmt: skip
                await self._run(lambda conn: _reap(conn, self.job))

    # -- the end of a shared run ----------------------------------------------------------------------

    async def wait_for_others(self) -> int:
        """Wait until no other sending worker holds a row of the job; returns how many rows are free to send.

        This worker counts as ``waiting`` meanwhile: the rows it still holds (failed for now, sent again by the
        next run) keep no one else waiting. Workers whose lease runs out are reaped, so this ends at most
        ``lease`` seconds after the last of the others stopped.
        """
        self._running()
        await self.flush()
        await self._set_state("waiting")
        while True:
            await self._run(lambda conn: _reap(conn, self.job))
            busy, free = await self._run(lambda conn: conn.fetchrow(
                "SELECT count(*) FILTER (WHERE state IN ('pending', 'inflight') AND owner IN (SELECT id FROM "
                "wa_async_workers WHERE job = $1 AND state = 'running' AND id <> $2)), "
                "count(*) FILTER (WHERE owner IS NULL AND state = 'pending') FROM wa_async_rows WHERE job = $1",
                self.job, self.worker,
            )) or (0, 0)  # fmt: skip
            if not busy:
                return int(free)
            await asyncio.sleep(self.poll_interval)

    async def lookup(self, keys: Sequence[str]) -> dict[str, JournalRow]:
        """The rows of ``keys`` (those the job has)."""
        rows = await self._run(lambda conn: conn.fetch(
            f"SELECT {_COLUMNS} FROM wa_async_rows WHERE job = $1 AND key = ANY($2::text[])", self.job, list(keys)
        ))  # fmt: skip
        return {r["key"]: JournalRow(*r) for r in rows}

    # -- webhooks and users ------------------------------------------------------------------------------

    async def settle_from_status(self, status: StatusLike) -> bool:
        """Settle an ``unknown`` (or in-flight) row from a status webhook carrying this job's callback data.

        As `wa_async.Journal.settle_from_status`. Returns whether a row changed.
        """
        parsed = parse_callback_data(status.callback_data)
        if parsed is None or self._conn is None:
            return False
        job_id, row = parsed
        outcome = status_outcome(status)
        if outcome is None:
            return False
        state, code, error = outcome
        done = await self._run(lambda conn: conn.execute(
            "UPDATE wa_async_rows AS r SET state = $3, wamid = $4, error_code = $5, error = $6 FROM wa_async_jobs j "
            "WHERE r.row = $1 AND r.job = j.name AND j.name = $7 AND j.job_id = $2 "
            "AND r.state IN ('unknown', 'inflight')", row, job_id, state, status.id, code, error, self.job,
        ))  # fmt: skip
        return str(done).endswith(" 1")

    async def move_user(self, previous: str, current: str) -> int:
        """Give a user's rows in this job to their new id; keys made by ``message_key`` follow. Returns rows moved."""

        async def move(conn: asyncpg.Connection) -> int:
            async with conn.transaction():
                rows = await conn.fetch("SELECT row, key FROM wa_async_rows WHERE job = $1 AND recipient = $2 "
                                        "FOR UPDATE", self.job, previous)  # fmt: skip
                prefix = previous + ":"
                for r in rows:
                    key = r["key"]
                    new_key = key
                    if key.startswith(prefix) and _AUTO_KEY.fullmatch(key[len(prefix):]):
                        new_key = current + ":" + key[len(prefix):]
                    taken = new_key != key and await conn.fetchval(
                        "SELECT 1 FROM wa_async_rows WHERE job = $1 AND key = $2", self.job, new_key)  # fmt: skip
                    if taken:  # the new id has its own row for the same content already: that one decides
                        await conn.execute("UPDATE wa_async_rows SET recipient = $2 WHERE row = $1", r["row"], current)
                    else:
                        await conn.execute("UPDATE wa_async_rows SET recipient = $2, key = $3 WHERE row = $1",
                                           r["row"], current, new_key)  # fmt: skip
                return len(rows)

        return await self._run(move)

    # -- reading ---------------------------------------------------------------------------------------------

    async def rows(self, *, states: Sequence[RowState] | None = None, batch: int = 1000) -> AsyncIterator[JournalRow]:
        """Every row of the job (or those in ``states``), in row order, ``batch`` at a time."""
        after = 0
        wanted = list(states) if states else None
        while True:

            async def read(conn: asyncpg.Connection, after: int = after) -> list[asyncpg.Record]:
                return await conn.fetch(
                    f"SELECT {_COLUMNS} FROM wa_async_rows WHERE job = $1 AND row > $2 "
                    "AND ($3::text[] IS NULL OR state = ANY($3::text[])) ORDER BY row LIMIT $4",
                    self.job, after, wanted, batch,
                )  # fmt: skip

            chunk = await self._run(read)
            for r in chunk:
                yield JournalRow(*r)
            if len(chunk) < batch:
                return
            after = chunk[-1]["row"]

    async def counts(self) -> dict[str, int]:
        """How many rows of the job are in each state."""
        rows = await self._run(lambda conn: conn.fetch(
            "SELECT state, count(*) FROM wa_async_rows WHERE job = $1 GROUP BY state", self.job))  # fmt: skip
        return {r[0]: int(r[1]) for r in rows}

    async def status(self) -> JobStatus:
        """The job's progress: rows per state, and per worker (host, pid, state, rows). Needs no `begin`.

        Raises:
            JournalError: there is no job of that name.
        """

        async def status(conn: asyncpg.Connection) -> JobStatus:
            job = await conn.fetchrow("SELECT job_id, runs FROM wa_async_jobs WHERE name = $1", self.job)
            if job is None:
                raise JournalError(f"there is no job {self.job!r} in {redact_url(self.url)}")
            per: dict[str | None, dict[str, int]] = {}
            for r in await conn.fetch("SELECT owner, state, count(*) FROM wa_async_rows WHERE job = $1 "
                                      "GROUP BY owner, state", self.job):  # fmt: skip
                per.setdefault(r[0], {})[r[1]] = int(r[2])
            workers = []
            for w in await conn.fetch(
                "SELECT id, host, pid, run, CASE WHEN state IN ('running', 'waiting') AND expires < now() "
                "THEN 'expired' ELSE state END, to_char(started AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') FROM "
                "wa_async_workers WHERE job = $1 ORDER BY run", self.job,
            ):  # fmt: skip
                workers.append(WorkerStatus(w[0], w[1], int(w[2]), int(w[3]), w[4], w[5] + " UTC", per.get(w[0], {})))
            totals: dict[str, int] = {}
            for counts in per.values():
                for state, n in counts.items():
                    totals[state] = totals.get(state, 0) + n
            return JobStatus(self.job, job["job_id"], int(job["runs"]), totals, workers)

        return await self._run(status)

    # -- helpers ---------------------------------------------------------------------------------------

    async def _run(self, fn: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
        """Run ``fn(connection)`` on the general connection, one at a time; driver errors become JournalError."""
        import asyncpg

        conn = self._conn
        if conn is None:
            raise JournalError(f"the journal {redact_url(self.url)} is not open")
        async with self._lock:
            try:
                return await fn(conn)
            except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as e:
                raise JournalError(f"the journal {redact_url(self.url)} failed: {e}") from e

    def _running(self) -> None:
        if self._conn is None or self.job_id is None:
            raise JournalError("call open() and begin() on the journal first")


async def _reap(conn: asyncpg.Connection, job: str) -> None:
    """Reap the job's workers whose lease ran out, if any."""
    if await conn.fetchval(_EXPIRED, job):
        await conn.fetchrow(_REAP, job)
