"""``wa-async broadcast``: a template to every recipient of a CSV or JSON-lines file, journaled and resumable.

Every row is checked, and the template fetched once to check the parameters (--no-preflight skips that), before
the first send. Ctrl-C stops cleanly (requests on the wire finish, the journal is consistent); running the same
command again resumes. --marketing sends through the Marketing Messages API and skips the users who opted out.
With --journal postgresql://... --job NAME, every host that runs the same command shares the job: each row is sent
by one of them (`wa-async broadcast-status` shows its progress). Exit codes: 0 the job ran to its end, 1 it stopped
on an error no message could get past, 2 a usage or input error, 3 with --strict some rows failed, 4 with
--stop-on-pause Meta paced the template, 130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import math
import os
import shlex
import signal
import sys
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .._broadcast import DEFAULT_OPT_OUTS, BroadcastReport, Outcome, broadcast
from .._errors import ValidationError, WhatsAppError
from .._journal import JournalError, JournalRow, JournalStore, is_postgres_url
from .._opt_outs import OptOuts, OptOutsError
from .._stats import ClientStats
from ._common import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, UsageError, add_target_arguments
from ._preflight import check_template, find_template
from ._recipients import BadRow, Recipients
from ._redis import RedisOptionError, add_redis_arguments, default_key, redact, redis_limiter

__all__ = ["EXIT_PAUSED", "EXIT_STRICT", "journal_name", "journal_store", "main", "register", "report_lines", "run"]

EXIT_STRICT = 3  # --strict: the job ran to its end but some rows failed
EXIT_PAUSED = 4  # --stop-on-pause: Meta paced the template; the rest of the job is pending
_SHOW_BAD = 20
_SHOW_GROUPS = 10


def register(subparsers: Any) -> None:
    """Add the ``broadcast`` subcommand; its handler is ``args.func(args) -> int`` (the exit code)."""
    p = subparsers.add_parser(
        "broadcast", help="send a template to every recipient in a file, resumably",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    _add_arguments(p)
    p.set_defaults(func=run)


def _add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("recipients", metavar="RECIPIENTS",
                   help="CSV with a phone (or user_id) column, or JSON lines (.jsonl)")  # fmt: skip
    p.add_argument("--template", required=True, help="the approved template's name")
    p.add_argument("--language", default="en_US", help="the template's language code (default en_US)")
    p.add_argument("--param", action="append", default=[], metavar="COLUMN",
                   help="a column giving the next body parameter, in order (repeat)")  # fmt: skip
    p.add_argument("--journal", required=True, metavar="FILE|URL",
                   help="the job's SQLite journal, or a postgresql:// URL that several hosts share (with --job); "
                        "run again with the same journal to resume")  # fmt: skip
    p.add_argument("--job", metavar="NAME",
                   help="the job's name in a postgresql:// journal: every process given the same URL and name "
                        "shares the job (needs pip install 'wa-async[postgres]')")  # fmt: skip
    p.add_argument("--lease", type=float, default=30.0, metavar="SECONDS",
                   help="with a postgresql:// journal: how long a silent worker keeps its rows before the others "
                        "report its in-flight rows unknown and send its unsent ones (default 30)")  # fmt: skip
    p.add_argument("--phone-column", default="phone", metavar="NAME", help="the recipients' column (default phone)")
    p.add_argument("--rate", type=float, default=None, metavar="N",
                   help="requests per second (default: the account's; 0: no limit)")  # fmt: skip
    p.add_argument("--resend-unknown", action="store_true",
                   help="send again the rows whose outcome is unknown (they may have been delivered)")  # fmt: skip
    p.add_argument("--skip-invalid", action="store_true", help="skip rows that fail the checks and send the rest")
    p.add_argument("--no-preflight", dest="preflight", action="store_false",
                   help="do not fetch the template to check its parameters before sending")  # fmt: skip
    p.add_argument("--strict", action="store_true", help=f"exit {EXIT_STRICT} when any row failed")
    p.add_argument("--report", metavar="FILE",
                   help="write a CSV: to,status,wamid,error,message_status, one row per recipient")  # fmt: skip
    p.add_argument("--marketing", action="store_true",
                   help="send through the Marketing Messages API (a MARKETING template), skipping opted-out users")
    p.add_argument("--product-policy", choices=["CLOUD_API_FALLBACK", "STRICT"], type=str.upper,
                   help="with --marketing: fall back to the Cloud API, or refuse, where the account is not "
                        "onboarded")  # fmt: skip
    p.add_argument("--opt-outs", metavar="FILE",
                   help="with --marketing: add these users to the opt-out store first (CSV with a phone or "
                        "user_id column, or one a line)")  # fmt: skip
    p.add_argument("--opt-outs-store", metavar="FILE|URL",
                   help=f"with --marketing: the opt-out store, a SQLite file or a redis:// URL (default "
                        f"{DEFAULT_OPT_OUTS} beside the journal)")  # fmt: skip
    p.add_argument("--stop-on-pause", action="store_true",
                   help=f"stop (exit {EXIT_PAUSED}, the rest pending) when Meta answers that it is pacing the "
                        "template (held_for_quality_assessment or paused)")  # fmt: skip
    p.add_argument("--sandbox", action="store_true", help="send to an in-process emulator, not WhatsApp")
    add_target_arguments(p)
    add_redis_arguments(p)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``broadcast`` on its own (the ``wa-async`` entry point normally calls ``run()``)."""
    parser = argparse.ArgumentParser(prog="wa-async broadcast", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    _add_arguments(parser)
    return run(parser.parse_args(argv))


def run(args: argparse.Namespace) -> int:
    """The command: check the input, send, report. Returns the exit code."""
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    bad: list[BadRow] = []
    try:
        _check_paths(args)
        _check_marketing(args)
        source = Recipients(Path(args.recipients), args.phone_column, args.param, args.template, args.language,
                            marketing=args.marketing, product_policy=args.product_policy)  # fmt: skip
        bad = source.check()
        if bad:
            _show_bad(err, bad)
            if not args.skip_invalid:
                err.print(f"[red]error:[/] {len(bad)} invalid row(s); fix them, or pass --skip-invalid to send "
                          "the others")  # fmt: skip
                return EXIT_USAGE
        if not source.valid:
            raise UsageError(f"{args.recipients}: no valid recipients")
        store = journal_store(args)
        sent = asyncio.run(_send(args, source, store, err))
    except KeyboardInterrupt:  # before the job's own Ctrl-C handling is in place: nothing was sent
        err.print("[yellow]Interrupted[/] before sending began; nothing was sent.")
        return EXIT_INTERRUPTED
    except (UsageError, JournalError, RedisOptionError, ValidationError, OptOutsError) as e:
        err.print(f"[red]error:[/] {escape(redact(str(e), args.redis_url))}")
        return EXIT_USAGE
    except WhatsAppError as e:
        err.print(f"[red]error:[/] {type(e).__name__}: {escape(redact(str(e), args.redis_url))}")
        err.print(f"Nothing more was sent. Fix this and run the same command to resume the job in "
                  f"{escape(journal_name(args))}.")  # fmt: skip
        return EXIT_ERROR
    if sent is None:
        err.print(f"[yellow]Interrupted.[/] The journal {escape(journal_name(args))} is consistent. To resume, run:\n"
                  f"  {_command()}\nSent rows are skipped; rows that were in flight are reported unknown "
                  "(add --resend-unknown to send them again).")  # fmt: skip
        return EXIT_INTERRUPTED
    report, stats = sent
    _show_report(Console(highlight=False, soft_wrap=True), report, args, invalid=len(bad))
    Console(highlight=False, soft_wrap=True).print(f"requests: {stats}")
    if report.stopped == "paused":
        err.print(f"[yellow]Stopped:[/] Meta is pacing template {args.template!r}; the rows not sent are pending. "
                  f"Run the same command to resume:\n  {_command()}")  # fmt: skip
        return EXIT_PAUSED
    if args.strict and report.failed:
        err.print(f"[red]--strict:[/] {report.failed} row(s) failed.")
        return EXIT_STRICT
    return EXIT_OK


def journal_store(args: argparse.Namespace) -> JournalStore:
    """The store ``--journal`` (and ``--job``, ``--lease``) name: a SQLite file, or a job in PostgreSQL."""
    if not is_postgres_url(args.journal):
        if args.job is not None:
            raise UsageError("--job names a job in a postgresql:// journal; a SQLite journal file is one job")
        from .._journal import Journal

        return Journal(args.journal)
    if not args.job:
        raise UsageError("a postgresql:// --journal needs --job NAME: the job every worker given the URL shares")
    if not args.lease > 0 or not math.isfinite(args.lease):
        raise UsageError("--lease must be a positive number of seconds")
    from .._journal_postgres import PostgresJournal

    return PostgresJournal(args.journal, job=args.job, lease=args.lease)


def journal_name(args: argparse.Namespace) -> str:
    """``--journal`` for messages: a URL's password hidden, and the job named."""
    if not is_postgres_url(args.journal):
        return str(args.journal)
    from .._journal_postgres import redact_url

    return f"{redact_url(args.journal)} (job {args.job})"


def _check_marketing(args: argparse.Namespace) -> None:
    """The marketing options go together."""
    if args.marketing:
        return
    for flag, value in (("--product-policy", args.product_policy), ("--opt-outs", args.opt_outs),
                        ("--opt-outs-store", args.opt_outs_store)):  # fmt: skip
        if value:
            raise UsageError(f"{flag} goes with --marketing (opt-outs are about marketing messages)")


def _check_paths(args: argparse.Namespace) -> None:
    """Refuse a report that would overwrite the journal or the input, or that cannot be written, before sending."""
    if not args.report:
        return
    report = Path(args.report)
    others = [(Path(args.recipients), "the recipients file")]
    if not is_postgres_url(args.journal):
        others.insert(0, (Path(args.journal), "--journal"))
    for other, what in others:
        if _same_file(report, other):
            raise UsageError(f"--report {args.report} is {what}; writing the report would destroy it")
    existed = report.exists()
    try:
        with report.open("a", encoding="utf-8"):
            pass
    except OSError as e:
        raise UsageError(f"cannot write the report {args.report}: {e.strerror or e}") from None
    if not existed:
        report.unlink(missing_ok=True)


def _same_file(a: Path, b: Path) -> bool:
    """Whether two spellings name one file: symlinks, ``./``, relative or absolute, hard links."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist yet
        return False


async def _send(
    args: argparse.Namespace, source: Recipients, store: JournalStore, err: Console
) -> tuple[BroadcastReport, ClientStats] | None:
    """Run the job; ``None`` when interrupted (after a clean stop)."""
    job: dict[str, Any] = {"template": args.template, "language": args.language, "params": args.param,
                           "phone_column": args.phone_column}  # fmt: skip
    if args.product_policy:  # only when given, so that journals begun before the option still match their jobs
        job["product_policy"] = args.product_policy
    async with contextlib.AsyncExitStack() as stack:
        client = await stack.enter_async_context(await _client(args, stack))
        if args.preflight and not args.sandbox:
            await _preflight(args, client, err)
        opt_outs = await _opt_outs(args, stack, err) if args.marketing else None
        task = asyncio.create_task(
            broadcast(client, source, journal=store, progress=True, resend_unknown=args.resend_unknown,
                      job=job, marketing=args.marketing, opt_outs=opt_outs, stop_on_pause=args.stop_on_pause)
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
            await _write_report(Path(args.report), store, source.bad, report.outcomes)
        return report, client.stats()
    return None  # pragma: no cover  (the stack does not swallow exceptions)


async def _preflight(args: argparse.Namespace, client: Any, err: Console) -> None:
    if not client.waba_id:
        err.print("[dim]preflight skipped: no WhatsApp Business Account id to fetch the template from "
                  "(--waba-id or WA_WABA_ID)[/]")  # fmt: skip
        return
    info = await find_template(client, args.template, args.language)
    check_template(info, args.template, args.language, len(args.param), marketing=args.marketing)


async def _opt_outs(args: argparse.Namespace, stack: contextlib.AsyncExitStack, err: Console) -> OptOuts:
    """The opt-out store (closed with ``stack``), with ``--opt-outs`` imported into it."""
    if not args.opt_outs_store and is_postgres_url(args.journal):
        raise UsageError("--marketing with a postgresql:// journal needs --opt-outs-store (a redis:// URL shares "
                         "it across the hosts)")  # fmt: skip
    where = args.opt_outs_store or str(Path(args.journal).parent / DEFAULT_OPT_OUTS)
    if where.startswith(("redis://", "rediss://", "unix://")):
        store = await _redis_opt_outs(where, stack)
    else:
        if _same_file(Path(where), Path(args.journal)):
            raise UsageError(f"--opt-outs-store {where} is the journal; give the opt-out store a file of its own")
        store = OptOuts(where)
        stack.push_async_callback(store.close)
    if args.opt_outs:
        added = await store.import_file(args.opt_outs)
        err.print(f"[dim]{added} user(s) added to the opt-out store {escape(store.description)} from "
                  f"{escape(args.opt_outs)}[/]")  # fmt: skip
    return store


async def _redis_opt_outs(url: str, stack: contextlib.AsyncExitStack) -> OptOuts:
    try:
        import redis.asyncio as aioredis
        from redis.exceptions import RedisError
    except ImportError:
        raise RedisOptionError("--opt-outs-store redis://... needs redis-py: pip install 'wa-async[redis]'") from None
    try:
        client = aioredis.Redis.from_url(url, socket_connect_timeout=3.0, socket_timeout=3.0)
    except ValueError as e:
        raise RedisOptionError(redact(f"--opt-outs-store {url!r}: {e}", url)) from None
    stack.push_async_callback(client.aclose)
    try:
        await client.ping()
    except (RedisError, OSError) as e:
        raise UsageError(redact(f"--opt-outs-store {url}: Redis does not answer: {e}", url)) from None
    return OptOuts.redis(client)


def _current_cancelling() -> int:
    task = asyncio.current_task()
    return task.cancelling() if task is not None else 0


async def _client(args: argparse.Namespace, stack: contextlib.AsyncExitStack) -> Any:
    from .._client import Client  # the client pulls in aiohttp; keep `--help` fast
    from .._options import GRAPH_RATE, MATON_RATE
    from ._common import target_env

    options: dict[str, Any] = {}
    if args.rate is not None:
        if not args.rate >= 0 or not math.isfinite(args.rate):
            raise UsageError("--rate must be 0 (no limit) or a positive number")
        options["rate_limit"] = args.rate or None
    if args.sandbox:
        from ..emulator import Emulator

        rate = options.get("rate_limit", 10.0)  # the gateway's own limit by default
        limit = None if rate is None else max(10, math.ceil(rate))
        emu = await stack.enter_async_context(Emulator(rate_limit=limit, check_templates=False))
        await _share_limit(args, stack, options, emu.phone_number_id, MATON_RATE)
        return Client.maton(emu.phone_number_id, api_key="sandbox", base_url=emu.gateway_url, **options)
    env = target_env(args)  # the credentials are checked before Redis is asked anything
    default_rate = GRAPH_RATE if env.get("WA_ACCESS_TOKEN") else MATON_RATE
    await _share_limit(args, stack, options, env["WA_PHONE_NUMBER_ID"], default_rate)
    return Client.from_env(environ=env, **options)


async def _share_limit(args: argparse.Namespace, stack: contextlib.AsyncExitStack, options: dict[str, Any],
                       phone_number_id: str, default_rate: float) -> None:  # fmt: skip
    """With ``--redis-url``, put a [`RedisLimiter`][wa_async.RedisLimiter] in ``options`` (closed with ``stack``,
    after the client)."""
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
                  "pending": "failed"}  # fmt: skip
REPORT_COLUMNS = ["to", "status", "wamid", "error", "message_status"]


def report_lines(rows: Sequence[JournalRow], outcomes: Mapping[str, Outcome] | None = None) -> Iterator[list[str]]:
    """CSV rows ``to,status,wamid,error,message_status`` for journal rows (a repeated recipient adds ``skipped``
    rows). ``outcomes`` (the last run's, by key) give what the journal does not keep: a row not sent to a user who
    opted out (``opted_out``) and Meta's ``message_status`` of a send made by that run."""
    outcomes = outcomes or {}
    for r in rows:
        outcome = outcomes.get(r.key)
        message_status = outcome.message_status or "" if outcome is not None else ""
        if r.state == "pending" and outcome is not None and outcome.status == "opted_out":
            yield [r.recipient, "opted_out", "", "the user opted out of marketing messages", ""]
        else:
            error = r.error or ("not sent" if r.state == "pending" else "")
            yield [r.recipient, _REPORT_STATUS[r.state], r.wamid or "", error, message_status]
        for _ in range(r.duplicates):
            yield [r.recipient, "skipped", "", "duplicate in this job", ""]


async def _write_report(path: Path, journal: JournalStore, bad: Sequence[BadRow],
                        outcomes: Mapping[str, Outcome]) -> None:  # fmt: skip
    """One row per recipient of the whole job, earlier runs (and other workers) included, then the invalid rows."""
    out = await asyncio.to_thread(_open_report, path)
    try:
        writer = csv.writer(out)
        await asyncio.to_thread(writer.writerow, REPORT_COLUMNS)
        await journal.open()
        try:
            async for chunk in _chunks(journal.rows()):
                await asyncio.to_thread(writer.writerows, list(report_lines(chunk, outcomes)))
        finally:
            await journal.close()
        invalid = [[b.phone, "skipped", "", f"invalid (line {b.line}): {b.reason}", ""] for b in bad]
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
        err.print(f"  line {b.line}: {escape(b.reason)}")
    if len(bad) > _SHOW_BAD:
        err.print(f"  ... and {len(bad) - _SHOW_BAD} more")


def _show_report(out: Console, report: BroadcastReport, args: argparse.Namespace, *, invalid: int) -> None:
    table = Table(title=f"broadcast {args.template!r}", show_header=True)
    table.add_column("status")
    table.add_column("messages", justify="right")
    for name, count, style in (("sent", report.sent, "green"), ("failed", report.failed, "red"),
                               ("unknown", report.unknown, "yellow"),
                               ("skipped", report.skipped + invalid, "dim")):  # fmt: skip
        table.add_row(f"[{style}]{name}[/]", str(count))
    if args.marketing or report.opted_out:
        table.add_row("[magenta]opted out[/]", str(report.opted_out))
    out.print(table)
    if report.paced:
        held = report.message_statuses.get("held_for_quality_assessment", 0)
        paused = report.message_statuses.get("paused", 0)
        out.print(f"[yellow]Meta is pacing template {escape(args.template)!r}:[/] {held} sent message(s) held for "
                  f"quality assessment, {paused} paused (this run); the report's message_status column says "
                  "which" + ("" if args.stop_on_pause else "; --stop-on-pause stops the job when this happens"))
    groups = report.error_groups()
    if groups:
        failures = Table(title="failed, by error", show_header=True)
        for column in ("code", "meaning", "count", "example"):
            failures.add_column(column, justify="right" if column == "count" else "left", overflow="fold")
        for g in groups[:_SHOW_GROUPS]:
            failures.add_row("" if g.code is None else str(g.code), escape(g.meaning or ""), str(g.count),
                             escape(f"{g.example_to}: {g.example_error}"))  # fmt: skip
        out.print(failures)
        if len(groups) > _SHOW_GROUPS:
            out.print(f"... and {len(groups) - _SHOW_GROUPS} more kinds of error; --report lists every row")
    out.print(f"{report.elapsed:.1f} s, {report.rate:.1f} msg/s this run; journal {escape(journal_name(args))}"
              + (f"; report {args.report}" if args.report else ""))  # fmt: skip
    if invalid:
        out.print(f"skipped includes {invalid} invalid row(s) (--skip-invalid).")
    if report.unknown:
        out.print("Unknown: the request left but no answer came back; it may have been delivered. "
                  "--resend-unknown sends these again.")  # fmt: skip


def _command() -> str:
    argv = sys.argv[1:]
    with contextlib.suppress(ValueError):  # `wa-async [global options] broadcast ...`
        argv = argv[argv.index("broadcast") + 1:]
    return " ".join(["wa-async", "broadcast", *(shlex.quote(a) for a in argv)])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
