"""The broadcast journal on its own: states, recovery after a crash, refusing foreign files and other jobs."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import msgspec
import pytest

from wa_async._errors import WhatsAppError
from wa_async._journal import Journal, JournalError, parse_callback_data
from wa_async._journal_sqlite import SqliteFile

JOB = {"template": "sale", "phone_number_id": "123"}


class _Error(msgspec.Struct):
    code: int
    title: str


class _Status(msgspec.Struct):
    id: str
    status: str
    callback_data: str | None
    errors: list[_Error] = []


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


async def states(path: Path) -> dict[str, tuple[str, str | None, str | None]]:
    async with Journal(path) as j:
        return {r.key: (r.state, r.wamid, r.error) async for r in j.rows()}


async def test_new_rows_are_pending_and_outcomes_are_written(tmp_path: Path) -> None:
    path = tmp_path / "job.sqlite"
    async with Journal(path) as j:
        assert await j.begin(JOB) == 1
        a, b, c = await j.claim([("a", "111"), ("b", "222"), ("c", "333")])
        assert (a.state, b.state, c.state) == ("pending", "pending", "pending")
        assert len({a.row, b.row, c.row}) == 3
        await asyncio.gather(j.mark_inflight(a.row), j.mark_inflight(b.row))
        j.record(a.row, "sent", wamid="wamid.A")
        j.record(b.row, "failed", error_code=131026, error="undeliverable")
    assert await states(path) == {
        "a": ("sent", "wamid.A", None),
        "b": ("failed", None, "undeliverable"),
        "c": ("pending", None, None),
    }


async def test_mark_inflight_is_durable_before_it_returns(tmp_path: Path) -> None:
    path = tmp_path / "job.sqlite"
    async with Journal(path) as j:
        await j.begin(JOB)
        (claim,) = await j.claim([("a", "111")])
        await j.mark_inflight(claim.row)
        # Another connection sees the commit while the journal is still open.
        other = sqlite3.connect(path)
        try:
            assert other.execute("SELECT state FROM rows WHERE row=?", (claim.row,)).fetchone() == ("inflight",)
        finally:
            other.close()


async def test_concurrent_marks_share_transactions(tmp_path: Path) -> None:
    path = tmp_path / "job.sqlite"
    async with Journal(path) as j:
        await j.begin(JOB)
        claims = await j.claim([(str(i), str(i)) for i in range(200)])
        before = j.commits
        await asyncio.gather(*(j.mark_inflight(c.row) for c in claims))
        assert 1 <= j.commits - before < 20  # group commit: far fewer transactions than marks
        assert (await j.counts()) == {"inflight": 200}


async def test_marks_arriving_while_commits_run_are_all_committed(tmp_path: Path) -> None:
    path = tmp_path / "job.sqlite"
    async with Journal(path, flush_interval=60) as j:  # no timer to rescue a mark the writer was not woken for
        await j.begin(JOB)
        claims = await j.claim([(str(i), str(i)) for i in range(600)])

        async def worker(mine: list[int]) -> None:
            for k, row in enumerate(mine):
                await j.mark_inflight(row)
                j.record(row, "sent", wamid=f"wamid.{row}")
                for _ in range(k % 3):  # stagger the workers, so marks meet commits in flight
                    await asyncio.sleep(0)

        rows = [c.row for c in claims]
        await asyncio.wait_for(asyncio.gather(*(worker(rows[w::30]) for w in range(30))), 10)
        assert j.commits < 600  # grouped
    assert {state for state, _, _ in (await states(path)).values()} == {"sent"}


async def test_a_failed_write_fails_its_marks_and_keeps_the_outcomes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "job.sqlite"
    async with Journal(path) as j:
        await j.begin(JOB)
        a, b = await j.claim([("a", "1"), ("b", "2")])
        await j.mark_inflight(a.row)
        j.record(a.row, "sent", wamid="wamid.A")

        def broken(self: SqliteFile, marks: list[int], results: list[object]) -> None:
            raise sqlite3.OperationalError("disk I/O error")

        monkeypatch.setattr(SqliteFile, "write", broken)
        with pytest.raises(JournalError, match="disk I/O error"):
            await j.mark_inflight(b.row)  # never durable: its request must not leave
        with pytest.raises(JournalError):
            await j.flush()
        monkeypatch.undo()
        await j.flush()  # the outcome was kept and is written now
    assert await states(path) == {"a": ("sent", "wamid.A", None), "b": ("pending", None, None)}


async def test_outcomes_are_written_within_the_flush_interval_without_marks(tmp_path: Path) -> None:
    path = tmp_path / "job.sqlite"
    async with Journal(path, flush_interval=0.01) as j:
        await j.begin(JOB)
        (a,) = await j.claim([("a", "1")])
        await j.mark_inflight(a.row)
        j.record(a.row, "sent", wamid="wamid.A")
        other = sqlite3.connect(path)
        try:
            for _ in range(500):  # the writer's timer writes it; no flush() here
                if other.execute("SELECT state FROM rows WHERE row=?", (a.row,)).fetchone() == ("sent",):
                    break
                await asyncio.sleep(0.01)
            else:
                pytest.fail("the buffered outcome was not written")
        finally:
            other.close()


async def test_a_second_run_sees_earlier_outcomes_and_in_flight_rows_become_unknown(tmp_path: Path) -> None:
    path = tmp_path / "job.sqlite"
    async with Journal(path) as j:
        await j.begin(JOB)
        a, b, c, d = await j.claim([("a", "1"), ("b", "2"), ("c", "3"), ("d", "4")])
        for claim in (a, b, c):
            await j.mark_inflight(claim.row)
        j.record(a.row, "sent", wamid="wamid.A")
        j.record(b.row, "failed", error_code=131026, error="undeliverable")
        # c stays in flight: the run "dies" here.
    async with Journal(path) as j:
        assert await j.begin(JOB) == 2
        claims = await j.claim([("a", "1"), ("b", "2"), ("c", "3"), ("d", "4"), ("e", "5")])
        assert [(x.state, x.duplicate) for x in claims] == [
            ("sent", False), ("failed", False), ("unknown", False), ("pending", False), ("pending", False)
        ]
        assert claims[0].wamid == "wamid.A"
        assert claims[1].error == "undeliverable"
        assert claims[3].row == d.row  # the same row, never left: sent by this run


async def test_a_key_seen_twice_in_one_run_is_a_duplicate(tmp_path: Path) -> None:
    path = tmp_path / "job.sqlite"
    async with Journal(path) as j:
        await j.begin(JOB)
        first, second = await j.claim([("a", "1"), ("a", "1")])
        (third,) = await j.claim([("a", "1")])
        assert not first.duplicate
        assert second.duplicate and third.duplicate
        assert first.row == second.row == third.row
        rows = [r async for r in j.rows()]
        assert [r.duplicates for r in rows] == [2]
    async with Journal(path) as j:
        await j.begin(JOB)
        (again,) = await j.claim([("a", "1")])
        assert not again.duplicate  # a new run counts afresh


async def test_a_different_job_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "job.sqlite"
    async with Journal(path) as j:
        await j.begin(JOB)
        await j.claim([("a", "1")])
    before = digest(path)
    async with Journal(path) as j:
        with pytest.raises(JournalError, match="different job"):
            await j.begin({**JOB, "template": "other"})
    assert digest(path) == before
    assert (await states(path)) == {"a": ("pending", None, None)}


@pytest.mark.parametrize(
    "content",
    [b"", b"phone,name\n4915112345678,Ann\n", b"SQLite format 3\x00" + b"\x00" * 200],
    ids=["empty-is-new", "csv", "truncated-sqlite"],
)
async def test_files_that_are_not_journals(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "job.sqlite"
    path.write_bytes(content)
    if not content:
        async with Journal(path) as j:  # an empty file is a new journal
            await j.begin(JOB)
        return
    with pytest.raises(JournalError) as info:
        await Journal(path).open()
    assert isinstance(info.value, WhatsAppError)
    assert path.read_bytes() == content
    assert names(tmp_path) == ["job.sqlite"]


async def test_a_foreign_sqlite_database_is_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO users (name) VALUES ('ann')")
    conn.commit()
    conn.close()
    before = digest(path)
    with pytest.raises(JournalError, match="not a wa_async journal"):
        await Journal(path).open()
    assert digest(path) == before
    assert names(tmp_path) == ["app.db"]


async def test_a_corrupted_journal_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "job.sqlite"
    async with Journal(path) as j:
        await j.begin(JOB)
        await j.claim([(f"key-{i}", str(i)) for i in range(2000)])
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 4 * page
    data[2 * page: 4 * page] = b"\xa5" * (2 * page)  # scribble over table pages, keep the header
    path.write_bytes(bytes(data))
    before = digest(path)
    with pytest.raises(JournalError, match="corrupted"):
        await Journal(path).open()
    assert digest(path) == before


async def test_one_run_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "job.sqlite"
    async with Journal(path) as first:
        await first.begin(JOB)
        async with Journal(path) as second:
            with pytest.raises(JournalError, match="in use"):
                await second.begin(JOB)
    async with Journal(path) as third:  # released on close
        assert await third.begin(JOB) == 2


async def test_settle_from_status(tmp_path: Path) -> None:
    path = tmp_path / "job.sqlite"
    async with Journal(path) as j:
        await j.begin(JOB)
        a, b, c = await j.claim([("a", "1"), ("b", "2"), ("c", "3")])
        for claim in (a, b, c):
            await j.mark_inflight(claim.row)
    async with Journal(path) as j:
        await j.begin(JOB)
        job = j.job_id
        assert await j.settle_from_status(_Status("wamid.A", "delivered", f"wa:{job}:{a.row}"))
        assert await j.settle_from_status(
            _Status("wamid.B", "failed", f"wa:{job}:{b.row}", [_Error(131026, "undeliverable")])
        )
        assert not await j.settle_from_status(_Status("wamid.C", "sent", f"wa:other:{c.row}"))
        assert not await j.settle_from_status(_Status("wamid.C", "sent", "my own data"))
        assert not await j.settle_from_status(_Status("wamid.A2", "read", f"wa:{job}:{a.row}"))  # settled once
    got = await states(path)
    assert got["a"] == ("sent", "wamid.A", None)
    assert got["b"] == ("failed", "wamid.B", "undeliverable")
    assert got["c"] == ("unknown", None, None)


def test_parse_callback_data() -> None:
    assert parse_callback_data("wa:ab12cd34:17") == ("ab12cd34", 17)
    assert parse_callback_data("wa:ab12cd34:x") is None
    assert parse_callback_data("order-17") is None
    assert parse_callback_data(None) is None


def test_in_flight_marks_survive_sigkill(tmp_path: Path) -> None:
    """A process killed right after a mark returns leaves that mark in the file."""
    path = tmp_path / "job.sqlite"
    script = textwrap.dedent(f"""
        import asyncio, os, signal
        from wa_async._journal import Journal
        async def main():
            j = await Journal({str(path)!r}).open()
            await j.begin({JOB!r})
            claims = await j.claim([(str(i), str(i)) for i in range(50)])
            await asyncio.gather(*(j.mark_inflight(c.row) for c in claims[:30]))
            j.record(claims[0].row, "sent", wamid="wamid.0")
            os.kill(os.getpid(), signal.SIGKILL)
        asyncio.run(main())
    """)
    proc = subprocess.run([sys.executable, "-c", script], timeout=30)
    assert proc.returncode == -9

    async def resume() -> list[str]:
        async with Journal(path) as j:
            await j.begin(JOB)
            return [c.state for c in await j.claim([(str(i), str(i)) for i in range(50)])]

    got = asyncio.run(resume())
    # Row 0's outcome was only buffered: it is unknown, never lost as "pending".
    assert got == ["unknown"] * 30 + ["pending"] * 20


async def test_a_users_rows_move_to_their_new_id_and_are_not_sent_again(tmp_path: Path) -> None:
    from wa_async._broadcast import message_key
    from wa_async._messages import Template

    old, new = "4915100000001", "4915100000002"  # the same person under a new id (a user_id_update webhook)
    path = tmp_path / "job.sqlite"
    async with Journal(path) as j:
        await j.begin(JOB)
        (sent,) = await j.claim([(message_key(Template(old, "sale")), old)])
        await j.mark_inflight(sent.row)
        j.record(sent.row, "sent", wamid="wamid.A")
        await j.claim([("my-own-key", old)])  # a key the caller chose stays as it is
        assert await j.move_user(old, new) == 2
        assert await j.move_user("4915100000009", new) == 0
        rows = {r.key: r.recipient async for r in j.rows()}
        assert rows == {message_key(Template(new, "sale")): new, "my-own-key": new}
    async with Journal(path) as j:
        await j.begin(JOB)
        (again,) = await j.claim([(message_key(Template(new, "sale")), new)])
        assert (again.row, again.state, again.wamid) == (sent.row, "sent", "wamid.A")
        assert [r.recipient async for r in j.rows(states=["pending"])] == [new]


async def test_a_journal_from_before_keyed_by_content_cannot_move_rows(tmp_path: Path) -> None:
    from wa_async._broadcast import legacy_message_key
    from wa_async._messages import Template

    path = tmp_path / "job.sqlite"
    old = "4915100000001"
    async with Journal(path) as j:
        await j.begin(JOB)
        await j.claim([(legacy_message_key(Template(old, "sale")), old)])
    with sqlite3.connect(path) as conn:  # as wa_async 0.1 left it: no key format noted
        conn.execute("DELETE FROM meta WHERE name='keys'")
    conn.close()
    async with Journal(path) as j:
        await j.begin(JOB)
        assert j.key_version == 1  # a resume keys its rows the old way, so nothing is sent twice
        with pytest.raises(JournalError, match="cannot move"):
            await j.move_user(old, "4915100000002")
