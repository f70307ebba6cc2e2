"""What the crash tests (``tests/test_broadcast*_crash.py``) share: an emulator in a process of its own, slowed a
little so requests are in flight when a test kills a sender, and readers for what it and a killed run left.

The emulator keeps its accepted log across the runs a test starts against it; it is stopped by PID.
"""

from __future__ import annotations

import contextlib
import csv
import json
import sqlite3
import sys
import textwrap
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.emulator_process import emulator_process
from wa_async._journal_marks import marks_path, read_marks

LATENCY = 0.02  # seconds the emulator takes to answer each request

_EMULATOR = textwrap.dedent("""
    import asyncio
    import json
    import sys

    from wa_async.emulator import Fault, serve
    from wa_async.emulator._serve import describe

    templates, latency = json.loads(sys.argv[1]), float(sys.argv[2])

    def ready(emu):
        for name, language, category, components in templates:
            emu.templates.add(name, language, category, components)
        print(describe(emu), flush=True)

    asyncio.run(serve(port=0, rate_limit=None, faults=[Fault("latency", delay=latency)], ready=ready))
""")

Template = tuple[str, str, str, list[dict[str, Any]]]


@contextlib.contextmanager
def slow_emulator(*templates: Template) -> Iterator[dict[str, str]]:
    """The emulator, without a rate limit, answering each request after ``LATENCY`` seconds, with these
    ``(name, language, category, components)`` templates added to its own; yields its URLs and ids (see
    ``tests/emulator_process.py``)."""
    argv = [sys.executable, "-c", _EMULATOR, json.dumps(templates), str(LATENCY)]
    with emulator_process(argv=argv) as info:
        yield info


def get(url: str) -> Any:
    """The JSON at one of the emulator's URLs (loopback only)."""
    with urllib.request.urlopen(url, timeout=10) as resp:
        return json.loads(resp.read())


def journal_states(path: Path) -> dict[str, str]:
    """Each recipient's state; a row the journal file has pending but its marks file marks is in flight."""
    marked = read_marks(marks_path(path))
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT row, recipient, state FROM rows").fetchall()
    finally:
        conn.close()
    return {to: "inflight" if state == "pending" and row in marked else state for row, to, state in rows}


def check_outcome(emulator: dict[str, str], recipients: list[str], report: Path, in_flight: set[str]) -> None:
    """After the kills and the final run: nothing accepted twice, every recipient in the report, the unknown rows
    exactly those in flight at the kills, and every sent row with the wamid the emulator gave it."""
    accepted = get(emulator["graph_url"] + "/__emulator/accepted")
    assert isinstance(accepted, list)
    counts = Counter(a["to"] for a in accepted)
    assert max(counts.values()) == 1  # at most once per recipient
    wamids = {a["to"]: a["wamid"] for a in accepted}
    with report.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(recipients)
    status = {r["to"]: r["status"] for r in rows}
    assert set(status) == set(recipients)  # every recipient has an outcome
    assert set(status.values()) <= {"sent", "unknown", "failed"}
    unknown = {to for to, s in status.items() if s == "unknown"}
    sent = {to for to, s in status.items() if s == "sent"}
    assert unknown == in_flight  # exactly the rows in flight at the kills
    assert sent <= set(wamids)
    assert set(wamids) <= sent | unknown
    assert all(r["wamid"] == wamids[r["to"]] for r in rows if r["status"] == "sent")
