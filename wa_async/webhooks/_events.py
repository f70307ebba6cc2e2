"""The typed events a webhook delivery turns into (FACTS §5.3 to §5.6).

Tell them apart with ``isinstance``::

    for event in wa.webhooks.parse(body):
        if isinstance(event, wa.webhooks.TextMessage):
            print(event.from_, event.body)
        elif isinstance(event, wa.webhooks.Status):
            print(event.id, event.status)

A :class:`Message` the receiver hands to a handler is bound to the client, so it can answer itself
(:meth:`Message.reply`, :meth:`Message.react`, :meth:`Message.mark_read`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

import msgspec

from wa_async._messages import Reaction, Text

__all__ = [
    "AudioMessage",
    "ButtonMessage",
    "ButtonReply",
    "Contact",
    "ContactAddress",
    "ContactEmail",
    "ContactName",
    "ContactOrg",
    "ContactPhone",
    "ContactUrl",
    "ContactsMessage",
    "Context",
    "ConversationInfo",
    "DocumentMessage",
    "ErrorDetail",
    "ErrorEvent",
    "Event",
    "FlowReply",
    "ImageMessage",
    "InteractiveMessage",
    "ListReply",
    "LocationMessage",
    "MediaMessage",
    "Message",
    "NotBound",
    "OrderMessage",
    "Pricing",
    "ProductItem",
    "ReactionMessage",
    "Referral",
    "ReferredProduct",
    "Sender",
    "Status",
    "StickerMessage",
    "SystemMessage",
    "TemplateStatus",
    "TextMessage",
    "Unknown",
    "UnsupportedMessage",
    "VideoMessage",
]


class NotBound(RuntimeError):
    """``reply``/``react``/``mark_read`` on an event no client was bound to (parsed by hand, not received)."""


class Sender(Protocol):
    """What a bound message needs of the client: ``send`` and ``mark_read``."""

    async def send(self, msg: Any, /) -> str: ...

    async def mark_read(self, message_id: str, *, typing: bool = False) -> Any: ...


# ---------------------------------------------------------------------------------------------------------------
# Parts


class ErrorDetail(msgspec.Struct, kw_only=True):
    """One error in a webhook (``errors[]``): ``details`` is the wire's ``error_data.details``."""

    code: int
    title: str | None = None
    message: str | None = None
    details: str | None = None
    href: str | None = None


class ReferredProduct(msgspec.Struct, kw_only=True):
    """The catalog product a user asked about (``context.referred_product``)."""

    catalog_id: str
    product_retailer_id: str


class Context(msgspec.Struct, kw_only=True):
    """What an inbound message refers to: the message it replies to, forwarding, a product."""

    from_: str | None = msgspec.field(default=None, name="from")
    id: str | None = None
    forwarded: bool = False
    frequently_forwarded: bool = False
    referred_product: ReferredProduct | None = None


class Referral(msgspec.Struct, kw_only=True):
    """A click-to-WhatsApp ad or post the user came from (FACTS §5.4)."""

    source_url: str | None = None
    source_id: str | None = None
    source_type: str | None = None
    body: str | None = None
    headline: str | None = None
    media_type: str | None = None
    image_url: str | None = None
    video_url: str | None = None
    thumbnail_url: str | None = None
    ctwa_clid: str | None = None
    welcome_message: str | None = None


class ButtonReply(msgspec.Struct, kw_only=True):
    """The reply button a user tapped (``interactive.button_reply``)."""

    id: str
    title: str


class ListReply(msgspec.Struct, kw_only=True):
    """The list row a user picked (``interactive.list_reply``)."""

    id: str
    title: str
    description: str | None = None


class FlowReply(msgspec.Struct, kw_only=True):
    """A completed WhatsApp Flow (``interactive.nfm_reply``); ``response_json`` is a JSON string."""

    response_json: str
    body: str | None = None
    name: str | None = None


class ContactName(msgspec.Struct, kw_only=True):
    formatted_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    middle_name: str | None = None
    prefix: str | None = None
    suffix: str | None = None


