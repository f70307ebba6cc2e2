"""Every Python sample of the Templates section of docs/templates.md runs as written against the emulator."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parent.parent / "docs" / "templates.md"
SECTION = DOC.read_text().split("## Templates", 1)[1].split("\n## ", 1)[0]
SAMPLES = re.findall(r"```python\n(.*?)```", SECTION, flags=re.S)


async def test_there_are_samples() -> None:
    assert len(SAMPLES) == 3


@pytest.mark.parametrize("source", SAMPLES, ids=[f"sample{i}" for i in range(len(SAMPLES))])
async def test_sample_runs(source: str, capsys: pytest.CaptureFixture[str]) -> None:
    # A sample runs its own event loop (asyncio.run): in a thread, away from this test's loop.
    code = compile(source, str(DOC), "exec")
    await asyncio.to_thread(exec, code, {"__name__": "__main__"})
    out = capsys.readouterr().out
    assert "wamid." in out or "APPROVED" in out
