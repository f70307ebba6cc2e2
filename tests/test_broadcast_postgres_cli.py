"""``wa-async broadcast --journal postgresql://... --job NAME`` and ``wa-async broadcast-status``, in process."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.postgres_server import PostgresServer
from wa_async.cli import broadcast as cli
from wa_async.cli import broadcast_status, main


@pytest.fixture(scope="module")
def pg() -> Iterator[PostgresServer]:
    with PostgresServer() as server:
        yield server


def recipients(path: Path, n: int) -> Path:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["phone"])
        w.writerows([f"49151{i:08d}"] for i in range(n))
    return path


def test_a_shared_job_runs_reports_and_shows_its_status(
    pg: PostgresServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = recipients(tmp_path / "r.csv", 25)
    report = tmp_path / "report.csv"
    argv = [str(src), "--template", "hello_world", "--journal", pg.url, "--job", "cli-1", "--sandbox", "--rate", "0",
            "--report", str(report)]  # fmt: skip
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "(job cli-1)" in out
    with report.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 25 and {r["status"] for r in rows} == {"sent"}

    assert main(["broadcast-status", "--journal", pg.url, "--job", "cli-1"]) == 0
    out = capsys.readouterr().out
    assert "job 'cli-1'" in out and "25 of 25 rows settled (100.0%)" in out and "done" in out
    assert broadcast_status.main(["--journal", pg.url, "--job", "cli-1", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["counts"] == {"sent": 25} and status["total"] == 25
    assert [(w["state"], w["counts"]) for w in status["workers"]] == [("done", {"sent": 25})]

    # another template under the same job name is refused, naming what differs
    assert cli.main([*argv[:2], "other", *argv[3:]]) == 2
    assert "template: 'hello_world' -> 'other'" in capsys.readouterr().err


def test_status_of_a_sqlite_journal_and_of_a_missing_job(
    pg: PostgresServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = recipients(tmp_path / "r.csv", 4)
    journal = tmp_path / "job.sqlite"
    assert cli.main([str(src), "--template", "hello_world", "--journal", str(journal), "--sandbox"]) == 0
    capsys.readouterr()
    assert broadcast_status.main(["--journal", str(journal), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["counts"] == {"sent": 4}
    assert broadcast_status.main(["--journal", pg.url, "--job", "no-such-job"]) == 2
    assert "there is no job 'no-such-job'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("journal", "extra", "message"),
    [
        ("postgresql://u@127.0.0.1:1/db", [], "needs --job NAME"),
        ("job.sqlite", ["--job", "x"], "--job names a job in a postgresql:// journal"),
        ("postgresql://u@127.0.0.1:1/db", ["--job", "x", "--lease", "0"], "--lease must be a positive"),
    ],
)
def test_journal_and_job_usage_errors_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], journal: str, extra: list[str], message: str
) -> None:
    src = recipients(tmp_path / "r.csv", 1)
    code = cli.main([str(src), "--template", "t", "--journal", journal, *extra, "--sandbox"])
    assert code == 2
    assert message in capsys.readouterr().err


def test_an_unreachable_database_is_one_line_with_the_password_hidden(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests._server import free_port as _free_port

    src = recipients(tmp_path / "r.csv", 1)
    url = f"postgresql://u:hunter2@127.0.0.1:{_free_port()}/db"
    assert cli.main([str(src), "--template", "t", "--journal", url, "--job", "x", "--sandbox"]) == 2
    err = capsys.readouterr().err
    assert "cannot open the journal postgresql://u:***@127.0.0.1" in err and "hunter2" not in err
