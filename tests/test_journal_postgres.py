"""The PostgreSQL journal against a real server (a throwaway cluster on loopback) and the in-process emulator.

Two workers in one process share a job as two hosts would (each its own client and journal connection); a worker
that "dies" is one whose connections drop without a goodbye, so only its lease running out frees its rows.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Sequence

import asyncpg
import pytest

from tests.postgres_server import PostgresServer
from wa_async import PostgresJournal, SharedJournalStore
from wa_async._broadcast import broadcast, message_key
from wa_async._broadcast_shared import NOT_SENT
from wa_async._client import Client
from wa_async._errors import ValidationError
from wa_async._journal import Claim, JournalError, RowTaken
from wa_async._messages import Template
from wa_async.emulator import Emulator, Fault


@pytest.fixture(scope="module")
def pg() -> Iterator[PostgresServer]:
    with PostgresServer() as server:
        yield server


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator(rate_limit=None, status_delays=(0.0,)) as e:
        yield e


_jobs = iter(range(10**6))


@pytest.fixture
def job() -> str:
    """A job name no other test uses (they share one server)."""
    return f"job-{next(_jobs)}"


def numbers(n: int, first: int = 0) -> list[str]:
    return [str(4915100000000 + first + i) for i in range(n)]


def hello(to: str) -> Template:
    return Template(to, "hello_world")


def client_for(emu: Emulator) -> Client:
    return Client.maton(emu.phone_number_id, api_key="test", base_url=emu.gateway_url, rate_limit=None)


async def states(url: str, job: str) -> dict[str, str]:
    conn = await asyncpg.connect(url)
    try:
        return {r["recipient"]: r["state"] for r in await conn.fetch(
            "SELECT recipient, state FROM wa_async_rows WHERE job = $1", job)}  # fmt: skip
    finally:
        await conn.close()


async def test_a_job_by_url_sends_once_and_resumes(pg: PostgresServer, emu: Emulator, job: str) -> None:
    msgs = [hello(n) for n in numbers(300)] + [hello(n) for n in numbers(50)]  # 50 repeats
    async with client_for(emu) as client:
        first = await broadcast(client, msgs, journal=pg.url, job=job)
        again = await client.broadcast(msgs, journal=pg.url, job=job)
    assert (first.sent, first.failed, first.unknown, first.skipped) == (300, 0, 0, 50)
    assert Counter(a.to for a in emu.accepted) == Counter(numbers(300))
    assert (again.sent, again.skipped) == (300, 50)
    assert all(o.earlier for o in again.outcomes.values())
    async with PostgresJournal(pg.url, job=job) as journal:
        status = await journal.status()
        rows = [r async for r in journal.rows()]
    assert status.counts == {"sent": 300} and status.runs == 2
    assert [w.state for w in status.workers] == ["done", "done"]
    assert [w.counts for w in status.workers] == [{"sent": 300}, {}]
    assert sum(r.duplicates for r in rows) == 50
    assert {r.wamid for r in rows} == {a.wamid for a in emu.accepted}


async def test_two_workers_share_a_job_and_each_reports_all_of_it(
    pg: PostgresServer, emu: Emulator, job: str
) -> None:
    emu.add_fault(Fault("error", to=numbers(1, 17)[0], code=131026, status=400))
    msgs = [hello(n) for n in numbers(2000)] + [hello(n) for n in numbers(10)]
    b_claimed_twice = asyncio.Event()

    class Gated(PostgresJournal):
        """Makes both take part whatever the machine's speed: a's second claim waits for b's second."""

        claims = 0

        async def claim(self, entries: Sequence[tuple[str, str]]) -> list[Claim]:
            self.claims += 1
            if self is ja and self.claims == 2:
                await b_claimed_twice.wait()
            got = await super().claim(entries)
            if self is jb and self.claims == 2:
                b_claimed_twice.set()
            return got

    ja, jb = Gated(pg.url, job=job), Gated(pg.url, job=job)
    async with client_for(emu) as a, client_for(emu) as b:
        ra, rb = await asyncio.gather(broadcast(a, msgs, journal=ja), broadcast(b, msgs, journal=jb))
    assert Counter(x.to for x in emu.accepted) == Counter(numbers(2000)) - Counter(numbers(1, 17))
    for report in (ra, rb):  # each worker's report covers the whole job
        assert (report.sent, report.failed, report.unknown, report.skipped) == (1999, 1, 0, 10)
        assert report.outcomes[message_key(hello(numbers(1, 17)[0]))].code == 131026
    assert {k: o.wamid for k, o in ra.outcomes.items()} == {k: o.wamid for k, o in rb.outcomes.items()}
    async with PostgresJournal(pg.url, job=job) as journal:
        status = await journal.status()
    per_worker = [w.counts.get("sent", 0) for w in status.workers]
    assert sum(per_worker) == 1999 and min(per_worker) >= 15  # both took part (a its first batch at least)


