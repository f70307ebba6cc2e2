"""wa_async: a fast, correct asyncio client for the WhatsApp Business Cloud API.

```python
import wa_async as wa

async with wa.Client.maton(phone_number_id) as client:      # MATON_API_KEY from the environment
    wamid = await client.send(wa.Text("15551234567", "Hello"))
```
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from ._broadcast import BroadcastReport, ErrorGroup, Outcome
from ._client import Client
from ._conversations import Conversations, MemoryWindowStore, WindowStore
from ._errors import (
    ApiError,
    AuthError,
    ClientClosed,
    DeliveryUnknown,
    MediaError,
    NotFound,
    QueueFull,
    RateLimited,
    RecipientError,
    ServerError,
    TemplateError,
    TransportError,
    ValidationError,
    WebhookError,
    WhatsAppError,
    WindowClosed,
)
from ._journal import Journal, JournalError, JournalStore
from ._limiter import Limiter, LocalLimiter, UnlimitedLimiter
from ._messages import (
    ActionParam,
    Address,
    AddressRequest,
    Audio,
    BodyParams,
    ButtonParams,
    Buttons,
    CallPermissionRequest,
    Carousel,
    CarouselCard,
    CarouselParams,
    Catalog,
    Contact,
    ContactInfoRequest,
    Contacts,
    CouponParam,
    CtaUrl,
    Currency,
    DateTime,
    Document,
    DocumentParam,
    Email,
    Flow,
    Group,
    HeaderParams,
    Image,
    ImageParam,
    ListMessage,
    Location,
    LocationRequest,
    MarkRead,
    Message,
    Name,
    OrderAmount,
    OrderDetails,
    OrderItem,
    OrderStatus,
    Org,
    PayloadParam,
    Phone,
    Product,
    ProductCard,
    ProductList,
    ProductParam,
    ProductSection,
    Reaction,
    ReplyButton,
    Row,
    SavedAddress,
    Section,
    Sticker,
    Template,
    Text,
    TextParam,
    TtlParam,
    Url,
    Video,
    VideoParam,
    VoiceCall,
)
from ._options import DEFAULT_API_VERSION, ClientOptions
from ._redis_conversations import RedisWindowStore
from ._redis_limiter import LimiterUnavailable, RedisLimiter
from ._request import ApiCall, Request, SendMessage, SendMessageResult, SendResult
from ._retry import RetryDecision, RetryPolicy
from ._stats import ClientStats, LatencySummary
from ._transport import (
    AiohttpTransport,
    FilePart,
    FileSource,
    HttpRequest,
    MockTransport,
    Multipart,
    Response,
    StreamedResponse,
    Transport,
)
from .resources import BusinessProfile, ChecksumMismatch, MediaInfo, PhoneNumber, TemplateInfo

if TYPE_CHECKING:
    from . import emulator, errors, flows, maton, messages, otel, webhooks
    from .emulator import Emulator

try:
    __version__ = version("wa-async")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without metadata
    __version__ = "0.0.0"

# Submodules and names loaded on first use, so `import wa_async` stays light.
_LAZY = {
    "emulator": ("wa_async.emulator", None),
    "errors": ("wa_async.errors", None),
    "flows": ("wa_async.flows", None),
    "messages": ("wa_async.messages", None),
    "webhooks": ("wa_async.webhooks", None),
    "maton": ("wa_async.maton", None),
    "otel": ("wa_async.otel", None),
    "Emulator": ("wa_async.emulator", "Emulator"),
}


def __getattr__(name: str) -> Any:
    try:
        module_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'wa_async' has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value
    return value


__all__ = [
    "DEFAULT_API_VERSION",
    "ActionParam",
    "Address",
    "AddressRequest",
    "AiohttpTransport",
    "ApiCall",
    "ApiError",
    "Audio",
    "AuthError",
    "BodyParams",
    "BroadcastReport",
    "BusinessProfile",
    "ButtonParams",
    "Buttons",
    "CallPermissionRequest",
    "Carousel",
    "CarouselCard",
    "CarouselParams",
    "Catalog",
    "ChecksumMismatch",
    "Client",
    "ClientClosed",
    "ClientOptions",
    "ClientStats",
    "Contact",
    "ContactInfoRequest",
    "Contacts",
    "Conversations",
    "CouponParam",
    "CtaUrl",
    "Currency",
    "DateTime",
    "DeliveryUnknown",
    "Document",
    "DocumentParam",
    "Email",
    "Emulator",
    "ErrorGroup",
    "FilePart",
    "FileSource",
    "Flow",
    "Group",
    "HeaderParams",
    "HttpRequest",
    "Image",
    "ImageParam",
    "Journal",
    "JournalError",
    "JournalStore",
    "LatencySummary",
    "Limiter",
    "LimiterUnavailable",
    "ListMessage",
    "LocalLimiter",
    "Location",
    "LocationRequest",
    "MarkRead",
    "MediaError",
    "MediaInfo",
    "MemoryWindowStore",
    "Message",
    "MockTransport",
    "Multipart",
    "Name",
    "NotFound",
    "OrderAmount",
    "OrderDetails",
    "OrderItem",
    "OrderStatus",
    "Org",
    "Outcome",
    "PayloadParam",
    "Phone",
    "PhoneNumber",
    "Product",
    "ProductCard",
    "ProductList",
    "ProductParam",
    "ProductSection",
    "QueueFull",
    "RateLimited",
    "Reaction",
    "RecipientError",
    "RedisLimiter",
    "RedisWindowStore",
    "ReplyButton",
    "Request",
    "Response",
    "RetryDecision",
    "RetryPolicy",
    "Row",
    "SavedAddress",
    "Section",
    "SendMessage",
    "SendMessageResult",
    "SendResult",
    "ServerError",
    "Sticker",
    "StreamedResponse",
    "Template",
    "TemplateError",
    "TemplateInfo",
    "Text",
    "TextParam",
    "Transport",
    "TransportError",
    "TtlParam",
    "UnlimitedLimiter",
    "Url",
    "ValidationError",
    "Video",
    "VideoParam",
    "VoiceCall",
    "WebhookError",
    "WhatsAppError",
    "WindowClosed",
    "WindowStore",
    "__version__",
    "emulator",
    "errors",
    "flows",
    "maton",
    "messages",
    "otel",
    "webhooks",
]
