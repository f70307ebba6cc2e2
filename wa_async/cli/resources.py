"""``wa-async media|templates|numbers|profile|connections``: the API beyond sending, from the command line.

Listings print a table (``--json``: one JSON object a line); single objects print as JSON. A user mistake (a bad
id, a missing key) prints one line and exits non-zero: 1 when the API refused, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import mimetypes
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from .._client import Client
from ..maton import CTRL_URL, Connections
from ..resources import (
    BodyText,
    Component,
    FooterText,
    HeaderText,
    PhoneNumberButton,
    QuickReplyButton,
    UrlButton,
)
from ._common import UsageError, run_async
from ._transfer import SHOW_PROGRESS_FROM, Transfer
from ._verbs import group as _group
from ._verbs import print_json as _print_json
from ._verbs import print_rows as _print_rows
from ._verbs import said as _said
from ._verbs import verb as _verb
from ._verbs import with_client as _with_client

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``media``, ``templates``, ``numbers``, ``profile`` and ``connections`` commands."""
    _media(subparsers)
    _templates(subparsers)
    _numbers(subparsers)
    _profile(subparsers)
    _connections(subparsers)


# --- media ----------------------------------------------------------------------------------------------------


def _media(subparsers: Any) -> None:
    verbs = _group(subparsers, "media", "upload, look up, download or delete media")
    p = _verb(verbs, "upload", "upload a file (streamed) and print its media id", _media_upload)
    p.add_argument("file", metavar="FILE")
    p.add_argument("--type", required=True, metavar="MIME", help="the MIME type, e.g. image/jpeg or application/pdf")
    p.add_argument("--filename", help="the name WhatsApp shows (default: the file's)")
    p = _verb(verbs, "get", "print a medium's URL, type, sha256 and size as JSON", _media_get)
    p.add_argument("media_id", metavar="ID")
    p = _verb(verbs, "download", "download a medium (sha256 checked) to a file", _media_download)
    p.add_argument("media_id", metavar="ID")
    p.add_argument("--out", metavar="FILE", help="where to write it (default: ID plus an extension, here)")
    p = _verb(verbs, "delete", "delete an uploaded medium", _media_delete)
    p.add_argument("media_id", metavar="ID")


