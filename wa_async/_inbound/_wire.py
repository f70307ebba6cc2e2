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

from ._fields import (
    AuthIntlRateEligibility,
    BanInfo,
    CallSession,
    CertificationInfo,
    DisconnectionInfo,
    Restriction,
    SyncedContact,
    TemplateButton,
    ViolationInfo,
    VolumeTierInfo,
    WabaInfo,
)
from ._parts import Contact, Context, ErrorDetail, Pricing, ProductItem, Referral

_FROM = "from"


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


def details(errors: list[WireError]) -> list[ErrorDetail]:
    """The public form of a wire `errors` list."""
    return [e.detail() for e in errors] if errors else []


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
    errors: list[WireError] = []


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


# -- statuses[] ------------------------------------------------------------------------------------------------


class WireOrigin(msgspec.Struct):
    type: str | None = None


class WireConversation(msgspec.Struct):
    id: str
    expiration_timestamp: datetime | None = None
    origin: WireOrigin | None = None


class WireStatus(msgspec.Struct, kw_only=True):
    id: str
    status: str
    timestamp: datetime
    type: str | None = None
    recipient_id: str | None = None
    recipient_user_id: str | None = None
    recipient_parent_user_id: str | None = None
    parent_recipient_user_id: str | None = None  # the name Meta used from 9 to 5 May 2026
    recipient_type: str | None = None
    recipient_participant_id: str | None = None
    recipient_participant_user_id: str | None = None
    recipient_participant_parent_user_id: str | None = None
    recipient_identity_key_hash: str | None = None
    errors: list[WireError] = []
    biz_opaque_callback_data: str | None = None
    conversation: WireConversation | None = None
    pricing: Pricing | None = None


# -- contacts[] and metadata -----------------------------------------------------------------------------------


class WireMetadata(msgspec.Struct):
    display_phone_number: str | None = None
    phone_number_id: str | None = None


class WireProfile(msgspec.Struct):
    name: str | None = None
    username: str | None = None


class WireContact(msgspec.Struct):
    wa_id: str | None = None
    user_id: str | None = None
    parent_user_id: str | None = None
    identity_key_hash: str | None = None
    profile: WireProfile | None = None


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


class WireUserPreference(msgspec.Struct):
    value: str
    category: str | None = None
    detail: str | None = None
    wa_id: str | None = None
    user_id: str | None = None
    parent_user_id: str | None = None
    timestamp: datetime | None = None


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
    errors: list[WireError] = []


class WireSyncMeta(msgspec.Struct):
    timestamp: datetime | None = None


class WireStateSync(msgspec.Struct):
    type: str
    contact: SyncedContact | None = None
    action: str | None = None
    metadata: WireSyncMeta | None = None


# -- calls -------------------------------------------------------------------------------------------------------


class WireCall(msgspec.Struct, kw_only=True):
    id: str
    event: str
    timestamp: datetime
    from_: str | None = msgspec.field(default=None, name=_FROM)
    from_user_id: str | None = None
    from_parent_user_id: str | None = None
    to: str | None = None
    to_user_id: str | None = None
    to_parent_user_id: str | None = None
    direction: str | None = None
    session: CallSession | None = None
    biz_opaque_callback_data: str | None = None
    status: str | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    duration: int | None = None
    errors: list[WireError] = []
    cta_payload: str | None = None
    deeplink_payload: str | None = None


# -- groups ------------------------------------------------------------------------------------------------------

# Meta's OpenAPI example gives participants' numbers as JSON numbers; the pages give strings.
Number = str | int


class WireParticipant(msgspec.Struct):
    input: Number | None = None
    wa_id: Number | None = None
    user_id: str | None = None
    parent_user_id: str | None = None
    username: str | None = None
    errors: list[WireError] = []


class WireGroupSetting(msgspec.Struct):
    update_successful: bool | None = None
    text: str | None = None
    mime_type: str | None = None
    sha256: str | None = None
    errors: list[WireError] = []


class WireGroup(msgspec.Struct, kw_only=True):
    type: str
    group_id: str | None = None
    timestamp: datetime | None = None
    request_id: str | None = None
    subject: str | None = None
    description: str | None = None
    invite_link: str | None = None
    join_approval_mode: str | None = None
    reason: str | None = None
    initiated_by: str | None = None
    added_participants: list[WireParticipant] = []
    removed_participants: list[WireParticipant] = []
    failed_participants: list[WireParticipant] = []
    join_request_id: str | None = None
    wa_id: Number | None = None
    user_id: str | None = None
    parent_user_id: str | None = None
    username: str | None = None
    group_subject: WireGroupSetting | None = None
    group_description: WireGroupSetting | None = None
    profile_picture: WireGroupSetting | None = None
    errors: list[WireError] = []


# -- the envelope ------------------------------------------------------------------------------------------------


class WireValue(msgspec.Struct, kw_only=True):
    """`changes[].value`: the union of the shapes of the fields the parser knows."""

    metadata: WireMetadata | None = None
    contacts: list[WireContact] = []
    messages: list[WireMessage] = []
    statuses: list[WireStatus] = []
    errors: list[WireError] = []
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
    user_preferences: list[WireUserPreference] = []
    user_id_update: list[WireUserIdUpdate] = []
    message_echoes: list[WireEcho] = []
    history: list[WireHistory] = []
    state_sync: list[WireStateSync] = []
    calls: list[WireCall] = []
    groups: list[WireGroup] = []


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
