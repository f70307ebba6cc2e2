"""A throwaway PostgreSQL cluster on a free 127.0.0.1 port in a temporary directory, for tests and benchmarks.

```python
with PostgresServer() as server:
    journal = wa.PostgresJournal(server.url, job="sale")
```

``initdb`` and ``postgres`` refuse to run as root, so as root (CI) they run as the ``postgres`` user that Debian's
``postgresql`` package creates (``subprocess``'s ``user=``), in a directory that user owns. The server is stopped by its
PID (never by name). A missing PostgreSQL is an error, not a skip: the tests that need it must fail loudly in CI
(install it with ``apt-get install -y postgresql``).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

__all__ = ["PostgresServer", "PostgresServerMissing", "find_bindir"]

_USER = "postgres"


class PostgresServerMissing(RuntimeError):
    """PostgreSQL's server programs (``initdb``, ``pg_ctl``, ``postgres``) are not installed."""


def find_bindir() -> Path:
    """Where ``initdb`` and ``postgres`` are: on PATH, else Debian's ``/usr/lib/postgresql/<version>/bin``."""
    found = shutil.which("initdb")
    if found:
        return Path(os.path.realpath(found)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if candidates:
        return Path(candidates[-1]).parent
    raise PostgresServerMissing(
        "PostgreSQL is not installed (needed by the PostgreSQL journal tests): apt-get install -y postgresql"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class PostgresServer:
    """One ``postgres`` process on its own cluster: ``start()``, ``stop()``, ``url``, ``pid``.

    ``fsync=False`` (the default here) makes commits cheap, as a test needs; a benchmark passes ``fsync=True``.
    """

    def __init__(self, *, fsync: bool = False) -> None:
        self.fsync = fsync
        self.port = _free_port()
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"postgresql://{_USER}@127.0.0.1:{self.port}/postgres"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    @staticmethod
    def _user() -> pwd.struct_passwd | None:
        """The unprivileged user to run as when we are root, else ``None``."""
        if os.geteuid() != 0:
            return None
        try:
            return pwd.getpwnam(_USER)
        except KeyError:
            raise PostgresServerMissing(
                f"running as root, PostgreSQL needs an unprivileged '{_USER}' user (Debian's postgresql package "
                "creates it): apt-get install -y postgresql"
            ) from None

    def start(self, timeout: float = 30.0) -> None:
        """Create the cluster (once), start the server and wait until it accepts connections."""
        bindir = find_bindir()
        if self._dir is None:
            self._dir = tempfile.TemporaryDirectory(prefix="wa-postgres-")
            root = Path(self._dir.name)
            os.chmod(root, 0o755)  # the postgres user must reach its data directory
            data = root / "data"
            data.mkdir(mode=0o700)
            user = self._user()
            if user is not None:
                os.chown(data, user.pw_uid, user.pw_gid)
            subprocess.run(
                [str(bindir / "initdb"), "-D", str(data), "-U", _USER, "--auth=trust", "--no-sync", "-E", "UTF8",
                 "--locale=C"],
                check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd="/", **self._run_as(),
            )  # fmt: skip
        data = Path(self._dir.name) / "data"
        log = Path(self._dir.name) / "server.log"
        for _attempt in range(5):
            options = ["-D", str(data), "-p", str(self.port), "-c", "listen_addresses=127.0.0.1",
                       "-c", f"unix_socket_directories={data}", "-c", f"fsync={'on' if self.fsync else 'off'}",
                       "-c", "max_connections=200", "-c", "shared_buffers=32MB"]  # fmt: skip
            if not self.fsync:
                options += ["-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
            with log.open("ab") as out:
                self._proc = subprocess.Popen(
                    [str(bindir / "postgres"), *options], stdin=subprocess.DEVNULL, stdout=out,
                    stderr=subprocess.STDOUT, cwd="/", start_new_session=True, **self._run_as(),
                )  # fmt: skip
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self._proc.poll() is None:
                if self._ready(bindir):
                    return
                time.sleep(0.05)
            self._reap()
            self.port = _free_port()  # most likely the port was taken between choosing and binding
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise RuntimeError(f"postgres did not start:\n{tail}")

    def _run_as(self) -> dict[str, int]:
        user = self._user()
        return {} if user is None else {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}

    def _ready(self, bindir: Path) -> bool:
        isready = bindir / "pg_isready"
        done = subprocess.run([str(isready), "-h", "127.0.0.1", "-p", str(self.port), "-U", _USER, "-q"],
                              check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        return done.returncode == 0

    def stop(self) -> None:
        """Stop the server by its PID (a fast shutdown, SIGKILL if it hangs); the cluster is kept for a restart."""
        self._reap()

    def close(self) -> None:
        """Stop the server and remove its cluster."""
        self._reap()
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None

    def _reap(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        # SIGINT is postgres's "fast shutdown".
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGINT)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # its own session: postgres and its children, by PID
            proc.wait(5)

    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
