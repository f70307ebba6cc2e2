"""``wa-async broadcast``: a template to every recipient of a CSV or JSON-lines file, journaled and resumable.

Every row is checked before the first send. Ctrl-C stops cleanly (requests on the wire finish, the journal is
consistent); running the same command again resumes. Exit codes: 0 the job ran to its end (whatever each row's
outcome), 2 a usage or input error, 130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import math
import os
import re
import shlex
import signal
import sys
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import msgspec
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .._broadcast import BroadcastReport, broadcast
from .._errors import ValidationError, WhatsAppError
from .._journal import Journal, JournalError, JournalRow
from .._messages import Template
from ._redis import RedisOptionError, add_redis_arguments, default_key, redis_limiter

__all__ = ["main", "register", "run"]

_SEPARATORS = re.compile(r"[\s\-().]")  # written in numbers for humans: "+49 (151) 123-45"
_SHOW_BAD = 20
EXIT_OK, EXIT_USAGE, EXIT_INTERRUPTED = 0, 2, 130


class UsageError(Exception):
    """A mistake in the command or its input: one line, exit 2."""


class BadRow(msgspec.Struct, frozen=True):
    """An input row that cannot be sent, with its line number."""

    line: int
    phone: str
    reason: str


def register(subparsers: Any) -> None:
    """Add the ``broadcast`` subcommand; its handler is ``args.func(args) -> int`` (the exit code)."""
    p = subparsers.add_parser(
        "broadcast", help="send a template to every recipient in a file, resumably",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_arguments(p)
    p.set_defaults(func=run)


def _add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("recipients", metavar="RECIPIENTS", help="CSV with a phone column, or JSON lines (.jsonl)")
    p.add_argument("--template", required=True, help="the approved template's name")
    p.add_argument("--language", default="en_US", help="the template's language code (default en_US)")
    p.add_argument("--param", action="append", default=[], metavar="COLUMN",
                   help="a column giving the next body parameter, in order (repeat)")
    p.add_argument("--journal", required=True, metavar="FILE",
                   help="the job's SQLite journal; run again with the same file to resume")
    p.add_argument("--phone-column", default="phone", metavar="NAME", help="the recipients' column (default phone)")
    p.add_argument("--rate", type=float, default=None, metavar="N",
                   help="requests per second (default: the account's; 0: no limit)")
    p.add_argument("--resend-unknown", action="store_true",
                   help="send again the rows whose outcome is unknown (they may have been delivered)")
    p.add_argument("--skip-invalid", action="store_true", help="skip rows that fail the checks and send the rest")
    p.add_argument("--report", metavar="FILE", help="write a CSV: to,status,wamid,error, one row per recipient")
    p.add_argument("--sandbox", action="store_true", help="send to an in-process emulator, not WhatsApp")
    p.add_argument("--phone-number-id", dest="bc_phone_number_id", metavar="ID",
                   help="the sending number's id (env WA_PHONE_NUMBER_ID)")
    p.add_argument("--api-key", dest="bc_api_key", metavar="KEY", help="Maton API key (env MATON_API_KEY)")
    p.add_argument("--access-token", dest="bc_access_token", metavar="TOKEN",
                   help="Graph access token, to call Meta directly (env WA_ACCESS_TOKEN)")
    p.add_argument("--base-url", dest="bc_base_url", metavar="URL", help="API base URL (env WA_BASE_URL)")
    add_redis_arguments(p)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``broadcast`` on its own (the ``wa-async`` entry point normally calls :func:`run`)."""
    parser = argparse.ArgumentParser(prog="wa-async broadcast", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_arguments(parser)
    return run(parser.parse_args(argv))


def run(args: argparse.Namespace) -> int:
    """The command: check the input, send, report. Returns the exit code."""
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        source = Recipients(Path(args.recipients), args.phone_column, args.param, args.template, args.language)
        bad = source.check()
        if bad:
            _show_bad(err, bad)
            if not args.skip_invalid:
                err.print(f"[red]error:[/] {len(bad)} invalid row(s); fix them, or pass --skip-invalid to send "
                          "the others")
                return EXIT_USAGE
        if not source.valid:
            raise UsageError(f"{args.recipients}: no valid recipients")
        report = asyncio.run(_send(args, source))
    except (UsageError, JournalError, RedisOptionError) as e:
        err.print(f"[red]error:[/] {escape(str(e))}")
        return EXIT_USAGE
    except WhatsAppError as e:
        err.print(f"[red]error:[/] {type(e).__name__}: {escape(str(e))}")
        err.print(f"Nothing more was sent. Fix this and run the same command to resume the job in {args.journal}.")
        return 1
    if report is None:
        err.print(f"[yellow]Interrupted.[/] The journal {args.journal} is consistent. To resume, run:\n"
                  f"  {_command()}\nSent rows are skipped; rows that were in flight are reported unknown "
                  "(add --resend-unknown to send them again).")
        return EXIT_INTERRUPTED
    _show_report(Console(highlight=False, soft_wrap=True), report, args)
    if bad and args.skip_invalid:
        err.print(f"{len(bad)} invalid row(s) skipped.")
    return EXIT_OK


class Recipients:
    """The input file, read lazily: :meth:`check` reads it once; iterating reads it again, valid rows only."""

    def __init__(self, path: Path, phone_column: str, params: list[str], template: str, language: str) -> None:
        self.path = path
        self.phone_column = phone_column
        self.params = params
        self.template = template
        self.language = language
        self.valid = 0
        self.bad: list[BadRow] = []
        self._bad_lines: set[int] = set()
        if not path.is_file():
            raise UsageError(f"{path}: no such file")
        self.jsonl = path.suffix.lower() in (".jsonl", ".ndjson", ".json") or self._looks_like_json()

    def __len__(self) -> int:
        return self.valid

    def __iter__(self) -> Iterator[Template]:
        for line, fields in self._rows():
            if line not in self._bad_lines:
                yield self._message(fields)

    def check(self) -> list[BadRow]:
        """Build every row's message once (numbers and parameters checked), counting and listing the bad ones."""
        for line, fields in self._rows():
            try:
                self._message(fields)
            except (ValidationError, ValueError) as e:
                self.bad.append(BadRow(line, str(fields.get(self.phone_column, "")), str(e)))
                self._bad_lines.add(line)
            else:
                self.valid += 1
        return self.bad

    def _message(self, fields: dict[str, Any]) -> Template:
        if "__error__" in fields:
            raise ValueError("not a JSON object")
        phone = _SEPARATORS.sub("", str(fields.get(self.phone_column) or ""))
        if not phone:
            raise ValueError(f"no value in column {self.phone_column!r}")
        values = []
        for column in self.params:
            value = fields.get(column)
            if value is None or str(value).strip() == "":
                raise ValueError(f"no value in column {column!r}")
            values.append({"type": "text", "text": str(value)})
        components = ({"type": "body", "parameters": values},) if values else ()
        return Template(phone, self.template, language=self.language, components=components)

    def _rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        try:
            with self.path.open(newline="", encoding="utf-8-sig") as f:
                yield from (self._json_rows(f) if self.jsonl else self._csv_rows(f))
        except UnicodeDecodeError as e:
            raise UsageError(f"{self.path}: not UTF-8 text ({e.reason})") from e
        except OSError as e:
            raise UsageError(f"{self.path}: {e.strerror or e}") from e

    def _csv_rows(self, f: IO[str]) -> Iterator[tuple[int, dict[str, Any]]]:
        reader = csv.DictReader(f)
        columns = reader.fieldnames or []
        for needed in (self.phone_column, *self.params):
            if needed not in columns:
                raise UsageError(f"{self.path}: no column {needed!r} (columns: {', '.join(columns) or 'none'})")
        for fields in reader:
            yield reader.line_num, fields

    def _json_rows(self, f: IO[str]) -> Iterator[tuple[int, dict[str, Any]]]:
        for number, text in enumerate(f, start=1):
            if not text.strip():
                continue
            try:
                fields = json.loads(text)
            except json.JSONDecodeError:
                fields = None
            if not isinstance(fields, dict):
                fields = {"__error__": True}
            yield number, fields

    def _looks_like_json(self) -> bool:
        with contextlib.suppress(OSError, UnicodeDecodeError), self.path.open(encoding="utf-8-sig") as f:
            return f.read(64).lstrip().startswith("{")
        return False


async def _send(args: argparse.Namespace, source: Recipients) -> BroadcastReport | None:
    """Run the job; ``None`` when interrupted (after a clean stop)."""
    job = {"template": args.template, "language": args.language, "params": args.param,
           "phone_column": args.phone_column}
    async with contextlib.AsyncExitStack() as stack:
        client = await stack.enter_async_context(await _client(args, stack))
        task = asyncio.create_task(
            broadcast(client, source, journal=args.journal, progress=True,
                      resend_unknown=args.resend_unknown, job=job)
        )
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, task.cancel)
                stack.callback(loop.remove_signal_handler, sig)
        try:
            report = await task
        except asyncio.CancelledError:
            if task.cancelled() and not _current_cancelling():
                return None
            raise
        if args.report:
            await _write_report(Path(args.report), Path(args.journal), source.bad)
        return report
    return None  # pragma: no cover  (the stack does not swallow exceptions)


