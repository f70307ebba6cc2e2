"""``import wa_async`` stays light: the journal's ``sqlite3`` and the progress bar's ``rich`` load only when used."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap


def loaded_after(code: str) -> set[str]:
    """The top-level modules a fresh interpreter has loaded after running ``code``."""
    report = "import json, sys\nprint(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    script = textwrap.dedent(code) + "\n" + report
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_import_wa_async_loads_neither_rich_nor_sqlite3() -> None:
    loaded = loaded_after("""
        import wa_async as wa
        journal = wa.Journal("never-opened.sqlite")   # naming a journal opens nothing
        opt_outs = wa.OptOuts("never-opened-opt-outs.sqlite")   # nor an opt-out store
        report_type = wa.BroadcastReport
    """)
    assert "wa_async" in loaded
    assert not loaded & {"rich", "sqlite3", "_sqlite3"}, loaded & {"rich", "sqlite3", "_sqlite3"}


def test_they_load_when_used(tmp_path: object) -> None:
    loaded = loaded_after(f"""
        import asyncio
        import wa_async as wa
        from wa_async._progress import BroadcastProgress
        async def main():
            async with wa.Journal({str(tmp_path)!r} + "/job.sqlite"):
                pass
        asyncio.run(main())
    """)
    assert {"rich", "sqlite3"} <= loaded
