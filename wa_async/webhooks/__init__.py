"""Receiving webhooks: parse, verify, route and serve.

Everything Meta delivers comes out as a typed event (`parse`); a `Receiver` verifies, deduplicates and dispatches
them to a handler or a `Router`, and binds each message to the client of its business number so it can `reply`.
It serves in any framework (`receiver.handle(...)`), as an ASGI app (`receiver.asgi`), or as an aiohttp app
(`make_app`, which alone loads `aiohttp.web`).
"""

from typing import TYPE_CHECKING, Any

from wa_async._errors import WebhookError
from wa_async._inbound._account_events import (
    AccountUpdate,
    AuthIntlRateEligibility,
    BanInfo,
    BusinessCapabilityUpdate,
    BusinessUsernameUpdate,
    CertificationInfo,
    DisconnectionInfo,
    ExceptionCountry,
    PhoneNumberQualityUpdate,
    Restriction,
    TemplateButton,
    TemplateCategoryUpdate,
    TemplateComponentsUpdate,
    TemplateEvent,
    TemplateQualityUpdate,
    TemplateStatus,
    ViolationInfo,
    VolumeTierInfo,
    WabaInfo,
)
from wa_async._inbound._call_group_events import (
    CallEvent,
    CallSession,
    GroupEvent,
    GroupParticipant,
    GroupSettingChange,
)
from wa_async._inbound._events import (
    AudioMessage,
    ButtonMessage,
    CallPermissionReply,
    ContactsMessage,
    DocumentMessage,
    EditMessage,
    ErrorEvent,
    Event,
    ImageMessage,
    InteractiveMessage,
    LocationMessage,
    MediaMessage,
    Message,
    NotBound,
    OrderMessage,
    ReactionMessage,
    RevokeMessage,
    Status,
    StickerMessage,
    SystemMessage,
    TextMessage,
    Unknown,
    UnsupportedMessage,
    VideoMessage,
)
from wa_async._inbound._parse import parse
from wa_async._inbound._parts import (
    ButtonReply,
    Contact,
    ContactAddress,
    ContactEmail,
    ContactName,
    ContactOrg,
    ContactPhone,
    ContactProfile,
    ContactUrl,
    Context,
    ConversationInfo,
    ErrorDetail,
    FlowReply,
    ListReply,
    Pricing,
    ProductItem,
    Referral,
    ReferredProduct,
)
from wa_async._inbound._user_events import (
    AppStateSync,
    HistoryMessage,
    HistorySync,
    HistoryThread,
    MessageEcho,
    SyncedContact,
    UserIdUpdate,
    UserPreferences,
)

from ._dedupe import Deduplicator
from ._receiver import MAX_BODY, BoundClient, Receiver, Reply
from ._redis_dedupe import RedisDeduplicator
from ._router import Handler, Router
from ._signature import sign, verify_signature

if TYPE_CHECKING:
    from ._app import RECEIVER, make_app

__all__ = [
    "MAX_BODY",
    "RECEIVER",
    "AccountUpdate",
    "AppStateSync",
    "AudioMessage",
    "AuthIntlRateEligibility",
    "BanInfo",
    "BoundClient",
    "BusinessCapabilityUpdate",
    "BusinessUsernameUpdate",
    "ButtonMessage",
    "ButtonReply",
    "CallEvent",
    "CallPermissionReply",
    "CallSession",
    "CertificationInfo",
    "Contact",
    "ContactAddress",
    "ContactEmail",
    "ContactName",
    "ContactOrg",
    "ContactPhone",
    "ContactProfile",
    "ContactUrl",
    "ContactsMessage",
    "Context",
    "ConversationInfo",
    "Deduplicator",
    "DisconnectionInfo",
    "DocumentMessage",
    "EditMessage",
    "ErrorDetail",
    "ErrorEvent",
    "Event",
    "ExceptionCountry",
    "FlowReply",
    "GroupEvent",
    "GroupParticipant",
    "GroupSettingChange",
    "Handler",
    "HistoryMessage",
    "HistorySync",
    "HistoryThread",
    "ImageMessage",
    "InteractiveMessage",
    "ListReply",
    "LocationMessage",
    "MediaMessage",
    "Message",
    "MessageEcho",
    "NotBound",
    "OrderMessage",
    "PhoneNumberQualityUpdate",
    "Pricing",
    "ProductItem",
    "ReactionMessage",
    "Receiver",
    "RedisDeduplicator",
    "Referral",
    "ReferredProduct",
    "Reply",
    "Restriction",
    "RevokeMessage",
    "Router",
    "Status",
    "StickerMessage",
    "SyncedContact",
    "SystemMessage",
    "TemplateButton",
    "TemplateCategoryUpdate",
    "TemplateComponentsUpdate",
    "TemplateEvent",
    "TemplateQualityUpdate",
    "TemplateStatus",
    "TextMessage",
    "Unknown",
    "UnsupportedMessage",
    "UserIdUpdate",
    "UserPreferences",
    "VideoMessage",
    "ViolationInfo",
    "VolumeTierInfo",
    "WabaInfo",
    "WebhookError",
    "make_app",
    "parse",
    "sign",
    "verify_signature",
]


def __getattr__(name: str) -> Any:
    # The aiohttp application loads aiohttp.web; a receiver served by another framework never needs it.
    if name in ("RECEIVER", "make_app"):
        from . import _app

        value = getattr(_app, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'wa_async.webhooks' has no attribute {name!r}")
