"""``wa-async broadcast`` in process: input checks and exit codes, sandbox runs, the report CSV, interruption."""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from wa_async.cli import broadcast as cli


def write_csv(path: Path, rows: list[list[str]], header: tuple[str, ...] = ("phone", "name")) -> Path:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def read_report(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def test_register_adds_the_subcommand() -> None:
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers())
    args = parser.parse_args(["broadcast", "r.csv", "--template", "t", "--journal", "j", "--param", "a"])
    assert args.func is cli.run and args.param == ["a"] and args.language == "en_US"


def test_invalid_rows_are_listed_and_stop_the_job(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = write_csv(tmp_path / "r.csv", [["+49 151 1000000", "Ann"], ["12ab", "Bob"], ["4915110000002", ""]])
    code = cli.main([str(src), "--template", "t", "--param", "name", "--journal", str(tmp_path / "j"),
                     "--sandbox"])
    err = capsys.readouterr().err
    assert code == 2
    assert "line 3:" in err and "12ab" in err and "line 4:" in err and "--skip-invalid" in err
    assert not (tmp_path / "j").exists()  # nothing started


@pytest.mark.parametrize(
    ("extra", "message"),
    [(["--phone-column", "tel"], "no column 'tel'"), (["--param", "city"], "no column 'city'"),
     (["--rate", "-1"], "--rate")],
)
def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str],
                             message: str) -> None:
    src = write_csv(tmp_path / "r.csv", [["4915110000000", "Ann"]])
    code = cli.main([str(src), "--template", "t", "--journal", str(tmp_path / "j"), "--sandbox", *extra])
    assert code == 2
    assert message in capsys.readouterr().err


def test_missing_credentials_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("WA_PHONE_NUMBER_ID", "MATON_API_KEY", "WA_ACCESS_TOKEN", "WA_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    src = write_csv(tmp_path / "r.csv", [["4915110000000", "Ann"]])
    assert cli.main([str(src), "--template", "t", "--journal", str(tmp_path / "j")]) == 2
    assert "WA_PHONE_NUMBER_ID" in capsys.readouterr().err
    monkeypatch.setenv("WA_PHONE_NUMBER_ID", "123")
    assert cli.main([str(src), "--template", "t", "--journal", str(tmp_path / "j")]) == 2
    assert "MATON_API_KEY" in capsys.readouterr().err


def test_a_foreign_journal_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = write_csv(tmp_path / "r.csv", [["4915110000000", "Ann"]])
    journal = tmp_path / "notes.txt"
    journal.write_text("my notes\n")
    assert cli.main([str(src), "--template", "t", "--journal", str(journal), "--sandbox"]) == 2
    assert "not a wa_async journal" in capsys.readouterr().err
    assert journal.read_text() == "my notes\n"


def test_sandbox_run_with_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [[f"+49 151 {1000000 + i}", f"n{i}"] for i in range(25)]
    rows += [["491511000003", "n3"], ["bad", "x"]]  # a repeat and an invalid number
    src = write_csv(tmp_path / "r.csv", rows)
    report = tmp_path / "report.csv"
    args = [str(src), "--template", "sale", "--param", "name", "--journal", str(tmp_path / "j.sqlite"),
            "--sandbox", "--rate", "0", "--skip-invalid", "--report", str(report)]
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    assert "sent" in out and "25" in out
    got = read_report(report)
    assert [r["status"] for r in got].count("sent") == 25
    assert [r for r in got if r["status"] == "skipped"] == [
        {"to": "491511000003", "status": "skipped", "wamid": "", "error": "duplicate in this job",
         "message_status": ""},
        {"to": "bad", "status": "skipped", "wamid": "",
         "error": got[-1]["error"], "message_status": ""},
    ]
    assert got[-1]["error"].startswith("invalid (line 28)")
    assert all(r["wamid"].startswith("wamid.") for r in got if r["status"] == "sent")

    # A second run of the same job sends nothing and reports the whole job again.
    assert cli.main(args) == 0
    again = read_report(report)
    assert [(r["to"], r["status"], r["wamid"]) for r in again] == [(r["to"], r["status"], r["wamid"]) for r in got]


def test_json_lines_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "r.jsonl"
    src.write_text("\n".join([json.dumps({"phone": "4915110000000", "name": "Ann"}), "",
                              "not json", json.dumps({"phone": 4915110000001, "name": "Bob"})]) + "\n")
    args = [str(src), "--template", "sale", "--param", "name", "--journal", str(tmp_path / "j.sqlite"),
            "--sandbox", "--rate", "0"]
    assert cli.main(args) == 2
    assert "line 3: not a JSON object" in capsys.readouterr().err
    report = tmp_path / "out.csv"
    assert cli.main([*args, "--skip-invalid", "--report", str(report)]) == 0
    assert {r["to"]: r["status"] for r in read_report(report)} == {
        "4915110000000": "sent", "4915110000001": "sent", "": "skipped"}


def test_ctrl_c_stops_cleanly_and_prints_how_to_resume(tmp_path: Path) -> None:
    src = write_csv(tmp_path / "r.csv", [[str(4915110000000 + i), "x"] for i in range(400)])
    journal = tmp_path / "j.sqlite"
    command = [sys.executable, "-m", "wa_async.cli.broadcast", str(src), "--template", "sale",
               "--journal", str(journal), "--sandbox", "--rate", "20"]
    env = {**os.environ, "COLUMNS": "200"}
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        # Wait for the journal to hold some sent rows, then interrupt.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if journal.exists():
                try:
                    conn = sqlite3.connect(f"{journal.resolve().as_uri()}?mode=ro", uri=True)
                    sent = conn.execute("SELECT count(*) FROM rows WHERE state='sent'").fetchone()[0]
                    conn.close()
                except sqlite3.Error:
                    sent = 0
                if sent >= 3:
                    break
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err
    assert "Interrupted" in err and "wa-async broadcast" in err and "--journal" in err
    conn = sqlite3.connect(f"{journal.resolve().as_uri()}?mode=ro", uri=True)
    try:
        states = dict(conn.execute("SELECT state, count(*) FROM rows GROUP BY state").fetchall())
    finally:
        conn.close()
    assert "inflight" not in states and "unknown" not in states  # in-flight requests finished
    assert 3 <= states.get("sent", 0) < 400


@pytest.mark.parametrize("spelling", ["same", "dot-relative", "absolute", "symlink"])
@pytest.mark.parametrize("target", ["journal", "recipients"])
def test_a_report_that_would_overwrite_the_journal_or_the_input_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], spelling: str,
    target: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    src = write_csv(tmp_path / "r.csv", [["4915110000000", "Ann"]])
    before = src.read_bytes()
    name = "j.sqlite" if target == "journal" else "r.csv"
    if spelling == "symlink":
        (tmp_path / "link.csv").symlink_to(tmp_path / name)
    report = {"same": name, "dot-relative": f"./{name}", "absolute": str(tmp_path / name),
              "symlink": "link.csv"}[spelling]
    code = cli.main(["r.csv", "--template", "sale", "--journal", "j.sqlite", "--sandbox", "--report", report])
    assert code == 2
    assert "would destroy it" in capsys.readouterr().err
    assert not (tmp_path / "j.sqlite").exists()  # refused before anything started
    assert src.read_bytes() == before


