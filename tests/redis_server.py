"""A real ``redis-server`` on a free 127.0.0.1 port in a temporary directory, for tests and benchmarks.

```python
with RedisServer() as server:
    redis = redis.asyncio.Redis.from_url(server.url)
```

It is stopped by its PID (never by name). A missing ``redis-server`` is an error, not a skip: the tests that
need it must fail loudly in CI (install it with ``apt-get install -y redis-server``).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
from pathlib import Path

from tests._server import LoopbackServer

__all__ = ["RedisServer", "RedisServerMissing"]


class RedisServerMissing(RuntimeError):
    """``redis-server`` is not on PATH."""




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


class RedisServer(LoopbackServer):
    """One ``redis-server`` process: ``start()``, ``stop()``, ``url``; restartable on the same port."""

    name = "redis-server"
    log_name = "redis.log"

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:{port}/0``."""
        return f"redis://127.0.0.1:{self.port}/0"

    def _launch(self, root: Path, log: Path) -> subprocess.Popen[bytes]:
        exe = shutil.which("redis-server")
        if exe is None:
            raise RedisServerMissing(
                "redis-server is not installed (needed by the RedisLimiter tests): apt-get install -y redis-server"
            )
        return subprocess.Popen(
            [exe, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(root),
             "--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", str(log)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def _ready(self) -> bool:
        return self._proc is not None and _serves(self.port, self._proc.pid)