def _current_cancelling() -> int:
    task = asyncio.current_task()
    return task.cancelling() if task is not None else 0


async def _client(args: argparse.Namespace, stack: contextlib.AsyncExitStack) -> Any:
    from .._client import Client  # the client pulls in aiohttp; keep `--help` fast
    from .._options import GRAPH_RATE, MATON_RATE

    options: dict[str, Any] = {}
    if args.rate is not None:
        if not args.rate >= 0:
            raise UsageError("--rate must be 0 (no limit) or a positive number")
        options["rate_limit"] = args.rate or None
    if args.sandbox:
        from ..emulator import Emulator

        rate = options.get("rate_limit", 10.0)  # the gateway's own limit by default
        limit = None if rate is None else max(10, math.ceil(rate))
        emu = await stack.enter_async_context(Emulator(rate_limit=limit, check_templates=False))
        await _share_limit(args, stack, options, emu.phone_number_id, MATON_RATE)
        return Client.maton(emu.phone_number_id, api_key="sandbox", base_url=emu.gateway_url, **options)
    phone_number_id = args.bc_phone_number_id or getattr(args, "phone_number_id", None) or os.environ.get(
        "WA_PHONE_NUMBER_ID")
    if not phone_number_id:
        raise UsageError("no sending number: pass --phone-number-id or set WA_PHONE_NUMBER_ID (or try --sandbox)")
    base_url = args.bc_base_url or getattr(args, "base_url", None) or os.environ.get("WA_BASE_URL")
    if base_url:
        options["base_url"] = base_url
    token = args.bc_access_token or getattr(args, "access_token", None) or os.environ.get("WA_ACCESS_TOKEN")
    if token:
        await _share_limit(args, stack, options, phone_number_id, GRAPH_RATE)
        return Client.graph(phone_number_id, access_token=token, **options)
    api_key = args.bc_api_key or getattr(args, "api_key", None) or os.environ.get("MATON_API_KEY")
    if not api_key:
        raise UsageError("no credentials: set MATON_API_KEY (or --api-key), or WA_ACCESS_TOKEN for Graph")
    await _share_limit(args, stack, options, phone_number_id, MATON_RATE)
    return Client.maton(phone_number_id, api_key=api_key, **options)


