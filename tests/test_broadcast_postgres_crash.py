"""The crash test on a shared job: two ``wa-async broadcast`` processes on one PostgreSQL job, SIGKILLed at seeded
points, resumed each time; and one killed mid-run while the other finishes the job alone.

The emulator runs in its own process (with a little latency, so requests are in flight at each kill) and keeps
its accepted log across the runs. A killed worker's in-flight rows are the ones it holds in state ``inflight``, or
``unknown`` once a survivor reaped it (only the lease's end turns its rows unknown, and a dead worker settles
nothing), so they are read after the kill without racing the survivor. At the end: each recipient was accepted at
most once, every recipient is in the report as sent, failed or unknown, and the unknown rows are exactly the rows
the killed workers held in flight.
"""

from __future__ import annotations

import csv
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests._crash import check_outcome, get, slow_emulator
from tests.postgres_server import PostgresServer

N = 3000
KILLS = 5
SEED = 20261126
LEASE = "1"

@pytest.fixture(scope="module")
def pg() -> Iterator[PostgresServer]:
    with PostgresServer() as server:
        yield server


@pytest.fixture
def emulator() -> Iterator[dict[str, str]]:
    with slow_emulator() as info:
        yield info


def psql(url: str, sql: str) -> list[list[str]]:
    done = subprocess.run(["psql", url, "-At", "-F", "\t", "-c", sql], capture_output=True, text=True, check=True)
    return [line.split("\t") for line in done.stdout.splitlines() if line]


def held_in_flight(url: str, job: str, pid: int) -> set[str]:
    """The recipients whose rows the (dead) worker with this PID held in flight."""
    rows = psql(url, f"SELECT r.recipient FROM wa_async_rows r JOIN wa_async_workers w ON r.owner = w.id "
                     f"WHERE r.job = '{job}' AND w.pid = {pid} AND r.state IN ('inflight', 'unknown')")  # fmt: skip
    return {r[0] for r in rows}


def recipients_file(tmp_path: Path) -> tuple[list[str], Path]:
    recipients = [str(4915100000000 + i) for i in range(N)]
    source = tmp_path / "recipients.csv"
    with source.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["phone"])
        writer.writerows([r] for r in recipients)
    return recipients, source


def command(emulator: dict[str, str], source: Path, url: str, job: str, report: Path) -> list[str]:
    return [
        sys.executable, "-m", "wa_async.cli.broadcast", str(source), "--template", "hello_world",
        "--journal", url, "--job", job, "--lease", LEASE, "--rate", "0", "--report", str(report),
        "--phone-number-id", emulator["phone_number_id"], "--api-key", "test", "--base-url", emulator["gateway_url"],
    ]  # fmt: skip


ENV = {k: v for k, v in os.environ.items() if k not in ("WA_ACCESS_TOKEN",)}


class Workers:
    """The worker processes a test starts (stderr to a file each); any still running at the end are killed by PID."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, cmd: list[str]) -> subprocess.Popen[bytes]:
        with (self.tmp_path / f"worker-{len(self.started)}.err").open("wb") as err:
            proc = subprocess.Popen(cmd, env=ENV, stdout=subprocess.DEVNULL, stderr=err)
        self.started.append(proc)
        return proc

    def finish(self, proc: subprocess.Popen[bytes]) -> None:
        """Wait for a worker that should end on its own, and check it succeeded."""
        code = proc.wait(60)
        err = (self.tmp_path / f"worker-{self.started.index(proc)}.err").read_text(errors="replace")
        assert code == 0, err[-3000:]

    def kill_all(self) -> None:
        for proc in self.started:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Workers]:
    w = Workers(tmp_path)
    try:
        yield w
    finally:
        w.kill_all()


def wait_accepted(stats_url: str, target: int, procs: list[subprocess.Popen[bytes]]) -> None:
    """Until the emulator accepted ``target`` requests in all, or every process ended."""
    while any(p.poll() is None for p in procs):
        stats = get(stats_url)
        assert isinstance(stats, dict)
        if stats["accepted"] >= target:
            return
        time.sleep(0.002)


@pytest.mark.timeout(120)
def test_two_workers_one_killed_the_other_finishes_the_job(
    pg: PostgresServer, emulator: dict[str, str], tmp_path: Path, workers: Workers
) -> None:
    recipients, source = recipients_file(tmp_path)
    job = "killed-one"
    reports = [tmp_path / "a.csv", tmp_path / "b.csv"]
    a, b = (workers.start(command(emulator, source, pg.url, job, r)) for r in reports)
    wait_accepted(emulator["stats"], N // 3, [a, b])
    a.send_signal(signal.SIGKILL)
    assert a.wait(30) == -signal.SIGKILL
    in_flight = held_in_flight(pg.url, job, a.pid)
    workers.finish(b)
    check_outcome(emulator, recipients, reports[1], in_flight)
    workers = dict(tuple(r) for r in psql(pg.url, f"SELECT pid, state FROM wa_async_workers WHERE job = '{job}'"))
    assert workers == {str(a.pid): "lost", str(b.pid): "done"}
    sent_by = psql(pg.url, f"SELECT w.pid, count(*) FROM wa_async_rows r JOIN wa_async_workers w ON r.owner = w.id "
                           f"WHERE r.job = '{job}' AND r.state = 'sent' GROUP BY w.pid")  # fmt: skip
    assert len(sent_by) == 2  # both sent some


@pytest.mark.timeout(180)
def test_two_workers_killed_at_seeded_points_and_resumed_send_each_recipient_at_most_once(
    pg: PostgresServer, emulator: dict[str, str], tmp_path: Path, workers: Workers
) -> None:
    recipients, source = recipients_file(tmp_path)
    job = "seeded-kills"
    report = tmp_path / "report.csv"
    cmd = command(emulator, source, pg.url, job, report)
    rng = random.Random(SEED)
    targets = sorted(rng.sample(range(100, N - 400), KILLS))  # accepted counts at which to kill one worker
    in_flight: set[str] = set()
    kills = 0
    procs: list[subprocess.Popen[bytes]] = []
    for target in targets:
        if not procs:  # a new round: two workers resume the job
            procs = [workers.start(cmd), workers.start(cmd)]
        wait_accepted(emulator["stats"], target, procs)
        victim = rng.choice([p for p in procs if p.poll() is None] or procs)
        victim.send_signal(signal.SIGKILL)
        code = victim.wait(30)
        procs.remove(victim)
        if code == -signal.SIGKILL:
            kills += 1
            in_flight |= held_in_flight(pg.url, job, victim.pid)
        if procs and procs[0].poll() is not None:  # the other one finished the job meanwhile
            procs[0].wait()
            procs = []
    for p in procs:  # the last survivor finishes the job alone
        workers.finish(p)
    time.sleep(0.1)  # requests the dead processes left on the wire land at the emulator
    for p in [workers.start(cmd), workers.start(cmd)]:
        workers.finish(p)
    assert kills >= KILLS - 1  # a run may finish before its kill point only if the machine stalls
    assert in_flight  # the test means something only if requests were in flight
    check_outcome(emulator, recipients, report, in_flight)
