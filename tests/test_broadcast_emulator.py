"""Broadcast through the real client against the in-process emulator: dedupe, unknowns, settling by webhook."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from wa_async._broadcast import broadcast
from wa_async._client import Client
from wa_async._journal import Journal
from wa_async._messages import Template
from wa_async.emulator import Emulator, Fault
from wa_async.webhooks import Status, parse


def numbers(n: int) -> list[str]:
    return [str(4915100000000 + i) for i in range(n)]


def hello(to: str) -> Template:
    return Template(to, "hello_world")


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator(rate_limit=None, status_delays=(0.0,)) as e:
        yield e


def client_for(emu: Emulator) -> Client:
    return Client.maton(emu.phone_number_id, api_key="test", base_url=emu.gateway_url, rate_limit=None)


async def test_each_recipient_is_accepted_once(emu: Emulator, tmp_path: Path) -> None:
    msgs = [hello(n) for n in numbers(300)] + [hello(n) for n in numbers(50)]  # 50 repeats
    async with client_for(emu) as client:
        report = await broadcast(client, msgs, journal=tmp_path / "job.sqlite")
    assert (report.sent, report.failed, report.unknown, report.skipped) == (300, 0, 0, 50)
    assert Counter(a.to for a in emu.accepted) == Counter(numbers(300))
    assert {o.wamid for o in report.outcomes.values()} == {a.wamid for a in emu.accepted}


async def test_a_dropped_answer_is_unknown_and_not_resent_unless_asked(emu: Emulator, tmp_path: Path) -> None:
    dropped = "4915100000007"
    emu.add_fault(Fault("drop_after_accept", to=dropped, times=1))
    path = tmp_path / "job.sqlite"
    msgs = [hello(n) for n in numbers(20)]
    async with client_for(emu) as client:
        first = await broadcast(client, msgs, journal=path)
        assert (first.sent, first.unknown) == (19, 1)
        again = await broadcast(client, msgs, journal=path)
        assert (again.sent, again.unknown) == (19, 1)
        assert Counter(a.to for a in emu.accepted)[dropped] == 1  # at most once for the ambiguous one
        forced = await broadcast(client, msgs, journal=path, resend_unknown=True)
        assert (forced.sent, forced.unknown) == (20, 0)
    assert Counter(a.to for a in emu.accepted)[dropped] == 2  # asked for: sent again
    assert len(emu.accepted) == 21


async def test_a_rejected_message_fails_for_good(emu: Emulator, tmp_path: Path) -> None:
    emu.add_fault(Fault("error", to="4915100000002", code=131026, status=400))
    path = tmp_path / "job.sqlite"
    async with client_for(emu) as client:
        report = await broadcast(client, [hello(n) for n in numbers(5)], journal=path)
        assert (report.sent, report.failed) == (4, 1)
        emu.faults.clear()
        again = await broadcast(client, [hello(n) for n in numbers(5)], journal=path)
    assert (again.sent, again.failed) == (4, 1)
    assert len(emu.accepted) == 4


async def test_status_webhooks_settle_unknown_rows(tmp_path: Path) -> None:
    dropped = "4915100000003"
    journal = Journal(tmp_path / "job.sqlite")
    settled: list[bool] = []
    got_status = asyncio.Event()

    async def receive(request: web.Request) -> web.Response:
        for event in parse(await request.read()):
            if isinstance(event, Status) and event.recipient_id == dropped:
                settled.append(await journal.settle_from_status(event))
                got_status.set()
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        async with (
            Emulator(rate_limit=None, webhook_url=f"http://127.0.0.1:{port}/hook", status_delays=(0.0,)) as emu,
            journal,
        ):
            emu.add_fault(Fault("drop_after_accept", to=dropped, times=1))
            async with client_for(emu) as client:
                report = await broadcast(client, [hello(n) for n in numbers(6)], journal=journal)
            assert report.unknown == 1
            payload = next(a.payload for a in emu.accepted if a.to == dropped)
            assert payload["biz_opaque_callback_data"].startswith(f"wa:{journal.job_id}:")
            await asyncio.wait_for(got_status.wait(), 10)
            await emu.drain_webhooks()
            rows = {r.recipient: r async for r in journal.rows()}
        assert settled and settled[0] is True
        assert rows[dropped].state == "sent"
        assert rows[dropped].wamid == next(a.wamid for a in emu.accepted if a.to == dropped)
    finally:
        await runner.cleanup()


async def test_a_lost_shared_limiter_stops_the_job_and_leaves_rows_to_resend(emu: Emulator, tmp_path: Path) -> None:
    from wa_async import LimiterUnavailable, UnlimitedLimiter

    class Failing(UnlimitedLimiter):
        """Grants 5 requests, then Redis is gone."""

        granted = 0

        async def acquire(self) -> None:
            if self.granted >= 5:
                raise LimiterUnavailable("redis://127.0.0.1:1: connection refused")
            self.granted += 1

    msgs = [hello(n) for n in numbers(40)]
    async with Client.maton(
        emu.phone_number_id, api_key="test", base_url=emu.gateway_url, rate_limit=None, limiter=Failing(), workers=1
    ) as client:
        with pytest.raises(LimiterUnavailable):
            await broadcast(client, msgs, journal=tmp_path / "job.sqlite")
    assert len(emu.accepted) == 5
    # The rest were never sent and are not failed for good: the next run sends them.
    async with client_for(emu) as client:
        report = await broadcast(client, msgs, journal=tmp_path / "job.sqlite")
    assert report.failed == 0 and report.unknown == 0
    assert Counter(a.to for a in emu.accepted) == Counter(numbers(40))


async def test_a_lost_shared_limiter_fails_what_is_queued_without_asking_it_again(
    emu: Emulator, tmp_path: Path
) -> None:
    from wa_async import LimiterUnavailable, UnlimitedLimiter

    class Gone(UnlimitedLimiter):
        """Grants 3 requests, then Redis is gone: every later acquire fails (after a timeout, in real life)."""

        granted = 0
        refused = 0

        async def acquire(self) -> None:
            if self.granted >= 3:
                self.refused += 1
                await asyncio.sleep(0)  # a timeout takes time: the loop runs others meanwhile
                raise LimiterUnavailable("redis://127.0.0.1:1: timed out")
            self.granted += 1

    limiter = Gone()
    workers = 4
    msgs = [hello(n) for n in numbers(300)]
    async with Client.maton(emu.phone_number_id, api_key="test", base_url=emu.gateway_url, rate_limit=None,
                            limiter=limiter, workers=workers) as client:  # fmt: skip
        with pytest.raises(LimiterUnavailable):
            await broadcast(client, msgs)  # no journal: the reader queues all 300 before a worker runs
    assert len(emu.accepted) == 3
    assert limiter.refused <= workers  # the 297 queued were failed at once, not each after its own timeout