async def _share_limit(args: argparse.Namespace, stack: contextlib.AsyncExitStack, options: dict[str, Any],
                       phone_number_id: str, default_rate: float) -> None:
    """With ``--redis-url``, put a :class:`RedisLimiter` in ``options`` (closed with ``stack``, after the client)."""
    if not args.redis_url:
        if args.redis_key:
            raise UsageError("--redis-key needs --redis-url")
        return
    rate = options.get("rate_limit", default_rate)
    if rate is None:
        raise UsageError("--rate 0 (no limit) cannot be shared through --redis-url; give the account's rate")
    key = args.redis_key or default_key(phone_number_id)
    options["limiter"] = await stack.enter_async_context(redis_limiter(args.redis_url, key, rate))


_REPORT_STATUS = {"sent": "sent", "failed": "failed", "unknown": "unknown", "inflight": "unknown",
                  "pending": "failed"}


def report_lines(rows: Sequence[JournalRow]) -> Iterator[list[str]]:
    """CSV rows ``to,status,wamid,error`` for journal rows (a repeated recipient adds ``skipped`` rows)."""
    for r in rows:
        error = r.error or ("not sent" if r.state == "pending" else "")
        yield [r.recipient, _REPORT_STATUS[r.state], r.wamid or "", error]
        for _ in range(r.duplicates):
            yield [r.recipient, "skipped", "", "duplicate in this job"]


