"""msgspec structs for the webhook envelope as it arrives on the wire.

They mirror Meta's JSON so one `Decoder` pass (non-strict: Unix seconds given as strings or integers become
aware datetimes) turns a body into typed data; `_parse` then builds the public events. Keys the structs do not
name are skipped by msgspec, so new Meta fields never break decoding. `WireValue` is the union of the `value`
shapes of every field the parser knows; keys of different fields never clash in type.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from ._account_events import (
    AuthIntlRateEligibility,
    BanInfo,
    CertificationInfo,
    DisconnectionInfo,
    Restriction,
    TemplateButton,
    ViolationInfo,
    VolumeTierInfo,
    WabaInfo,
)
from ._call_group_events import CallEvent, GroupEvent
from ._events import Status
from ._parts import Contact, ContactProfile, Context, ErrorDetail, ProductItem, Referral
from ._user_events import SyncedContact, UserPreferences

_FROM = "from"


# -- messages[] ----------------------------------------------------------------------------------------------


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


class WireCallPermission(msgspec.Struct):
    response: str
    is_permanent: bool = False
    expiration_timestamp: datetime | None = None
    response_source: str | None = None


class WireInteractive(msgspec.Struct):
    type: str
    button_reply: WireReplyId | None = None
    list_reply: WireReplyId | None = None
    nfm_reply: WireFlowReply | None = None
    call_permission_reply: WireCallPermission | None = None


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
    user_id: str | None = None
    parent_user_id: str | None = None
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


class WireContent(msgspec.Struct, kw_only=True):
    """What a message says: its type and the object of that type (also the new content of an edit)."""

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
    errors: list[ErrorDetail] = []


class WireOriginal(msgspec.Struct):
    original_message_id: str


class WireEdit(msgspec.Struct):
    original_message_id: str
    message: WireContent


class WireMessage(WireContent, kw_only=True):
    id: str
    from_: str | None = msgspec.field(default=None, name=_FROM)
    from_user_id: str | None = None
    from_parent_user_id: str | None = None
    timestamp: datetime
    group_id: str | None = None
    edit: WireEdit | None = None
    revoke: WireOriginal | None = None


# -- contacts[] and metadata -----------------------------------------------------------------------------------


class WireMetadata(msgspec.Struct):
    display_phone_number: str | None = None
    phone_number_id: str | None = None


# -- message_template_status_update ----------------------------------------------------------------------------


class WireRejection(msgspec.Struct):
    reason: str | None = None
    recommendation: str | None = None


class WireOtherInfo(msgspec.Struct):
    title: str | None = None
    description: str | None = None


class WireDisableInfo(msgspec.Struct):
    disable_date: str | None = None


# -- user_preferences, user_id_update --------------------------------------------------------------------------


class WireIdChange(msgspec.Struct):
    current: str | None = None
    previous: str | None = None


class WireUserIdUpdate(msgspec.Struct):
    user_id: WireIdChange
    parent_user_id: WireIdChange | None = None
    wa_id: str | None = None
    detail: str | None = None
    timestamp: datetime | None = None


# -- coexistence: smb_message_echoes, history, smb_app_state_sync ----------------------------------------------


class WireAnyContent(msgspec.Struct, kw_only=True):
    """The `<type>` object of an echoed or synced message, kept as decoded JSON (it has a send request's shape)."""

    type: str
    text: Any = None
    image: Any = None
    video: Any = None
    audio: Any = None
    document: Any = None
    sticker: Any = None
    location: Any = None
    contacts: Any = None
    interactive: Any = None
    template: Any = None
    reaction: Any = None
    button: Any = None
    order: Any = None
    edit: Any = None
    revoke: Any = None


ANY_CONTENT_TYPES = frozenset(WireAnyContent.__struct_fields__) - {"type"}


class WireEcho(WireAnyContent, kw_only=True):
    id: str
    timestamp: datetime
    from_: str | None = msgspec.field(default=None, name=_FROM)
    to: str | None = None
    to_user_id: str | None = None
    to_parent_user_id: str | None = None


class WireHistoryContext(msgspec.Struct):
    status: str | None = None


class WireHistoryMessage(WireAnyContent, kw_only=True):
    id: str
    timestamp: datetime
    from_: str | None = msgspec.field(default=None, name=_FROM)
    from_user_id: str | None = None
    from_parent_user_id: str | None = None
    to: str | None = None
    to_user_id: str | None = None
    history_context: WireHistoryContext | None = None


class WireThreadContext(msgspec.Struct):
    wa_id: str | None = None
    user_id: str | None = None
    parent_user_id: str | None = None
    username: str | None = None


class WireThread(msgspec.Struct):
    id: str | None = None
    context: WireThreadContext | None = None
    messages: list[WireHistoryMessage] = []


class WireHistoryMeta(msgspec.Struct):
    phase: int | None = None
    chunk_order: int | None = None
    progress: int | None = None


class WireHistory(msgspec.Struct):
    metadata: WireHistoryMeta | None = None
    threads: list[WireThread] = []
    errors: list[ErrorDetail] = []


class WireSyncMeta(msgspec.Struct):
    timestamp: datetime | None = None


class WireStateSync(msgspec.Struct):
    type: str
    contact: SyncedContact | None = None
    action: str | None = None
    metadata: WireSyncMeta | None = None


# -- the envelope ------------------------------------------------------------------------------------------------


class WireValue(msgspec.Struct, kw_only=True):
    """`changes[].value`: the union of the shapes of the fields the parser knows."""

    metadata: WireMetadata | None = None
    contacts: list[ContactProfile] = []
    messages: list[WireMessage] = []
    statuses: list[Status] = []  # decoded straight into the public struct: statuses come in bulk
    errors: list[ErrorDetail] = []
    # message_template_status_update, _quality_update, _components_update, template_category_update
    event: str | None = None
    message_template_id: int | None = None
    message_template_name: str | None = None
    message_template_language: str | None = None
    message_template_category: str | None = None
    reason: str | None = None
    rejection_info: WireRejection | None = None
    other_info: WireOtherInfo | None = None
    disable_info: WireDisableInfo | None = None
    previous_quality_score: str | None = None
    new_quality_score: str | None = None
    previous_category: str | None = None
    new_category: str | None = None
    correct_category: str | None = None
    category_update_timestamp: datetime | None = None
    message_template_title: str | None = None
    message_template_element: str | None = None
    message_template_footer: str | None = None
    message_template_buttons: list[TemplateButton] = []
    # account_update
    restriction_info: list[Restriction] = []
    violation_info: ViolationInfo | None = None
    waba_info: WabaInfo | None = None
    auth_international_rate_eligibility: AuthIntlRateEligibility | None = None
    country: str | None = None
    ban_info: BanInfo | None = None
    partner_client_certification_info: CertificationInfo | None = None
    volume_tier_info: VolumeTierInfo | None = None
    disconnection_info: DisconnectionInfo | None = None
    # phone_number_quality_update, business_capability_update, business_username_updates
    display_phone_number: str | None = None
    max_daily_conversations_per_business: str | int | None = None
    current_limit: str | None = None
    old_limit: str | None = None
    max_phone_numbers_per_waba: str | int | None = None
    max_phone_numbers_per_business: str | int | None = None
    max_daily_conversation_per_phone: str | int | None = None
    username: str | None = None
    status: str | None = None
    # user_preferences, user_id_update, smb_message_echoes, history, smb_app_state_sync, calls, group fields
    user_preferences: list[UserPreferences] = []  # decoded straight into the public structs
    user_id_update: list[WireUserIdUpdate] = []
    message_echoes: list[WireEcho] = []
    history: list[WireHistory] = []
    state_sync: list[WireStateSync] = []
    calls: list[CallEvent] = []  # decoded straight into the public structs
    groups: list[GroupEvent] = []  # decoded straight into the public struct; `field` is set after


class WireChange(msgspec.Struct):
    field: str | None = None
    value: WireValue | None = None


class WireEntry(msgspec.Struct):
    id: str | None = None
    time: datetime | None = None
    changes: list[WireChange] = []


class WireEnvelope(msgspec.Struct):
    object: str
    entry: list[WireEntry]
