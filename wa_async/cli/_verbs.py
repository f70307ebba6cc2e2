"""What the resource commands share: a command group with verbs, running a verb with a client, printing results.

Listings print a table (``--json``: one JSON object a line); single objects print as indented JSON.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

import msgspec
from rich.console import Console
from rich.table import Table

from .._client import Client
from ._common import UsageError, add_target_arguments, client_from_args, fail, run_async

__all__ = ["Handler", "group", "partial", "plain", "print_json", "print_rows", "said", "verb", "with_client"]

Handler = Callable[[argparse.Namespace], int]


def group(subparsers: Any, name: str, help_text: str) -> Any:
    """A command (``wa-async NAME``) whose verbs are added to the returned object."""
    parser = subparsers.add_parser(name, help=help_text, description=help_text)
    return parser.add_subparsers(dest="verb", metavar="VERB", required=True)


def verb(verbs: Any, name: str, help_text: str, func: Handler, *, target: bool = True) -> argparse.ArgumentParser:
    """One verb of a command, with the target flags unless ``target=False``."""
    p: argparse.ArgumentParser = verbs.add_parser(name, help=help_text, description=help_text)
    if target:
        add_target_arguments(p)
    p.set_defaults(func=func)
    return p


def with_client(
    args: argparse.Namespace, body: Callable[[Client], Awaitable[int]], *, phone: bool = True, waba: bool = False
) -> int:
    """Run ``body`` with a client built from the flags; errors become one line (see ``run_async``)."""

    async def run() -> int:
        client = client_from_args(args, need_phone=phone, windows=False)
        if waba and not client.waba_id:
            raise UsageError("no WhatsApp Business Account id: pass --waba-id or set WA_WABA_ID")
        async with client:
            return await body(client)

    return run_async(run)


def plain(obj: Any) -> Any:
    """A struct as JSON-ready builtins, without the fields Meta did not return (None at any depth; empty lists
    and objects at the top)."""
    data = _without_none(msgspec.to_builtins(obj))
    if isinstance(data, dict):
        return {k: v for k, v in data.items() if v not in ([], {})}
    return data


def _without_none(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _without_none(v) for k, v in data.items() if v is not None}
    if isinstance(data, list):
        return [_without_none(v) for v in data]
    return data


def print_json(obj: Any) -> None:
    """Print one object as indented JSON."""
    print(msgspec.json.format(msgspec.json.encode(plain(obj)), indent=2).decode())


def print_rows(rows: Iterable[Any], columns: Sequence[str], as_json: bool, title: str) -> int:
    """Print a listing as a table, or as JSON lines; returns the exit code 0."""
    items = [plain(r) for r in rows]
    if as_json:
        for item in items:
            print(msgspec.json.encode(item).decode())
        return 0
    table = Table(title=title)
    for column in columns:
        table.add_column(column, overflow="fold")
    for item in items:
        table.add_row(*(_cell(item.get(c)) for c in columns))
    Console(highlight=False).print(table)
    return 0


def said(ok: bool, yes: str, no: str) -> int:
    """Print ``yes`` when an action went through (exit code 0), else ``no`` (exit code 1)."""
    print(yes if ok else no)
    return 0 if ok else 1


def partial(result: Any, failed: Sequence[Any], what: str, key: Callable[[Any], str]) -> int:
    """Print a batch result as JSON; when some items failed, say so in one line and return 1."""
    print_json(result)
    if not failed:
        return 0
    first = failed[0].errors[0] if failed[0].errors else None
    why = f" (first: {key(failed[0])}: code {first.code}, {first.message})" if first is not None else ""
    return fail(f"{len(failed)} {what}{why}")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return msgspec.json.encode(value).decode()
    return str(value)
