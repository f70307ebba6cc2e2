"""Running the emulator out of process: `serve()` and ``python -m wa_async.emulator``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import Callable, Sequence
from typing import Any

from ._server import Emulator

__all__ = ["check_options", "describe", "main", "serve"]


async def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8089,
    rate_limit: int | None = 10,
    webhook_url: str | None = None,
    app_secret: str | None = None,
    ready: Callable[[Emulator], None] | None = None,
    **options: Any,
) -> None:
    """Serve an [`Emulator`][wa_async.emulator.Emulator] until cancelled.

    Args:
        host: The address to listen on.
        port: The port; 0 picks a free one.
        rate_limit: Gateway requests per sliding second; None for no limit.
        webhook_url: Where status and inbound webhooks are posted.
        app_secret: Signs the webhooks.
        ready: Called with the emulator once it listens.
        **options: Any other [`Emulator`][wa_async.emulator.Emulator] option.
    """
    async with Emulator(
        host=host, port=port, rate_limit=rate_limit, webhook_url=webhook_url, app_secret=app_secret, **options
    ) as emu:
        if ready is not None:
            ready(emu)
        await asyncio.Event().wait()


def describe(emu: Emulator) -> str:
    """The lines a command line prints once the emulator listens."""
    return "\n".join([
        f"gateway_url      {emu.gateway_url}",
        f"graph_url        {emu.graph_url}",
        f"ctrl_url         {emu.ctrl_url}",
        f"phone_number_id  {emu.phone_number_id}",
        f"waba_id          {emu.waba_id}",
        f"stats            {emu.graph_url}/__emulator/stats",
    ])  # fmt: skip


def check_options(port: int, rate: int) -> str | None:
    """What is wrong with a command line's ``--port`` and ``--rate``, in one line, or None."""
    if not 0 <= port <= 65535:
        return f"--port {port}: a port is 0 (any free one) to 65535"
    if rate < 0:
        return f"--rate {rate}: give requests per second, or 0 for no limit"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m wa_async.emulator [--host H] [--port N] [--rate R] [--webhook-url U] [--app-secret S]``."""
    parser = argparse.ArgumentParser(prog="python -m wa_async.emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8089)
    parser.add_argument("--rate", type=int, default=10, help="gateway requests per second (0: unlimited)")
    parser.add_argument("--webhook-url")
    parser.add_argument("--app-secret")
    args = parser.parse_args(argv)
    problem = check_options(args.port, args.rate)
    if problem is not None:
        parser.exit(2, f"python -m wa_async.emulator: error: {problem}\n")

    def ready(emu: Emulator) -> None:
        print(describe(emu), flush=True)

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(host=args.host, port=args.port, rate_limit=args.rate or None,
                          webhook_url=args.webhook_url, app_secret=args.app_secret, ready=ready))  # fmt: skip
    return 0
