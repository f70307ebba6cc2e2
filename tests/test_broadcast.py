"""Broadcast logic against a fake client at the submit seam: keys, dedupe, pacing, outcomes, journal resume."""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest

from tests._data import sent_json
from tests.conftest import FakeClock
from wa_async._broadcast import broadcast, message_key
from wa_async._errors import (
    AuthError,
    DeliveryUnknown,
    RecipientError,
    ServerError,
    TemplateError,
    ValidationError,
    WhatsAppError,
    describe_code,
)
from wa_async._journal import Journal, JournalError
from wa_async._messages import Template, Text
from wa_async._pacer import RecipientPacer

Hook = Callable[[], Awaitable[None]]


class FakeClient:
    """Just the client's submit seam: a bounded queue, workers that await the wire hook, canned failures."""

    def __init__(self, *, queue_size: int = 50, workers: int = 4, fail: dict[str, BaseException] | None = None,
                 clock: Callable[[], float] | None = None,
                 sleep: Callable[[float], Awaitable[None]] | None = None) -> None:  # fmt: skip
        self.phone_number_id = "1234567890"
        self.clock = clock  # as wa.Client(clock=..., sleep=...) shows them
        self.sleep = sleep
        self.accepted: list[Any] = []  # what "Meta" accepted, in order
        self.wire_times: list[tuple[str, float]] = []  # (recipient, clock) as each request left
        self.posts = 0  # requests that went on the wire
        self.fail = fail or {}
        self.gate: asyncio.Event | None = None  # when set, posts wait for it
        self.filled = asyncio.Event()  # the queue was full once
        self._queue: asyncio.Queue[tuple[Any, Hook | None, asyncio.Future[str]]] = asyncio.Queue(queue_size)
        self._workers = [asyncio.create_task(self._work()) for _ in range(workers)]
        self._ids = itertools.count(1)

    async def submit(self, msg: Any, *, on_wire: Hook | None = None) -> asyncio.Future[str]:
        fut: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        await self._queue.put((msg, on_wire, fut))
        if self._queue.full():
            self.filled.set()
        return fut

    async def _work(self) -> None:
        while True:
            msg, hook, fut = await self._queue.get()
            if fut.done():
                continue
            if hook is not None:
                await hook()
            self.posts += 1
            if self.clock is not None:
                self.wire_times.append((msg.to, self.clock()))
            if self.gate is not None:
                await self.gate.wait()
            await asyncio.sleep(0)
            error = self.fail.get(msg.to)
            if error is None or isinstance(error, DeliveryUnknown):
                self.accepted.append(msg)
            if fut.done():
                continue
            if error is not None:
                fut.set_exception(error)
            else:
                fut.set_result(f"wamid.{next(self._ids)}")

    async def close(self) -> None:
        for w in self._workers:
            w.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)


@pytest.fixture
async def client() -> AsyncIterator[FakeClient]:
    c = FakeClient()
    yield c
    await c.close()


def template(to: str, name: str = "sale", **kw: Any) -> Template:
    return Template(to, name, **kw)


def numbers(n: int, start: int = 4915100000000) -> list[str]:
    return [str(start + i) for i in range(n)]


async def journal_rows(path: Path) -> dict[str, tuple[str, str | None]]:
    async with Journal(path) as j:
        return {r.recipient: (r.state, r.wamid) async for r in j.rows()}


async def test_sends_every_message_once_and_reports_outcomes(client: FakeClient) -> None:
    msgs = [template(n) for n in numbers(40)]
    report = await broadcast(client, msgs)
    assert (report.sent, report.failed, report.unknown, report.skipped) == (40, 0, 0, 0)
    assert sorted(m.to for m in client.accepted) == numbers(40)
    assert set(report.outcomes) == {message_key(m) for m in msgs}
    assert all(o.status == "sent" and o.wamid and o.wamid.startswith("wamid.") for o in report.outcomes.values())
    assert report.elapsed >= 0 and report.rate >= 0


