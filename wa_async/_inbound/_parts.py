"""The small structs inbound events are made of: errors, contexts, replies, contact cards, profiles, prices."""

from __future__ import annotations

from datetime import datetime

import msgspec

from wa_async._cards import Address, Card, Email, Name, Org, Phone, Url

__all__ = [
    "ButtonReply",
    "Contact",
    "ContactAddress",
    "ContactEmail",
    "ContactName",
    "ContactOrg",
    "ContactPhone",
    "ContactProfile",
    "ContactUrl",
    "Context",
    "ConversationInfo",
    "ErrorDetail",
    "FlowReply",
    "ListReply",
    "Pricing",
    "ProductItem",
    "Referral",
    "ReferredProduct",
]


class _ErrorData(msgspec.Struct):
    details: str | None = None


class ErrorDetail(msgspec.Struct, kw_only=True, repr_omit_defaults=True):
    """One error in a webhook (`errors[]`); `details` is the wire's `error_data.details`."""

    code: int
    title: str | None = None
    message: str | None = None
    details: str | None = None
    href: str | None = None
    # Decoded from the wire straight into this struct: `error_data.details` moves to `details`.
    _error_data: _ErrorData | None = msgspec.field(default=None, name="error_data")

    def __post_init__(self) -> None:
        if self._error_data is not None:
            if self.details is None:
                self.details = self._error_data.details
            self._error_data = None


class ReferredProduct(msgspec.Struct, kw_only=True):
    """The catalog product a user asked about (`context.referred_product`)."""

    catalog_id: str
    product_retailer_id: str


class Context(msgspec.Struct, kw_only=True):
    """What an inbound message refers to: the message it replies to, forwarding, a product.

    `id` is the wamid (or, for a call permission reply after a missed call, the call id) it answers; `from_` the
    number that sent that message. `from_user_id`/`from_parent_user_id` appear on some replies since 2026.
    """

    from_: str | None = msgspec.field(default=None, name="from")
    from_user_id: str | None = None
    from_parent_user_id: str | None = None
    id: str | None = None
    forwarded: bool = False
    frequently_forwarded: bool = False
    referred_product: ReferredProduct | None = None


class Referral(msgspec.Struct, kw_only=True):
    """A click-to-WhatsApp ad or post the user came from (`messages[].referral`)."""

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
    """The reply button a user tapped (`interactive.button_reply`)."""

    id: str
    title: str


class ListReply(msgspec.Struct, kw_only=True):
    """The list row a user picked (`interactive.list_reply`)."""

    id: str
    title: str
    description: str | None = None


class FlowReply(msgspec.Struct, kw_only=True):
    """A completed WhatsApp Flow or address form (`interactive.nfm_reply`); `response_json` is a JSON string.

    `name` is `"flow"` for a Flow and `"address_message"` for an address form.
    """

    response_json: str
    body: str | None = None
    name: str | None = None


# The card a user shares is the one users send: one struct per part, shared with wa.Contacts (wa_async._cards).
ContactName = Name
ContactPhone = Phone
ContactEmail = Email
ContactUrl = Url
ContactOrg = Org
ContactAddress = Address
Contact = Card


class _Profile(msgspec.Struct):
    name: str | None = None
    username: str | None = None


class ContactProfile(msgspec.Struct, kw_only=True, repr_omit_defaults=True):
    """Who a user is, as the delivery's `contacts[]` entry says (`value.contacts[]`).

    `wa_id` is the phone number (absent when the user hides it behind a username), `user_id` the
    business-scoped user ID (BSUID, e.g. `US.13491208655302741918`), `parent_user_id` the parent BSUID when
    enabled for the business, `name` and `username` from the user's profile.
    """

    name: str | None = None
    username: str | None = None
    wa_id: str | None = None
    user_id: str | None = None
    parent_user_id: str | None = None
    identity_key_hash: str | None = None
    # Decoded from the wire straight into this struct: `profile.name`/`profile.username` move up.
    _profile: _Profile | None = msgspec.field(default=None, name="profile")

    def __post_init__(self) -> None:
        if self._profile is not None:
            self.name = self.name or self._profile.name
            self.username = self.username or self._profile.username
            self._profile = None
        # A phone number Meta may not share is omitted (older drafts sent ""): absent either way.
        if self.wa_id == "":
            self.wa_id = None


class ProductItem(msgspec.Struct, kw_only=True):
    """One line of an order."""

    product_retailer_id: str
    quantity: int
    item_price: float
    currency: str


class _Origin(msgspec.Struct):
    type: str | None = None


class ConversationInfo(msgspec.Struct, kw_only=True, repr_omit_defaults=True):
    """`statuses[].conversation` (omitted from v24.0 on, outside free entry points)."""

    id: str
    origin_type: str | None = None
    expiration_timestamp: datetime | None = None
    # Decoded from the wire straight into this struct: `origin.type` moves to `origin_type`.
    _origin: _Origin | None = msgspec.field(default=None, name="origin")

    def __post_init__(self) -> None:
        if self._origin is not None:
            if self.origin_type is None:
                self.origin_type = self._origin.type
            self._origin = None


class Pricing(msgspec.Struct, kw_only=True):
    """`statuses[].pricing`: how the message is billed."""

    billable: bool | None = None
    pricing_model: str | None = None
    type: str | None = None
    category: str | None = None
