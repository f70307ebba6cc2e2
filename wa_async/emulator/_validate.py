"""Validation of a ``POST /messages`` body by Meta's documented rules (docs/limits.md).

Codes follow Meta's split: 100 for Graph's own envelope parameters (``messaging_product``, ``to``, ``type``,
``recipient_type``, ``biz_opaque_callback_data``, the text body length), 131008 for a required field missing
inside the message object, 131009 for a value that is present but not valid.

Recipients (docs/limits.md): ``to`` is a phone number (or a group id with ``recipient_type: "group"``),
``recipient`` a business-scoped user ID (BSUID) or parent BSUID; when both are given ``to`` wins.
"""

from __future__ import annotations

import re
from typing import Any

from ._checks import check_media, opt_str, req_dict, req_list, req_str
from ._graph import invalid, missing, param
from ._interactive import check_interactive
from ._template_msg import check_template

__all__ = ["GROUP_TYPES", "MESSAGE_TYPES", "Parsed", "normalize_to", "validate"]

MESSAGE_TYPES = frozenset(
    {
        "text",
        "template",
        "image",
        "video",
        "audio",
        "document",
        "sticker",
        "location",
        "contacts",
        "interactive",
        "reaction",
    }
)
_MEDIA = frozenset({"image", "video", "audio", "document", "sticker"})
_CAPTIONED = frozenset({"image", "video", "document"})
_PHONE_JUNK = str.maketrans("", "", "+-() ")
# docs/limits.md: country code, ".", optional "ENT." (a parent BSUID), letters and digits (up to 128 today;
# Meta has said 256 before, so accept 256).
_BSUID = re.compile(r"[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,256}")
# Meta's group messaging page: text, media and template messages go to groups.
GROUP_TYPES = frozenset({"text", "template", *_MEDIA})


class Parsed:
    """What the handler needs from a valid body.

    ``wa_id`` is the recipient's key (phone digits, group id or BSUID); ``user_id`` the BSUID of a send that went
    to a BSUID alone (the answer then carries ``user_id`` instead of ``wa_id``); ``group`` marks a group send.
    """

    __slots__ = ("group", "is_read", "message_id", "to", "type", "user_id", "wa_id")

    def __init__(
        self, is_read: bool, to: str, wa_id: str, type_: str, message_id: str = "", *, user_id: str = "",
        group: bool = False,
    ) -> None:  # fmt: skip
        self.is_read = is_read  # a read receipt (and typing indicator) for `message_id`, not a message
        self.to = to
        self.wa_id = wa_id
        self.type = type_
        self.message_id = message_id
        self.user_id = user_id
        self.group = group

    def contact(self) -> dict[str, str]:
        """The ``contacts[0]`` of the answer (docs/limits.md): ``input`` and ``wa_id``, or ``user_id``."""
        if self.user_id:
            return {"input": self.to, "user_id": self.user_id}
        return {"input": self.to, "wa_id": self.wa_id}


def normalize_to(to: str) -> str | None:
    """The digits of a phone number written with ``+ - ( )`` and spaces, or None when it is not one."""
    digits = to.translate(_PHONE_JUNK)
    return digits if digits.isdigit() and 7 <= len(digits) <= 15 else None


def validate(body: Any) -> Parsed:
    """Check a decoded body; return what it asks for or raise a `GraphError`."""
    if not isinstance(body, dict):
        raise param("Request body must be a JSON object")
    product = body.get("messaging_product")
    if product is None:
        raise param("The parameter messaging_product is required.")
    if product != "whatsapp":
        raise param(f'Param messaging_product must be one of {{WHATSAPP}} - got "{product}".')
    if "status" in body:
        return _read_receipt(body)

    to, wa_id, user_id, group = _recipient(body)
    type_ = body.get("type", "text")  # Meta: "If omitted, defaults to text."
    if type_ not in MESSAGE_TYPES:
        names = ", ".join(sorted(MESSAGE_TYPES)).upper()
        raise param(f'Param type must be one of {{{names}}} - got "{type_}".')
    if group and type_ not in GROUP_TYPES:
        raise invalid(f"Message type '{type_}' is not supported for groups: send text, media or a template")
    callback = body.get("biz_opaque_callback_data")
    if callback is not None and (not isinstance(callback, str) or len(callback) > 512):  # docs/limits.md
        raise param("Param biz_opaque_callback_data must be a string of at most 512 characters.")
    context = body.get("context")
    if context is not None:
        if not isinstance(context, dict):
            raise param("Param context must be an object.")
        req_str(context, "message_id", "context.message_id")

    # `contacts` is the one type whose payload is an array, not an object.
    obj = req_list(body, type_, type_) if type_ == "contacts" else req_dict(body, type_, type_)
    _CHECKS[type_](obj)
    return Parsed(False, to, wa_id, type_, user_id=user_id, group=group)