class ContactPhone(msgspec.Struct, kw_only=True):
    phone: str | None = None
    wa_id: str | None = None
    type: str | None = None


class ContactEmail(msgspec.Struct, kw_only=True):
    email: str | None = None
    type: str | None = None


class ContactUrl(msgspec.Struct, kw_only=True):
    url: str | None = None
    type: str | None = None


class ContactOrg(msgspec.Struct, kw_only=True):
    company: str | None = None
    department: str | None = None
    title: str | None = None


class ContactAddress(msgspec.Struct, kw_only=True):
    street: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str | None = None
    country_code: str | None = None
    type: str | None = None


class Contact(msgspec.Struct, kw_only=True):
    """A contact card a user shared (``contacts[]`` of a contacts message)."""

    name: ContactName | None = None
    phones: list[ContactPhone] = []
    emails: list[ContactEmail] = []
    urls: list[ContactUrl] = []
    addresses: list[ContactAddress] = []
    org: ContactOrg | None = None
    birthday: str | None = None


class ProductItem(msgspec.Struct, kw_only=True):
    """One line of an order."""

    product_retailer_id: str
    quantity: int
    item_price: float
    currency: str


class ConversationInfo(msgspec.Struct, kw_only=True):
    """``statuses[].conversation`` (omitted from v24.0 outside free entry points, FACTS §5.5)."""

    id: str
    origin_type: str | None = None
    expiration_timestamp: datetime | None = None


class Pricing(msgspec.Struct, kw_only=True):
    """``statuses[].pricing`` (FACTS §5.5)."""

    billable: bool | None = None
    pricing_model: str | None = None
    type: str | None = None
    category: str | None = None


# ---------------------------------------------------------------------------------------------------------------
# Events


class Event(msgspec.Struct, kw_only=True):
    """Base of every event; ``waba_id`` is the delivery's ``entry[].id``."""

    waba_id: str | None = None


class Message(Event, kw_only=True, dict=True):
    """An inbound message (``messages[]``); one subclass per ``type``.

    ``timestamp`` is an aware UTC datetime, ``contact_name`` the sender's profile name when the delivery
    carried it (system messages have none, FACTS §5.3).
    """

    id: str
    from_: str = msgspec.field(name="from")
    timestamp: datetime
    type: str
    phone_number_id: str | None = None
    display_phone_number: str | None = None
    contact_name: str | None = None
    context: Context | None = None

    def _sender(self) -> Sender:
        client: Sender | None = self.__dict__.get("_client")
        if client is None:
            raise NotBound(
                f"{type(self).__name__} {self.id} is not bound to a client: only events handed over by a receiver "
                "made with make_app(client=...) can reply, react or mark_read"
            )
        return client

    def bind(self, client: Sender) -> None:
        """Attach the client that :meth:`reply`, :meth:`react` and :meth:`mark_read` send through."""
        self.__dict__["_client"] = client

    @property
    def bound(self) -> bool:
        """Whether a client is bound to this message."""
        return "_client" in self.__dict__

    async def reply(self, message: str | Any) -> str:
        """Answer this message: a string becomes a ``Text`` quoting it; a message struct is sent as it is.

        Returns the wamid of the answer.
        """
        client = self._sender()
        if isinstance(message, str):
            message = Text(to=self.from_, body=message, reply_to=self.id)
        return await client.send(message)

    async def react(self, emoji: str) -> str:
        """React to this message with ``emoji`` (an empty string removes the reaction)."""
        client = self._sender()
        return await client.send(Reaction(to=self.from_, message_id=self.id, emoji=emoji))

    async def mark_read(self, *, typing: bool = False) -> None:
        """Mark this message read (blue ticks); ``typing=True`` also shows a typing indicator."""
        await self._sender().mark_read(self.id, typing=typing)


class TextMessage(Message, kw_only=True):
    """``type: text``. ``referral`` is set when the user came from a click-to-WhatsApp ad."""

    body: str
    referral: Referral | None = None


