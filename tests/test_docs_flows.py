"""Every Python sample in docs/flows.md runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parent.parent / "docs" / "flows.md"
SAMPLES = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)


def test_there_are_samples() -> None:
    assert len(SAMPLES) == 3


@pytest.mark.parametrize("source", SAMPLES, ids=[f"sample{i}" for i in range(len(SAMPLES))])
def test_sample_runs(source: str, capsys: pytest.CaptureFixture[str]) -> None:
    exec(compile(source, str(DOC), "exec"), {"__name__": "__main__"})
    out = capsys.readouterr().out
    if "aiohttp_handler" in source:
        assert "200 {'screen': 'CONFIRM', 'data': {'summary': 'Repairs, 2026-03-03 at 10:30'}}" in out
