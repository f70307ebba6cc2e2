"""Inbound messages and statuses (field `messages`), the base `Event`, and `Unknown`.

Tell events apart with `isinstance`:

```python
for event in wa.webhooks.parse(body):
    if isinstance(event, wa.webhooks.TextMessage):
        print(event.sender, event.body)
    elif isinstance(event, wa.webhooks.Status):
        print(event.id, event.status)
```

A `Message` the receiver hands to a handler is bound to the client of its business number, so it can answer
itself (`reply`, `react`, `mark_read`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

import msgspec

from ._parts import (
    ButtonReply,
    Contact,
    ContactProfile,
    Context,
    ConversationInfo,
    ErrorDetail,
    FlowReply,
    ListReply,
    Pricing,
    ProductItem,
    Referral,
)

__all__ = [
    "AudioMessage",
    "ButtonMessage",
    "CallPermissionReply",
    "ContactsMessage",
    "DocumentMessage",
    "EditMessage",
    "ErrorEvent",
    "Event",
    "ImageMessage",
    "InteractiveMessage",
    "LocationMessage",
    "MediaMessage",
    "Message",
    "NotBound",
    "OrderMessage",
    "ReactionMessage",
    "ReplyClient",
    "RevokeMessage",
    "Status",
    "StickerMessage",
    "SystemMessage",
    "TextMessage",
    "Unknown",
    "UnsupportedMessage",
    "VideoMessage",
]


class NotBound(RuntimeError):
    """`reply`/`react`/`mark_read` on a message no client was bound to.

    A message is bound only when a receiver made with a client of its business number handed it over; one
    parsed by hand, or sent to another number of the WABA, is not.
    """


class ReplyClient(Protocol):
    """What a bound message needs of the client (a `wa.Client` has all of it)."""

    async def send(self, msg: Any, /) -> str: ...

    async def send_text(self, to: str, body: str, *, reply_to: str | None = None) -> str: ...

    async def send_reaction(self, to: str, message_id: str, emoji: str) -> str: ...

    async def mark_read(self, message_id: str, *, typing: bool = False) -> Any: ...


class Event(msgspec.Struct, kw_only=True, repr_omit_defaults=True):
    """Base of every event.

    `waba_id` is the delivery's `entry[].id`; `phone_number_id` and `display_phone_number` name the business
    number the event is about, when the delivery says (`value.metadata`).
    """

    waba_id: str | None = None
    phone_number_id: str | None = None
    display_phone_number: str | None = None


class Message(Event, kw_only=True, dict=True):
    """An inbound message (`messages[]`); one subclass per `type`.

    Identity: `from_` is the user's phone number, or None when they hide it behind a username; `user_id` their
    business-scoped user ID (BSUID), `parent_user_id` the parent BSUID (when enabled); `sender` is the key to
    answer to (the phone when known, else the BSUID). `contact` is the delivery's profile of the user (name,
    username). `timestamp` is an aware UTC datetime; `errors` are Meta's errors about this message; `group_id`
    is set for a message written in a group.
    """

    id: str
    from_: str | None = msgspec.field(default=None, name="from")
    user_id: str | None = None
    parent_user_id: str | None = None
    timestamp: datetime
    type: str
    contact: ContactProfile | None = None
    context: Context | None = None
    referral: Referral | None = None
    errors: list[ErrorDetail] = []
    group_id: str | None = None

    def __post_init__(self) -> None:
        if not (self.from_ or self.user_id or self.parent_user_id):
            raise ValueError(f"message {self.id} names no sender: neither from nor from_user_id")

    @property
    def sender(self) -> str:
        """The key to answer this user: the phone number when known, else the BSUID."""
        return self.from_ or self.user_id or self.parent_user_id or ""

    @property
    def username(self) -> str | None:
        """The user's WhatsApp username, when they have one."""
        return self.contact.username if self.contact is not None else None

    @property
    def contact_name(self) -> str | None:
        """The user's profile name, when the delivery carried it (system messages have none)."""
        return self.contact.name if self.contact is not None else None

    def _bound_client(self) -> ReplyClient:
        client: ReplyClient | None = self.__dict__.get("_client")
        if client is None:
            number = f" (business number {self.phone_number_id})" if self.phone_number_id else ""
            raise NotBound(
                f"{type(self).__name__} {self.id}{number} is not bound to a client: only messages handed over by a "
                "receiver made with make_app(client=...) for that business number can reply, react or mark_read"
            )
        return client

    def bind(self, client: ReplyClient) -> None:
        """Attach the client that `reply`, `react` and `mark_read` send through."""
        self.__dict__["_client"] = client

    @property
    def bound(self) -> bool:
        """Whether a client is bound to this message."""
        return "_client" in self.__dict__

    async def reply(self, message: str | Any) -> str:
        """Answer this message and return the answer's wamid.

        Args:
            message: a string becomes a text quoting this message, sent to `sender`; a message struct is sent
                as it is.

        Raises:
            NotBound: no client is bound to this message.
        """
        client = self._bound_client()
        if isinstance(message, str):
            return await client.send_text(self.sender, message, reply_to=self.id)
        return await client.send(message)

    async def react(self, emoji: str) -> str:
        """React to this message with `emoji` (an empty string removes the reaction); return the wamid."""
        return await self._bound_client().send_reaction(self.sender, self.id, emoji)

    async def mark_read(self, *, typing: bool = False) -> None:
        """Mark this message read (blue ticks); `typing=True` also shows a typing indicator."""
        await self._bound_client().mark_read(self.id, typing=typing)


