"""Marketing broadcasts against the emulator: every row through the Marketing Messages API with its
``message_status`` in the report, opt-outs honoured until the user resumes, pacing counted (and stopping the job
with ``stop_on_pause``), and "do not resend" errors as final outcomes."""

from __future__ import annotations

import socket
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

import wa_async as wa
from wa_async import webhooks as wh
from wa_async.emulator import Emulator, Fault

TEMPLATE = "spring_sale"
USERS = [str(4915100000000 + i) for i in range(20)]


@pytest.fixture
async def live() -> AsyncIterator[tuple[Emulator, wa.Client]]:
    async with Emulator(rate_limit=None) as emu:
        emu.templates.add(TEMPLATE, "en_US", "MARKETING", [{"type": "BODY", "text": "Spring sale!"}])
        async with wa.Client.maton(emu.phone_number_id, api_key="k", base_url=emu.gateway_url,
                                   rate_limit=None) as client:  # fmt: skip
            yield emu, client


def sale(users: list[str] = USERS) -> list[wa.Template]:
    return [wa.Template(u, TEMPLATE) for u in users]


def journal_states(path: Path) -> dict[str, str]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return dict(conn.execute("SELECT recipient, state FROM rows").fetchall())
    finally:
        conn.close()


def accepted(emu: Emulator) -> Counter[str]:
    return Counter(a.to for a in emu.accepted)


async def test_every_row_goes_through_the_marketing_messages_api(live: tuple[Emulator, wa.Client]) -> None:
    emu, client = live
    report = await client.broadcast(sale(), marketing=True)
    assert report.sent == len(USERS) and accepted(emu) == Counter(USERS)
    # Only /marketing_messages answers an unpaced template with a message_status: the proof of the path.
    assert {o.message_status for o in report.outcomes.values()} == {"accepted"}
    assert report.message_statuses == {"accepted": len(USERS)} and report.paced == 0 and report.stopped is None
    plain = await client.broadcast(sale(USERS[:3]))
    assert {o.message_status for o in plain.outcomes.values()} == {None}


async def test_a_marketing_broadcast_sends_templates_only(live: tuple[Emulator, wa.Client], tmp_path: Path) -> None:
    emu, client = live
    journal = tmp_path / "job.sqlite"
    report = await client.broadcast([wa.Text(USERS[0], "hi"), wa.Template(USERS[1], TEMPLATE)], journal,
                                    marketing=True)  # fmt: skip
    assert (report.sent, report.failed) == (1, 1)
    (failure,) = [o for o in report.outcomes.values() if o.status == "failed"]
    assert failure.to == USERS[0] and "templates only" in (failure.error or "")
    assert journal_states(journal)[USERS[0]] == "failed" and accepted(emu) == Counter([USERS[1]])


async def test_opted_out_users_are_skipped_until_they_resume(
    live: tuple[Emulator, wa.Client], tmp_path: Path
) -> None:
    emu, client = live
    journal = tmp_path / "job.sqlite"
    async with wa.OptOuts(tmp_path / "opt-outs.sqlite") as opt_outs:  # the default store beside the journal
        assert await opt_outs.add("+49 151 00000003", USERS[7]) == 2
        report = await client.broadcast(sale(), journal, marketing=True)
        assert (report.sent, report.opted_out) == (len(USERS) - 2, 2)
        assert {o.to for o in report.outcomes.values() if o.status == "opted_out"} == {USERS[3], USERS[7]}
        assert USERS[3] not in accepted(emu) and USERS[7] not in accepted(emu)
        states = journal_states(journal)
        assert states[USERS[3]] == states[USERS[7]] == "pending"  # not sent: a later run may send them

        assert await opt_outs.remove(USERS[3]) == 1
        again = await client.broadcast(sale(), journal, marketing=True)
        assert (again.sent, again.opted_out) == (len(USERS) - 1, 1)
        assert accepted(emu) == Counter(u for u in USERS if u != USERS[7])  # nobody twice
        assert [o.to for o in again.outcomes.values() if not o.earlier and o.status == "sent"] == [USERS[3]]


