"""``wa-async groups``: the phone number's WhatsApp groups, their invite links, join requests and participants.

A batch where some items failed (participants, join requests) prints its result and one error line, and exits 1.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .._client import Client
from ..resources._groups import JoinApprovalMode
from ._verbs import group, partial, print_json, print_rows, said, verb, with_client

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``groups`` command."""
    verbs = group(subparsers, "groups", "WhatsApp groups of the phone number")
    p = verb(verbs, "list", "list the groups (every page)", _list)
    p.add_argument("--json", action="store_true", help="print JSON lines instead of a table")
    p = verb(verbs, "create", "create a group; print the request id its lifecycle webhook names", _create)
    p.add_argument("subject", metavar="SUBJECT", help="at most 128 characters")
    p.add_argument("--description", help="at most 2,048 characters")
    p.add_argument("--approval-required", action="store_true", help="join requests must be approved")
    p = verb(verbs, "get", "print a group as JSON", _get)
    p.add_argument("group_id", metavar="ID")
    p = verb(verbs, "update", "change a group's subject, description or picture", _update)
    p.add_argument("group_id", metavar="ID")
    p.add_argument("--subject")
    p.add_argument("--description")
    p.add_argument("--picture", metavar="FILE", help="a square JPEG over 192 px, at most 5 MB")
    p = verb(verbs, "delete", "delete a group for everyone", _delete)
    p.add_argument("group_id", metavar="ID")
    p = verb(verbs, "invite-link", "print the invite link (or make a new one, or revoke it)", _invite_link)
    p.add_argument("group_id", metavar="ID")
    action = p.add_mutually_exclusive_group()
    action.add_argument("--reset", action="store_true", help="a new link; the old one stops working")
    action.add_argument("--revoke", action="store_true", help="no link works until a reset")
    p = verb(verbs, "join-requests", "list a group's open join requests", _join_requests)
    p.add_argument("group_id", metavar="ID")
    p.add_argument("--json", action="store_true", help="print JSON lines instead of a table")
    for name, help_text, func in (("approve", "approve join requests", _approve),
                                  ("reject", "reject join requests", _reject)):  # fmt: skip
        p = verb(verbs, name, help_text, func)
        p.add_argument("group_id", metavar="ID")
        p.add_argument("requests", metavar="REQUEST_ID", nargs="+")
    for name, help_text, func in (("add", "add 1 to 8 participants (phone numbers or BSUIDs)", _add),
                                  ("remove", "remove 1 to 8 participants (phone numbers or BSUIDs)", _remove)):
        p = verb(verbs, name, help_text, func)
        p.add_argument("group_id", metavar="ID")
        p.add_argument("users", metavar="USER", nargs="+")


def _list(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        rows = [g async for g in client.groups.list()]
        return print_rows(rows, ("id", "subject", "created_at"), args.json, "groups")

    return with_client(args, body)


def _create(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        mode: JoinApprovalMode | None = "approval_required" if args.approval_required else None
        print(await client.groups.create(args.subject, description=args.description, join_approval_mode=mode))
        return 0

    return with_client(args, body)


def _get(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        print_json(await client.groups.get(args.group_id))
        return 0

    return with_client(args, body)


def _update(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        picture = Path(args.picture) if args.picture else None
        ok = await client.groups.update(args.group_id, subject=args.subject, description=args.description,
                                        picture=picture)  # fmt: skip
        return said(ok, "updated", "not updated")

    return with_client(args, body)


def _delete(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        return said(await client.groups.delete(args.group_id), "deleted", "not deleted")

    return with_client(args, body)


def _invite_link(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        if args.revoke:
            return said(await client.groups.revoke_invite_link(args.group_id), "revoked", "not revoked")
        if args.reset:
            print(await client.groups.reset_invite_link(args.group_id))
            return 0
        link = await client.groups.invite_link(args.group_id)
        print(link or "no invite link (revoked): make one with --reset")
        return 0 if link else 1

    return with_client(args, body)


def _join_requests(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        rows = [r async for r in client.groups.join_requests(args.group_id)]
        columns = ("join_request_id", "wa_id", "user_id", "username", "creation_timestamp")
        return print_rows(rows, columns, args.json, "join requests")

    return with_client(args, body)


def _approve(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        result = await client.groups.approve_join_requests(args.group_id, args.requests)
        return partial(result, result.failed, "join request(s) not approved", lambda f: f.join_request_id)

    return with_client(args, body)


def _reject(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        result = await client.groups.reject_join_requests(args.group_id, args.requests)
        return partial(result, result.failed, "join request(s) not rejected", lambda f: f.join_request_id)

    return with_client(args, body)


def _add(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        result = await client.groups.add_participants(args.group_id, args.users)
        return partial(result, result.failed, "participant(s) not added", lambda f: f.input)

    return with_client(args, body)


def _remove(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        result = await client.groups.remove_participants(args.group_id, args.users)
        return partial(result, result.failed, "participant(s) not removed", lambda f: f.input)

    return with_client(args, body)
