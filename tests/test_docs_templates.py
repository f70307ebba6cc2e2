"""Every Python sample of the Templates section of docs/templates.md runs as written against the emulator."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parent.parent / "docs" / "templates.md"
SECTION = DOC.read_text().split("## Templates", 1)[1].split("\n## ", 1)[0]
SAMPLES = re.findall(r"```python\n(.*?)```", SECTION, flags=re.S)


def test_there_are_samples() -> None:
    assert len(SAMPLES) == 3


@pytest.mark.parametrize("source", SAMPLES, ids=[f"sample{i}" for i in range(len(SAMPLES))])
def test_sample_runs(source: str, capsys: pytest.CaptureFixture[str]) -> None:
    exec(compile(source, str(DOC), "exec"), {"__name__": "__main__"})
    out = capsys.readouterr().out
    assert "wamid." in out or "APPROVED" in out
