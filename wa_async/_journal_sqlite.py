"""The journal's SQLite file: schema, checks, the job lock and every statement. Runs on the writer thread only.

Imported when a journal is opened, so ``import wa_async`` does not load ``sqlite3``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Literal

from ._journal import Claim, JournalError, JournalRow, RowState, describe_differences
from ._journal_marks import MarkFile, marks_path, read_marks
from ._journal_writer import Result

try:  # Unix only; elsewhere a second run on the same journal is not prevented.
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

__all__ = ["SqliteFile"]

_APP = "wa_async.broadcast"
_SCHEMA = "1"
_MAGIC = b"SQLite format 3\x00"
# Key format of the rows (see _broadcast.message_key): "2" hashes the content without the recipient, so a row can
# move to a user's new id; a journal from before had no 'keys' entry and hashes the recipient too ("1").
_KEYS = "2"
_AUTO_KEY = re.compile(r"[0-9a-f]{24}")
# JSON functions built in (3.38) and UPDATE ... FROM (3.33): a batch of rows in one statement.
_BATCHED = sqlite3.sqlite_version_info >= (3, 38, 0)

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


class SqliteFile:
    """One journal file. Every method runs on the writer thread, which owns the connection."""

    __slots__ = ("_conn", "_lock_fd", "marks", "path", "run", "synchronous")

    def __init__(self, path: Path, synchronous: Literal["NORMAL", "FULL"]) -> None:
        self.path = path
        self.synchronous = synchronous
        self.run = 0
        self._conn: sqlite3.Connection | None = None
        self._lock_fd: int | None = None
        self.marks: MarkFile | None = None  # the in-flight marks once a run began (synchronous="NORMAL")

    def __repr__(self) -> str:
        return f"<SqliteFile {str(self.path)!r} open={self._conn is not None} run={self.run}>"

    def open(self) -> None:
        """Check the file read-only if it exists, then open it (creating a new journal if missing or empty)."""
        new = not (self.path.exists() and self.path.stat().st_size > 0)
        if not new:
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
                if new:
                    conn.execute("INSERT OR IGNORE INTO meta VALUES ('keys', ?)", (_KEYS,))
        except sqlite3.Error as e:
            conn.close()
            raise JournalError(f"cannot set up journal {self.path}: {e}") from e
        self._conn = conn

    def close(self) -> None:
        """Close the file and release the job lock."""
        if self.marks is not None:
            self.marks.close()
            self.marks = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # releases the flock
            self._lock_fd = None

    def begin(self, fingerprint: str) -> tuple[str, int, int]:
        """Take the job lock, check or record the job's parameters: ``(job_id, run, key_version)``.

        Rows an earlier run left in flight (marked, or committed ``inflight``) and never settled become ``unknown``.
        """
        conn = self._connection()
        self._lock()
        left = read_marks(marks_path(self.path))
        with _transaction(conn):
            meta = dict(conn.execute("SELECT name, value FROM meta").fetchall())
            if "params" in meta and meta["params"] != fingerprint:
                differences = describe_differences(meta["params"], fingerprint)
                raise JournalError(
                    f"journal {self.path} belongs to a different job ({differences}); "
                    "use a new journal file for a new job"
                )
            job_id = meta.get("job_id") or secrets.token_hex(4)
            run = int(meta.get("runs", "0")) + 1
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('params', ?), ('job_id', ?), ('runs', ?)",
                         (fingerprint, job_id, str(run)))  # fmt: skip
            conn.execute("UPDATE rows SET state='unknown' WHERE state='inflight'")
            conn.executemany("UPDATE rows SET state='unknown' WHERE row=? AND state='pending'", [(r,) for r in left])
        self.run = run
        # Only now that the journal holds them may the old marks go.
        if self.synchronous == "NORMAL":
            if self.marks is None:
                self.marks = MarkFile(marks_path(self.path))
                self.marks.open(job_id)
            self.marks.reset()
        else:  # a FULL journal commits its marks to SQLite; marks from a NORMAL run before are applied above
            marks_path(self.path).unlink(missing_ok=True)
        return job_id, run, int(meta.get("keys", "1"))

    def claim(self, entries: list[tuple[str, str]]) -> list[Claim]:
        """Find or add one row per ``(key, recipient)`` in one transaction, noting them as seen by this run."""
        out = self._claim_batch(entries) if _BATCHED else self._claim_each(entries)
        if self.marks is not None:
            self.marks.prepare(c.row for c in out)
        return out

    def _claim_batch(self, entries: list[tuple[str, str]]) -> list[Claim]:
        """`claim` in a few statements for the whole batch, the rows passed in and out as JSON.

        Each statement lets go of the GIL once, where a statement per row would hand it to the event loop and
        back a few hundred times per batch: that, not SQLite, was most of what the journal cost a busy loop.
        """
        conn = self._connection()
        payload = json.dumps(entries)
        out: list[Claim] = []
        with _transaction(conn):
            before = conn.execute("SELECT coalesce(max(row), 0) FROM rows").fetchone()[0]
            conn.execute(
                "INSERT OR IGNORE INTO rows (key, recipient, state, run) SELECT json_extract(value, '$[0]'), "
                "json_extract(value, '$[1]'), 'pending', ? FROM json_each(?)", (self.run, payload),
            )  # fmt: skip
            (found,) = conn.execute(
                "SELECT json_group_array(json_array(key, row, state, run, wamid, error_code, error)) FROM rows "
                "WHERE key IN (SELECT json_extract(value, '$[0]') FROM json_each(?))", (payload,),
            ).fetchone()  # fmt: skip
            rows = {r[0]: r for r in json.loads(found)}
            seen: set[str] = set()
            renewed: list[int] = []
            repeats: list[tuple[int]] = []
            for key, _ in entries:
                _, row, state, run, wamid, code, error = rows[key]
                if key in seen or (row <= before and run == self.run):  # again in this batch, or this run
                    repeats.append((row,))
                    out.append(Claim(row, state, True, wamid, error, code))
                    continue
                seen.add(key)
                if row <= before:  # a row of an earlier run, seen afresh
                    renewed.append(row)
                out.append(Claim(row, state, False, wamid, error, code))
            if renewed:
                conn.execute("UPDATE rows SET run=?, duplicates=0 WHERE row IN (SELECT value FROM json_each(?))",
                             (self.run, json.dumps(renewed)))  # fmt: skip
            if repeats:  # rare
                conn.executemany("UPDATE rows SET duplicates=duplicates+1 WHERE row=?", repeats)
        return out

    def _claim_each(self, entries: list[tuple[str, str]]) -> list[Claim]:
        """`claim` a statement per row, for a SQLite older than 3.38 (no built-in JSON functions)."""
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
                row, state, run, wamid, code, error = conn.execute(
                    "SELECT row, state, run, wamid, error_code, error FROM rows WHERE key=?", (key,)
                ).fetchone()
                if run == self.run:
                    conn.execute("UPDATE rows SET duplicates=duplicates+1 WHERE row=?", (row,))
                    out.append(Claim(row, state, True, wamid, error, code))
                else:
                    conn.execute("UPDATE rows SET run=?, duplicates=0 WHERE row=?", (self.run, row))
                    out.append(Claim(row, state, False, wamid, error, code))
        return out

    def write(self, marks: list[int], results: list[Result]) -> None:
        """Commit in-flight marks and outcomes in one transaction; then the settled rows' marks can go."""
        conn = self._connection()
        with _transaction(conn):
            conn.executemany("UPDATE rows SET state='inflight' WHERE row=?", [(r,) for r in marks])
            if _BATCHED and results:  # one statement (one GIL hand-over), as in _claim_batch
                conn.execute(
                    "UPDATE rows SET state=json_extract(u.value, '$[1]'), wamid=json_extract(u.value, '$[2]'), "
                    "error_code=json_extract(u.value, '$[3]'), error=json_extract(u.value, '$[4]') "
                    "FROM json_each(?) AS u WHERE rows.row=json_extract(u.value, '$[0]')", (json.dumps(results),),
                )  # fmt: skip
            else:
                conn.executemany(
                    "UPDATE rows SET state=?, wamid=?, error_code=?, error=? WHERE row=?",
                    [(state, wamid, code, error, row) for row, state, wamid, code, error in results],
                )
        if self.marks is not None:
            self.marks.clear(row for row, *_ in results)

    def settle(self, job_id: str, row: int, state: RowState, wamid: str, code: int | None,
               error: str | None) -> bool:  # fmt: skip
        """Settle an unknown or in-flight row of job ``job_id``; whether a row changed."""
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

    def move_user(self, previous: str, current: str) -> int:
        """Give ``previous``'s rows to ``current``; keys made by ``message_key`` follow. Returns rows moved."""
        conn = self._connection()
        with _transaction(conn):
            keys = dict(conn.execute("SELECT name, value FROM meta").fetchall()).get("keys", "1")
            rows = conn.execute("SELECT row, key FROM rows WHERE recipient=?", (previous,)).fetchall()
            prefix = previous + ":"
            for row, key in rows:
                new_key = key
                if key.startswith(prefix) and _AUTO_KEY.fullmatch(key[len(prefix):]):
                    if keys == "1":
                        raise JournalError(
                            f"journal {self.path} was started by an older wa_async whose keys hash the recipient "
                            "too; its rows cannot move to a new user id"
                        )
                    new_key = current + ":" + key[len(prefix):]
                taken = new_key != key and conn.execute("SELECT 1 FROM rows WHERE key=?", (new_key,)).fetchone()
                if taken:  # the new id has its own row for the same content already: that one decides
                    conn.execute("UPDATE rows SET recipient=? WHERE row=?", (current, row))
                else:
                    conn.execute("UPDATE rows SET recipient=?, key=? WHERE row=?", (current, new_key, row))
        return len(rows)

    def rows(self, after: int, limit: int, states: Sequence[RowState] | None) -> list[JournalRow]:
        """Up to ``limit`` rows after row ``after``, in row order, optionally only those in ``states``."""
        where, args = "row > ?", [after]
        if states:
            where += f" AND state IN ({','.join('?' * len(states))})"
            args += list(states)  # type: ignore[arg-type]
        cur = self._connection().execute(
            "SELECT row, key, recipient, state, wamid, error_code, error, duplicates FROM rows "
            f"WHERE {where} ORDER BY row LIMIT ?", (*args, limit))  # fmt: skip
        return [JournalRow(*r) for r in cur.fetchall()]

    def counts(self) -> dict[str, int]:
        """How many rows are in each state (a marked row that is pending in the file is in flight)."""
        conn = self._connection()
        counts = {state: n for state, n in conn.execute("SELECT state, count(*) FROM rows GROUP BY state")}
        marked = self.marks.marked() if self.marks is not None else read_marks(marks_path(self.path))
        if marked:
            flying = sum(conn.execute("SELECT count(*) FROM rows WHERE state='pending' AND row=?", (r,)).fetchone()[0]
                         for r in marked)  # fmt: skip
            if flying:
                counts["pending"] -= flying
                counts["inflight"] = counts.get("inflight", 0) + flying
                if not counts["pending"]:
                    del counts["pending"]
        return counts

    # -- helpers ---------------------------------------------------------------------------------------

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

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise JournalError(f"journal {self.path} is not open")
        return self._conn


@contextlib.contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
