"""Events about users and about numbers shared with the WhatsApp Business app (coexistence).

Each user event has `sender`: the user's key, the phone number when known, else the BSUID."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from ._events import Event, Message
from ._parts import ContactProfile, ErrorDetail

__all__ = [
    "AppStateSync",
    "HistoryMessage",
    "HistorySync",
    "HistoryThread",
    "MessageEcho",
    "SyncedContact",
    "UserIdUpdate",
    "UserPreferences",
]


def user_key(*ids: str | None) -> str:
    """The first id given: a user's phone number when known, else their BSUID."""
    for i in ids:
        if i:
            return i
    return ""


# -- users ---------------------------------------------------------------------------------------------------


class UserPreferences(Event, kw_only=True):
    """A user stopped or resumed marketing messages (`user_preferences`).

    `value` is `"stop"` or `"resume"`, `category` `"marketing_messages"`. After a stop, marketing templates to
    this user fail (131050) until they resume. `sender` is the user's key (phone when known, else BSUID).
    """

    value: str
    category: str | None = None
    detail: str | None = None
    wa_id: str | None = None
    user_id: str | None = None
    parent_user_id: str | None = None
    timestamp: datetime | None = None
    contact: ContactProfile | None = None

    @property
    def sender(self) -> str:
        """The user's key: phone number when known, else BSUID."""
        return user_key(self.wa_id, self.user_id, self.parent_user_id)


class UserIdUpdate(Event, kw_only=True):
    """A user's BSUID changed (`user_id_update`): `previous_user_id` became `user_id`.

    The client's 24-hour windows move to the new id on their own; keep your own records in step with this
    event (the parent BSUID may change with it). `wa_id` is the phone when it may be shared.
    """

    user_id: str
    previous_user_id: str | None = None
    parent_user_id: str | None = None
    previous_parent_user_id: str | None = None
    wa_id: str | None = None
    detail: str | None = None
    timestamp: datetime | None = None
    contact: ContactProfile | None = None

    @property
    def sender(self) -> str:
        """The user's key after the change: phone number when known, else the new BSUID."""
        return user_key(self.wa_id, self.user_id)


# -- coexistence (numbers shared with the WhatsApp Business app) ---------------------------------------------


class MessageEcho(Event, kw_only=True):
    """A message the business sent from the WhatsApp Business app or a companion device (`smb_message_echoes`).

    `from_` is the business number, `to`/`to_user_id`/`to_parent_user_id` the user; `sender` is the user's key.
    `body` is the text (or a media caption); `content` the `<type>` object as decoded JSON, in the shape of a
    send request; for an edit or a revoke made in the app, `original_message_id` is the message changed.
    """

    id: str
    type: str
    timestamp: datetime
    from_: str | None = msgspec.field(default=None, name="from")
    to: str | None = None
    to_user_id: str | None = None
    to_parent_user_id: str | None = None
    body: str | None = None
    content: Any = None
    original_message_id: str | None = None
    contact: ContactProfile | None = None

    @property
    def sender(self) -> str:
        """The user the message went to: phone number when known, else BSUID."""
        return user_key(self.to, self.to_user_id, self.to_parent_user_id)


class HistoryMessage(msgspec.Struct, kw_only=True):
    """One message of a synced chat: from the user (`from_user_id` set) or from the business (`to` set).

    `status` is its delivery state (`history_context.status`: SENT, DELIVERED, READ, PLAYED, PENDING, ERROR);
    media arrive as `type: "media_placeholder"` and follow in a later `history` delivery.
    """

    id: str
    type: str
    timestamp: datetime
    from_: str | None = msgspec.field(default=None, name="from")
    from_user_id: str | None = None
    from_parent_user_id: str | None = None
    to: str | None = None
    to_user_id: str | None = None
    status: str | None = None
    body: str | None = None
    content: Any = None


class HistoryThread(msgspec.Struct, kw_only=True):
    """One synced 1:1 chat: the user (`wa_id` when it may be shared, `user_id`) and its messages."""

    id: str | None = None
    wa_id: str | None = None
    user_id: str | None = None
    parent_user_id: str | None = None
    username: str | None = None
    messages: list[HistoryMessage] = []


class HistorySync(Event, kw_only=True):
    """One chunk of the chat history a WhatsApp Business app number shares once (`history`).

    `phase` 0, 1, 2 covers days 0-1, 1-90, 90-180; chunks may arrive out of order (`chunk_order`), `progress`
    is 0-100. When the business declined, `errors` holds 2593109 and there are no threads. The media of recent
    messages come in a later `history` delivery shaped like inbound messages: those are in `messages`.
    """

    phase: int | None = None
    chunk_order: int | None = None
    progress: int | None = None
    threads: list[HistoryThread] = msgspec.field(default_factory=list)
    errors: list[ErrorDetail] = msgspec.field(default_factory=list)
    messages: list[Message] = msgspec.field(default_factory=list)


class SyncedContact(msgspec.Struct, kw_only=True):
    """A contact of the WhatsApp Business app's address book."""

    full_name: str | None = None
    first_name: str | None = None
    phone_number: str | None = None
    user_id: str | None = None
    parent_user_id: str | None = None
    username: str | None = None


class AppStateSync(Event, kw_only=True):
    """A change to the WhatsApp Business app's contacts (`smb_app_state_sync`): `action` on `contact`."""

    type: str
    action: str | None = None
    contact: SyncedContact | None = None
    timestamp: datetime | None = None