async def test_only_marketing_messages_are_checked(live: tuple[Emulator, wa.Client], tmp_path: Path) -> None:
    _, client = live
    async with wa.OptOuts(tmp_path / "o.sqlite") as opt_outs:
        await opt_outs.add(USERS[0], USERS[1])
        mixed = [wa.Template(USERS[0], TEMPLATE), wa.Template(USERS[1], TEMPLATE, marketing=True)]
        report = await client.broadcast(mixed, opt_outs=opt_outs)
        assert {o.to: o.status for o in report.outcomes.values()} == {USERS[0]: "sent", USERS[1]: "opted_out"}
    # Without a journal file there is no default store: nothing is checked and nothing is created.
    report = await client.broadcast(sale(USERS[:2]), marketing=True)
    assert report.sent == 2 and not (tmp_path / "opt-outs.sqlite").exists()


async def test_opt_outs_path_is_opened_and_closed_by_the_broadcast(
    live: tuple[Emulator, wa.Client], tmp_path: Path
) -> None:
    _, client = live
    async with wa.OptOuts(tmp_path / "elsewhere.sqlite") as opt_outs:
        await opt_outs.add(USERS[5])
    report = await client.broadcast(sale(), tmp_path / "job.sqlite", marketing=True,
                                    opt_outs=tmp_path / "elsewhere.sqlite")  # fmt: skip
    assert report.opted_out == 1
    with pytest.raises(wa.ValidationError, match="is the journal"):
        await client.broadcast(sale(), tmp_path / "job.sqlite", marketing=True, opt_outs=tmp_path / "job.sqlite")


async def test_a_webhook_stop_goes_into_the_store_in_one_line(tmp_path: Path) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    opt_outs = wa.OptOuts(tmp_path / "opt-outs.sqlite")
    router = wh.Router()
    router.user_preferences()(opt_outs.observe)  # the one line
    app = wh.make_app(router, verify_token="tok", app_secret="s")
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    try:
        async with Emulator(webhook_url=f"http://127.0.0.1:{sock.getsockname()[1]}/webhook", app_secret="s") as emu:
            await emu.user_preferences("stop", from_=USERS[0])
            await emu.user_preferences("stop", from_=None, user_id="US.13491208655302741918")
            await app[wh.RECEIVER].drain()
            # The phone and the user's BSUID both, so a message to either is skipped.
            assert await opt_outs.which([USERS[0], "US.13491208655302741918", USERS[1]]) == {
                USERS[0], "US.13491208655302741918"}
            assert await opt_outs.count() == 3  # USERS[0], their BSUID, and the username-only user
            await emu.user_preferences("resume", from_=USERS[0])
            await app[wh.RECEIVER].drain()
            assert not await opt_outs.contains(USERS[0])
    finally:
        await runner.cleanup()
        sock.close()
        await opt_outs.close()


async def test_a_later_change_wins_whatever_order_the_webhooks_come_in(tmp_path: Path) -> None:
    async with wa.OptOuts(tmp_path / "o.sqlite") as opt_outs:
        assert await opt_outs.remove(USERS[0], at=200.0) == 0
        assert await opt_outs.add(USERS[0], at=100.0) == 0  # an older stop, delivered late
        assert not await opt_outs.contains(USERS[0])
        assert await opt_outs.add(USERS[0], at=300.0) == 1
        assert await opt_outs.contains(USERS[0])


async def test_import_an_opt_out_list(tmp_path: Path) -> None:
    lines = tmp_path / "stops.txt"
    lines.write_text("# exported from the CRM\n+49 151 00000001\n\n4915100000002  # by phone\nUS.1234567\n")
    table = tmp_path / "stops.csv"
    table.write_text("name,phone,user_id\nAna,+49 (151) 00000003,\nBo,,US.7654321\nCy,4915100000001,US.1\n")
    async with wa.OptOuts(tmp_path / "o.sqlite") as opt_outs:
        assert await opt_outs.import_file(lines) == 3
        assert await opt_outs.import_file(table) == 3  # 4915100000001 was already in
        assert await opt_outs.count() == 6
        bad = tmp_path / "bad.txt"
        bad.write_text("4915100000009\nnot a number\n")
        with pytest.raises(wa.ValidationError) as caught:
            await opt_outs.import_file(bad)
        assert caught.value.field == "bad.txt:2" and await opt_outs.count() == 6  # nothing of that file


# --- pacing ------------------------------------------------------------------------------------------------------