class TextMessage(Message, kw_only=True):
    """`type: text`. `referral` is set when the user came from a click-to-WhatsApp ad."""

    body: str


class MediaMessage(Message, kw_only=True):
    """Base of the media messages: `media_id` is the id to download with `client.media`."""

    media_id: str
    mime_type: str | None = None
    sha256: str | None = None
    url: str | None = None


class ImageMessage(MediaMessage, kw_only=True):
    """`type: image`."""

    caption: str | None = None


class VideoMessage(MediaMessage, kw_only=True):
    """`type: video`."""

    caption: str | None = None


class AudioMessage(MediaMessage, kw_only=True):
    """`type: audio`; `voice` is True for a voice note."""

    voice: bool = False


class DocumentMessage(MediaMessage, kw_only=True):
    """`type: document`."""

    caption: str | None = None
    filename: str | None = None


class StickerMessage(MediaMessage, kw_only=True):
    """`type: sticker`."""

    animated: bool = False


class LocationMessage(Message, kw_only=True):
    """`type: location` (also the answer to a location request: `context.id` is the request)."""

    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None
    url: str | None = None


class ContactsMessage(Message, kw_only=True):
    """`type: contacts`: one or more shared contact cards (or the user's own number, shared on request)."""

    contacts: list[Contact]


class InteractiveMessage(Message, kw_only=True):
    """`type: interactive`: a tapped reply button, a picked list row, or a completed Flow or address form.

    The user's pick is `choice` (`reply` is the method that answers the message).
    """

    choice: ButtonReply | ListReply | FlowReply


class CallPermissionReply(Message, kw_only=True):
    """`type: interactive`, `interactive.type: call_permission_reply`: the user answered a call permission request.

    `response` is `"accept"` or `"reject"`; `expiration_timestamp` says until when a temporary permission holds;
    `response_source` is `"user_action"` or `"automatic"`. `context.id` is the request (or a missed call).
    """

    response: str
    is_permanent: bool = False
    expiration_timestamp: datetime | None = None
    response_source: str | None = None


class ButtonMessage(Message, kw_only=True):
    """`type: button`: a template quick-reply button was tapped."""

    payload: str | None = None
    text: str | None = None


class ReactionMessage(Message, kw_only=True):
    """`type: reaction`; `emoji` is None when the user removed the reaction."""

    message_id: str
    emoji: str | None = None


class OrderMessage(Message, kw_only=True):
    """`type: order`: a cart sent from a catalog."""

    catalog_id: str
    text: str | None = None
    product_items: list[ProductItem] = []


