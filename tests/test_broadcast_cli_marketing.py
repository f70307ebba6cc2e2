"""``wa-async broadcast --marketing``: the Marketing Messages API, the opt-out store and its import, the
report's ``opted_out`` rows and ``message_status`` column, ``--stop-on-pause`` (exit 4) and the preflight."""

from __future__ import annotations

import asyncio
import csv
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import wa_async as wa
from tests.redis_server import RedisServer
from wa_async.cli import broadcast as cli
from wa_async.emulator import Emulator

USERS = [str(4915100000000 + i) for i in range(12)]


def write_csv(path: Path, users: list[str]) -> Path:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["phone"])
        w.writerows([u] for u in users)
    return path


def read_report(path: Path) -> dict[str, dict[str, str]]:
    with path.open(newline="") as f:
        return {r["to"]: r for r in csv.DictReader(f)}


async def test_marketing_sandbox_run_skips_imported_opt_outs(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    src = write_csv(tmp_path / "r.csv", USERS)
    stops = tmp_path / "stops.txt"
    stops.write_text(f"+{USERS[1]}\n{USERS[4]}\n")
    report = tmp_path / "report.csv"
    args = [str(src), "--template", "spring_sale", "--journal", str(tmp_path / "j.sqlite"), "--sandbox",
            "--rate", "0", "--marketing", "--opt-outs", str(stops), "--report", str(report)]  # fmt: skip
    # The command runs its own event loop (asyncio.run), so in a thread.
    assert await asyncio.to_thread(cli.main, args) == 0
    captured = capsys.readouterr()
    assert "2 user(s) added to the opt-out store" in captured.err and "opted out" in captured.out
    rows = read_report(report)
    assert {to: r["status"] for to, r in rows.items() if r["status"] != "sent"} == {USERS[1]: "opted_out",
                                                                                    USERS[4]: "opted_out"}
    assert {r["message_status"] for r in rows.values() if r["status"] == "sent"} == {"accepted"}
    async with wa.OptOuts(tmp_path / "opt-outs.sqlite") as store:  # beside the journal
        assert await store.count() == 2


@pytest.mark.parametrize("flag", [["--opt-outs", "x.txt"], ["--opt-outs-store", "o.sqlite"],
                                  ["--product-policy", "STRICT"]])  # fmt: skip
def test_marketing_options_need_marketing(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          flag: list[str]) -> None:  # fmt: skip
    src = write_csv(tmp_path / "r.csv", USERS[:1])
    assert cli.main([str(src), "--template", "t", "--journal", str(tmp_path / "j"), "--sandbox", *flag]) == 2
    assert "goes with --marketing" in capsys.readouterr().err


def test_a_bad_opt_out_file_is_a_usage_error_before_anything_is_sent(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    src = write_csv(tmp_path / "r.csv", USERS[:2])
    stops = tmp_path / "stops.txt"
    stops.write_text("4915100000001\nnobody\n")
    code = cli.main([str(src), "--template", "t", "--journal", str(tmp_path / "j.sqlite"), "--sandbox",
                     "--marketing", "--opt-outs", str(stops)])  # fmt: skip
    assert code == 2 and "stops.txt:2" in capsys.readouterr().err
    assert not (tmp_path / "j.sqlite").exists()  # the job never started


# --- against a served emulator -----------------------------------------------------------------------------------


@pytest.fixture
async def served(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Emulator]:
    async with Emulator(rate_limit=None) as emu:
        emu.templates.add("spring_sale", "en_US", "MARKETING", [{"type": "BODY", "text": "Spring sale!"}])
        for name, value in (("WA_BASE_URL", emu.gateway_url), ("MATON_API_KEY", "k"), ("WA_WABA_ID", emu.waba_id),
                            ("WA_PHONE_NUMBER_ID", emu.phone_number_id)):  # fmt: skip
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("WA_ACCESS_TOKEN", raising=False)
        yield emu


async def test_stop_on_pause_exits_4_and_the_same_command_resumes(
    served: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    users = [str(4915200000000 + i) for i in range(100)]
    src = write_csv(tmp_path / "r.csv", users)
    report = tmp_path / "report.csv"
    # At 200 a second the job would take half a second: Meta's first answer stops it long before.
    args = [str(src), "--template", "spring_sale", "--journal", str(tmp_path / "j.sqlite"), "--rate", "200",
            "--marketing", "--stop-on-pause", "--report", str(report)]  # fmt: skip
    served.templates.pace("spring_sale", status="paused")
    assert await asyncio.to_thread(cli.main, args) == cli.EXIT_PAUSED
    captured = capsys.readouterr()
    assert "Meta is pacing template 'spring_sale'" in captured.out and "Run the same command" in captured.err
    rows = read_report(report)
    statuses = Counter(r["status"] for r in rows.values())
    assert statuses["sent"] >= 1 and statuses["failed"] >= 1  # the rest: pending, "not sent"
    assert {r["message_status"] for r in rows.values() if r["status"] == "sent"} == {"paused"}

    served.templates.pace("spring_sale", status=None)
    assert await asyncio.to_thread(cli.main, args) == 0
    rows = read_report(report)
    assert Counter(r["status"] for r in rows.values()) == {"sent": len(users)}
    assert Counter(a.to for a in served.accepted) == Counter(users)  # each once


async def test_preflight_refuses_a_utility_template_for_marketing(
    served: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = write_csv(tmp_path / "r.csv", USERS[:2])
    args = [str(src), "--template", "order_update", "--param", "phone", "--param", "phone",
            "--journal", str(tmp_path / "j.sqlite"), "--marketing"]  # fmt: skip
    assert await asyncio.to_thread(cli.main, args) == 2
    assert "sends MARKETING templates only" in capsys.readouterr().err
    assert served.accepted == []


async def test_opt_outs_in_redis(served: Emulator, tmp_path: Path, redis_server: RedisServer) -> None:
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(redis_server.url)
    try:
        await wa.OptOuts.redis(client).add(USERS[0])  # e.g. by the webhook receiver on another host
        src = write_csv(tmp_path / "r.csv", USERS[:3])
        report = tmp_path / "report.csv"
        args = [str(src), "--template", "spring_sale", "--journal", str(tmp_path / "j.sqlite"), "--marketing",
                "--opt-outs-store", redis_server.url, "--report", str(report)]  # fmt: skip
        assert await asyncio.to_thread(cli.main, args) == 0
        assert read_report(report)[USERS[0]]["status"] == "opted_out"
        assert sorted(a.to for a in served.accepted) == USERS[1:3]
        assert not (tmp_path / "opt-outs.sqlite").exists()
    finally:
        await client.delete("{wa-async:opt-outs}", "{wa-async:opt-outs}:at")
        await client.aclose()
