"""``wa-async send TYPE ...``: send one message and print its wamid.

Each verb is one message type: its flags, and how they build the struct (which validates them). ``--to`` takes a
phone number as people write it (``+1 (555) 123-4567``), a BSUID, or with ``--group`` a group id.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from .. import _messages as m
from .._messages._template import Component, otp_components
from ._common import UsageError, add_target_arguments, client_from_args, run_async

__all__ = ["register"]

_Build = Callable[[argparse.Namespace], m.Message]
_Args = Callable[[argparse.ArgumentParser], None]


def _split(spec: str, flag: str, shape: str, parts: tuple[int, int], sep: str = "|") -> list[str]:
    """``spec`` cut at ``sep`` into ``parts[0]`` to ``parts[1]`` pieces, or a UsageError showing ``shape``."""
    pieces = spec.split(sep, parts[1] - 1)  # the last piece keeps any further separator
    if not parts[0] <= len(pieces) <= parts[1]:
        raise UsageError(f"{flag} {spec!r}: write it as {shape}")
    return pieces


def _pairs(specs: list[str], flag: str) -> dict[str, str]:
    out = {}
    for spec in specs:
        key, sep, value = spec.partition("=")
        if not sep:
            raise UsageError(f"{flag} {spec!r}: write it as KEY=VALUE")
        out[key] = value
    return out


def _int(text: str, flag: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise UsageError(f"{flag} {text!r}: expected a whole number") from None


def _to(a: argparse.Namespace) -> str:
    return m.Group(a.to) if getattr(a, "group", False) else a.to


def _common(a: argparse.Namespace) -> dict[str, Any]:
    return {"callback_data": a.callback_data}


def _reply(a: argparse.Namespace) -> dict[str, Any]:
    return {"reply_to": a.reply_to, "callback_data": a.callback_data}


# --- the verbs: (help, arguments, build) ------------------------------------------------------------------------


def _body(p: argparse.ArgumentParser, *, required: bool = True) -> None:
    p.add_argument("--body", required=required, help="the message text")


def _footer(p: argparse.ArgumentParser) -> None:
    p.add_argument("--footer", help="a footer (up to 60 characters)")


def _text_args(p: argparse.ArgumentParser) -> None:
    _body(p)
    p.add_argument("--preview-url", action="store_true", help="show a preview of the first URL")


def _text(a: argparse.Namespace) -> m.Message:
    return m.Text(_to(a), a.body, preview_url=a.preview_url, **_reply(a))


def _template_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--name", required=True, help="the template's name")
    p.add_argument("--language", default="en_US", help="the template's language code (default en_US)")
    p.add_argument("--param", action="append", default=[], help="a body parameter, in order (repeat)")
    p.add_argument("--named-param", action="append", default=[], metavar="NAME=VALUE",
                   help="a named body parameter (repeat)")  # fmt: skip
    p.add_argument("--header-param", metavar="TEXT", help="the header's text parameter")
    p.add_argument("--quick-reply", action="append", default=[], metavar="INDEX:PAYLOAD",
                   help="the payload of quick-reply button INDEX (repeat)")  # fmt: skip
    p.add_argument("--url-suffix", action="append", default=[], metavar="INDEX:TEXT",
                   help="the text appended to URL button INDEX (repeat)")  # fmt: skip
    p.add_argument("--copy-code", metavar="INDEX:CODE", help="the coupon code of copy-code button INDEX")
    p.add_argument("--component", action="append", default=[], metavar="JSON",
                   help="any other component, as Meta's JSON (repeat)")  # fmt: skip
    p.add_argument("--language-policy", choices=["deterministic"], help="send language.policy")
    p.add_argument("--marketing", action="store_true", help="send through the Marketing Messages API")
    p.add_argument("--product-policy", choices=["CLOUD_API_FALLBACK", "STRICT"],
                   help="with --marketing: fall back to the Cloud API, or refuse, when not onboarded")  # fmt: skip


def _buttons_of(specs: list[str], flag: str, sub_type: str) -> list[m.ButtonParams]:
    out = []
    for spec in specs:
        index, value = _split(spec, flag, "INDEX:VALUE", (2, 2), ":")
        out.append(m.ButtonParams(sub_type, _int(index, flag), [value]))
    return out


def _template(a: argparse.Namespace) -> m.Message:
    components: list[Component] = []
    if a.header_param is not None:
        components.append(m.HeaderParams([a.header_param]))
    body: list[Any] = [*a.param, *(m.TextParam(v, name=k) for k, v in _pairs(a.named_param, "--named-param").items())]
    if body:
        components.append(m.BodyParams(body))
    components += _buttons_of(a.quick_reply, "--quick-reply", "quick_reply")
    components += _buttons_of(a.url_suffix, "--url-suffix", "url")
    if a.copy_code is not None:
        components += _buttons_of([a.copy_code], "--copy-code", "copy_code")
    for raw in a.component:
        try:
            components.append(json.loads(raw))
        except ValueError:
            raise UsageError(f"--component {raw!r}: not JSON") from None
    return m.Template(
        _to(a), a.name, a.language, components, language_policy=a.language_policy, marketing=a.marketing,
        product_policy=a.product_policy, **_common(a),
    )  # fmt: skip


def _otp_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--name", required=True, help="the authentication template's name")
    p.add_argument("--code", required=True, help="the one-time password (up to 15 characters)")
    p.add_argument("--language", default="en_US", help="the template's language code (default en_US)")


def _otp(a: argparse.Namespace) -> m.Message:
    return m.Template(_to(a), a.name, a.language, otp_components(a.code), **_common(a))


def _media_args(caption: bool = True, filename: bool = False) -> _Args:
    def args(p: argparse.ArgumentParser) -> None:
        src = p.add_mutually_exclusive_group(required=True)
        src.add_argument("--link", help="an http(s) URL of the media")
        src.add_argument("--id", help="an uploaded media id")
        if caption:
            p.add_argument("--caption")
        if filename:
            p.add_argument("--filename")

    return args


def _media(cls: type[m.Message], caption: bool = True, filename: bool = False) -> _Build:
    def build(a: argparse.Namespace) -> m.Message:
        kw: dict[str, Any] = {"link": a.link, "id": a.id, **_reply(a)}
        if caption:
            kw["caption"] = a.caption
        if filename:
            kw["filename"] = a.filename
        return cls(_to(a), **kw)

    return build


def _location_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--latitude", type=float, required=True)
    p.add_argument("--longitude", type=float, required=True)
    p.add_argument("--name")
    p.add_argument("--address")


def _reaction_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--message-id", required=True, help="the wamid reacted to")
    p.add_argument("--emoji", required=True, help="the emoji (empty removes the reaction)")


def _contacts_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--name", required=True, help="the contact's name")
    p.add_argument("--phone", action="append", default=[], help="a phone number of the contact (repeat)")
    p.add_argument("--email", action="append", default=[], help="an email address of the contact (repeat)")


def _buttons_args(p: argparse.ArgumentParser) -> None:
    _body(p)
    p.add_argument("--button", action="append", required=True, metavar="ID:TITLE", help="a reply button (1 to 3)")
    p.add_argument("--header")
    _footer(p)


def _buttons(a: argparse.Namespace) -> m.Message:
    buttons = [m.ReplyButton(*_split(spec, "--button", "ID:TITLE", (2, 2), ":")) for spec in a.button]
    return m.Buttons(_to(a), a.body, buttons, header=a.header, footer=a.footer, **_reply(a))


def _cta_args(p: argparse.ArgumentParser) -> None:
    _body(p)
    p.add_argument("--display-text", required=True)
    p.add_argument("--url", required=True)
    p.add_argument("--header")
    _footer(p)


def _product_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--catalog-id", required=True)
    p.add_argument("--product-id", required=True, help="the product's retailer id")
    _body(p, required=False)
    _footer(p)


def _product_list_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--catalog-id", required=True)
    p.add_argument("--header", required=True, help="the header text (up to 60 characters)")
    _body(p)
    p.add_argument("--section", action="append", required=True, metavar="TITLE:ID,ID,...",
                   help="a section of product retailer ids (repeat; TITLE may be empty with one section)")  # fmt: skip
    _footer(p)


def _product_list(a: argparse.Namespace) -> m.Message:
    sections = []
    for spec in a.section:
        title, ids = _split(spec, "--section", "TITLE:ID,ID,...", (2, 2), ":")
        sections.append(m.ProductSection(title or None, [i for i in ids.split(",") if i]))
    return m.ProductList(_to(a), a.catalog_id, a.header, a.body, sections, footer=a.footer, **_reply(a))


def _catalog_args(p: argparse.ArgumentParser) -> None:
    _body(p)
    p.add_argument("--thumbnail-product-id", help="the product whose image is shown")
    _footer(p)


def _carousel_args(p: argparse.ArgumentParser) -> None:
    _body(p)
    p.add_argument("--card", action="append", default=[], metavar="MEDIA_LINK|BUTTON_TEXT|URL[|BODY]",
                   help="a media card (repeat, 2 to 10)")  # fmt: skip
    p.add_argument("--video", action="store_true", help="the cards' media are videos (default: images)")
    p.add_argument("--catalog-id", help="for product cards: the catalog")
    p.add_argument("--product", action="append", default=[], metavar="ID", help="a product card (repeat, 2 to 10)")


def _carousel(a: argparse.Namespace) -> m.Message:
    if bool(a.card) == bool(a.product):
        raise UsageError("give media cards (--card) or product cards (--catalog-id and --product), not both")
    cards: list[m.CarouselCard | m.ProductCard]
    if a.product:
        if not a.catalog_id:
            raise UsageError("--product needs --catalog-id")
        cards = [m.ProductCard(a.catalog_id, p) for p in a.product]
    else:
        media = m.VideoParam if a.video else m.ImageParam
        cards = []
        for spec in a.card:
            link, text, url, *body = _split(spec, "--card", "MEDIA_LINK|BUTTON_TEXT|URL[|BODY]", (3, 4))
            cards.append(m.CarouselCard(media(link=link), text, url, body=body[0] if body else None))
    return m.Carousel(_to(a), a.body, cards, **_reply(a))


def _voice_call_args(p: argparse.ArgumentParser) -> None:
    _body(p)
    p.add_argument("--display-text", help="the button's label (up to 20 characters; Meta's default: Call Now)")
    p.add_argument("--ttl-minutes", type=int, help="how long the button works (1 to 43200 minutes)")
    p.add_argument("--payload", help="echoed in the calls webhook (up to 512 characters)")


def _address_args(p: argparse.ArgumentParser) -> None:
    _body(p)
    p.add_argument("--value", action="append", default=[], metavar="FIELD=VALUE",
                   help="pre-fill a field: name, phone_number, in_pin_code, city, ... (repeat)")  # fmt: skip
    p.add_argument("--country", default="IN", help="the form's country (India only: IN)")
    _footer(p)


def _address(a: argparse.Namespace) -> m.Message:
    values = _pairs(a.value, "--value") or None
    return m.AddressRequest(_to(a), a.body, values=values, country=a.country, footer=a.footer, **_reply(a))


def _order_details_args(p: argparse.ArgumentParser) -> None:
    _body(p)
    p.add_argument("--reference-id", required=True, help="your unique id of the order")
    p.add_argument("--currency", required=True, choices=["INR", "BRL"])
    p.add_argument("--item", action="append", required=True, metavar="NAME|PRICE|QUANTITY[|RETAILER_ID]",
                   help="an item; PRICE in hundredths (1234 is 12.34) (repeat)")  # fmt: skip
    p.add_argument("--tax", default="0", metavar="AMOUNT", help="the tax, in hundredths (default 0)")
    p.add_argument("--shipping", metavar="AMOUNT", help="the shipping cost, in hundredths")
    p.add_argument("--discount", metavar="AMOUNT", help="the discount, in hundredths")
    p.add_argument("--goods-type", default="digital-goods", choices=["digital-goods", "physical-goods"])
    p.add_argument("--payment-link", metavar="URI", help="a payment link (Brazil)")
    p.add_argument("--payment-setting", action="append", default=[], metavar="JSON",
                   help="a payment setting as Meta's JSON, e.g. a payment gateway (repeat)")  # fmt: skip
    p.add_argument("--catalog-id")
    _footer(p)


def _amount(text: str | None, flag: str) -> m.OrderAmount | None:
    return None if text is None else m.OrderAmount(_int(text, flag))


def _order_details(a: argparse.Namespace) -> m.Message:
    items = []
    for spec in a.item:
        name, price, quantity, *rid = _split(spec, "--item", "NAME|PRICE|QUANTITY[|RETAILER_ID]", (3, 4))
        items.append(m.OrderItem(name, m.OrderAmount(_int(price, "--item")), _int(quantity, "--item"),
                                 retailer_id=rid[0] if rid else None))  # fmt: skip
    settings: list[dict[str, Any]] = []
    if a.payment_link:
        settings.append({"type": "payment_link", "payment_link": {"uri": a.payment_link}})
    for raw in a.payment_setting:
        try:
            settings.append(json.loads(raw))
        except ValueError:
            raise UsageError(f"--payment-setting {raw!r}: not JSON") from None
    return m.OrderDetails(
        _to(a), a.body, a.reference_id, a.currency, items, payment_settings=settings, goods_type=a.goods_type,
        tax=m.OrderAmount(_int(a.tax, "--tax")), shipping=_amount(a.shipping, "--shipping"),
        discount=_amount(a.discount, "--discount"), catalog_id=a.catalog_id, footer=a.footer, **_reply(a),
    )  # fmt: skip


def _order_status_args(p: argparse.ArgumentParser) -> None:
    _body(p)
    p.add_argument("--reference-id", required=True, help="the order's reference id")
    p.add_argument("--status", required=True, help="processing, partially_shipped, shipped, completed or canceled")
    p.add_argument("--description", help="a note on the status (up to 120 characters)")
    p.add_argument("--payment-status", help="Brazil: pending, captured or failed")
    _footer(p)


def _no_args(p: argparse.ArgumentParser) -> None:
    pass


_VERBS: dict[str, tuple[str, _Args, _Build]] = {
    "text": ("a text message", _text_args, _text),
    "template": ("an approved template", _template_args, _template),
    "otp": ("an authentication template with its one-time password", _otp_args, _otp),
    "image": ("an image by link or media id", _media_args(), _media(m.Image)),
    "video": ("a video by link or media id", _media_args(), _media(m.Video)),
    "audio": ("an audio file by link or media id", _media_args(caption=False), _media(m.Audio, caption=False)),
    "document": ("a document by link or media id", _media_args(filename=True), _media(m.Document, filename=True)),
    "sticker": ("a sticker by link or media id", _media_args(caption=False), _media(m.Sticker, caption=False)),
    "location": (
        "a location",
        _location_args,
        lambda a: m.Location(_to(a), a.latitude, a.longitude, name=a.name, address=a.address, **_reply(a)),
    ),
    "contacts": (
        "a contact card",
        _contacts_args,
        lambda a: m.Contacts(_to(a), [m.Contact(a.name, phones=a.phone, emails=a.email)], **_reply(a)),
    ),
    "reaction": (
        "a reaction to a message",
        _reaction_args,
        lambda a: m.Reaction(_to(a), a.message_id, a.emoji, **_common(a)),
    ),
    "buttons": ("a message with up to 3 reply buttons", _buttons_args, _buttons),
    "cta": (
        "a call-to-action URL button",
        _cta_args,
        lambda a: m.CtaUrl(_to(a), a.body, a.display_text, a.url, header=a.header, footer=a.footer, **_reply(a)),
    ),
    "product": (
        "one product of your catalog",
        _product_args,
        lambda a: m.Product(_to(a), a.catalog_id, a.product_id, body=a.body, footer=a.footer, **_reply(a)),
    ),
    "product-list": ("up to 30 products of your catalog", _product_list_args, _product_list),
    "catalog": (
        "a button that opens your catalog",
        _catalog_args,
        lambda a: m.Catalog(_to(a), a.body, thumbnail_product_id=a.thumbnail_product_id, footer=a.footer, **_reply(a)),
    ),
    "carousel": ("a carousel of media or product cards", _carousel_args, _carousel),
    "location-request": (
        "a request for the user's location",
        _body,
        lambda a: m.LocationRequest(_to(a), a.body, **_reply(a)),
    ),
    "call-permission": (
        "a request for permission to call the user",
        lambda p: _body(p, required=False),
        lambda a: m.CallPermissionRequest(_to(a), a.body, **_reply(a)),
    ),
    "contact-info-request": (
        "a request for the user's phone number",
        _body,
        lambda a: m.ContactInfoRequest(_to(a), a.body, **_reply(a)),
    ),
    "voice-call": (
        "a button that calls your business",
        _voice_call_args,
        lambda a: m.VoiceCall(
            _to(a), a.body, display_text=a.display_text, ttl_minutes=a.ttl_minutes, payload=a.payload, **_reply(a)
        ),
    ),
    "address": ("a request for a delivery address (India)", _address_args, _address),
    "order-details": ("an order to review and pay (India, Brazil)", _order_details_args, _order_details),
    "order-status": (
        "the new status of an order (India, Brazil)",
        _order_status_args,
        lambda a: m.OrderStatus(
            _to(a),
            a.body,
            a.reference_id,
            a.status,
            description=a.description,
            payment_status=a.payment_status,
            footer=a.footer,
            **_reply(a),
        ),
    ),
}
_NO_REPLY = frozenset({"template", "otp", "reaction"})


def register(subparsers: Any) -> None:
    """Add ``send`` with one subcommand per message type, and ``send read``."""
    send = subparsers.add_parser("send", help="send one message and print its wamid")
    types = send.add_subparsers(dest="type", metavar="TYPE", required=True)
    for name, (help_text, arguments, _) in _VERBS.items():
        p = types.add_parser(name, help=f"send {help_text}")
        p.add_argument("--to", required=True,
                       help="the recipient: a phone number (+1 555 123 4567), a BSUID (US.1349...), "
                            "or a group id with --group")  # fmt: skip
        p.add_argument("--group", action="store_true", help="--to is a group id (text, media and templates)")
        arguments(p)
        if name not in _NO_REPLY:
            p.add_argument("--reply-to", metavar="WAMID", help="reply to this message")
        p.add_argument("--callback-data", metavar="TEXT", help="echoed in the message's status webhooks")
        add_target_arguments(p)
        p.set_defaults(func=_run)
    read = types.add_parser("read", help="mark a received message as read")
    read.add_argument("--message-id", required=True, help="the received message's wamid")
    read.add_argument("--typing", action="store_true", help="also show a typing indicator (up to 25 s)")
    add_target_arguments(read)
    read.set_defaults(func=_run_read)


def build_message(args: argparse.Namespace) -> m.Message:
    """The message a parsed ``send`` command line asks for (validated: may raise ValidationError)."""
    if args.type in _NO_REPLY:
        args.reply_to = None
    return _VERBS[args.type][2](args)


def _run(args: argparse.Namespace) -> int:
    async def main() -> int:
        msg = build_message(args)
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