def test_message_key_ignores_callback_data_but_not_content() -> None:
    a = template("4915100000001")
    assert message_key(a) == message_key(template("+4915100000001", callback_data="x"))
    assert message_key(a) != message_key(template("4915100000001", "other"))
    assert message_key(a) != message_key(template("4915100000002"))
    assert message_key(a).startswith("4915100000001:")


async def test_the_same_recipient_and_content_twice_is_sent_once(client: FakeClient) -> None:
    msgs = [template("4915100000001"), template("4915100000002"), template("+4915100000001"),
            Text("4915100000003", "hi"), Text("4915100000003", "hi")]
    report = await broadcast(client, msgs)
    assert (report.sent, report.skipped) == (3, 2)
    assert sorted(m.to for m in client.accepted) == ["4915100000001", "4915100000002", "4915100000003"]


async def test_user_keys_decide_what_is_a_duplicate(client: FakeClient) -> None:
    msgs = [("k1", template("4915100000001")), ("k1", template("4915100000002")),
            ("k2", template("4915100000001"))]
    report = await broadcast(client, msgs, pair_interval=0)
    assert (report.sent, report.skipped) == (2, 1)
    assert set(report.outcomes) == {"k1", "k2"}
    assert report.outcomes["k1"].to == "4915100000001"


async def test_a_second_message_to_one_recipient_waits_without_blocking_others(client: FakeClient) -> None:
    msgs = [Text("4915100000001", "first"), Text("4915100000001", "second"),
            *(Text(n, "other") for n in numbers(5, 4915200000000))]
    report = await broadcast(client, msgs, pair_interval=0.3)
    assert report.sent == 7
    order = [(m.to, m.body) for m in client.accepted]
    assert order[-1] == ("4915100000001", "second")  # held back while the others went
    assert order.index(("4915100000001", "first")) < 2


async def test_every_message_to_one_recipient_waits_the_pair_interval(clock: FakeClock) -> None:
    # Time moves only when a held message sleeps, so the spacing is exact whatever the machine's speed.
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.now += seconds
        await asyncio.sleep(0)

    client = FakeClient(clock=clock, sleep=sleep)
    one = "4915100000001"
    msgs = [Text(one, f"message {i}") for i in range(5)] + [Text(n, "other") for n in numbers(5, 4915200000000)]
    try:
        report = await broadcast(client, msgs)
    finally:
        await client.close()
    assert report.sent == 10
    times = [t for to, t in client.wire_times if to == one]
    assert times == [1000.0, 1006.0, 1012.0, 1018.0, 1024.0]  # 6 s apart, every one of them
    assert slept == [6.0] * 4  # only the held messages slept: the others did not wait


