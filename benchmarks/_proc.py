"""Child processes for the benchmarks: servers that announce their port, and one-shot runners that print JSON."""

from __future__ import annotations

import asyncio
import json
import os
import resource
import subprocess
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

__all__ = ["Server", "child_main", "cpu_seconds", "run_json"]

_ROOT = Path(__file__).resolve().parent.parent
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds used so far by process ``pid`` (Linux /proc), or None elsewhere."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


class Server:
    """A server module run as its own process (``python -m <module> --port 0``), stopped by SIGTERM."""

    def __init__(self, module: str, *args: str) -> None:
        self.module = module
        self.args = args
        self.proc: subprocess.Popen[str] | None = None
        self.port = 0

    def __enter__(self) -> Server:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", self.module, "--port", "0", *self.args],
            stdout=subprocess.PIPE,
            text=True,
            env=_env(),
            cwd=_ROOT,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError(f"{self.module} did not start: {line!r}")
        self.port = int(line.split()[1])
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            if self.proc.stdout is not None:
                self.proc.stdout.close()

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def run_json(module: str, payload: dict[str, Any], timeout: float = 300.0) -> dict[str, Any]:
    """Run ``python -m module`` in a fresh process with ``payload`` as JSON on stdin; return its last JSON line.

    A child that fails is reported as ``{"error": ...}`` (its stderr tail), never raised, so that one broken
    contender never hides the others.
    """
    try:
        done = subprocess.run(
            [sys.executable, "-m", module],
            input=json.dumps(payload),
            capture_output=True,
            text=True,
            timeout=timeout,
            env=_env(),
            cwd=_ROOT,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("{"):
            try:
                result: dict[str, Any] = json.loads(line)
            except ValueError:
                continue
            return result
    tail = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}, no output"])[-1]
    return {"error": tail[-500:]}


def child_main(run: Callable[[dict[str, Any]], Coroutine[Any, Any, dict[str, Any]]]) -> None:
    """A child's entry point: read the JSON config on stdin, run ``run(cfg)`` in a fresh event loop (uvloop when
    ``cfg["uvloop"]``), print its result (or ``{"error": ...}``) as one JSON line, plus the peak RSS."""
    cfg = json.loads(sys.stdin.read())
    try:
        if cfg.get("uvloop"):
            import uvloop

            result = uvloop.run(run(cfg))
        else:
            result = asyncio.run(run(cfg))
    except BaseException as e:  # a contender that fails is a result, not a crash
        result = {"error": f"{type(e).__name__}: {e}"[:500]}
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sys.stdout = sys.__stdout__
    print(json.dumps(result), flush=True)
