"""``wa-async flows``: create, upload, publish and manage WhatsApp Flows, and the number's business public key.

A Flow JSON with validation errors is stored by Meta but cannot be published: ``upload`` prints Meta's findings
and exits 1 with one line naming the first; a file that is not JSON is refused before anything is sent (exit 2).
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from .._client import Client
from ..resources import FlowValidationError
from ._common import UsageError, fail
from ._verbs import group, print_json, print_rows, said, verb, with_client

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``flows`` command."""
    verbs = group(subparsers, "flows", "WhatsApp Flows of the WABA (needs --waba-id) and the business public key")
    p = verb(verbs, "list", "list the Flows", _list)
    p.add_argument("--json", action="store_true", help="print JSON lines instead of a table")
    p = verb(verbs, "create", "create a Flow (a draft); print its id", _create)
    p.add_argument("--name", required=True)
    p.add_argument("--category", action="append", required=True, metavar="CATEGORY",
                   help="SIGN_UP, SIGN_IN, APPOINTMENT_BOOKING, LEAD_GENERATION, CONTACT_US, CUSTOMER_SUPPORT, "
                        "SURVEY or OTHER (repeat for more)")  # fmt: skip
    p.add_argument("--endpoint-uri", metavar="URL", help="the data endpoint (https)")
    p.add_argument("--clone", metavar="ID", help="copy this Flow")
    p.add_argument("--json-file", metavar="FILE", help="its Flow JSON")
    p.add_argument("--publish", action="store_true", help="publish it at once (it must be valid)")
    p = verb(verbs, "get", "print a Flow as JSON", _get)
    p.add_argument("flow_id", metavar="ID")
    p = verb(verbs, "update", "change a draft's name, categories or endpoint", _update)
    p.add_argument("flow_id", metavar="ID")
    p.add_argument("--name")
    p.add_argument("--category", action="append", metavar="CATEGORY", help="replaces the categories (repeat)")
    p.add_argument("--endpoint-uri", metavar="URL", help="the data endpoint ('' removes it)")
    p = verb(verbs, "upload", "upload a draft's Flow JSON; print Meta's validation errors", _upload)
    p.add_argument("flow_id", metavar="ID")
    p.add_argument("file", metavar="FILE")
    for name, help_text, func in (("publish", "publish a valid draft", _publish),
                                  ("deprecate", "deprecate a published Flow", _deprecate),
                                  ("delete", "delete a draft", _delete)):  # fmt: skip
        p = verb(verbs, name, help_text, func)
        p.add_argument("flow_id", metavar="ID")
    p = verb(verbs, "preview", "print a URL that previews the Flow", _preview)
    p.add_argument("flow_id", metavar="ID")
    p.add_argument("--invalidate", action="store_true", help="a new URL (the old one stops working)")
    p = verb(verbs, "assets", "list a Flow's assets (its Flow JSON, with a download URL)", _assets)
    p.add_argument("flow_id", metavar="ID")
    p.add_argument("--json", action="store_true", help="print JSON lines instead of a table")
    p = verb(verbs, "set-key", "upload the number's business public key (a PEM file)", _set_key)
    p.add_argument("pem", metavar="FILE", help="the public key's PEM file (never the private key)")
    verb(verbs, "key", "print the number's business public key and its signature status", _key)


def _list(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        rows = [f async for f in client.flows.list()]
        return print_rows(rows, ("id", "name", "status", "categories"), args.json, "flows")

    return with_client(args, body, phone=False, waba=True)


def _create(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        created = await client.flows.create(
            args.name, args.category, endpoint_uri=args.endpoint_uri, clone_flow_id=args.clone,
            flow_json=Path(args.json_file) if args.json_file else None, publish=args.publish,
        )  # fmt: skip
        print_json(created)
        return _invalid(created.validation_errors)

    return with_client(args, body, phone=False, waba=True)


def _get(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        print_json(await client.flows.get(args.flow_id))
        return 0

    return with_client(args, body, phone=False)


def _update(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        ok = await client.flows.update(args.flow_id, name=args.name, categories=args.category,
                                       endpoint_uri=args.endpoint_uri)  # fmt: skip
        return said(ok, "updated", "not updated")

    return with_client(args, body, phone=False)


def _upload(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        path = Path(args.file)
        if not await asyncio.to_thread(path.is_file):
            raise UsageError(f"{path}: no such file")
        upload = await client.flows.update_json(args.flow_id, path)
        print_json(upload)
        return _invalid(upload.validation_errors)

    return with_client(args, body, phone=False)


def _invalid(errors: list[FlowValidationError]) -> int:
    if not errors:
        return 0
    first = errors[0]
    where = f"line {first.line_start}: " if first.line_start is not None else ""
    return fail(f"{len(errors)} validation error(s) in the Flow JSON (first: {where}{first.error}: {first.message})")


def _publish(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        return said(await client.flows.publish(args.flow_id), "published", "not published")

    return with_client(args, body, phone=False)


def _deprecate(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        return said(await client.flows.deprecate(args.flow_id), "deprecated", "not deprecated")

    return with_client(args, body, phone=False)


def _delete(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        return said(await client.flows.delete(args.flow_id), "deleted", "not deleted")

    return with_client(args, body, phone=False)


def _preview(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        preview = await client.flows.preview_url(args.flow_id, invalidate=args.invalidate)
        print(preview.preview_url)
        return 0

    return with_client(args, body, phone=False)


def _assets(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        rows = await client.flows.assets(args.flow_id)
        return print_rows(rows, ("name", "asset_type", "download_url"), args.json, "assets")

    return with_client(args, body, phone=False)


def _set_key(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        try:
            pem = await asyncio.to_thread(Path(args.pem).read_text)
        except OSError as e:
            raise UsageError(f"{args.pem}: {e.strerror or e}") from None
        return said(await client.flows.set_public_key(pem), "key uploaded", "not uploaded")

    return with_client(args, body)


def _key(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        key = await client.flows.public_key()
        if key is None:
            return fail("no business public key is uploaded for this number")
        print_json(key)
        return 0

    return with_client(args, body)
