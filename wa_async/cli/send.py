"""``wa-async send TYPE ...``: send one message and print its wamid."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from .. import _messages as m
from ._common import UsageError, add_target_arguments, client_from_args, run_async

__all__ = ["register"]


def _media(cls: type[m.Message], caption: bool = True, filename: bool = False) -> Callable[[argparse.Namespace], Any]:
    def build(a: argparse.Namespace) -> Any:
        kw: dict[str, Any] = {"link": a.link, "id": a.id, "reply_to": a.reply_to}
        if caption:
            kw["caption"] = a.caption
        if filename:
            kw["filename"] = a.filename
        return cls(a.to, **kw)

    return build


def _buttons(a: argparse.Namespace) -> m.Buttons:
    buttons = []
    for spec in a.button:
        bid, sep, title = spec.partition(":")
        if not sep:
            raise UsageError(f"--button {spec!r}: write it as ID:TITLE")
        buttons.append(m.ReplyButton(bid, title))
    return m.Buttons(a.to, a.body, buttons, header=a.header, footer=a.footer, reply_to=a.reply_to)


def _template(a: argparse.Namespace) -> m.Template:
    components = [m.BodyParams([m.TextParam(p) for p in a.param])] if a.param else []
    return m.Template(a.to, a.name, a.language, components)


_TYPES: dict[str, tuple[str, Callable[[argparse.Namespace], Any]]] = {
    "text": ("a text message", lambda a: m.Text(a.to, a.body, preview_url=a.preview_url, reply_to=a.reply_to)),
    "template": ("an approved template", _template),
    "image": ("an image by link or media id", _media(m.Image)),
    "video": ("a video by link or media id", _media(m.Video)),
    "audio": ("an audio file by link or media id", _media(m.Audio, caption=False)),
    "document": ("a document by link or media id", _media(m.Document, filename=True)),
    "sticker": ("a sticker by link or media id", _media(m.Sticker, caption=False)),
    "location": (
        "a location",
        lambda a: m.Location(a.to, a.latitude, a.longitude, name=a.name, address=a.address, reply_to=a.reply_to),
    ),
    "reaction": ("a reaction to a message", lambda a: m.Reaction(a.to, a.message_id, a.emoji)),
    "buttons": ("a message with up to 3 reply buttons", _buttons),
    "cta": (
        "a call-to-action URL button",
        lambda a: m.CtaUrl(a.to, a.body, a.display_text, a.url, header=a.header, footer=a.footer),
    ),
}


def register(subparsers: Any) -> None:
    """Add ``send`` with one subcommand per message type, and ``send read``."""
    send = subparsers.add_parser("send", help="send one message and print its wamid")
    types = send.add_subparsers(dest="type", metavar="TYPE", required=True)
    for name, (help_text, _) in _TYPES.items():
        p = types.add_parser(name, help=f"send {help_text}")
        p.add_argument("--to", required=name != "read", help="the recipient, international format (+15551234567)")
        _type_arguments(name, p)
        add_target_arguments(p)
        p.set_defaults(func=_run)
    read = types.add_parser("read", help="mark a received message as read")
    read.add_argument("--message-id", required=True, help="the received message's wamid")
    read.add_argument("--typing", action="store_true", help="also show a typing indicator (up to 25 s)")
    add_target_arguments(read)
    read.set_defaults(func=_run_read)


def _type_arguments(name: str, p: argparse.ArgumentParser) -> None:
    if name in ("text", "buttons", "cta"):
        p.add_argument("--body", required=True, help="the message text")
    if name == "text":
        p.add_argument("--preview-url", action="store_true", help="show a preview of the first URL")
    if name == "template":
        p.add_argument("--name", required=True, help="the template's name")
        p.add_argument("--language", default="en_US", help="the template's language code (default en_US)")
        p.add_argument("--param", action="append", default=[], help="a body parameter, in order (repeat)")
    if name in ("image", "video", "audio", "document", "sticker"):
        src = p.add_mutually_exclusive_group(required=True)
        src.add_argument("--link", help="an http(s) URL of the media")
        src.add_argument("--id", help="an uploaded media id")
        if name in ("image", "video", "document"):
            p.add_argument("--caption")
        if name == "document":
            p.add_argument("--filename")
    if name == "location":
        p.add_argument("--latitude", type=float, required=True)
        p.add_argument("--longitude", type=float, required=True)
        p.add_argument("--name")
        p.add_argument("--address")
    if name == "reaction":
        p.add_argument("--message-id", required=True, help="the wamid reacted to")
        p.add_argument("--emoji", required=True, help="the emoji (empty removes the reaction)")
    if name == "buttons":
        p.add_argument("--button", action="append", required=True, metavar="ID:TITLE", help="a reply button (1 to 3)")
    if name == "cta":
        p.add_argument("--display-text", required=True)
        p.add_argument("--url", required=True)
    if name in ("buttons", "cta"):
        p.add_argument("--header")
        p.add_argument("--footer")
    if name != "reaction" and name != "template":
        p.add_argument("--reply-to", metavar="WAMID", help="reply to this message")


def _run(args: argparse.Namespace) -> int:
    async def main() -> int:
        msg = _TYPES[args.type][1](args)
        async with client_from_args(args, windows=False) as client:
            print(await client.send(msg))
        return 0

    return run_async(main)


def _run_read(args: argparse.Namespace) -> int:
    async def main() -> int:
        async with client_from_args(args, windows=False) as client:
            await client.mark_read(args.message_id, typing=args.typing)
        print("ok")
        return 0

    return run_async(main)
