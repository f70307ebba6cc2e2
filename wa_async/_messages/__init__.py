"""Outbound messages: msgspec Structs that validate themselves and encode to the exact request body.

>>> from wa_async._messages import Text
>>> Text("+16505551234", "Hello!").to_json()
b'{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234","type":"text","text":{"body":"Hello!","preview_url":false}}'

Each struct checks Meta's documented limits (FACTS §3.2, §4) in ``__post_init__`` and raises
:class:`wa_async._errors.ValidationError` naming the field and the limit. Messages know no network.
"""

from wa_async._messages._base import MarkRead, Message
from wa_async._messages._basic import Location, Reaction, Text
from wa_async._messages._contacts import Address, Contact, Contacts, Email, Name, Org, Phone, Url
from wa_async._messages._interactive import Buttons, CtaUrl, Flow, ListMessage, ReplyButton, Row, Section
from wa_async._messages._media import Audio, Document, Image, Sticker, Video
from wa_async._messages._params import (
    ActionParam,
    Currency,
    DateTime,
    DocumentParam,
    ImageParam,
    PayloadParam,
    TextParam,
    VideoParam,
)
from wa_async._messages._template import BodyParams, ButtonParams, HeaderParams, Template

__all__ = [
    "ActionParam",
    "Address",
    "Audio",
    "BodyParams",
    "ButtonParams",
    "Buttons",
    "Contact",
    "Contacts",
    "CtaUrl",
    "Currency",
    "DateTime",
    "Document",
    "DocumentParam",
    "Email",
    "Flow",
    "HeaderParams",
    "Image",
    "ImageParam",
    "ListMessage",
    "Location",
    "MarkRead",
    "Message",
    "Name",
    "Org",
    "PayloadParam",
    "Phone",
    "Reaction",
    "ReplyButton",
    "Row",
    "Section",
    "Sticker",
    "Template",
    "Text",
    "TextParam",
    "Url",
    "Video",
    "VideoParam",
]
