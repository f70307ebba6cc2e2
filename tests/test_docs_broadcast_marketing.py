"""Every Python sample of the marketing section of docs/broadcast.md runs as written against the emulator."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parent.parent / "docs" / "broadcast.md"
SECTION = DOC.read_text().split("## Marketing broadcasts and opt-outs", 1)[1].split("\n## ", 1)[0]
SAMPLES = re.findall(r"```python\n(.*?)```", SECTION, flags=re.S)


async def test_there_are_samples() -> None:
    assert len(SAMPLES) == 3


@pytest.mark.parametrize("source", SAMPLES, ids=[f"sample{i}" for i in range(len(SAMPLES))])
async def test_sample_runs(source: str, capsys: pytest.CaptureFixture[str]) -> None:
    # A sample runs its own event loop (asyncio.run): in a thread, away from this test's loop.
    namespace = {"__name__": "__main__"}
    await asyncio.to_thread(exec, compile(source, str(DOC), "exec"), namespace)
    out = capsys.readouterr().out
    if "broadcast(" in source:
        assert out.startswith("9 1 {'accepted': 9}") and "15550000003 opted_out None" in out
    elif "import_file" in source:
        assert out.splitlines() == ["2", "True", "{'4915100000002'} 2"]
    else:
        assert "app" in namespace
