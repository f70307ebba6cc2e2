"""The opt-out store in a SQLite file: one row a user, its state and when it changed. Every statement runs on the
store's own thread, so the event loop never waits on the disk; WAL lets a webhook receiver write while a broadcast
in another process reads."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from ._opt_outs import OptOutsError

__all__ = ["SqliteOptOuts"]

T = TypeVar("T")

_DDL = """
CREATE TABLE IF NOT EXISTS opt_outs (
    user TEXT PRIMARY KEY,
    stopped INTEGER NOT NULL,
    at REAL NOT NULL,
    source TEXT
)
"""


class SqliteOptOuts:
    """The SQLite backend of [`OptOuts`][wa_async.OptOuts]."""

    __slots__ = ("_conn", "_executor", "path")

    def __init__(self, path: Path) -> None:
        self.path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wa_async-opt-outs")
        self._conn: sqlite3.Connection | None = None

    def __repr__(self) -> str:
        return f"<SqliteOptOuts {str(self.path)!r}>"

    async def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, self._call, fn)

    def _call(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        try:
            if self._conn is None:
                self._conn = self._connect()
            return fn(self._conn)
        except sqlite3.Error as e:
            raise OptOutsError(f"opt-out store {self.path}: {e}") from e

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA busy_timeout=5000")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(_DDL)
        except sqlite3.Error:
            conn.close()
            raise
        return conn

    async def change(self, state: str, users: Sequence[str], at: float, source: str) -> int:
        """Record ``state`` for the users unless a later change is recorded; how many changed state."""
        stopped = 1 if state == "stop" else 0

        def apply(conn: sqlite3.Connection) -> int:
            conn.execute("BEGIN IMMEDIATE")
            try:
                known = _select(conn, "SELECT user, stopped, at FROM opt_outs WHERE user IN ({})", users)
                changed = 0
                for user in users:
                    before = known.get(user)
                    if before is not None and before[1] > at:
                        continue  # a later change wins
                    if (before[0] if before is not None else 0) != stopped:
                        changed += 1
                    conn.execute(
                        "INSERT INTO opt_outs VALUES (?, ?, ?, ?) ON CONFLICT(user) DO UPDATE SET "
                        "stopped=excluded.stopped, at=excluded.at, source=excluded.source",
                        (user, stopped, at, source),
                    )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            return changed

        return await self._run(apply)

    async def which(self, users: Sequence[str]) -> set[str]:
        """The opted-out users among ``users``."""
        sql = "SELECT user, stopped, at FROM opt_outs WHERE stopped=1 AND user IN ({})"
        return set(await self._run(lambda conn: _select(conn, sql, users)))

    async def count(self) -> int:
        """How many users are opted out."""
        row = await self._run(lambda conn: conn.execute("SELECT count(*) FROM opt_outs WHERE stopped=1").fetchone())
        return int(row[0])

    async def close(self) -> None:
        """Close the file and stop the thread."""

        def close(conn: sqlite3.Connection) -> None:
            conn.close()

        if self._conn is not None:
            await self._run(close)
            self._conn = None
        self._executor.shutdown(wait=False)


def _select(conn: sqlite3.Connection, sql: str, users: Sequence[str]) -> dict[str, tuple[int, float]]:
    if not users:
        return {}
    rows = conn.execute(sql.format(",".join("?" * len(users))), list(users)).fetchall()
    return {user: (stopped, at) for user, stopped, at in rows}
