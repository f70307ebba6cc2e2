"""``wa-async emulator``: serve the local Cloud API and Maton gateway stand-in until stopped, or post one webhook
to a running bot (``wa-async emulator inbound``)."""

from __future__ import annotations

import argparse
import os
import secrets
import time
from typing import Any

__all__ = ["register"]

_DEFAULT_MIME = {
    "image": "image/jpeg",
    "video": "video/mp4",
    "audio": "audio/ogg",
    "document": "application/pdf",
    "sticker": "image/webp",
}
_CONTENT_FLAGS = ("text", "button", "list", "reaction", "location", "status", *_DEFAULT_MIME)
_STATUSES = ("sent", "delivered", "read", "failed", "played")


def register(subparsers: Any) -> None:
    """Add the ``emulator`` command and its ``inbound`` subcommand."""
    p = subparsers.add_parser(
        "emulator",
        help="serve a local WhatsApp Cloud API / Maton gateway emulator, or post a webhook to a bot",
        description="Serve the emulator until stopped (Ctrl-C); 'wa-async emulator inbound' posts one signed "
        "webhook to a running bot instead.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8089, help="port (default 8089; 0 picks a free one)")
    p.add_argument("--rate", type=int, default=10, help="gateway requests per second (default 10; 0: no limit)")
    p.add_argument("--webhook-url", help="post signed status and inbound webhooks here")
    p.add_argument("--app-secret", help="the secret that signs webhooks (X-Hub-Signature-256)")
    p.set_defaults(func=_serve)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    _register_inbound(actions)


def _register_inbound(actions: Any) -> None:
    p = actions.add_parser(
        "inbound",
        help="post one signed webhook (a user's message or a status) to a running bot",
        description="Post one webhook in Meta's shape to a bot's endpoint, signed with the app secret, as if a "
        "user wrote to the business (or a status arrived). Prints the message's wamid; exits 1 unless the bot "
        "answered 2xx.",
    )
    p.add_argument("--to-url", required=True, metavar="URL", help="the bot's webhook endpoint")
    p.add_argument("--from", dest="from_", default="16505551234", metavar="NUMBER",
                   help="the user's number (the recipient, for --status; default 16505551234)")  # fmt: skip
    p.add_argument("--app-secret", metavar="S", help="sign with this app secret (env WA_APP_SECRET; else unsigned)")
    p.add_argument("--name", default="Test User", help="the user's profile name")
    p.add_argument("--context", metavar="WAMID", help="the business message this one answers")
    p.add_argument("--phone-number-id", metavar="ID", help="the business number (env WA_PHONE_NUMBER_ID; "
                   "default the emulator's 106540352242922)")  # fmt: skip
    p.add_argument("--waba-id", metavar="ID", help="the WhatsApp Business Account id (env WA_WABA_ID)")
    what = p.add_argument_group("what is sent (exactly one)")
    what.add_argument("--text", metavar="BODY", help="a text message")
    what.add_argument("--button", metavar="ID:TITLE", help="a tapped reply button")
    what.add_argument("--list", metavar="ID:TITLE[:DESCRIPTION]", help="a chosen list row")
    what.add_argument("--reaction", metavar="WAMID:EMOJI", help="a reaction to a business message")
    what.add_argument("--location", metavar="LAT,LON", help="a shared location")
    for kind in _DEFAULT_MIME:
        what.add_argument(f"--{kind}", metavar="MEDIA_ID", help=f"an {kind} message" if kind[0] in "aeiou"
                          else f"a {kind} message")  # fmt: skip
    what.add_argument("--status", metavar="WAMID:STATUS", help="a status (sent, delivered, read, failed, played)")
    extra = p.add_argument_group("details")
    extra.add_argument("--mime-type", help="the media's MIME type (default by kind, e.g. image/jpeg)")
    extra.add_argument("--caption", help="the media's caption")
    extra.add_argument("--filename", help="a document's file name")
    extra.add_argument("--code", type=int, help="the error code of a failed status (default 131026)")
    p.set_defaults(func=_inbound)


def _serve(args: argparse.Namespace) -> int:
    from ..emulator import Emulator
    from ..emulator._serve import check_options, describe, serve
    from ._common import EXIT_USAGE, fail, run_async

    problem = check_options(args.port, args.rate)
    if problem is not None:
        return fail(problem, EXIT_USAGE)

    def ready(emu: Emulator) -> None:
        print(describe(emu), flush=True)

    async def main() -> int:
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


def _inbound(args: argparse.Namespace) -> int:
    from ._common import EXIT_USAGE, UsageError, fail, run_async

    try:
        wamid, payload = _payload(args)
    except UsageError as e:
        return fail(str(e), EXIT_USAGE)
    secret = args.app_secret or os.environ.get("WA_APP_SECRET") or None

    async def main() -> int:
        import aiohttp

        from ..emulator._webhooks import deliver

        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
            try:
                status = await deliver(session, args.to_url, payload, secret)
            except (aiohttp.ClientError, TimeoutError, OSError) as e:
                return fail(f"cannot reach {args.to_url}: {e or type(e).__name__}")
        if not 200 <= status < 300:
            return fail(f"the bot answered HTTP {status} (wamid {wamid})")
        print(wamid)
        return 0

    return run_async(main)


def _payload(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    """The wamid and the webhook body the flags describe; UsageError when they do not describe one."""
    from ..emulator._inbound import User, bsuid_for, inbound_message
    from ..emulator._records import Accepted, Stats
    from ..emulator._validate import normalize_to
    from ..emulator._webhooks import WebhookSender
    from ._common import UsageError

    given = [flag for flag in _CONTENT_FLAGS if getattr(args, flag) is not None]
    if len(given) != 1:
        flags = ", ".join(f"--{f}" for f in _CONTENT_FLAGS)
        raise UsageError(f"give exactly one of {flags}" + (f" (got {len(given)})" if given else ""))
    kind = given[0]
    value: str = getattr(args, kind)
    user = normalize_to(args.from_)
    if user is None:
        raise UsageError(f"--from: {args.from_!r} is not a phone number (7 to 15 digits)")
    pnid = args.phone_number_id or os.environ.get("WA_PHONE_NUMBER_ID") or "106540352242922"
    waba = args.waba_id or os.environ.get("WA_WABA_ID") or "102290129340398"
    sender = WebhookSender(args.to_url, None, waba_id=waba, display_phone_number="15550783881", stats=Stats())

    if kind == "status":
        wamid, _, status = value.rpartition(":")
        if not wamid or status not in _STATUSES:
            raise UsageError(f"--status: give WAMID:STATUS with STATUS one of {', '.join(_STATUSES)}")
        record = Accepted(wamid, user, "text", {"to": user}, 0.0, pnid, user)
        failed = (args.code or 131026) if status == "failed" else None
        return wamid, sender.status_payload(record, status, failed_code=failed)

    content: dict[str, Any] = {}  # the one content keyword of inbound_message
    if kind == "text":
        content["text"] = value
    elif kind == "button":
        content["button_reply"] = _split(value, "--button", "ID:TITLE", 2)[:2]
    elif kind == "list":
        content["list_reply"] = _split(value, "--list", "ID:TITLE[:DESCRIPTION]", 3)
    elif kind == "reaction":
        message_id, _, emoji = value.rpartition(":")
        if not message_id:
            raise UsageError("--reaction: give WAMID:EMOJI")
        content["reaction"] = (message_id, emoji)
    elif kind == "location":
        try:
            latitude, longitude = (float(part) for part in value.split(","))
        except ValueError:
            raise UsageError(f"--location: give LAT,LON as two numbers, not {value!r}") from None
        content["content"] = ("location", {"latitude": latitude, "longitude": longitude})
    else:
        media: dict[str, Any] = {"id": value, "mime_type": args.mime_type or _DEFAULT_MIME[kind]}
        if args.caption is not None:
            media["caption"] = args.caption
        if args.filename is not None:
            media["filename"] = args.filename
        content["content"] = (kind, media)
    wamid = "wamid." + secrets.token_urlsafe(24)
    contact = User(user_id=bsuid_for(user), phone=user, name=args.name)
    message = inbound_message(
        wamid=wamid,
        from_=user,
        user_id=contact.user_id,
        timestamp=str(int(time.time())),
        context={"from": "15550783881", "id": args.context} if args.context else None,
        **content,
    )
    return wamid, sender.envelope(pnid, {"contacts": [contact.contact()], "messages": [message]})


def _split(value: str, flag: str, shape: str, most: int) -> tuple[str, ...]:
    from ._common import UsageError

    parts = tuple(value.split(":", most - 1))
    if len(parts) < 2 or not all(parts[:2]):
        raise UsageError(f"{flag}: give {shape}, not {value!r}")
    return parts
