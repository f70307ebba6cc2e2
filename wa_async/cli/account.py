"""``wa-async subscriptions|blocked|qr|username``: webhook subscriptions, the block list, QR codes, usernames.

Listings print a table (``--json``: one JSON object a line); single objects print as JSON. A batch where some
items failed prints its result and one error line, and exits 1; bad input exits 2 (see ``_common``).
"""

from __future__ import annotations

import argparse
from typing import Any

from .._client import Client
from ._verbs import group, partial, plain, print_json, print_rows, said, verb, with_client

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``subscriptions``, ``blocked``, ``qr`` and ``username`` commands."""
    _subscriptions(subparsers)
    _blocked(subparsers)
    _qr(subparsers)
    _username(subparsers)


# --- webhook subscriptions -------------------------------------------------------------------------------------


def _subscriptions(subparsers: Any) -> None:
    verbs = group(subparsers, "subscriptions", "the app's webhook subscription to the WABA, and callback overrides")
    p = verb(verbs, "list", "list the apps subscribed to the WABA (needs --waba-id)", _subs_list)
    p.add_argument("--json", action="store_true", help="print JSON lines instead of a table")
    p = verb(verbs, "subscribe", "subscribe the app to the WABA's webhooks (needs --waba-id)", _subs_subscribe)
    p.add_argument("--callback-url", metavar="URL", help="send the WABA's webhooks here instead (https)")
    p.add_argument("--verify-token", metavar="TOKEN", help="the token Meta's verification request carries")
    verb(verbs, "unsubscribe", "unsubscribe the app: no more webhooks from this WABA", _subs_unsubscribe)
    p = verb(verbs, "override", "send this phone number's webhooks to URL", _subs_override)
    p.add_argument("callback_url", metavar="URL")
    p.add_argument("--verify-token", metavar="TOKEN", required=True)
    verb(verbs, "remove-override", "remove this phone number's callback override", _subs_remove_override)
    verb(verbs, "config", "print where this number's webhooks go, as JSON", _subs_config)


def _subs_list(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        rows = await client.subscriptions.list()
        return print_rows(rows, ("id", "name", "override_callback_uri"), args.json, "subscribed apps")

    return with_client(args, body, phone=False, waba=True)


def _subs_subscribe(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        ok = await client.subscriptions.subscribe(args.callback_url, args.verify_token)
        return said(ok, "subscribed", "not subscribed")

    return with_client(args, body, phone=False, waba=True)


def _subs_unsubscribe(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        return said(await client.subscriptions.unsubscribe(), "unsubscribed", "not unsubscribed")

    return with_client(args, body, phone=False, waba=True)


def _subs_override(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        ok = await client.subscriptions.set_number_override(args.callback_url, args.verify_token)
        return said(ok, "override set", "override not set")

    return with_client(args, body)


def _subs_remove_override(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        return said(await client.subscriptions.remove_number_override(), "override removed", "not removed")

    return with_client(args, body)


def _subs_config(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        config = await client.subscriptions.webhook_configuration()
        print_json({**plain(config), "effective": config.effective})
        return 0

    return with_client(args, body)


# --- block list ------------------------------------------------------------------------------------------------


def _blocked(subparsers: Any) -> None:
    verbs = group(subparsers, "blocked", "the phone number's block list")
    p = verb(verbs, "list", "list the blocked users (every page)", _blocked_list)
    p.add_argument("--json", action="store_true", help="print JSON lines instead of a table")
    for name, help_text, func in (("block", "block users (phone numbers or BSUIDs)", _blocked_block),
                                  ("unblock", "unblock users (phone numbers or BSUIDs)", _blocked_unblock)):
        p = verb(verbs, name, help_text, func)
        p.add_argument("users", metavar="USER", nargs="+")


def _blocked_list(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        rows = [u async for u in client.blocked.list()]
        return print_rows(rows, ("wa_id", "user_id", "parent_user_id"), args.json, "blocked users")

    return with_client(args, body)


def _blocked_block(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        result = await client.blocked.block(args.users)
        return partial(result, result.failed, "user(s) not blocked", lambda f: f.input)

    return with_client(args, body)


def _blocked_unblock(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        result = await client.blocked.unblock(args.users)
        return partial(result, result.failed, "user(s) not unblocked", lambda f: f.input)

    return with_client(args, body)


# --- QR codes --------------------------------------------------------------------------------------------------


def _image(p: argparse.ArgumentParser, default: str | None) -> None:
    p.add_argument("--image", type=str.upper, choices=["PNG", "SVG", "NONE"], default=default,
                   help=f"the QR image's format (default: {default or 'none'})")  # fmt: skip


def _format(args: argparse.Namespace) -> Any:
    return None if args.image in (None, "NONE") else args.image


def _qr(subparsers: Any) -> None:
    verbs = group(subparsers, "qr", "QR codes and short links that open a chat with a prefilled message")
    p = verb(verbs, "list", "list the number's QR codes (newest first)", _qr_list)
    p.add_argument("--json", action="store_true", help="print JSON lines instead of a table")
    _image(p, None)
    p = verb(verbs, "create", "create a QR code; print it as JSON", _qr_create)
    p.add_argument("message", metavar="MESSAGE", help="the prefilled message (at most 140 characters)")
    _image(p, "PNG")
    p = verb(verbs, "get", "print one QR code as JSON", _qr_get)
    p.add_argument("code", metavar="CODE")
    _image(p, None)
    p = verb(verbs, "update", "change the message a QR code prefills", _qr_update)
    p.add_argument("code", metavar="CODE")
    p.add_argument("message", metavar="MESSAGE")
    p = verb(verbs, "delete", "delete a QR code", _qr_delete)
    p.add_argument("code", metavar="CODE")


def _qr_list(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        rows = [q async for q in client.qr_codes.list(_format(args))]
        return print_rows(rows, ("code", "prefilled_message", "deep_link_url", "qr_image_url"), args.json, "QR codes")

    return with_client(args, body)


def _qr_create(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        print_json(await client.qr_codes.create(args.message, _format(args)))
        return 0

    return with_client(args, body)


def _qr_get(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        print_json(await client.qr_codes.get(args.code, _format(args)))
        return 0

    return with_client(args, body)


def _qr_update(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        print_json(await client.qr_codes.update(args.code, args.message))
        return 0

    return with_client(args, body)


def _qr_delete(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        return said(await client.qr_codes.delete(args.code), "deleted", "not deleted")

    return with_client(args, body)


# --- business username -----------------------------------------------------------------------------------------


def _username(subparsers: Any) -> None:
    verbs = group(subparsers, "username", "the phone number's business username")
    verb(verbs, "get", "print the username and its status as JSON", _username_get)
    p = verb(verbs, "set", "adopt or change the username; print its status", _username_set)
    p.add_argument("username", metavar="NAME")
    p.add_argument("--force-transfer", action="store_true",
                   help="take it from another number of the same business portfolio")  # fmt: skip
    verb(verbs, "delete", "remove the username", _username_delete)
    verb(verbs, "suggestions", "print the usernames Meta reserved for the business", _username_suggestions)


def _username_get(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        print_json(await client.usernames.get())
        return 0

    return with_client(args, body)


def _username_set(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        print(await client.usernames.set(args.username, force_transfer=args.force_transfer))
        return 0

    return with_client(args, body)


def _username_delete(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        return said(await client.usernames.delete(), "deleted", "no username to delete")

    return with_client(args, body)


def _username_suggestions(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        for name in await client.usernames.suggestions():
            print(name)
        return 0

    return with_client(args, body)
