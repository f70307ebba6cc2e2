"""msgspec structs for the webhook envelope as it arrives on the wire (FACTS §5.3).

They mirror Meta's JSON so one ``Decoder`` pass turns a body into typed data; :mod:`._parse` then builds the
public events. Keys the structs do not name are skipped by msgspec, so new Meta fields never break decoding.
"""

from __future__ import annotations

import msgspec

from ._events import Contact, Context, ErrorDetail, ProductItem, Referral

# Unix seconds: a string in messages/statuses, an integer in entry.time (FACTS §5.3).
Stamp = str | int


class WireErrorData(msgspec.Struct):
    details: str | None = None


class WireError(msgspec.Struct):
    code: int
    title: str | None = None
    message: str | None = None
    error_data: WireErrorData | None = None
    href: str | None = None

    def detail(self) -> ErrorDetail:
        details = self.error_data.details if self.error_data is not None else None
        return ErrorDetail(code=self.code, title=self.title, message=self.message, details=details, href=self.href)


class WireText(msgspec.Struct):
    body: str


class WireMedia(msgspec.Struct):
    id: str
    mime_type: str | None = None
    sha256: str | None = None
    url: str | None = None
    caption: str | None = None
    filename: str | None = None
    animated: bool = False
    voice: bool = False


class WireLocation(msgspec.Struct):
    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None
    url: str | None = None


class WireReplyId(msgspec.Struct):
    id: str
    title: str
    description: str | None = None


class WireFlowReply(msgspec.Struct):
    response_json: str
    body: str | None = None
    name: str | None = None


class WireInteractive(msgspec.Struct):
    type: str
    button_reply: WireReplyId | None = None
    list_reply: WireReplyId | None = None
    nfm_reply: WireFlowReply | None = None


class WireButton(msgspec.Struct):
    payload: str | None = None
    text: str | None = None


class WireReaction(msgspec.Struct):
    message_id: str
    emoji: str | None = None


class WireOrder(msgspec.Struct):
    catalog_id: str
    text: str | None = None
    product_items: list[ProductItem] = []


class WireSystem(msgspec.Struct):
    body: str | None = None
    wa_id: str | None = None
    type: str | None = None


class WireWelcome(msgspec.Struct):
    text: str | None = None


class WireReferral(msgspec.Struct):
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
    welcome_message: WireWelcome | None = None

    def public(self) -> Referral:
        welcome = self.welcome_message.text if self.welcome_message is not None else None
        return Referral(
            source_url=self.source_url,
            source_id=self.source_id,
            source_type=self.source_type,
            body=self.body,
            headline=self.headline,
            media_type=self.media_type,
            image_url=self.image_url,
            video_url=self.video_url,
            thumbnail_url=self.thumbnail_url,
            ctwa_clid=self.ctwa_clid,
            welcome_message=welcome,
        )


class WireMessage(msgspec.Struct, rename={"from_": "from"}):
    id: str
    from_: str
    timestamp: Stamp
    type: str
    context: Context | None = None
    text: WireText | None = None
    image: WireMedia | None = None
    video: WireMedia | None = None
    audio: WireMedia | None = None
    document: WireMedia | None = None
    sticker: WireMedia | None = None
    location: WireLocation | None = None
    contacts: list[Contact] | None = None
    interactive: WireInteractive | None = None
    button: WireButton | None = None
    reaction: WireReaction | None = None
    order: WireOrder | None = None
    system: WireSystem | None = None
    referral: WireReferral | None = None
    errors: list[WireError] = []


class WireOrigin(msgspec.Struct):
    type: str | None = None


class WireConversation(msgspec.Struct):
    id: str
    expiration_timestamp: Stamp | None = None
    origin: WireOrigin | None = None


class WirePricing(msgspec.Struct):
    billable: bool | None = None
    pricing_model: str | None = None
    type: str | None = None
    category: str | None = None


class WireStatus(msgspec.Struct):
    id: str
    status: str
    recipient_id: str
    timestamp: Stamp
    errors: list[WireError] = []
    biz_opaque_callback_data: str | None = None
    conversation: WireConversation | None = None
    pricing: WirePricing | None = None
    recipient_type: str | None = None


class WireMetadata(msgspec.Struct):
    display_phone_number: str | None = None
    phone_number_id: str | None = None


class WireProfile(msgspec.Struct):
    name: str | None = None


class WireContact(msgspec.Struct):
    wa_id: str | None = None
    profile: WireProfile | None = None


class WireRejection(msgspec.Struct):
    reason: str | None = None
    recommendation: str | None = None


class WireOtherInfo(msgspec.Struct):
    title: str | None = None
    description: str | None = None


class WireDisableInfo(msgspec.Struct):
    disable_date: str | None = None


class WireValue(msgspec.Struct):
    """``changes[].value``: the union of the shapes of the fields the parser knows."""

    metadata: WireMetadata | None = None
    contacts: list[WireContact] = []
    messages: list[WireMessage] = []
    statuses: list[WireStatus] = []
    errors: list[WireError] = []
    # message_template_status_update (FACTS §5.6)
    event: str | None = None
    message_template_id: int | None = None
    message_template_name: str | None = None
    message_template_language: str | None = None
    message_template_category: str | None = None
    reason: str | None = None
    rejection_info: WireRejection | None = None
    other_info: WireOtherInfo | None = None
    disable_info: WireDisableInfo | None = None


class WireChange(msgspec.Struct):
    field: str | None = None
    value: WireValue | None = None


class WireEntry(msgspec.Struct):
    id: str | None = None
    time: int | None = None
    changes: list[WireChange] = []


class WireEnvelope(msgspec.Struct):
    object: str
    entry: list[WireEntry]