async def test_another_job_name_is_another_job_and_other_parameters_are_refused(
    pg: PostgresServer, emu: Emulator, job: str
) -> None:
    async with client_for(emu) as client:
        await broadcast(client, [hello(n) for n in numbers(3)], journal=pg.url, job=job)
        other = await broadcast(client, [hello(n) for n in numbers(3)], journal=pg.url, job=job + "-b")
        assert other.sent == 3 and not any(o.earlier for o in other.outcomes.values())
        journal = PostgresJournal(pg.url, job=job)
        with pytest.raises(JournalError, match=r"different parameters \(job.template: None -> 'other'\)"):
            await broadcast(client, [hello(n) for n in numbers(3)], journal=journal,
                            job={"template": "other"})  # fmt: skip
    assert not journal.is_open


async def test_bad_names_urls_and_missing_job_are_clear_errors(pg: PostgresServer) -> None:
    with pytest.raises(ValidationError, match="job"):
        PostgresJournal(pg.url, job="")
    with pytest.raises(ValidationError, match="lease"):
        PostgresJournal(pg.url, job="x", lease=0)
    async with Client.maton("1", api_key="k", base_url="http://127.0.0.1:9") as client:
        with pytest.raises(ValidationError, match="job"):
            await broadcast(client, [hello("4915100000000")], journal=pg.url)
    secret = f"postgresql://postgres:s3cret@127.0.0.1:{pg.port}/no_such_database"
    with pytest.raises(JournalError) as info:
        await PostgresJournal(secret, job="x").open()
    assert "s3cret" not in str(info.value) and "***" in str(info.value)


async def test_a_dead_workers_in_flight_rows_become_unknown_and_its_claimed_rows_are_sent_by_another(
    pg: PostgresServer, emu: Emulator, job: str
) -> None:
    msgs = [hello(n) for n in numbers(40)]
    dead = PostgresJournal(pg.url, job=job, lease=0.5)
    await dead.open()
    await dead.begin({"phone_number_id": emu.phone_number_id, "job": job})
    claims = await dead.claim([(message_key(m), m.to) for m in msgs[:10]])
    assert all(c.state == "pending" and not c.taken for c in claims)
    for c in claims[:3]:
        await dead.mark_inflight(c.row)  # these "left" just before the host died
    await _die(dead)

    async with client_for(emu) as client:
        report = await broadcast(client, msgs, journal=PostgresJournal(pg.url, job=job, poll_interval=0.05))
    assert (report.sent, report.unknown, report.failed) == (37, 3, 0)
    assert {o.to for o in report.outcomes.values() if o.status == "unknown"} == set(numbers(3))
    assert Counter(a.to for a in emu.accepted) == Counter(numbers(40)[3:])
    async with PostgresJournal(pg.url, job=job) as journal:
        status = await journal.status()
    assert [w.state for w in status.workers] == ["lost", "done"]
    assert status.workers[0].counts == {"unknown": 3}


async def test_with_a_generator_the_rows_a_dead_worker_left_wait_for_the_next_run(
    pg: PostgresServer, emu: Emulator, job: str
) -> None:
    dead = PostgresJournal(pg.url, job=job, lease=0.5)
    await dead.open()
    await dead.begin({"phone_number_id": emu.phone_number_id, "job": None})
    await dead.claim([(message_key(hello(n)), n) for n in numbers(5)])
    await _die(dead)
    async with client_for(emu) as client:
        journal = PostgresJournal(pg.url, job=job, poll_interval=0.05)
        first = await broadcast(client, (hello(n) for n in numbers(20)), journal=journal)
        assert (first.sent, first.failed) == (15, 5)
        assert {o.error for o in first.outcomes.values() if o.status == "failed"} == {NOT_SENT}
        second = await broadcast(client, (hello(n) for n in numbers(20)), journal=journal)
    assert (second.sent, second.failed) == (20, 0)
    assert Counter(a.to for a in emu.accepted) == Counter(numbers(20))


