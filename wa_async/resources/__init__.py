"""The API beyond sending: media, message templates, phone numbers, the business profile, and account management
(webhook subscriptions, the block list, QR codes, Flows, Calling, Groups, usernames).

Each resource takes the client's request pipeline and sends [`Request`][wa_async.Request] values through it
(limiter, auth, retries, error model): ``client.media``, ``client.templates``, ``client.phone_numbers``,
``client.profile``, ``client.subscriptions``, ``client.blocked``, ``client.qr_codes``, ``client.flows``,
``client.calls``, ``client.groups``, ``client.usernames``.
"""

from ._blocked import Blocked, BlockedUser, BlockResult, DoneUser, FailedUser
from ._calls import CallAction, CallLimit, CallPermissions, Calls
from ._common import ErrorDetail
from ._files import MEDIA_LIMITS
from ._flows import (
    BusinessPublicKey,
    FlowAsset,
    FlowCreated,
    FlowInfo,
    FlowJsonUpload,
    FlowPreview,
    Flows,
    FlowValidationError,
)
from ._groups import (
    DoneParticipant,
    FailedJoinRequest,
    FailedParticipant,
    GroupInfo,
    GroupParticipant,
    Groups,
    GroupSummary,
    JoinRequest,
    JoinRequestsResult,
    ParticipantsResult,
)
from ._media import ChecksumMismatch, Media, MediaInfo
from ._numbers import LOCAL_STORAGE_REGIONS, PhoneNumber, PhoneNumbers, Throughput
from ._profile import BusinessProfile, Profile
from ._qr import QrCode, QrCodes
from ._settings import CallHours, CallIcons, CallingSettings, Holiday, OperatingHours, PhoneNumberSettings
from ._subscriptions import SubscribedApp, Subscriptions, WebhookConfiguration
from ._template_parts import (
    BodyText,
    Component,
    FooterText,
    HeaderMedia,
    HeaderText,
    PhoneNumberButton,
    QuickReplyButton,
    UrlButton,
)
from ._templates import TemplateInfo, Templates
from ._throughput import THROUGHPUT_RATES, ThroughputLimiter
from ._usernames import Username, Usernames

__all__ = [
    "LOCAL_STORAGE_REGIONS",
    "MEDIA_LIMITS",
    "THROUGHPUT_RATES",
    "BlockResult",
    "Blocked",
    "BlockedUser",
    "BodyText",
    "BusinessProfile",
    "BusinessPublicKey",
    "CallAction",
    "CallHours",
    "CallIcons",
    "CallLimit",
    "CallPermissions",
    "CallingSettings",
    "Calls",
    "ChecksumMismatch",
    "Component",
    "DoneParticipant",
    "DoneUser",
    "ErrorDetail",
    "FailedJoinRequest",
    "FailedParticipant",
    "FailedUser",
    "FlowAsset",
    "FlowCreated",
    "FlowInfo",
    "FlowJsonUpload",
    "FlowPreview",
    "FlowValidationError",
    "Flows",
    "FooterText",
    "GroupInfo",
    "GroupParticipant",
    "GroupSummary",
    "Groups",
    "HeaderMedia",
    "HeaderText",
    "Holiday",
    "JoinRequest",
    "JoinRequestsResult",
    "Media",
    "MediaInfo",
    "OperatingHours",
    "ParticipantsResult",
    "PhoneNumber",
    "PhoneNumberButton",
    "PhoneNumberSettings",
    "PhoneNumbers",
    "Profile",
    "QrCode",
    "QrCodes",
    "QuickReplyButton",
    "SubscribedApp",
    "Subscriptions",
    "TemplateInfo",
    "Templates",
    "Throughput",
    "ThroughputLimiter",
    "UrlButton",
    "Username",
    "Usernames",
    "WebhookConfiguration",
]
