"""Events about templates, the account and its numbers (account and template fields carry the entry's time as
`timestamp`)."""

from __future__ import annotations

from datetime import datetime

import msgspec

from ._events import Event

__all__ = [
    "AccountUpdate",
    "AuthIntlRateEligibility",
    "BanInfo",
    "BusinessCapabilityUpdate",
    "BusinessUsernameUpdate",
    "CertificationInfo",
    "DisconnectionInfo",
    "ExceptionCountry",
    "PhoneNumberQualityUpdate",
    "Restriction",
    "TemplateButton",
    "TemplateCategoryUpdate",
    "TemplateComponentsUpdate",
    "TemplateEvent",
    "TemplateQualityUpdate",
    "TemplateStatus",
    "ViolationInfo",
    "VolumeTierInfo",
    "WabaInfo",
]


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
