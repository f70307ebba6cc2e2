"""``wa-async broadcast-status``: a broadcast job's progress, read from its journal (while it runs, or after).

With a postgresql:// journal and --job NAME: rows sent, failed, unknown, in flight and pending, in all and per
worker (host, process, state). With a SQLite journal file: the rows per state. Exit codes: 0 shown, 2 no such job
or an unusable journal.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .._journal import JournalError, is_postgres_url
from ._common import EXIT_OK, EXIT_USAGE, UsageError

__all__ = ["main", "register", "run"]

_STATES = ("sent", "failed", "unknown", "inflight", "pending")


def register(subparsers: Any) -> None:
    """Add the ``broadcast-status`` subcommand."""
    p = subparsers.add_parser(
        "broadcast-status", help="show a broadcast job's progress from its journal",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    _add_arguments(p)
    p.set_defaults(func=run)


def _add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--journal", required=True, metavar="FILE|URL", help="the job's SQLite journal or postgresql:// URL")
    p.add_argument("--job", metavar="NAME", help="the job's name (a postgresql:// journal)")
    p.add_argument("--json", action="store_true", help="print the status as JSON")


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``broadcast-status`` on its own."""
    parser = argparse.ArgumentParser(prog="wa-async broadcast-status", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    _add_arguments(parser)
    return run(parser.parse_args(argv))


def run(args: argparse.Namespace) -> int:
    """Read and show the status. Returns the exit code."""
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        status = asyncio.run(_status(args))
    except (UsageError, JournalError) as e:
        err.print(f"[red]error:[/] {escape(str(e))}")
        return EXIT_USAGE
    if args.json:
        print(json.dumps(status, indent=1))
    else:
        _show(Console(highlight=False, soft_wrap=True), status)
    return EXIT_OK


async def _status(args: argparse.Namespace) -> dict[str, Any]:
    if not is_postgres_url(args.journal):
        if args.job is not None:
            raise UsageError("--job names a job in a postgresql:// journal; a SQLite journal file is one job")
        import os

        from .._journal import Journal

        if not await asyncio.to_thread(os.path.exists, args.journal):
            raise UsageError(f"no journal {args.journal}")
        async with Journal(args.journal) as journal:
            counts = await journal.counts()
        return {"journal": args.journal, "job": None, "counts": counts, "total": sum(counts.values()), "workers": []}
    if not args.job:
        raise UsageError("a postgresql:// --journal needs --job NAME")
    from .._journal_postgres import PostgresJournal, redact_url

    async with PostgresJournal(args.journal, job=args.job) as journal:
        job = await journal.status()
    workers = [{"id": w.id, "host": w.host, "pid": w.pid, "run": w.run, "state": w.state, "started": w.started,
                "counts": w.counts} for w in job.workers]  # fmt: skip
    return {"journal": redact_url(args.journal), "job": job.job, "job_id": job.job_id, "runs": job.runs,
            "counts": job.counts, "total": job.total, "workers": workers}  # fmt: skip


def _show(out: Console, status: dict[str, Any]) -> None:
    counts, total = status["counts"], status["total"]
    title = f"job {status['job']!r}" if status["job"] else f"journal {status['journal']}"
    table = Table(title=escape(title), show_header=True)
    table.add_column("state")
    table.add_column("rows", justify="right")
    table.add_column("", justify="right")
    for state in _STATES:
        n = counts.get(state, 0)
        table.add_row(state, str(n), f"{n / total:.1%}" if total else "")
    table.add_row("[bold]total[/]", str(total), "")
    out.print(table)
    if status["workers"]:
        workers = Table(title="workers", show_header=True)
        for column in ("worker", "host", "pid", "state", *_STATES):  # --json adds when each started
            workers.add_column(column, justify="right" if column in (*_STATES, "pid") else "left")
        for w in status["workers"]:
            c = w["counts"]
            workers.add_row(w["id"][:8], escape(w["host"]), str(w["pid"]), w["state"],
                            *(str(c.get(s, 0)) for s in _STATES))  # fmt: skip
        out.print(workers)
    done = sum(counts.get(s, 0) for s in ("sent", "failed", "unknown"))
    out.print(f"{done} of {total} rows settled" + (f" ({done / total:.1%})" if total else ""))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
