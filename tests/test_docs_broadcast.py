"""Every Python sample in docs/broadcast.md runs as written; the PostgreSQL ones against a throwaway cluster.

The samples read the journal's URL from ``WA_JOURNAL_URL``, as a deployment would; here it names the fixture's
server. Each runs in a fresh directory, so the SQLite samples' files do not meet.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.postgres_server import PostgresServer

DOC = Path(__file__).resolve().parent.parent / "docs" / "broadcast.md"
SAMPLES = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)


@pytest.fixture(scope="module")
def pg() -> Iterator[PostgresServer]:
    with PostgresServer() as server:
        yield server


def test_there_are_samples() -> None:
    assert len(SAMPLES) == 5
    assert sum("WA_JOURNAL_URL" in s for s in SAMPLES) == 2


@pytest.mark.parametrize("source", SAMPLES, ids=[f"sample{i}" for i in range(len(SAMPLES))])
def test_sample_runs(source: str, pg: PostgresServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                     capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WA_JOURNAL_URL", pg.url)
    exec(compile(source, str(DOC), "exec"), {"__name__": "__main__"})
    out = capsys.readouterr().out
    if 'job="spring-sale"' in source:
        assert out.splitlines()[0] == "20 0 0"
        assert "{'sent': 20}" in out and "'done'" in out
    if 'job="autumn-sale"' in source:
        assert out.strip() == "20 20 20"
    assert os.getcwd() == str(tmp_path)
