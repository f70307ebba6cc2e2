"""The marketing acceptance test: ``wa-async broadcast --marketing`` to 1,000 recipients of whom 50 opted out,
killed with SIGKILL at seeded points and resumed with the same command.

The emulator runs in its own process (a little latency, so requests are in flight at each kill) and keeps its
accepted log across the runs. Rows in flight at a kill come back ``unknown``; as a status webhook would, the
emulator's log then settles the ones it accepted, so the final run (``--resend-unknown``) sends only what never
arrived. At the end: 950 recipients accepted exactly once, the 50 never, and the report says 950 ``sent`` (with
Meta's ``message_status``) and 50 ``opted_out``.
"""

from __future__ import annotations

import asyncio
import csv
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import msgspec
import pytest

import wa_async as wa
from tests._crash import get, journal_states, slow_emulator

N = 1000
OPTED_OUT = 50
KILLS = 3
SEED = 20260415


@pytest.fixture
def emulator() -> Iterator[dict[str, str]]:
    with slow_emulator(("spring_sale", "en_US", "MARKETING", [{"type": "BODY", "text": "Spring sale!"}])) as info:
        yield info


class _Sent(msgspec.Struct):
    """What a ``sent`` status webhook tells the journal of an accepted message."""

    id: str
    callback_data: str | None
    status: str = "sent"


async def settle_from_accepted(journal: Path, accepted: list[dict[str, Any]]) -> int:
    """Settle the journal's unknown rows as the ``sent`` status webhooks of the accepted messages would."""
    settled = 0
    async with wa.Journal(journal) as j:
        for a in accepted:
            callback = a["payload"].get("biz_opaque_callback_data")
            settled += await j.settle_from_status(_Sent(a["wamid"], callback))
    return settled


@pytest.mark.timeout(120)
def test_marketing_broadcast_with_opt_outs_killed_and_resumed(emulator: dict[str, str], tmp_path: Path) -> None:
    rng = random.Random(SEED)
    recipients = [str(4915100000000 + i) for i in range(N)]
    opted_out = set(rng.sample(recipients, OPTED_OUT))
    source = tmp_path / "recipients.csv"
    with source.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["phone"])
        writer.writerows([r] for r in recipients)
    stops = tmp_path / "stops.txt"
    stops.write_text("".join(f"+{u}\n" for u in sorted(opted_out)))
    journal = tmp_path / "job.sqlite"
    report = tmp_path / "report.csv"
    command = [
        sys.executable, "-m", "wa_async.cli.broadcast", str(source), "--template", "spring_sale", "--marketing",
        "--opt-outs", str(stops), "--journal", str(journal), "--rate", "0", "--report", str(report),
        "--phone-number-id", emulator["phone_number_id"], "--api-key", "test", "--base-url", emulator["gateway_url"],
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k not in ("WA_ACCESS_TOKEN", "WA_WABA_ID")}

    targets = sorted(rng.sample(range(50, N - OPTED_OUT - 200), KILLS))  # accepted counts at which to kill
    kills = 0
    in_flight_at_kills: set[str] = set()
    for target in targets:
        proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while proc.poll() is None:
                if get(emulator["stats"])["accepted"] >= target:
                    proc.send_signal(signal.SIGKILL)
                    break
                time.sleep(0.002)
        finally:
            code = proc.wait(30)
        if code == -signal.SIGKILL:
            kills += 1
            in_flight_at_kills |= {to for to, s in journal_states(journal).items() if s == "inflight"}
        time.sleep(0.1)  # requests the dead process left on the wire land at the emulator
    assert kills >= KILLS - 1  # a run may finish before its kill point only if the machine stalls
    assert in_flight_at_kills  # the test means something only if requests were in flight

    resumed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert resumed.returncode == 0, resumed.stderr
    states = journal_states(journal)
    assert {to for to, s in states.items() if s == "unknown"} == in_flight_at_kills

    accepted = get(emulator["graph_url"] + "/__emulator/accepted")
    # The journal is async: settle it on an event loop of its own thread, leaving this thread's loop state alone.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, settle_from_accepted(journal, accepted)).result()
    final = subprocess.run([*command, "--resend-unknown"], env=env, capture_output=True, text=True, timeout=60)
    assert final.returncode == 0, final.stderr

    accepted = get(emulator["graph_url"] + "/__emulator/accepted")
    counts = Counter(a["to"] for a in accepted)
    assert max(counts.values()) == 1  # no duplicate, across the kills and resumes
    assert set(counts) == set(recipients) - opted_out  # 950 sent, the 50 never
    assert {a["payload"].get("type") for a in accepted} == {"template"}

    with report.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == N
    status = Counter(r["status"] for r in rows)
    assert status == {"sent": N - OPTED_OUT, "opted_out": OPTED_OUT}
    assert {r["to"] for r in rows if r["status"] == "opted_out"} == opted_out
    wamids = {a["to"]: a["wamid"] for a in accepted}
    assert all(r["wamid"] == wamids[r["to"]] for r in rows if r["status"] == "sent")
    # The final run sent the rows that never arrived: Meta's answer to each is in the report.
    sent_by_final = [r for r in rows if r["status"] == "sent" and r["message_status"]]
    assert all(r["message_status"] == "accepted" for r in sent_by_final)
