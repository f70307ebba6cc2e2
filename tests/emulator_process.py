"""The emulator in a process of its own, for tests that need it out of process (CLI, crash, multi-process)."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def emulator_process(*args: str, argv: Sequence[str] | None = None) -> Iterator[dict[str, str]]:
    """Start ``python -m wa_async.emulator --port 0 ARGS`` (or ``argv``), yield the lines it prints as a dict
    (``gateway_url``, ``graph_url``, ``ctrl_url``, ``phone_number_id``, ``waba_id``, ``stats``), stop it by PID."""
    command = list(argv) if argv is not None else [sys.executable, "-m", "wa_async.emulator", "--port", "0", *args]
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True) as proc:
        try:
            info: dict[str, str] = {}
            assert proc.stdout is not None
            while "stats" not in info:
                line = proc.stdout.readline()
                assert line, f"the emulator exited ({proc.poll()}) before it listened"
                name, _, value = line.strip().partition(" ")
                info[name] = value.strip()
            yield info
        finally:
            proc.terminate()
            proc.wait(10)
