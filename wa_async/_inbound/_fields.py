"""Events of the webhook fields beyond messages: templates, account, calls, groups, users, coexistence.

Account and template fields carry the entry's time as `timestamp`; the others carry the business number
(`phone_number_id`). Every nested struct mirrors Meta's field names; what Meta marks optional is None when absent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from ._events import Event, Message
from ._parts import ContactProfile, ErrorDetail

__all__ = [
    "AccountUpdate",
    "AppStateSync",
    "AuthIntlRateEligibility",
    "BanInfo",
    "BusinessCapabilityUpdate",
    "BusinessUsernameUpdate",
    "CallEvent",
    "CallSession",
    "CertificationInfo",
    "DisconnectionInfo",
    "ExceptionCountry",
    "GroupEvent",
    "GroupParticipant",
    "GroupSettingChange",
    "HistoryMessage",
    "HistorySync",
    "HistoryThread",
    "MessageEcho",
    "PhoneNumberQualityUpdate",
    "Restriction",
    "SyncedContact",
    "TemplateButton",
    "TemplateCategoryUpdate",
    "TemplateComponentsUpdate",
    "TemplateEvent",
    "TemplateQualityUpdate",
    "TemplateStatus",
    "UserIdUpdate",
    "UserPreferences",
    "ViolationInfo",
    "VolumeTierInfo",
    "WabaInfo",
]


def _key(*ids: str | None) -> str:
    for i in ids:
        if i:
            return i
    return ""


# -- templates ----------------------------------------------------------------------------------------------


class TemplateEvent(Event, kw_only=True):
    """Base of the template events: which template, and when (the entry's time)."""

    message_template_id: int
    name: str | None = None
    language: str | None = None
    timestamp: datetime | None = None


class TemplateStatus(TemplateEvent, kw_only=True):
    """A template's review state changed (`message_template_status_update`).

    `event` is e.g. `APPROVED`, `REJECTED`, `PAUSED`, `DISABLED`; `reason`, `rejection_reason` and
    `recommendation` say why; `other_info_*` explain a pause; `disable_date` when it will be disabled.
    """

    event: str
    reason: str | None = None
    category: str | None = None
    rejection_reason: str | None = None
    recommendation: str | None = None
    other_info_title: str | None = None
    other_info_description: str | None = None
    disable_date: str | None = None


class TemplateQualityUpdate(TemplateEvent, kw_only=True):
    """A template's quality rating changed (`message_template_quality_update`): GREEN, YELLOW, RED or UNKNOWN."""

    previous_quality_score: str | None = None
    new_quality_score: str


class TemplateCategoryUpdate(TemplateEvent, kw_only=True):
    """Meta re-categorised a template (`template_category_update`).

    Two shapes share the field. The 24-hour warning (`impending` is True): `new_category` is the current
    category, `correct_category` the one it becomes at `category_update_timestamp`. The change done:
    `previous_category` and `new_category`.
    """

    new_category: str | None = None
    previous_category: str | None = None
    correct_category: str | None = None
    category_update_timestamp: datetime | None = None

    @property
    def impending(self) -> bool:
        """True for the warning that a change is coming, False once it happened."""
        return self.correct_category is not None


class TemplateButton(msgspec.Struct, kw_only=True):
    """One button of an edited template (`message_template_buttons[]`)."""

    message_template_button_type: str
    message_template_button_text: str | None = None
    message_template_button_url: str | None = None
    message_template_button_phone_number: str | None = None


class TemplateComponentsUpdate(TemplateEvent, kw_only=True):
    """A template was edited (`message_template_components_update`): its body, header text, footer and buttons."""

    element: str | None = None
    title: str | None = None
    footer: str | None = None
    buttons: list[TemplateButton] = msgspec.field(default_factory=list)


# -- the account and its numbers ---------------------------------------------------------------------------


class Restriction(msgspec.Struct, kw_only=True):
    """One restriction on the account (`restriction_info[]`), until `expiration`."""

    restriction_type: str
    expiration: datetime | None = None
    remediation: str | None = None


class ViolationInfo(msgspec.Struct, kw_only=True):
    """A policy violation (`violation_info`), e.g. `violation_type: ADULT`."""

    violation_type: str | None = None


class WabaInfo(msgspec.Struct, kw_only=True):
    """The WABA an account update is about, with the partner or ad account fields the event carries."""

    waba_id: str | None = None
    owner_business_id: str | None = None
    ad_account_linked: str | None = None
    solution_id: str | None = None
    solution_partner_business_ids: list[str] = []
    partner_app_id: str | None = None


class ExceptionCountry(msgspec.Struct, kw_only=True):
    """A country with its own start time for authentication international rates."""

    country_code: str
    start_time: datetime | None = None


class AuthIntlRateEligibility(msgspec.Struct, kw_only=True):
    """`auth_international_rate_eligibility`: when authentication international rates apply."""

    start_time: datetime | None = None
    exception_countries: list[ExceptionCountry] = []


class BanInfo(msgspec.Struct, kw_only=True):
    """`ban_info`: `waba_ban_state` (DISABLE, REINSTATE, SCHEDULE_FOR_DISABLE) and `waba_ban_date` as Meta writes it."""

    waba_ban_state: str | None = None
    waba_ban_date: str | None = None


class CertificationInfo(msgspec.Struct, kw_only=True):
    """`partner_client_certification_info`: a partner's client certification status."""

    client_business_id: str | None = None
    status: str | None = None
    rejection_reasons: list[str] = []


class VolumeTierInfo(msgspec.Struct, kw_only=True):
    """`volume_tier_info`: a volume-based pricing tier change."""

    tier_update_time: datetime | None = None
    pricing_category: str | None = None
    tier: str | None = None
    effective_month: str | None = None
    region: str | None = None


class DisconnectionInfo(msgspec.Struct, kw_only=True):
    """`disconnection_info`: why a WhatsApp Business app number left the Cloud API (`initiated_by` USER or SYSTEM)."""

    reason: str | None = None
    initiated_by: str | None = None


class AccountUpdate(Event, kw_only=True):
    """Something happened to the WhatsApp Business Account (`account_update`).

    `event` says what (e.g. `ACCOUNT_RESTRICTION`, `ACCOUNT_VIOLATION`, `DISABLED_UPDATE`, `PARTNER_ADDED`,
    `PARTNER_REMOVED`, `ACCOUNT_OFFBOARDED`, `ACCOUNT_RECONNECTED`); the fields that event carries are set,
    the others are None or empty. `timestamp` is the entry's time.
    """

    event: str
    timestamp: datetime | None = None
    restriction_info: list[Restriction] = msgspec.field(default_factory=list)
    violation_info: ViolationInfo | None = None
    waba_info: WabaInfo | None = None
    auth_international_rate_eligibility: AuthIntlRateEligibility | None = None
    country: str | None = None
    ban_info: BanInfo | None = None
    partner_client_certification_info: CertificationInfo | None = None
    volume_tier_info: VolumeTierInfo | None = None
    disconnection_info: DisconnectionInfo | None = None


class PhoneNumberQualityUpdate(Event, kw_only=True):
    """A business number's messaging limit changed (`phone_number_quality_update`).

    `event` is e.g. `ONBOARDING` or `THROUGHPUT_UPGRADE`; `max_daily_conversations_per_business` a tier
    (`TIER_250` ... `TIER_UNLIMITED`); `current_limit`/`old_limit` are the older, deprecated fields.
    """

    event: str
    timestamp: datetime | None = None
    max_daily_conversations_per_business: str | None = None
    current_limit: str | None = None
    old_limit: str | None = None


class BusinessCapabilityUpdate(Event, kw_only=True):
    """The account's limits changed (`business_capability_update`).

    Meta documents tier names and shows numbers for the same fields, so each is a string or an integer as
    delivered (`-1` for unlimited in the legacy `max_daily_conversation_per_phone`).
    """

    timestamp: datetime | None = None
    max_daily_conversations_per_business: str | int | None = None
    max_phone_numbers_per_waba: str | int | None = None
    max_phone_numbers_per_business: str | int | None = None
    max_daily_conversation_per_phone: str | int | None = None


class BusinessUsernameUpdate(Event, kw_only=True):
    """The business number's username changed (`business_username_updates`).

    `status` is `approved`, `reserved` or `deleted` (then `username` is None).
    """

    status: str
    username: str | None = None
    timestamp: datetime | None = None


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
        return _key(self.wa_id, self.user_id, self.parent_user_id)


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
        return _key(self.wa_id, self.user_id)


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
        return _key(self.to, self.to_user_id, self.to_parent_user_id)


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


# -- calls -------------------------------------------------------------------------------------------------------


class CallSession(msgspec.Struct, kw_only=True):
    """The WebRTC session of a call: an SDP `offer` (user-initiated) or `answer` (business-initiated)."""

    sdp_type: str
    sdp: str


class CallEvent(Event, kw_only=True):
    """A call moved on (field `calls`).

    `event` is `"connect"` (a call to answer, or your call connecting: `session` holds the SDP),
    `"terminate"` (the call ended: `status` COMPLETED or FAILED, `start_time`, `end_time`, `duration` in seconds
    when answered) or `"status"` (your call's `status`: RINGING, ACCEPTED, REJECTED; the user is in `to*`).
    `direction` is `USER_INITIATED` or `BUSINESS_INITIATED`; `sender` is the user's key.
    """

    id: str
    event: str
    timestamp: datetime
    status: str | None = None
    direction: str | None = None
    from_: str | None = msgspec.field(default=None, name="from")
    from_user_id: str | None = None
    from_parent_user_id: str | None = None
    to: str | None = None
    to_user_id: str | None = None
    to_parent_user_id: str | None = None
    session: CallSession | None = None
    callback_data: str | None = msgspec.field(default=None, name="biz_opaque_callback_data")
    start_time: datetime | None = None
    end_time: datetime | None = None
    duration: int | None = None
    errors: list[ErrorDetail] = msgspec.field(default_factory=list)
    cta_payload: str | None = None
    deeplink_payload: str | None = None
    contact: ContactProfile | None = None

    @property
    def sender(self) -> str:
        """The user on the call: phone number when known, else BSUID."""
        if self.direction == "USER_INITIATED":
            return _key(self.from_, self.from_user_id, self.from_parent_user_id)
        return _key(self.to, self.to_user_id, self.to_parent_user_id)


# -- groups ------------------------------------------------------------------------------------------------------


class GroupParticipant(msgspec.Struct, kw_only=True):
    """A group member in a participants update: `input` is what the business sent when it acted."""

    input: str | None = None
    wa_id: str | None = None
    user_id: str | None = None
    parent_user_id: str | None = None
    username: str | None = None
    errors: list[ErrorDetail] = []


class GroupSettingChange(msgspec.Struct, kw_only=True):
    """The outcome of one setting in a group settings update (subject, description or picture)."""

    update_successful: bool | None = None
    text: str | None = None
    mime_type: str | None = None
    sha256: str | None = None
    errors: list[ErrorDetail] = []


class GroupEvent(Event, kw_only=True):
    """Something happened to a group (fields `group_lifecycle_update`, `group_participants_update`,
    `group_settings_update`, `group_status_update`).

    `type` says what: `group_create`, `group_delete`, `group_participants_add`, `group_participants_remove`,
    `group_join_request_created`, `group_join_request_revoked`, `group_settings_update`, `group_suspend`,
    `group_suspend_cleared`. The fields that type carries are set; `request_id` ties it to your API call;
    `errors` (and per-member errors) say what failed. For a join request, `wa_id`/`user_id`/`username` name the
    user.
    """

    type: str
    field: str = ""
    group_id: str | None = None
    timestamp: datetime | None = None
    request_id: str | None = None
    subject: str | None = None
    description: str | None = None
    invite_link: str | None = None
    join_approval_mode: str | None = None
    reason: str | None = None
    initiated_by: str | None = None
    added_participants: list[GroupParticipant] = msgspec.field(default_factory=list)
    removed_participants: list[GroupParticipant] = msgspec.field(default_factory=list)
    failed_participants: list[GroupParticipant] = msgspec.field(default_factory=list)
    join_request_id: str | None = None
    wa_id: str | None = None
    user_id: str | None = None
    parent_user_id: str | None = None
    username: str | None = None
    group_subject: GroupSettingChange | None = None
    group_description: GroupSettingChange | None = None
    profile_picture: GroupSettingChange | None = None
    errors: list[ErrorDetail] = msgspec.field(default_factory=list)
