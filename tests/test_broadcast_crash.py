"""THE crash test: ``wa-async broadcast`` killed with SIGKILL at seeded random points, resumed each time.

The emulator runs in its own process (with a little latency, so requests are in flight at each kill) and keeps
its accepted log across the runs. At the end: each recipient was accepted at most once, every recipient is
sent, failed or unknown, and the unknown rows are exactly the rows the journal held in flight at the kills.
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

from tests._crash import check_outcome, get, journal_states, slow_emulator

N = 2000
KILLS = 5
SEED = 20240607


@pytest.fixture
def emulator() -> Iterator[dict[str, str]]:
    with slow_emulator() as info:
        yield info


@pytest.mark.timeout(90)
def test_killed_and_resumed_broadcast_sends_each_recipient_at_most_once(
    emulator: dict[str, str], tmp_path: Path
) -> None:
    recipients = [str(4915100000000 + i) for i in range(N)]
    source = tmp_path / "recipients.csv"
    with source.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["phone"])
        writer.writerows([r] for r in recipients)
    journal = tmp_path / "job.sqlite"
    report = tmp_path / "report.csv"
    command = [
        sys.executable, "-m", "wa_async.cli.broadcast", str(source), "--template", "hello_world",
        "--journal", str(journal), "--rate", "0", "--report", str(report),
        "--phone-number-id", emulator["phone_number_id"], "--api-key", "test",
        "--base-url", emulator["gateway_url"],
    ]
    env = {k: v for k, v in os.environ.items() if k not in ("WA_ACCESS_TOKEN",)}
    stats_url = emulator["stats"]

    rng = random.Random(SEED)
    targets = sorted(rng.sample(range(50, N - 200), KILLS))  # accepted counts at which to kill
    in_flight_at_kills: set[str] = set()
    kills = 0
    for target in targets:
        proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while proc.poll() is None:
                stats = get(stats_url)
                assert isinstance(stats, dict)
                if stats["accepted"] >= target:
                    proc.send_signal(signal.SIGKILL)
                    break
                time.sleep(0.002)
        finally:
            code = proc.wait(30)
        if code == -signal.SIGKILL:
            kills += 1
            states = journal_states(journal)
            in_flight_at_kills |= {to for to, state in states.items() if state == "inflight"}
        time.sleep(0.1)  # requests the dead process left on the wire land at the emulator

    final = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert final.returncode == 0, final.stderr
    assert kills >= KILLS - 1  # a run may finish before its kill point only if the machine stalls
    assert in_flight_at_kills  # the test means something only if requests were in flight

    check_outcome(emulator, recipients, report, in_flight_at_kills)