@pytest.mark.parametrize("where", ["missing-folder", "a-folder"])
def test_an_unwritable_report_is_refused_before_the_first_send(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    src = write_csv(tmp_path / "r.csv", [["4915110000000", "Ann"]])
    report = tmp_path / "no" / "such" / "r.csv" if where == "missing-folder" else tmp_path
    code = cli.main([str(src), "--template", "sale", "--journal", str(tmp_path / "j.sqlite"), "--sandbox",
                     "--report", str(report)])  # fmt: skip
    assert code == 2
    assert "cannot write the report" in capsys.readouterr().err
    assert not (tmp_path / "j.sqlite").exists()


def test_a_writable_report_path_checked_early_is_not_left_behind_on_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = write_csv(tmp_path / "r.csv", [["12ab", "Ann"]])  # every row invalid: exit 2
    report = tmp_path / "out.csv"
    assert cli.main([str(src), "--template", "sale", "--journal", str(tmp_path / "j.sqlite"), "--sandbox",
                     "--report", str(report)]) == 2  # fmt: skip
    assert not report.exists()


def test_ctrl_c_while_rows_are_checked_says_interrupted_and_exits_130(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from wa_async.cli import _recipients

    def interrupted(self: object) -> list[object]:
        raise KeyboardInterrupt

    monkeypatch.setattr(_recipients.Recipients, "check", interrupted)
    src = write_csv(tmp_path / "r.csv", [["4915110000000", "Ann"]])
    assert cli.main([str(src), "--template", "sale", "--journal", str(tmp_path / "j.sqlite"), "--sandbox"]) == 130
    err = capsys.readouterr().err
    assert "Interrupted" in err and "nothing was sent" in err and "Traceback" not in err


def test_skipped_rows_in_the_table_include_the_invalid_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [["4915110000000", "a"], ["4915110000001", "b"], ["bad", "x"], ["4915110000000", "a"], ["12", "y"]]
    src = write_csv(tmp_path / "r.csv", rows)
    args = [str(src), "--template", "sale", "--param", "name", "--journal", str(tmp_path / "j.sqlite"),
            "--sandbox", "--rate", "0", "--skip-invalid"]  # fmt: skip
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    skipped = next(line for line in out.splitlines() if "skipped" in line and "│" in line)
    assert skipped.split("│")[2].strip() == "3"  # one repeat and two invalid rows


def test_the_target_flags_of_every_command(tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers())
    args = parser.parse_args(["broadcast", "r.csv", "--template", "t", "--journal", "j", "--waba-id", "1",
                              "--connection-id", "c", "--api-version", "v24.0", "--no-preflight", "--strict"])
    assert (args.waba_id, args.connection_id, args.api_version) == ("1", "c", "v24.0")
    assert args.preflight is False and args.strict is True


def test_a_user_id_column_names_a_recipient_without_a_phone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from wa_async.cli import _recipients

    bsuid = "US.13491208655302741918"
    src = write_csv(tmp_path / "r.csv", [["+49 151 1000000", ""], ["", bsuid], ["4915110000002", "US.1"], ["", ""]],
                    header=("phone", "user_id"))  # fmt: skip
    source = _recipients.Recipients(src, "phone", [], "sale", "en_US")
    bad = source.check()
    # The phone wins when both are given; the message normalises it; a BSUID keeps its dots.
    assert [m.to for m in source] == ["491511000000", bsuid, "4915110000002"]
    assert [b.line for b in bad] == [5] and "user_id" in bad[0].reason
    only_ids = write_csv(tmp_path / "ids.csv", [[bsuid]], header=("bsuid",))
    source = _recipients.Recipients(only_ids, "phone", [], "sale", "en_US")
    assert not source.check() and [m.to for m in source] == [bsuid]


@pytest.fixture(scope="module")
def emulator() -> Iterator[dict[str, str]]:
    from tests.emulator_process import emulator_process

    with emulator_process("--rate", "0") as info:
        yield info


def target(emulator: dict[str, str], *, waba: bool = True) -> list[str]:
    flags = ["--phone-number-id", emulator["phone_number_id"], "--api-key", "k", "--base-url", emulator["gateway_url"]]
    return [*flags, "--waba-id", emulator["waba_id"]] if waba else flags


def orders(tmp_path: Path, n: int) -> Path:
    return write_csv(tmp_path / "r.csv", [[str(4915120000000 + i), f"n{i}", f"#{i}"] for i in range(n)],
                     header=("phone", "name", "order"))  # fmt: skip


def accepted(emulator: dict[str, str]) -> int:
    with urllib.request.urlopen(emulator["stats"], timeout=10) as resp:  # loopback only
        return int(json.load(resp)["accepted"])


def test_the_preflight_refuses_a_mismatch_before_the_first_send(
    emulator: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = orders(tmp_path, 5)
    before = accepted(emulator)
    base = [str(src), "--journal", str(tmp_path / "j.sqlite"), *target(emulator)]
    # order_update: "Hi {{1}}, your order {{2}} has shipped." One column given for two parameters.
    assert cli.main([*base, "--template", "order_update", "--param", "name"]) == 2
    assert "takes 2 body parameter(s); --param gives 1" in capsys.readouterr().err
    assert cli.main([*base, "--template", "no_such_template"]) == 2
    assert "is not in this WhatsApp Business Account" in capsys.readouterr().err
    # A header with a parameter is one the command cannot fill.
    assert cli.main([*base, "--template", "coupon_expiration_reminder_number_vars", "--language", "en",
                     "--param", "name", "--param", "order"]) == 2  # fmt: skip
    assert "header that needs a parameter" in capsys.readouterr().err
    assert accepted(emulator) == before  # nothing left
    assert cli.main([*base, "--template", "order_update", "--param", "name", "--param", "order"]) == 0
    assert accepted(emulator) == before + 5


def test_failures_are_shown_by_error_and_strict_exits_non_zero(
    emulator: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = orders(tmp_path, 6)
    args = [str(src), "--template", "order_update", "--param", "name", "--journal", str(tmp_path / "j.sqlite"),
            "--no-preflight", *target(emulator, waba=False)]  # fmt: skip
    assert cli.main(args) == 0  # the job ran to its end; every row failed
    out = capsys.readouterr().out
    assert "failed, by error" in out
    line = next(x for x in out.splitlines() if "132000" in x)
    cells = [cell.strip() for cell in line.split("│")]
    assert "6" in cells  # the group's count
    assert "491512000000" in line  # one example row
    assert cli.main([*args, "--strict"]) == cli.EXIT_STRICT  # the same job again: still failed, now an error
    assert "--strict" in capsys.readouterr().err


def test_without_a_waba_id_the_preflight_is_skipped_with_a_note(
    emulator: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WA_WABA_ID", raising=False)
    src = orders(tmp_path, 2)
    args = [str(src), "--template", "order_update", "--param", "name", "--param", "order",
            "--journal", str(tmp_path / "j.sqlite"), *target(emulator, waba=False)]  # fmt: skip
    assert cli.main(args) == 0
    assert "preflight skipped" in capsys.readouterr().err
