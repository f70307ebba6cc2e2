"""What the test servers share (redis-server, postgres): a free loopback port, a temporary directory, a process
started with retries in case the port was taken meanwhile, and stopped by its PID (never by name)."""

from __future__ import annotations

import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Self

__all__ = ["LoopbackServer", "free_port"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on (now)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class LoopbackServer:
    """A server process on ``self.port``: subclasses say how to launch it, when it is ready, how to stop it."""

    name = "server"
    log_name = "server.log"
    poll = 0.02  # seconds between readiness checks

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """The server's PID while it runs."""
        return self._proc.pid if self._proc else None

    def _prepare(self, root: Path) -> None:
        """Set up the directory once, before the first launch."""

    def _launch(self, root: Path, log: Path) -> subprocess.Popen[bytes]:
        raise NotImplementedError

    def _ready(self) -> bool:
        raise NotImplementedError

    def _shutdown(self, proc: subprocess.Popen[bytes]) -> None:
        """Stop the running process (SIGTERM, then SIGKILL)."""
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)

    def start(self, timeout: float = 10.0) -> None:
        """Start the server and wait until it answers; pick another port if this one was taken."""
        if self._dir is None:
            self._dir = tempfile.TemporaryDirectory(prefix=f"wa-{self.name}-")
            self._prepare(Path(self._dir.name))
        root = Path(self._dir.name)
        log = root / self.log_name
        for _attempt in range(5):
            self._proc = self._launch(root, log)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self._proc.poll() is None:
                if self._ready():
                    return
                time.sleep(self.poll)
            self._reap()
            self.port = free_port()  # most likely the port was taken between choosing and binding
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise RuntimeError(f"{self.name} did not start:\n{tail}")

    def stop(self) -> None:
        """Stop the server by its PID; its directory is kept for a restart."""
        self._reap()

    def close(self) -> None:
        """Stop the server and remove its directory."""
        self._reap()
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None

    def _reap(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            self._shutdown(proc)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
