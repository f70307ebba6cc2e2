"""``wa-async demo``: a template broadcast through the real client to an in-process emulator; no account needed.

The emulator runs in gateway mode with Maton's limit of 10 requests per second; the client keeps under it. The
run ends with a table: sent, failed, the achieved rate, and the 429s the server answered (there should be none).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from ._redis import RedisOptionError, add_redis_arguments, default_key, redis_limiter

__all__ = ["register", "run_demo"]

TEMPLATE = "order_update"  # seeded in the emulator: "Hi {{1}}, your order {{2}} has shipped."


def register(subparsers: Any) -> None:
    """Add the ``demo`` subcommand."""
    p = subparsers.add_parser("demo", help="broadcast to an in-process emulator with a live progress bar")
    p.add_argument("--count", type=int, default=100, help="how many recipients (default 100)")
    p.add_argument("--rate", type=int, default=10, help="the gateway's requests per second (default 10)")
    add_redis_arguments(p)
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from ._common import UsageError, run_async

    async def main() -> int:
        if args.count < 1 or args.rate < 1:
            raise UsageError("--count and --rate must be at least 1")
        if args.redis_key and not args.redis_url:
            raise UsageError("--redis-key needs --redis-url")
        try:
            await run_demo(args.count, args.rate, Console(), redis_url=args.redis_url, redis_key=args.redis_key)
        except RedisOptionError as e:
            raise UsageError(str(e)) from None
        return 0

    return run_async(main)


async def run_demo(
    count: int, rate: int, console: Console, *, redis_url: str | None = None, redis_key: str | None = None
) -> dict[str, float]:
    """Run the demo and print its table; returns the figures shown.

    With ``redis_url`` the client's limit is a :class:`~wa_async.RedisLimiter` on ``redis_key`` (default
    ``wa-async:<phone_number_id>``), shared with any other process using that key.
    """
    from .. import _messages as m
    from .._client import Client
    from ..emulator import Emulator

    async with contextlib.AsyncExitStack() as stack:
        emu = await stack.enter_async_context(Emulator(rate_limit=rate))
        limiter = None
        if redis_url:
            key = redis_key or default_key(emu.phone_number_id)
            limiter = await stack.enter_async_context(redis_limiter(redis_url, key, rate))
        console.print(f"[bold]wa-async demo[/]: {count} template messages to an emulator at {emu.gateway_url} "
                      f"limited to {rate} requests/second"
                      + (f", the limit shared through Redis key {key!r}" if redis_url else ""))  # fmt: skip
        client = Client.maton(emu.phone_number_id, api_key="demo", base_url=emu.gateway_url, rate_limit=rate,
                              limiter=limiter)  # fmt: skip
        sent = failed = 0
        errors: dict[str, int] = {}
        progress = Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("sent [green]{task.fields[sent]}[/] failed [red]{task.fields[failed]}[/]"),
            TextColumn("{task.fields[rate]:.1f}/s"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
        )
        loop = asyncio.get_running_loop()
        async with client:
            with progress:
                task = progress.add_task("sending", total=count, sent=0, failed=0, rate=0.0)
                start = loop.time()
                first = last = 0.0
                futures = []
                for i in range(count):
                    to = f"1555{i:07d}"
                    msg = m.Template(
                        to,
                        TEMPLATE,
                        "en_US",
                        [m.BodyParams([m.TextParam(f"Customer {i}"), m.TextParam(f"#{10_000 + i}")])],
                    )
                    futures.append(await client.submit(msg))
                for done in asyncio.as_completed(futures):
                    try:
                        await done
                        sent += 1
                    except Exception as e:  # each failure is counted and named in the table
                        failed += 1
                        errors[type(e).__name__] = errors.get(type(e).__name__, 0) + 1
                    last = loop.time()
                    first = first or last
                    done_count = sent + failed
                    rate_now = (done_count - 1) / (last - first) if last > first else 0.0
                    progress.update(task, advance=1, sent=sent, failed=failed, rate=rate_now)
                elapsed = loop.time() - start
        stats = emu.stats
        # n answers evenly spaced span n - 1 intervals.
        achieved = (sent + failed - 1) / (last - first) if last > first else 0.0
        table = Table(title="wa-async demo")
        table.add_column("measure")
        table.add_column("value", justify="right")
        table.add_row("sent", str(sent))
        table.add_row("failed", str(failed) + (f" ({', '.join(f'{k}: {v}' for k, v in errors.items())})"
                                               if errors else ""))  # fmt: skip
        table.add_row("achieved rate", f"{achieved:.2f}/s of {rate}/s")
        table.add_row("elapsed", f"{elapsed:.1f} s")
        table.add_row("429s seen by the server", str(stats.rate_limited))
        table.add_row("largest 1-second window at the server", str(stats.max_window))
        console.print(table)
        return {"sent": sent, "failed": failed, "rate": achieved, "rate_limited": stats.rate_limited,
                "max_window": stats.max_window}  # fmt: skip
