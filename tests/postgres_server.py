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
import subprocess
from pathlib import Path

from tests._server import LoopbackServer

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


class PostgresServer(LoopbackServer):
    """One ``postgres`` process on its own cluster: ``start()``, ``stop()``, ``url``, ``pid``.

    ``fsync=False`` (the default here) makes commits cheap, as a test needs; a benchmark passes ``fsync=True``.
    """

    name = "postgres"
    poll = 0.05

    def __init__(self, *, fsync: bool = False) -> None:
        super().__init__()
        self.fsync = fsync

    @property
    def url(self) -> str:
        """A connection URL for the ``postgres`` database."""
        return f"postgresql://{_USER}@127.0.0.1:{self.port}/postgres"

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
        super().start(timeout)

    def _prepare(self, root: Path) -> None:
        os.chmod(root, 0o755)  # the postgres user must reach its data directory
        data = root / "data"
        data.mkdir(mode=0o700)
        user = self._user()
        if user is not None:
            os.chown(data, user.pw_uid, user.pw_gid)
        subprocess.run(
            [str(find_bindir() / "initdb"), "-D", str(data), "-U", _USER, "--auth=trust", "--no-sync", "-E", "UTF8",
             "--locale=C"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd="/", **self._run_as(),
        )  # fmt: skip

    def _launch(self, root: Path, log: Path) -> subprocess.Popen[bytes]:
        data = root / "data"
        options = ["-D", str(data), "-p", str(self.port), "-c", "listen_addresses=127.0.0.1",
                   "-c", f"unix_socket_directories={data}", "-c", f"fsync={'on' if self.fsync else 'off'}",
                   "-c", "max_connections=200", "-c", "shared_buffers=32MB"]  # fmt: skip
        if not self.fsync:
            options += ["-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        with log.open("ab") as out:
            return subprocess.Popen(
                [str(find_bindir() / "postgres"), *options], stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, cwd="/", start_new_session=True, **self._run_as(),
            )  # fmt: skip

    def _run_as(self) -> dict[str, int]:
        user = self._user()
        return {} if user is None else {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}

    def _ready(self) -> bool:
        isready = find_bindir() / "pg_isready"
        done = subprocess.run([str(isready), "-h", "127.0.0.1", "-p", str(self.port), "-U", _USER, "-q"],
                              check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        return done.returncode == 0

    def _shutdown(self, proc: subprocess.Popen[bytes]) -> None:
        """A fast shutdown (SIGINT, postgres's own), SIGKILL to its session if it hangs."""
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGINT)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # its own session: postgres and its children, by PID
            proc.wait(5)
