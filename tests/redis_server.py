"""A real ``redis-server`` on a free 127.0.0.1 port in a temporary directory, for tests and benchmarks.

::

    with RedisServer() as server:
        redis = redis.asyncio.Redis.from_url(server.url)

It is stopped by its PID (never by name). A missing ``redis-server`` is an error, not a skip: the tests that
need it must fail loudly in CI (install it with ``apt-get install -y redis-server``).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

__all__ = ["RedisServer", "RedisServerMissing"]


class RedisServerMissing(RuntimeError):
    """``redis-server`` is not on PATH."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _serves(port: int, pid: int) -> bool:
    """Whether the redis-server with this PID answers on the port (not some other server that holds it)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"INFO server\r\n")
            data = b""
            while b"process_id:" not in data or not data.split(b"process_id:")[1].count(b"\r\n"):
                chunk = s.recv(4096)
                if not chunk:
                    return False
                data += chunk
            return data.split(b"process_id:")[1].split(b"\r\n")[0] == str(pid).encode()
    except OSError:
        return False


class RedisServer:
    """One ``redis-server`` process: ``start()``, ``stop()``, ``url``; restartable on the same port."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or _free_port()
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def start(self, timeout: float = 10.0) -> None:
        """Start the server and wait until it answers; pick another port if this one was taken."""
        exe = shutil.which("redis-server")
        if exe is None:
            raise RedisServerMissing(
                "redis-server is not installed (needed by the RedisLimiter tests): apt-get install -y redis-server"
            )
        if self._dir is None:
            self._dir = tempfile.TemporaryDirectory(prefix="wa-redis-")
        for _attempt in range(5):
            log = Path(self._dir.name) / "redis.log"
            self._proc = subprocess.Popen(
                [exe, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self._dir.name,
                 "--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", str(log)],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self._proc.poll() is None:
                if _serves(self.port, self._proc.pid):
                    return
                time.sleep(0.02)
            self._reap()
            self.port = _free_port()  # most likely the port was taken between choosing and binding
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise RuntimeError(f"redis-server did not start:\n{tail}")

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL) by its PID; the data directory is kept for a restart."""
        self._reap()

    def close(self) -> None:
        """Stop the server and remove its directory."""
        self._reap()
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None

    def _reap(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
