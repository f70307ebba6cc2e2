"""``wa-async``: the command line. One module per command group; each adds itself with ``register()``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from .. import __version__
from . import account, broadcast, calls, demo, emulator, flows, groups, resources, send

__all__ = ["build_parser", "main"]

_GROUPS: list[Any] = [demo, emulator, send, broadcast, resources, account, flows, calls, groups]


def build_parser() -> argparse.ArgumentParser:
    """The whole ``wa-async`` argument parser."""
    parser = argparse.ArgumentParser(
        prog="wa-async",
        description="WhatsApp Business Cloud API from the command line (Maton gateway or Graph API). "
        "Configuration: flags, or the environment: MATON_API_KEY, MATON_CONNECTION_ID, WA_PHONE_NUMBER_ID, "
        "WA_WABA_ID, WA_ACCESS_TOKEN (Graph), WA_BASE_URL, WA_API_VERSION, and MATON_CTRL_URL (the Maton "
        "control plane, for `wa-async connections`).",
    )
    parser.add_argument("--version", action="version", version=f"wa-async {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for group in _GROUPS:
        group.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``wa-async``; returns the exit code (0 ok, 1 failed, 2 usage or input error, 130 interrupted)."""
    args = build_parser().parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
