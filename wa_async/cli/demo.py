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

    The messages go through the broadcast of [`Client.broadcast`][wa_async.Client.broadcast] with its progress
    bar, as ``wa-async broadcast`` sends them. With ``redis_url`` the client's limit is a
    [`RedisLimiter`][wa_async.RedisLimiter] on ``redis_key`` (default ``wa-async:<phone_number_id>``), shared with
    any other process using that key.
    """
    from .. import _messages as m
    from .._broadcast import broadcast
    from .._client import Client
    from .._progress import BroadcastProgress
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
        messages = (
            m.Template(f"1555{i:07d}", TEMPLATE, "en_US",
                       [m.BodyParams([m.TextParam(f"Customer {i}"), m.TextParam(f"#{10_000 + i}")])])
            for i in range(count)
        )  # fmt: skip
        async with client:
            bar = BroadcastProgress(count, clock=asyncio.get_running_loop().time, console=console, title="sending")
            report = await broadcast(client, messages, progress=bar, total=count)
        stats = emu.stats
        errors = ", ".join(f"{g.code or g.example_error}: {g.count}" for g in report.error_groups())
        table = Table(title="wa-async demo")
        table.add_column("measure")
        table.add_column("value", justify="right")
        table.add_row("sent", str(report.sent))
        table.add_row("failed", str(report.failed) + (f" ({errors})" if errors else ""))
        # As the server saw it: the spacing of the arrivals (n arrivals span n - 1 intervals).
        arrivals = sorted(a.time for a in emu.accepted)
        span = arrivals[-1] - arrivals[0] if len(arrivals) > 1 else 0.0
        achieved = (len(arrivals) - 1) / span if span > 0 else report.rate
        table.add_row("achieved rate at the server", f"{achieved:.2f}/s of {rate}/s")
        table.add_row("elapsed", f"{report.elapsed:.1f} s")
        table.add_row("429s seen by the server", str(stats.rate_limited))
        table.add_row("largest 1-second window at the server", str(stats.max_window))
        seen = client.stats()
        table.add_row("retried by the client", str(seen.retried))
        table.add_row("limiter wait, summed over requests", f"{seen.limiter_wait:.1f} s")
        table.add_row("latency p50 / p99", f"{seen.latency.p50 * 1000:.1f} / {seen.latency.p99 * 1000:.1f} ms")
        console.print(table)
        return {"sent": report.sent, "failed": report.failed, "rate": achieved,
                "rate_limited": stats.rate_limited, "max_window": stats.max_window}  # fmt: skip