async def test_pacing_is_counted(live: tuple[Emulator, wa.Client]) -> None:
    emu, client = live
    emu.templates.pace(TEMPLATE, status="held_for_quality_assessment")
    report = await client.broadcast(sale(), marketing=True)
    assert report.sent == len(USERS) and report.stopped is None
    assert report.message_statuses == {"held_for_quality_assessment": len(USERS)} and report.paced == len(USERS)


@pytest.mark.parametrize("status", ["held_for_quality_assessment", "paused"])
async def test_stop_on_pause_stops_the_job_and_leaves_the_rest_pending(
    live: tuple[Emulator, wa.Client], tmp_path: Path, status: str
) -> None:
    emu, _ = live
    users = [str(4915200000000 + i) for i in range(300)]
    journal = tmp_path / "job.sqlite"
    emu.templates.pace(TEMPLATE, status=status)
    # One worker: one message on the wire at a time, so the stop comes long before the end whatever the speed.
    async with wa.Client.maton(emu.phone_number_id, api_key="k", base_url=emu.gateway_url, rate_limit=None,
                               workers=1) as client:  # fmt: skip
        report = await client.broadcast(sale(users), journal, marketing=True, stop_on_pause=True)
    assert report.stopped == "paused" and 1 <= report.sent <= 2
    assert report.message_statuses == {status: report.sent}
    states = Counter(journal_states(journal).values())
    assert states["sent"] == report.sent and states["pending"] == sum(states.values()) - report.sent > 0

    emu.templates.pace(TEMPLATE, status=None)  # Meta released the template: the same job resumes
    rest = await live[1].broadcast(sale(users), journal, marketing=True, stop_on_pause=True)
    assert rest.stopped is None and rest.sent == len(users)
    assert accepted(emu) == Counter(users)  # each exactly once


# --- "do not resend" errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "status", "kind"),
    [
        (131049, 400, wa.RecipientError),  # ecosystem engagement limit
        (131050, 400, wa.RecipientError),  # the user stopped marketing messages
        (131063, 400, wa.TemplateError),  # marketing templates disabled for the Cloud API
        (100, 400, wa.ApiError),  # not a template message
        (131009, 400, wa.ApiError),  # parameter value not valid (ad sync incomplete)
        (131055, 400, wa.ApiError),  # method not allowed: marketing templates only
        (134100, 400, wa.TemplateError),  # only marketing messages
        (134102, 500, wa.TemplateError),  # template unavailable (not onboarded)
    ],
)
async def test_do_not_resend_errors_are_final(live: tuple[Emulator, wa.Client], tmp_path: Path, code: int,
                                              status: int, kind: type[wa.ApiError]) -> None:  # fmt: skip
    emu, client = live
    journal = tmp_path / "job.sqlite"
    emu.add_fault(Fault("error", to=USERS[2], code=code, status=status))
    report = await client.broadcast(sale(USERS[:5]), journal, marketing=True)
    assert (report.sent, report.failed) == (4, 1)
    (failure,) = [o for o in report.outcomes.values() if o.status == "failed"]
    assert (failure.to, failure.code) == (USERS[2], code)
    assert emu.stats.faults == 1  # answered once, never retried
    assert journal_states(journal)[USERS[2]] == "failed"
    again = await client.broadcast(sale(USERS[:5]), journal, marketing=True)
    assert again.failed == 1 and all(o.earlier for o in again.outcomes.values())
    assert emu.stats.faults == 1 and accepted(emu) == Counter(u for u in USERS[:5] if u != USERS[2])
    with pytest.raises(kind) as caught:  # the class a single send raises
        await client.send(wa.Template(USERS[2], TEMPLATE, marketing=True))
    assert caught.value.code == code and caught.value.retry_scope == "never"


async def test_a_template_still_syncing_stops_the_job_for_a_later_run(
    live: tuple[Emulator, wa.Client], tmp_path: Path
) -> None:
    emu, client = live
    journal = tmp_path / "job.sqlite"
    emu.add_fault(Fault("error", code=134101, status=400))
    with pytest.raises(wa.TemplateError) as caught:
        await client.broadcast(sale(), journal, marketing=True)
    assert caught.value.code == 134101 and "10 minutes" in (wa.errors.describe_code(134101) or "")
    assert set(journal_states(journal).values()) == {"pending"} and emu.accepted == []
    emu.faults.clear()  # ten minutes later
    report = await client.broadcast(sale(), journal, marketing=True)
    assert report.sent == len(USERS) and accepted(emu) == Counter(USERS)