async def test_pacer_waits_the_pair_interval_after_the_wire_time() -> None:
    now = [100.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    pacer = RecipientPacer(6.0, lambda: now[0])
    prev, first = pacer.follow("1")
    assert prev is None
    prev, second = pacer.follow("1")
    assert prev is first
    waiter = asyncio.create_task(pacer.turn(prev, sleep))
    await asyncio.sleep(0)
    assert not waiter.done()  # the first has not left yet
    now[0] = 101.5
    first.set_result(101.5)  # it left at 101.5
    now[0] = 103.0
    await waiter
    assert slept == [4.5]  # until 107.5 = 101.5 + 6 (Meta's pair limit)
    second.set_result(None)  # never left: the next one need not wait
    prev, third = pacer.follow("1")
    assert prev is None
    third.set_result(103.0)
    now[0] = 200.0
    assert pacer.follow("2")[0] is None
    assert "tracked=1" in repr(pacer)  # old recipients are forgotten


async def test_outcomes_by_error_kind(tmp_path: Path) -> None:
    fail: dict[str, BaseException] = {
        "4915100000001": RecipientError("undeliverable", http_status=400, code=131026),
        "4915100000002": DeliveryUnknown("connection dropped"),
        "4915100000003": ServerError("something went wrong", http_status=500, code=131000),
    }
    client = FakeClient(fail=fail)
    path = tmp_path / "job.sqlite"
    try:
        report = await broadcast(client, [template(n) for n in numbers(5)], journal=path)
        by_to = {o.to: o for o in report.outcomes.values()}
        assert (report.sent, report.failed, report.unknown) == (2, 2, 1)
        assert by_to["4915100000001"].status == "failed" and "131026" in (by_to["4915100000001"].error or "")
        assert by_to["4915100000002"].status == "unknown"
        assert by_to["4915100000003"].status == "failed"
        rows = await journal_rows(path)
        assert rows["4915100000001"][0] == "failed"  # for good
        assert rows["4915100000002"][0] == "unknown"
        assert rows["4915100000003"][0] == "pending"  # transient: worth another run

        client.fail.clear()
        client.accepted.clear()
        again = await broadcast(client, [template(n) for n in numbers(5)], journal=path)
        assert [m.to for m in client.accepted] == ["4915100000003"]
        assert (again.sent, again.failed, again.unknown) == (3, 1, 1)
        earlier = {o.to: o.earlier for o in again.outcomes.values()}
        assert earlier == {"4915100000000": True, "4915100000001": True, "4915100000002": True,
                           "4915100000003": False, "4915100000004": True}
    finally:
        await client.close()


async def test_resume_skips_what_is_settled_and_resends_unknown_only_when_asked(
    client: FakeClient, tmp_path: Path
) -> None:
    path = tmp_path / "job.sqlite"
    # A crashed first run: rows 0-2 sent, 3-5 in flight, the rest never claimed.
    async with Journal(path) as j:
        await j.begin({"phone_number_id": client.phone_number_id, "job": None})
        keyed = [(message_key(template(n)), n) for n in numbers(10)]
        claims = await j.claim(keyed[:6])
        for c in claims:
            await j.mark_inflight(c.row)
        for c in claims[:3]:
            j.record(c.row, "sent", wamid=f"wamid.old{c.row}")
    msgs = [template(n) for n in numbers(10)]
    report = await broadcast(client, msgs, journal=path)
    assert sorted(m.to for m in client.accepted) == numbers(10)[6:]
    assert (report.sent, report.unknown) == (7, 3)
    assert {o.to for o in report.outcomes.values() if o.status == "unknown"} == set(numbers(10)[3:6])

    client.accepted.clear()
    report = await broadcast(client, msgs, journal=path, resend_unknown=True)
    assert sorted(m.to for m in client.accepted) == numbers(10)[3:6]
    assert (report.sent, report.unknown) == (10, 0)
    assert all(state == "sent" for state, _ in (await journal_rows(path)).values())


async def test_callback_data_names_job_and_row_and_settles_unknown_rows(tmp_path: Path) -> None:
    client = FakeClient(fail={"4915100000001": DeliveryUnknown("read timeout")})
    path = tmp_path / "job.sqlite"
    try:
        async with Journal(path) as journal:
            msgs = [template(n) for n in numbers(3)] + [template("4915100000009", callback_data="mine")]
            report = await broadcast(client, msgs, journal=journal)
            assert report.unknown == 1
            datas = {m.to: m.callback_data for m in client.accepted}
            assert datas["4915100000009"] == "mine"  # the user's own is kept
            job = journal.job_id
            assert all(d.startswith(f"wa:{job}:") for to, d in datas.items() if to != "4915100000009")

            class Status(msgspec.Struct):
                id: str
                status: str
                callback_data: str | None

            assert journal.is_open  # a journal passed open stays open, for the webhooks that follow
            assert await journal.settle_from_status(Status("wamid.late", "delivered", datas["4915100000001"]))
        rows = await journal_rows(path)
        assert rows["4915100000001"] == ("sent", "wamid.late")
    finally:
        await client.close()


async def test_a_journal_refuses_another_job(client: FakeClient, tmp_path: Path) -> None:
    path = tmp_path / "job.sqlite"
    await broadcast(client, [template("4915100000001")], journal=path, job={"template": "sale"})
    with pytest.raises(JournalError, match="different job"):
        await broadcast(client, [template("4915100000001")], journal=path, job={"template": "other"})
    assert len(client.accepted) == 1


async def test_input_is_read_lazily(tmp_path: Path) -> None:
    client = FakeClient(queue_size=20, workers=2)
    produced = 0
    ahead = 0

    def messages() -> Iterator[Template]:
        nonlocal produced, ahead
        for n in numbers(3000):
            produced += 1
            ahead = max(ahead, produced - len(client.accepted))
            yield template(n)

    async def amessages() -> AsyncIterator[Template]:
        for m in messages():
            yield m

    try:
        report = await broadcast(client, amessages(), journal=tmp_path / "job.sqlite")
        assert report.sent == 3000
        assert ahead < 20 + 2 + 2 * 256  # queue + workers + the batch being claimed and the next
    finally:
        await client.close()


async def test_cancelling_stops_cleanly_and_the_job_resumes(tmp_path: Path) -> None:
    client = FakeClient(queue_size=30, workers=3)
    path = tmp_path / "job.sqlite"
    msgs = [template(n) for n in numbers(300)]
    try:
        client.gate = asyncio.Event()
        task = asyncio.create_task(broadcast(client, msgs, journal=path))
        await client.filled.wait()
        task.cancel()
        while not all(fut.done() for _, _, fut in list(client._queue._queue)):  # type: ignore[attr-defined]
            await asyncio.sleep(0)  # the stop fails what is queued (three requests wait on the wire)
        client.gate.set()  # the three requests on the wire complete
        with pytest.raises(asyncio.CancelledError):
            await task
        while not client._queue.empty():  # the workers skip what the stop failed
            await asyncio.sleep(0)
        for _ in range(100):  # loop turns, not time: a worker would post a queued request within a few
            await asyncio.sleep(0)
        assert len(client.accepted) == 3  # nothing queued was sent after the stop
        rows = await journal_rows(path)
        assert sorted(to for to, (state, _) in rows.items() if state == "sent") == sorted(
            m.to for m in client.accepted)
        assert not any(state in ("inflight", "unknown") for state, _ in rows.values())

        client.gate = None
        report = await broadcast(client, msgs, journal=path)
        assert (report.sent, report.unknown) == (300, 0)
        assert sorted(m.to for m in client.accepted) == numbers(300)
    finally:
        await client.close()


async def test_local_refusals_are_failures() -> None:
    class Refusing(FakeClient):
        async def submit(self, msg: Any, *, on_wire: Hook | None = None) -> asyncio.Future[str]:
            if msg.to.endswith("1"):
                raise ValidationError("to", "not allowed here")
            return await super().submit(msg, on_wire=on_wire)

    client = Refusing()
    try:
        report = await broadcast(client, [template(n) for n in numbers(3)])
        assert (report.sent, report.failed) == (2, 1)
    finally:
        await client.close()


async def test_wrong_items_are_a_type_error(client: FakeClient) -> None:
    with pytest.raises(TypeError, match="messages or"):
        await broadcast(client, ["4915100000001"])  # type: ignore[list-item]
    assert not issubclass(TypeError, WhatsAppError)


async def test_an_auth_error_stops_the_job_and_leaves_rows_to_resend(tmp_path: Path) -> None:
    client = FakeClient(fail={n: AuthError("token expired", http_status=401, code=190) for n in numbers(400)})
    path = tmp_path / "job.sqlite"
    try:
        with pytest.raises(AuthError):
            await broadcast(client, [template(n) for n in numbers(400)], journal=path)
        rows = await journal_rows(path)
        assert rows and all(state == "pending" for state, _ in rows.values())  # nothing failed "for good"
        assert len(rows) < 400  # the reader stopped early
        client.fail.clear()
        report = await broadcast(client, [template(n) for n in numbers(400)], journal=path)
        assert report.sent == 400
    finally:
        await client.close()


async def test_an_auth_error_stops_at_once_without_trying_what_is_queued(tmp_path: Path) -> None:
    # The whole job fits in the client's queue, so the reader is done long before the first answer comes back.
    workers = 4
    client = FakeClient(queue_size=1000, workers=workers,
                        fail={n: AuthError("token expired", http_status=401, code=190) for n in numbers(300)})
    path = tmp_path / "job.sqlite"
    try:
        with pytest.raises(AuthError):
            await broadcast(client, [template(n) for n in numbers(300)], journal=path)
        assert client.posts <= 2 * workers  # those already leaving when the first 401 came back, not 300
        rows = await journal_rows(path)
        # Every row the reader claimed before the stop stays pending (the reader may stop before claiming all:
        # the rest are added by the next run).
        assert len(rows) >= 16 and all(state == "pending" for state, _ in rows.values())
    finally:
        await client.close()


async def test_failures_are_grouped_by_error_with_an_example(tmp_path: Path) -> None:
    fail: dict[str, BaseException] = {
        **{n: TemplateError("params", http_status=400, code=132000) for n in numbers(4)},
        "4915100000010": RecipientError("undeliverable", http_status=400, code=131026),
    }
    client = FakeClient(fail=fail)
    path = tmp_path / "job.sqlite"
    try:
        report = await broadcast(client, [template(n) for n in numbers(12)], journal=path)
        groups = report.error_groups()
        assert [(g.code, g.count) for g in groups] == [(132000, 4), (131026, 1)]
        assert groups[0].meaning == describe_code(132000) and groups[0].meaning
        assert groups[0].example_to in numbers(4) and "params" in groups[0].example_error
        # A resume reports the earlier failures with their codes too.
        again = await broadcast(client, [template(n) for n in numbers(12)], journal=path)
        assert [(g.code, g.count) for g in again.error_groups()] == [(132000, 4), (131026, 1)]
    finally:
        await client.close()


async def test_a_generator_with_a_total_shows_it(client: FakeClient) -> None:
    seen: list[tuple[int, int | None]] = []

    class Display:
        total: int | None = None

        def __enter__(self) -> Display:
            return self

        def __exit__(self, *exc: object) -> None:
            pass

        def update(self, counts: Any, done: int, settled_now: int) -> None:
            seen.append((done, settled_now))

    messages = (template(n) for n in numbers(5))
    report = await broadcast(client, messages, progress=Display(), total=5)
    assert report.sent == 5 and seen[-1] == (5, 5)


def test_progress_counts_only_this_runs_rate_and_eta(clock: FakeClock) -> None:
    import io

    from rich.console import Console

    from wa_async._progress import BroadcastProgress

    view = BroadcastProgress(1100, clock=clock, console=Console(file=io.StringIO()))
    with view:
        view.update({"sent": 1000, "failed": 0, "unknown": 0, "skipped": 0}, 1000, 0)  # settled by earlier runs
        for i in range(1, 21):  # then 10 per second in this run
            clock.now += 0.1
            view.update({"sent": 1000 + i, "failed": 0, "unknown": 0, "skipped": 0}, 1000 + i, i)
    assert view.rate() == pytest.approx(10.0)
    assert view.eta() == pytest.approx(8.0)  # 80 left at 10/s
    clock.now += 100  # nothing answered for a while: the rate falls to 0 and the ETA is unknown
    view.update(view.counts, view.done, 20)
    assert view.rate() == 0.0 and view.eta() is None


async def test_a_journal_started_by_the_old_version_resumes_with_its_own_keys(
    client: FakeClient, tmp_path: Path
) -> None:
    import sqlite3

    from wa_async._broadcast import legacy_message_key

    path = tmp_path / "job.sqlite"
    msgs = [template(n) for n in numbers(6)]
    await broadcast(client, msgs[:3], journal=path)
    with sqlite3.connect(path) as conn:  # rewrite it as wa_async 0.1 left it: legacy keys, no key format noted
        for m in msgs[:3]:
            conn.execute("UPDATE rows SET key=? WHERE recipient=?", (legacy_message_key(m), m.to))
        conn.execute("DELETE FROM meta WHERE name='keys'")
    conn.close()
    client.accepted.clear()
    report = await broadcast(client, msgs, journal=path)
    assert sorted(m.to for m in client.accepted) == numbers(6)[3:]  # the first three are not sent twice
    assert (report.sent, report.skipped) == (6, 0)


async def test_a_moved_user_is_not_sent_again_under_the_new_id(client: FakeClient, tmp_path: Path) -> None:
    path = tmp_path / "job.sqlite"
    old, new = "4915100000001", "4915100000099"
    await broadcast(client, [template(old), template("4915100000002")], journal=path)
    async with Journal(path) as journal:
        assert await journal.move_user(old, new) == 1
    client.accepted.clear()
    report = await broadcast(client, [template(new), template("4915100000002")], journal=path)
    assert client.accepted == [] and report.sent == 2


async def test_two_broadcasts_sharing_one_limiter_keep_its_rate_together(clock: FakeClock, tmp_path: Path) -> None:
    """What `--redis-url` promises two processes, on a fake clock: every request of both jobs takes a slot of the
    one shared schedule, and that schedule never puts more than the rate in any second. (The real-time figure, with
    redis-server and two processes, is `python -m benchmarks.bench_shared_limit`.)"""
    from aioresponses import CallbackResult, aioresponses

    from wa_async import Client
    from wa_async._limiter import SPACING_GUARD

    rate = 10

    class SharedSchedule:
        """A GCRA schedule on the fake clock, as RedisLimiter keeps one in Redis for every process."""

        def __init__(self) -> None:
            self.tat = 0.0
            self.grants: list[float] = []
            self.lock = asyncio.Lock()

        async def acquire(self) -> None:
            async with self.lock:
                slot = max(clock.now, self.tat)
                self.tat = slot + SPACING_GUARD / rate
                clock.now = slot  # the wait for the slot, on the fake clock
                self.grants.append(slot)
                await asyncio.sleep(0)

        async def pause(self, seconds: float) -> None:
            self.tat = max(self.tat, clock.now + seconds)

    shared = SharedSchedule()
    posted: list[str] = []

    def answer(url: object, **kwargs: Any) -> CallbackResult:
        body = sent_json(kwargs["data"])
        posted.append(body["to"])
        return CallbackResult(payload={"messages": [{"id": f"wamid.{len(posted)}"}]})

    async def sleep(seconds: float) -> None:
        clock.now += seconds

    jobs = [[template(n, "order_update") for n in numbers(30, 4915100000000 + 1000 * k)] for k in range(2)]
    with aioresponses() as mock:
        mock.post(re.compile(r"https://gateway\.test/.*/messages"), callback=answer, repeat=True)
        clients = [Client.maton("1234567890", api_key="k", base_url="https://gateway.test", rate_limit=rate,
                                limiter=shared, clock=clock, sleep=sleep) for _ in jobs]  # fmt: skip
        async with clients[0], clients[1]:
            runs = [broadcast(c, job, journal=tmp_path / f"j{k}.sqlite") for k, (c, job) in enumerate(zip(
                clients, jobs, strict=True))]  # fmt: skip
            reports = await asyncio.gather(*runs)
    assert [r.sent for r in reports] == [30, 30]
    assert sorted(posted) == sorted(m.to for job in jobs for m in job)  # each once
    assert len(shared.grants) == len(posted)  # no request of either job bypassed the shared limit
    grants = sorted(shared.grants)
    busiest = max(sum(1 for t in grants if start <= t < start + 1.0) for start in grants)
    assert busiest <= rate
    assert grants[-1] - grants[0] == pytest.approx(59 * SPACING_GUARD / rate)  # and no slower than the schedule