def _recipient(body: dict[str, Any]) -> tuple[str, str, str, bool]:
    """``(as sent, key, BSUID if sent to one alone, a group?)`` from ``to``, ``recipient`` and ``recipient_type``."""
    recipient_type = body.get("recipient_type", "individual")
    if recipient_type not in ("individual", "group"):
        raise param(f'Param recipient_type must be one of {{INDIVIDUAL, GROUP}} - got "{recipient_type}".')
    to, recipient = body.get("to"), body.get("recipient")
    if recipient is not None and (not isinstance(recipient, str) or _BSUID.fullmatch(recipient) is None):
        raise invalid(f"Invalid recipient '{recipient}': expected a business-scoped user ID such as US.1234567890")
    if to is None or to == "":
        if recipient is None:
            raise param("The parameter to is required.")
        if recipient_type == "group":
            raise invalid("A group message goes to a group id in 'to', not to a 'recipient'")
        return recipient, recipient, recipient, False  # docs/limits.md: a BSUID alone
    if not isinstance(to, str):
        raise param("Param to must be a string.")
    if recipient_type == "group":
        if normalize_to(to) is not None:
            raise invalid(f"recipient_type is group but '{to}' is a phone number, not a group id")
        return to, to, "", True
    wa_id = normalize_to(to)
    if wa_id is None:
        raise invalid(f"Invalid recipient phone number '{to}': expected 7 to 15 digits")
    return to, wa_id, "", False  # with both, `to` wins


def _read_receipt(body: dict[str, Any]) -> Parsed:
    # Mark as read, optionally with a typing indicator (docs/limits.md).
    if body["status"] != "read":
        raise param(f'Param status must be one of {{READ}} - got "{body["status"]}".')
    message_id = req_str(body, "message_id", "message_id")
    typing = body.get("typing_indicator")
    if typing is not None and (not isinstance(typing, dict) or typing.get("type") != "text"):
        raise invalid('Parameter \'typing_indicator\' must be {"type": "text"}')
    return Parsed(True, "", "", "read", message_id)


def _text(obj: dict[str, Any]) -> None:
    body = obj.get("body")
    if body is None or body == "":
        raise missing("Parameter 'text.body' is required")
    if not isinstance(body, str):
        raise invalid("Parameter 'text.body' must be a string")
    if len(body) > 4096:  # docs/limits.md
        raise param(f"Param text['body'] must be at most 4096 characters long, got {len(body)}")
    if not isinstance(obj.get("preview_url", False), bool):
        raise invalid("Parameter 'text.preview_url' must be a boolean")


def _media(kind: str) -> Any:
    def check(obj: dict[str, Any]) -> None:
        check_media(obj, kind)
        if kind in _CAPTIONED:
            opt_str(obj, "caption", f"{kind}.caption", 1024)  # docs/limits.md
        elif "caption" in obj:
            raise invalid(f"Parameter '{kind}.caption' is not supported for {kind} messages")
        if kind == "document":
            opt_str(obj, "filename", "document.filename")
        if kind == "audio" and not isinstance(obj.get("voice", False), bool):
            raise invalid("Parameter 'audio.voice' must be a boolean")

    return check


def _location(obj: dict[str, Any]) -> None:
    for key, bound in (("latitude", 90), ("longitude", 180)):
        value = obj.get(key)
        if value is None:
            raise missing(f"Parameter 'location.{key}' is required")
        if isinstance(value, bool) or not isinstance(value, int | float) or not -bound <= value <= bound:
            raise invalid(f"Parameter 'location.{key}' must be a number between -{bound} and {bound}")
    opt_str(obj, "name", "location.name")
    opt_str(obj, "address", "location.address")


def _contacts(contacts: list[Any]) -> None:
    for i, contact in enumerate(contacts):
        if not isinstance(contact, dict):
            raise invalid(f"Parameter 'contacts[{i}]' must be an object")
        name = req_dict(contact, "name", f"contacts[{i}].name")
        req_str(name, "formatted_name", f"contacts[{i}].name.formatted_name")
        for field, key in (("phones", "phone"), ("emails", "email"), ("urls", "url")):
            for j, item in enumerate(contact.get(field) or ()):
                if not isinstance(item, dict):
                    raise invalid(f"Parameter 'contacts[{i}].{field}[{j}]' must be an object")
                opt_str(item, key, f"contacts[{i}].{field}[{j}].{key}")


def _reaction(obj: dict[str, Any]) -> None:
    req_str(obj, "message_id", "reaction.message_id")
    emoji = obj.get("emoji")
    if emoji is None:
        raise missing("Parameter 'reaction.emoji' is required")
    if not isinstance(emoji, str):  # "" removes a reaction
        raise invalid("Parameter 'reaction.emoji' must be a string")


_CHECKS: dict[str, Any] = {
    "text": _text,
    "location": _location,
    "contacts": _contacts,
    "reaction": _reaction,
    "interactive": check_interactive,
    "template": check_template,
    **{kind: _media(kind) for kind in _MEDIA},
}