class MediaMessage(Message, kw_only=True):
    """Base of the media messages: ``media_id`` is the id to download with ``client.media``."""

    media_id: str
    mime_type: str | None = None
    sha256: str | None = None
    url: str | None = None


class ImageMessage(MediaMessage, kw_only=True):
    """``type: image``."""

    caption: str | None = None


class VideoMessage(MediaMessage, kw_only=True):
    """``type: video``."""

    caption: str | None = None


class AudioMessage(MediaMessage, kw_only=True):
    """``type: audio``; ``voice`` is True for a voice note."""

    voice: bool = False


class DocumentMessage(MediaMessage, kw_only=True):
    """``type: document``."""

    caption: str | None = None
    filename: str | None = None


class StickerMessage(MediaMessage, kw_only=True):
    """``type: sticker``."""

    animated: bool = False


class LocationMessage(Message, kw_only=True):
    """``type: location``."""

    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None
    url: str | None = None


class ContactsMessage(Message, kw_only=True):
    """``type: contacts``: one or more shared contact cards."""

    contacts: list[Contact]


class InteractiveMessage(Message, kw_only=True):
    """``type: interactive``: a tapped reply button, a picked list row, or a completed Flow.

    The user's pick is ``choice`` (``reply`` is the method that answers the message).
    """

    choice: ButtonReply | ListReply | FlowReply


class ButtonMessage(Message, kw_only=True):
    """``type: button``: a template quick-reply button was tapped."""

    payload: str | None = None
    text: str | None = None


class ReactionMessage(Message, kw_only=True):
    """``type: reaction``; ``emoji`` is None when the user removed the reaction."""

    message_id: str
    emoji: str | None = None


class OrderMessage(Message, kw_only=True):
    """``type: order``: a cart sent from a catalog."""

    catalog_id: str
    text: str | None = None
    product_items: list[ProductItem] = []


class SystemMessage(Message, kw_only=True):
    """``type: system``, e.g. ``user_changed_number`` (``wa_id`` is then the new number)."""

    body: str | None = None
    wa_id: str | None = None
    system_type: str | None = None


class UnsupportedMessage(Message, kw_only=True):
    """``type: unsupported`` (or ``unknown``): WhatsApp could not pass the message on; ``errors`` say why."""

    errors: list[ErrorDetail] = []


class Status(Event, kw_only=True):
    """A status update of a message you sent (``statuses[]``, FACTS §5.5).

    ``status`` is ``sent``, ``delivered``, ``read``, ``failed`` or ``played``; ``callback_data`` is the
    ``biz_opaque_callback_data`` given when sending.
    """

    id: str
    status: str
    recipient_id: str
    timestamp: datetime
    errors: list[ErrorDetail] = []
    callback_data: str | None = None
    conversation: ConversationInfo | None = None
    pricing: Pricing | None = None
    recipient_type: str | None = None
    phone_number_id: str | None = None
    display_phone_number: str | None = None


class TemplateStatus(Event, kw_only=True):
    """A template's review state changed (``field: message_template_status_update``, FACTS §5.6)."""

    event: str
    message_template_id: int
    name: str | None = None
    language: str | None = None
    reason: str | None = None
    category: str | None = None
    rejection_reason: str | None = None
    recommendation: str | None = None
    other_info_title: str | None = None
    other_info_description: str | None = None
    disable_date: str | None = None
    timestamp: datetime | None = None


class ErrorEvent(Event, kw_only=True):
    """System, app or account errors not tied to one message (``value.errors``)."""

    errors: list[ErrorDetail]
    phone_number_id: str | None = None
    display_phone_number: str | None = None


class Unknown(Event, kw_only=True):
    """A part of a delivery the parser does not know, kept as decoded JSON so nothing is lost.

    ``field`` is the change's ``field`` (e.g. ``group_lifecycle_update``).
    """

    raw: Any
    field: str | None = None