def _media_upload(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        path = Path(args.file)
        size = _size(path)
        if size < SHOW_PROGRESS_FROM:  # small, or missing: the upload's own checks speak
            print(await client.media.upload(path, args.type, filename=args.filename))
            return 0
        with Transfer(f"upload {path.name}", size) as bar:
            media_id = await client.media.upload(path, args.type, filename=args.filename, progress=bar)
        print(media_id)
        return 0

    return _with_client(args, body)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _media_get(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        _print_json(await client.media.get(args.media_id))
        return 0

    return _with_client(args, body, phone=False)


def _media_download(args: argparse.Namespace) -> int:
    media_id = args.media_id

    async def body(client: Client) -> int:
        if not args.out and (not media_id or media_id.startswith(".") or any(c in media_id for c in "/\\\0")):
            raise UsageError(f"{media_id!r} is not a media id (it would not name a file here); pass --out FILE")
        info = await client.media.get(media_id)
        # Named from the id the user gave, never from the server's answer.
        out = Path(args.out) if args.out else Path(f"{media_id}{mimetypes.guess_extension(info.mime_type) or ''}")
        size = info.file_size or 0
        if size < SHOW_PROGRESS_FROM:
            print(await client.media.download(info, out))
            return 0
        with Transfer(f"download {out.name}", size) as bar:
            path = await client.media.download(info, out, progress=bar)
        print(path)
        return 0

    return _with_client(args, body, phone=False)


def _media_delete(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        ok = await client.media.delete(args.media_id)
        return _said(ok, "deleted", "not deleted")

    return _with_client(args, body, phone=False)


# --- templates ------------------------------------------------------------------------------------------------


def _templates(subparsers: Any) -> None:
    verbs = _group(subparsers, "templates", "list, inspect, create, edit or delete message templates "
                                            "(needs --waba-id)")  # fmt: skip
    p = _verb(verbs, "list", "list templates (every page)", _templates_list)
    p.add_argument("--status", help="APPROVED, PENDING, REJECTED, PAUSED, ... (comma-separated)")
    p.add_argument("--name", help="names containing this")
    p.add_argument("--category", choices=["AUTHENTICATION", "MARKETING", "UTILITY"], type=str.upper)
    p.add_argument("--language", help="a language code, e.g. en_US")
    p.add_argument("--limit", type=int, metavar="N", help="page size")
    p.add_argument("--json", action="store_true", help="print JSON lines instead of a table")
    p = _verb(verbs, "get", "print one template as JSON", _templates_get)
    p.add_argument("template_id", metavar="ID")
    p = _verb(verbs, "create", "submit a template for review; print its id, status and category", _templates_create)
    p.add_argument("--name", required=True, help="lowercase letters, digits and underscores")
    p.add_argument("--language", default="en_US", help="language code (default en_US)")
    p.add_argument("--category", required=True, choices=["AUTHENTICATION", "MARKETING", "UTILITY"], type=str.upper)
    p.add_argument("--body", required=True, metavar="TEXT", help="the body; {{1}}, {{2}} ... are parameters")
    _component_arguments(p)
    p = _verb(verbs, "edit", "edit a template: its components (all of them), category or time-to-live",
              _templates_edit)  # fmt: skip
    p.add_argument("template_id", metavar="ID")
    p.add_argument("--category", choices=["AUTHENTICATION", "MARKETING", "UTILITY"], type=str.upper)
    p.add_argument("--body", metavar="TEXT", help="the new body; with it, the other component flags replace all")
    _component_arguments(p)
    p = _verb(verbs, "delete", "delete a template (every language, or one with --hsm-id)", _templates_delete)
    p.add_argument("name", metavar="NAME")
    p.add_argument("--hsm-id", metavar="ID", help="the template id of one language's version")
    p = _verb(verbs, "delete-ids", "delete up to 100 templates by id, all or none", _templates_delete_ids)
    p.add_argument("template_ids", metavar="ID", nargs="+")


def _component_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--example", action="append", default=[], metavar="VALUE",
                   help="an example value for the next body parameter (repeat)")  # fmt: skip
    p.add_argument("--header", metavar="TEXT", help="a text header")
    p.add_argument("--header-example", metavar="VALUE", help="the example for the header's parameter")
    p.add_argument("--footer", metavar="TEXT")
    p.add_argument("--quick-reply", action="append", default=[], metavar="LABEL", help="a quick-reply button")
    p.add_argument("--url-button", action="append", default=[], metavar="LABEL=URL", help="a URL button")
    p.add_argument("--phone-button", action="append", default=[], metavar="LABEL=PHONE", help="a call button")
    p.add_argument("--ttl", type=int, metavar="SECONDS",
                   help="time-to-live of its messages: authentication 30-900, utility 30-43200, marketing "
                        "43200-2592000 (-1: 30 days, authentication and utility)")  # fmt: skip


def _templates_list(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        it = client.templates.list(status=args.status, name=args.name, category=args.category,
                                    language=args.language, limit=args.limit)  # fmt: skip
        rows = [t async for t in it]
        return _print_rows(rows, ("name", "language", "status", "category", "id"), args.json, "templates")

    return _with_client(args, body, phone=False, waba=True)


def _templates_get(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        _print_json(await client.templates.get(args.template_id))
        return 0

    return _with_client(args, body, phone=False)


def _pair(spec: str, flag: str) -> tuple[str, str]:
    label, sep, value = spec.partition("=")
    if not sep or not label or not value:
        raise UsageError(f"{flag} {spec!r}: write it as LABEL=VALUE")
    return label, value


def _components(args: argparse.Namespace) -> list[Component]:
    components: list[Component] = []
    if args.header is not None:
        components.append(HeaderText(args.header, example=args.header_example))
    components.append(BodyText(args.body, examples=args.example or None))
    if args.footer is not None:
        components.append(FooterText(args.footer))
    components += [QuickReplyButton(label) for label in args.quick_reply]
    components += [UrlButton(*_pair(s, "--url-button")) for s in args.url_button]
    components += [PhoneNumberButton(*_pair(s, "--phone-button")) for s in args.phone_button]
    return components


def _templates_create(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        info = await client.templates.create(args.name, args.language, args.category, _components(args),
                                             ttl=args.ttl)  # fmt: skip
        _print_json(info)
        return 0

    return _with_client(args, body, phone=False, waba=True)


def _templates_edit(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        if args.body is None and (args.header or args.footer or args.example or args.quick_reply
                                  or args.url_button or args.phone_button):  # fmt: skip
            raise UsageError("an edit replaces every component: give --body with the others")
        components = _components(args) if args.body is not None else None
        ok = await client.templates.edit(args.template_id, components, category=args.category, ttl=args.ttl)
        return _said(ok, "edited", "not edited")

    return _with_client(args, body, phone=False)


def _templates_delete_ids(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        ok = await client.templates.delete_many(args.template_ids)
        return _said(ok, "deleted", "not deleted")

    return _with_client(args, body, phone=False, waba=True)


def _templates_delete(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        ok = await client.templates.delete(args.name, hsm_id=args.hsm_id)
        return _said(ok, "deleted", "not deleted")

    return _with_client(args, body, phone=False, waba=True)


# --- phone numbers and profile --------------------------------------------------------------------------------


def _numbers(subparsers: Any) -> None:
    verbs = _group(subparsers, "numbers", "the business's phone numbers")
    p = _verb(verbs, "list", "list the WABA's phone numbers (needs --waba-id)", _numbers_list)
    p.add_argument("--json", action="store_true", help="print JSON lines instead of a table")
    p = _verb(verbs, "get", "print this phone number (--phone-number-id) as JSON", _numbers_get)
    p.add_argument("--fields", help="comma-separated fields (default: Meta's)")
    _verb(verbs, "throughput", "print the number's throughput level (STANDARD: 80 messages/second)", _numbers_level)
    p = _verb(verbs, "request-code", "have Meta send a verification code to the number", _numbers_request_code)
    p.add_argument("--method", default="SMS", type=str.upper, choices=["SMS", "VOICE"], help="SMS (default) or VOICE")
    p.add_argument("--language", default="en_US", help="the code message's language (default en_US)")
    p = _verb(verbs, "verify-code", "verify the number with the code it received", _numbers_verify_code)
    p.add_argument("code", metavar="CODE")
    p = _verb(verbs, "register", "register the number with the Cloud API", _numbers_register)
    p.add_argument("pin", metavar="PIN", help="the two-step verification PIN (6 digits; set if the number has none)")
    p.add_argument("--region", metavar="CC", help="Local Storage: keep data at rest in this country (e.g. DE)")
    _verb(verbs, "deregister", "deregister the number from the Cloud API", _numbers_deregister)
    p = _verb(verbs, "settings", "print the number's settings (calling, encryption, storage) as JSON",
              _numbers_settings)  # fmt: skip
    p.add_argument("--sip-credentials", action="store_true", help="include the SIP passwords")


def _numbers_list(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        rows = await client.phone_numbers.list()
        columns = ("id", "display_phone_number", "verified_name", "quality_rating", "messaging_limit_tier", "status")
        return _print_rows(rows, columns, args.json, "phone numbers")

    return _with_client(args, body, phone=False, waba=True)


def _numbers_get(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        _print_json(await client.phone_numbers.get(fields=args.fields))
        return 0

    return _with_client(args, body)


def _numbers_level(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        print(await client.phone_numbers.throughput() or "unknown")
        return 0

    return _with_client(args, body)


def _numbers_request_code(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        ok = await client.phone_numbers.request_code(args.method, args.language)
        return _said(ok, f"code sent by {args.method}", "not sent")

    return _with_client(args, body)


def _numbers_verify_code(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        return _said(await client.phone_numbers.verify_code(args.code), "verified", "not verified")

    return _with_client(args, body)


def _numbers_register(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        ok = await client.phone_numbers.register(args.pin, data_localization_region=args.region)
        return _said(ok, "registered", "not registered")

    return _with_client(args, body)


def _numbers_deregister(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        return _said(await client.phone_numbers.deregister(), "deregistered", "not deregistered")

    return _with_client(args, body)


def _numbers_settings(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        _print_json(await client.phone_numbers.settings(include_sip_credentials=args.sip_credentials))
        return 0

    return _with_client(args, body)


def _profile(subparsers: Any) -> None:
    verbs = _group(subparsers, "profile", "the business profile of a phone number")
    _verb(verbs, "get", "print the business profile as JSON", _profile_get)
    p = _verb(verbs, "set", "change fields of the business profile", _profile_set)
    p.add_argument("--about", help="1 to 139 characters")
    p.add_argument("--address", help="at most 256 characters")
    p.add_argument("--description", help="at most 512 characters")
    p.add_argument("--email", help="at most 128 characters")
    p.add_argument("--website", action="append", metavar="URL", help="up to 2 (repeat); replaces the list")
    p.add_argument("--vertical", help="the industry, e.g. RETAIL or RESTAURANT")


def _profile_get(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        _print_json(await client.profile.get())
        return 0

    return _with_client(args, body)


def _profile_set(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        ok = await client.profile.update(about=args.about, address=args.address, description=args.description,
                                          email=args.email, websites=args.website, vertical=args.vertical)  # fmt: skip
        return _said(ok, "updated", "not updated")

    return _with_client(args, body)


# --- Maton connections ----------------------------------------------------------------------------------------


def _connections(subparsers: Any) -> None:
    verbs = _group(subparsers, "connections", "Maton connections (MATON_API_KEY)")
    p = _verb(verbs, "list", "list connections", _connections_list, target=False)
    p.add_argument("--app", default="whatsapp-business", help="the app (default whatsapp-business)")
    p.add_argument("--status", default="ACTIVE", help="ACTIVE (default), PENDING, ... or 'any'")
    p.add_argument("--json", action="store_true", help="print JSON lines instead of a table")
    _ctrl_arguments(p)
    p = _verb(verbs, "create", "start a connection and print the URL that authorizes it", _connections_create,
              target=False)  # fmt: skip
    p.add_argument("--app", default="whatsapp-business", help="the app (default whatsapp-business)")
    _ctrl_arguments(p)
    for name, help_text, func in (("get", "print one connection as JSON", _connections_get),
                                  ("delete", "delete a connection", _connections_delete)):  # fmt: skip
        p = _verb(verbs, name, help_text, func, target=False)
        p.add_argument("connection_id", metavar="ID")
        _ctrl_arguments(p)


def _ctrl_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("Maton account (flags or environment)")
    g.add_argument("--api-key", metavar="KEY", help="Maton API key (env MATON_API_KEY)")
    g.add_argument("--ctrl-url", metavar="URL", help=f"the control plane (env MATON_CTRL_URL, default {CTRL_URL})")


def _with_connections(args: argparse.Namespace, body: Callable[[Connections], Awaitable[int]]) -> int:
    async def run() -> int:
        key = args.api_key or os.environ.get("MATON_API_KEY")
        if not key:
            raise UsageError("no Maton API key: pass --api-key or set MATON_API_KEY")
        url = args.ctrl_url or os.environ.get("MATON_CTRL_URL") or CTRL_URL
        async with Connections(api_key=key, base_url=url) as conns:
            return await body(conns)

    return run_async(run)


def _connections_list(args: argparse.Namespace) -> int:
    async def body(conns: Connections) -> int:
        status = None if args.status.lower() == "any" else args.status.upper()
        rows = await conns.list(app=args.app or None, status=status)
        return _print_rows(rows, ("connection_id", "app", "status", "last_updated_time"), args.json, "connections")

    return _with_connections(args, body)


def _connections_create(args: argparse.Namespace) -> int:
    async def body(conns: Connections) -> int:
        connection = await conns.create(args.app)
        _print_json(connection)
        print(f"Open {connection.url} to authorize it.", file=sys.stderr)
        return 0

    return _with_connections(args, body)


def _connections_get(args: argparse.Namespace) -> int:
    async def body(conns: Connections) -> int:
        _print_json(await conns.get(args.connection_id))
        return 0

    return _with_connections(args, body)


def _connections_delete(args: argparse.Namespace) -> int:
    async def body(conns: Connections) -> int:
        ok = await conns.delete(args.connection_id)
        return _said(ok, "deleted", "not deleted")

    return _with_connections(args, body)

