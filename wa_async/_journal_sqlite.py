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
from typing import Any, Literal

from ._journal import Claim, JournalError, JournalRow, RowState
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

    __slots__ = ("_conn", "_lock_fd", "path", "run", "synchronous")

    def __init__(self, path: Path, synchronous: Literal["NORMAL", "FULL"]) -> None:
        self.path = path
        self.synchronous = synchronous
        self.run = 0
        self._conn: sqlite3.Connection | None = None
        self._lock_fd: int | None = None

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
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # releases the flock
            self._lock_fd = None

    def begin(self, fingerprint: str) -> tuple[str, int, int]:
        """Take the job lock, check or record the job's parameters: ``(job_id, run, key_version)``."""
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
                         (fingerprint, job_id, str(run)))  # fmt: skip
            conn.execute("UPDATE rows SET state='unknown' WHERE state='inflight'")
        self.run = run
        return job_id, run, int(meta.get("keys", "1"))

    def claim(self, entries: list[tuple[str, str]]) -> list[Claim]:
        """Find or add one row per ``(key, recipient)`` in one transaction, noting them as seen by this run."""
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
        """Commit in-flight marks and outcomes in one transaction."""
        conn = self._connection()
        with _transaction(conn):
            conn.executemany("UPDATE rows SET state='inflight' WHERE row=?", [(r,) for r in marks])
            conn.executemany(
                "UPDATE rows SET state=?, wamid=?, error_code=?, error=? WHERE row=?",
                [(state, wamid, code, error, row) for row, state, wamid, code, error in results],
            )

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
        """How many rows are in each state."""
        cur = self._connection().execute("SELECT state, count(*) FROM rows GROUP BY state")
        return {state: n for state, n in cur.fetchall()}

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