async def _write_report(path: Path, journal_path: Path, bad: Sequence[BadRow]) -> None:
    """One row per recipient of the whole job, earlier runs included, then the invalid rows."""
    out = await asyncio.to_thread(_open_report, path)
    try:
        writer = csv.writer(out)
        await asyncio.to_thread(writer.writerow, ["to", "status", "wamid", "error"])
        async with Journal(journal_path) as journal:
            async for chunk in _chunks(journal.rows()):
                await asyncio.to_thread(writer.writerows, list(report_lines(chunk)))
        invalid = [[b.phone, "skipped", "", f"invalid (line {b.line}): {b.reason}"] for b in bad]
        await asyncio.to_thread(writer.writerows, invalid)
    finally:
        await asyncio.to_thread(out.close)


def _open_report(path: Path) -> IO[str]:
    try:
        return path.open("w", newline="", encoding="utf-8")
    except OSError as e:
        raise UsageError(f"cannot write the report {path}: {e.strerror or e}") from e


async def _chunks(rows: AsyncIterator[JournalRow], size: int = 1000) -> AsyncIterator[list[JournalRow]]:
    chunk: list[JournalRow] = []
    async for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _show_bad(err: Console, bad: Sequence[BadRow]) -> None:
    err.print(f"[bold]{len(bad)} invalid row(s):[/]")
    for b in bad[:_SHOW_BAD]:
        err.print(f"  line {b.line}: {b.reason}")
    if len(bad) > _SHOW_BAD:
        err.print(f"  ... and {len(bad) - _SHOW_BAD} more")


def _show_report(out: Console, report: BroadcastReport, args: argparse.Namespace) -> None:
    table = Table(title=f"broadcast {args.template!r}", show_header=True)
    table.add_column("status")
    table.add_column("messages", justify="right")
    for name, count, style in (("sent", report.sent, "green"), ("failed", report.failed, "red"),
                               ("unknown", report.unknown, "yellow"), ("skipped", report.skipped, "dim")):
        table.add_row(f"[{style}]{name}[/]", str(count))
    out.print(table)
    out.print(f"{report.elapsed:.1f} s, {report.rate:.1f} msg/s this run; journal {args.journal}"
              + (f"; report {args.report}" if args.report else ""))
    if report.unknown:
        out.print("Unknown: the request left but no answer came back; it may have been delivered. "
                  "--resend-unknown sends these again.")


def _command() -> str:
    argv = sys.argv[1:]
    with contextlib.suppress(ValueError):  # `wa-async [global options] broadcast ...`
        argv = argv[argv.index("broadcast") + 1:]
    return " ".join(["wa-async", "broadcast", *(shlex.quote(a) for a in argv)])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
