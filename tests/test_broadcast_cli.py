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
        {"to": "491511000003", "status": "skipped", "wamid": "", "error": "duplicate in this job"},
        {"to": "bad", "status": "skipped", "wamid": "",
         "error": got[-1]["error"]},
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
