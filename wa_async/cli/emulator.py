"""``wa-async emulator``: serve the local Cloud API and Maton gateway stand-in until stopped."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``emulator`` subcommand."""
    p = subparsers.add_parser("emulator", help="serve a local WhatsApp Cloud API / Maton gateway emulator")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8089, help="port (default 8089; 0 picks a free one)")
    p.add_argument("--rate", type=int, default=10, help="gateway requests per second (default 10; 0: no limit)")
    p.add_argument("--webhook-url", help="post signed status webhooks here")
    p.add_argument("--app-secret", help="the secret that signs webhooks (X-Hub-Signature-256)")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from ..emulator import Emulator
    from ..emulator._serve import describe, serve
    from ._common import UsageError, run_async

    def ready(emu: Emulator) -> None:
        print(describe(emu), flush=True)

    async def main() -> int:
        if not 0 <= args.port <= 65535:
            raise UsageError(f"--port {args.port}: a port is 0 (any free one) to 65535")
        if args.rate < 0:
            raise UsageError(f"--rate {args.rate}: give requests per second, or 0 for no limit")
        await serve(
            host=args.host,
            port=args.port,
            rate_limit=args.rate or None,
            webhook_url=args.webhook_url,
            app_secret=args.app_secret,
            ready=ready,
        )
        return 0

    return run_async(main)
