"""``wa-async calls``: place and answer WhatsApp calls, read call permissions, and change the calling settings.

The media itself is WebRTC, outside this tool: an SDP offer or answer comes from a file (``-``: standard input).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from .._client import Client
from ..resources import CallHours, Holiday, OperatingHours
from ._common import UsageError
from ._verbs import group, print_json, said, verb, with_client

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``calls`` command."""
    verbs = group(subparsers, "calls", "WhatsApp calls of the phone number (the Calling API)")
    p = verb(verbs, "connect", "call a user with an SDP offer; print the call id", _connect)
    p.add_argument("to", metavar="USER", help="a phone number or a BSUID")
    _sdp_argument(p, "offer")
    p.add_argument("--callback-data", metavar="TEXT", help="echoed in the call's webhooks (at most 512 characters)")
    for name, help_text, func in (("pre-accept", "start connecting a user's call with an SDP answer", _pre_accept),
                                  ("accept", "accept a user's call with the SDP answer", _accept)):  # fmt: skip
        p = verb(verbs, name, help_text, func)
        p.add_argument("call_id", metavar="CALL_ID")
        _sdp_argument(p, "answer")
        if name == "accept":
            p.add_argument("--callback-data", metavar="TEXT", help="echoed in the call's webhooks")
    for name, help_text, func in (("reject", "decline a user's call", _reject),
                                  ("terminate", "end a call", _terminate)):  # fmt: skip
        p = verb(verbs, name, help_text, func)
        p.add_argument("call_id", metavar="CALL_ID")
    p = verb(verbs, "permissions", "print a user's call permission and what may be done now, as JSON", _permissions)
    p.add_argument("user", metavar="USER", help="a phone number or a BSUID")
    verb(verbs, "settings", "print the calling settings as JSON", _settings)
    p = verb(verbs, "set", "change calling settings (the others stay)", _set)
    on_off = ["ENABLED", "DISABLED"]
    p.add_argument("--status", type=str.upper, choices=on_off, help="turn calling on or off")
    p.add_argument("--icon-visibility", type=str.upper, choices=["DEFAULT", "DISABLE_ALL"],
                   help="show the call button (DEFAULT) or hide it")  # fmt: skip
    p.add_argument("--countries", metavar="CC,CC", help="show the call button only to users of these countries "
                   "('' for everyone)")  # fmt: skip
    p.add_argument("--callback-permission", type=str.upper, choices=on_off,
                   help="ask for permission to call back after a missed call")  # fmt: skip
    p.add_argument("--call-hours", type=str.upper, choices=on_off, help="take calls only in the hours given")
    p.add_argument("--timezone", metavar="TZ", help="the hours' time zone, e.g. Europe/Berlin")
    p.add_argument("--hours", action="append", default=[], metavar="DAY=HHMM-HHMM",
                   help="open hours, e.g. MONDAY=0900-1730 (at most 2 a day; repeat)")  # fmt: skip
    p.add_argument("--holiday", action="append", default=[], metavar="YYYY-MM-DD[=HHMM-HHMM]",
                   help="a day without calls (all day unless hours are given; repeat)")  # fmt: skip


def _sdp_argument(p: argparse.ArgumentParser, kind: str) -> None:
    p.add_argument("--sdp", required=True, metavar="FILE", help=f"the SDP {kind} ('-': standard input)")


async def _read_sdp(name: str) -> str:
    if name == "-":
        return await asyncio.to_thread(sys.stdin.read)
    try:
        return await asyncio.to_thread(Path(name).read_text)
    except OSError as e:
        raise UsageError(f"{name}: {e.strerror or e}") from None


def _connect(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        sdp = await _read_sdp(args.sdp)
        print(await client.calls.connect(args.to, sdp, biz_opaque_callback_data=args.callback_data))
        return 0

    return with_client(args, body)


def _pre_accept(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        ok = await client.calls.pre_accept(args.call_id, await _read_sdp(args.sdp))
        return said(ok, "pre-accepted", "not pre-accepted")

    return with_client(args, body)


def _accept(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        sdp = await _read_sdp(args.sdp)
        ok = await client.calls.accept(args.call_id, sdp, biz_opaque_callback_data=args.callback_data)
        return said(ok, "accepted", "not accepted")

    return with_client(args, body)


def _reject(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        return said(await client.calls.reject(args.call_id), "rejected", "not rejected")

    return with_client(args, body)


def _terminate(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        return said(await client.calls.terminate(args.call_id), "terminated", "not terminated")

    return with_client(args, body)


def _permissions(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        print_json(await client.calls.permissions(args.user))
        return 0

    return with_client(args, body)


def _settings(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        print_json(await client.calls.settings())
        return 0

    return with_client(args, body)


def _set(args: argparse.Namespace) -> int:
    async def body(client: Client) -> int:
        countries = None
        if args.countries is not None:
            countries = [c.strip() for c in args.countries.split(",") if c.strip()]
        ok = await client.calls.update_settings(
            status=args.status, call_icon_visibility=args.icon_visibility, restrict_to_user_countries=countries,
            call_hours=_hours(args), callback_permission_status=args.callback_permission,
        )  # fmt: skip
        return said(ok, "updated", "not updated")

    return with_client(args, body)


def _hours(args: argparse.Namespace) -> CallHours | None:
    if args.call_hours is None and args.timezone is None and not args.hours and not args.holiday:
        return None
    week = []
    for spec in args.hours:
        day, _, span = spec.partition("=")
        start, _, end = span.partition("-")
        if not day or not start or not end:
            raise UsageError(f"--hours {spec!r}: write it as DAY=HHMM-HHMM, e.g. MONDAY=0900-1730")
        week.append(OperatingHours(day.upper(), start, end))
    holidays = []
    for spec in args.holiday:
        date, _, span = spec.partition("=")
        start, _, end = (span or "0000-2359").partition("-")
        holidays.append(Holiday(date, start, end))
    return CallHours(status=args.call_hours, timezone_id=args.timezone, weekly_operating_hours=week,
                     holiday_schedule=holidays)  # fmt: skip