async def test_a_row_taken_over_is_not_marked_and_a_lost_lease_gives_its_rows_away(
    pg: PostgresServer, job: str
) -> None:
    a = PostgresJournal(pg.url, job=job, lease=0.3)
    b = PostgresJournal(pg.url, job=job, lease=30)
    for j in (a, b):
        await j.open()
        await j.begin({"job": job})
    assert isinstance(a, SharedJournalStore)
    entries = [(f"k{i}", f"4915100000{i:03d}") for i in range(4)]
    mine = await a.claim(entries)
    theirs = await b.claim(entries)
    assert all(not c.taken for c in mine) and all(c.taken for c in theirs)
    await a.mark_inflight(mine[0].row)
    # a goes silent past its lease (its heartbeat stopped), b reaps it and takes its unsent rows
    assert a._heartbeat is not None
    a._heartbeat.cancel()
    await asyncio.sleep(0.4)
    assert await b.wait_for_others() == 3
    again = await b.reclaim(entries)
    assert [c.state for c in again] == ["unknown", "pending", "pending", "pending"]
    assert [c.taken for c in again] == [False, False, False, False]
    with pytest.raises(RowTaken):  # a wakes up: the row is b's now, so a must not send it
        await a.mark_inflight(mine[1].row)
    await b.mark_inflight(again[1].row)
    for j in (a, b):
        await j.close()
    assert (await states(pg.url, job)) == {
        "4915100000000": "unknown", "4915100000001": "unknown", "4915100000002": "pending", "4915100000003": "pending"
    }  # b closed with row 1 in flight: unknown; rows 2 and 3 wait for the next run


async def test_two_workers_resending_unknown_rows_send_each_once(pg: PostgresServer, emu: Emulator, job: str) -> None:
    dropped = numbers(3)
    for to in dropped:
        emu.add_fault(Fault("drop_after_accept", to=to, times=1))
    msgs = [hello(n) for n in numbers(30)]
    async with client_for(emu) as a, client_for(emu) as b:
        first = await broadcast(a, msgs, journal=pg.url, job=job)
        assert first.unknown == 3
        ra, rb = await asyncio.gather(
            broadcast(a, msgs, journal=pg.url, job=job, resend_unknown=True),
            broadcast(b, msgs, journal=pg.url, job=job, resend_unknown=True),
        )
    counts = Counter(x.to for x in emu.accepted)
    assert all(counts[to] == 2 for to in dropped)  # the first (dropped answer) and one resend, not two
    assert ra.sent == rb.sent == 30


async def test_status_webhooks_settle_and_users_move(pg: PostgresServer, emu: Emulator, job: str) -> None:
    from wa_async.webhooks import Status

    emu.add_fault(Fault("drop_after_accept", to=numbers(1)[0], times=1))
    journal = PostgresJournal(pg.url, job=job)
    async with journal, client_for(emu) as client:
        report = await broadcast(client, [hello(n) for n in numbers(2)], journal=journal)
        assert report.unknown == 1
        accepted = next(a for a in emu.accepted if a.to == numbers(1)[0])
        unknown = [r async for r in journal.rows(states=["unknown"])]
        assert len(unknown) == 1
        status = Status(id=accepted.wamid, status="delivered", timestamp=0, recipient_id=numbers(1)[0],
                        callback_data=f"wa:{journal.job_id}:{unknown[0].row}")  # fmt: skip
        assert await journal.settle_from_status(status)
        assert not await journal.settle_from_status(status)  # settled already
        assert await journal.counts() == {"sent": 2}
        assert await journal.move_user(numbers(2)[1], "US.13491208655302741918") == 1
        again = await broadcast(client, [hello("US.13491208655302741918"), hello(numbers(1)[0])], journal=journal)
    assert again.sent == 2 and all(o.earlier for o in again.outcomes.values())
    assert len(emu.accepted) == 2
    async with PostgresJournal(pg.url, job=job) as journal:
        assert [w.state for w in (await journal.status()).workers] == ["done", "done"]  # one open journal, two runs


async def _die(journal: PostgresJournal) -> None:
    """Drop a worker as a killed host would: no goodbye, its lease renewals stop, its connections go away."""
    for task in (journal._heartbeat, journal._flusher):
        if task is not None:
            task.cancel()
    for conn in (journal._conn, *journal._mark_conns):
        if conn is not None:
            conn.terminate()
    journal._conn, journal._mark_conns, journal._idle = None, [], []