class SystemMessage(Message, kw_only=True):
    """`type: system`: the user changed their number (`user_changed_number`) or their BSUID (`user_changed_user_id`).

    `wa_id` is then the new phone number (if it may be shared), `new_user_id`/`new_parent_user_id` the new
    BSUIDs; `system_type` says which change it was.
    """

    body: str | None = None
    wa_id: str | None = None
    new_user_id: str | None = None
    new_parent_user_id: str | None = None
    system_type: str | None = None


class EditMessage(Message, kw_only=True):
    """`type: edit`: the user edited an earlier message (numbers shared with the WhatsApp Business app).

    `original_message_id` is the message edited; `edited` is its new content as a message of its own type
    (e.g. a `TextMessage` or an `ImageMessage` with the corrected caption), carrying this event's id and sender.
    """

    original_message_id: str
    edited: Message


class RevokeMessage(Message, kw_only=True):
    """`type: revoke`: the user deleted `original_message_id` for everyone."""

    original_message_id: str


class UnsupportedMessage(Message, kw_only=True):
    """`type: unsupported` (or `unknown`): WhatsApp could not pass the message on; `errors` say why."""


class Status(Event, kw_only=True):
    """A status update of a message you sent (`statuses[]`).

    `status` is `sent`, `delivered`, `read`, `failed` or `played`; `callback_data` is the
    `biz_opaque_callback_data` given when sending. Identity: `recipient_id` is the phone number (or, with
    `recipient_type` `"group"`, the group id), None when the message went to a BSUID and the phone may not be
    shared; `recipient_user_id`/`recipient_parent_user_id` are the BSUIDs. In a group, `recipient_participant_*`
    name the member the status is about. `sender` is the user's key (phone when known, else BSUID; the member's
    in a group). `contact` is the user's profile when the delivery carried it (not on `failed`).
    """

    id: str
    status: str
    timestamp: datetime
    recipient_id: str | None = None
    recipient_user_id: str | None = None
    recipient_parent_user_id: str | None = None
    recipient_type: str | None = None
    recipient_participant_id: str | None = None
    recipient_participant_user_id: str | None = None
    recipient_participant_parent_user_id: str | None = None
    recipient_identity_key_hash: str | None = None
    errors: list[ErrorDetail] = []
    callback_data: str | None = msgspec.field(default=None, name="biz_opaque_callback_data")
    conversation: ConversationInfo | None = None
    pricing: Pricing | None = None
    contact: ContactProfile | None = None
    # Statuses are decoded from the wire straight into this struct (a busy broadcast's receipts come in bulk).
    # Meta named the parent BSUID `parent_recipient_user_id` from 9 April to 5 May 2026: it moves to the current name.
    _parent_recipient_user_id: str | None = msgspec.field(default=None, name="parent_recipient_user_id")

    def __post_init__(self) -> None:
        if self._parent_recipient_user_id is not None:
            self.recipient_parent_user_id = self.recipient_parent_user_id or self._parent_recipient_user_id
            self._parent_recipient_user_id = None
        # A hidden phone number is omitted (older drafts sent ""): absent either way.
        if self.recipient_id == "":
            self.recipient_id = None
        if not (self.recipient_id or self.recipient_user_id or self.recipient_parent_user_id):
            raise ValueError(f"status of {self.id} names no recipient")

    @property
    def sender(self) -> str:
        """The user's key: phone number when known, else BSUID (in a group, the member's)."""
        if self.recipient_type == "group":
            member = (
                self.recipient_participant_id
                or self.recipient_participant_user_id
                or self.recipient_participant_parent_user_id
            )
            if member:
                return member
        return self.recipient_id or self.recipient_user_id or self.recipient_parent_user_id or ""


class ErrorEvent(Event, kw_only=True):
    """System, app or account errors not tied to one message (`value.errors`)."""

    errors: list[ErrorDetail]


class Unknown(Event, kw_only=True):
    """A part of a delivery the parser does not know, kept as decoded JSON so nothing is lost.

    `field` is the change's `field` (e.g. `"consumer_profile"`), `time` the entry's time when it had one, `id`
    the item's id when it is a `messages[]` item (duplicates of it are dropped like any message's).
    """

    raw: Any
    field: str | None = None
    time: datetime | None = None
    id: str | None = None
