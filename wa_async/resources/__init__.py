"""The API beyond sending: media, message templates, phone numbers and the business profile.

Each resource takes the client and sends through :meth:`Client.request` (limiter, auth, retries, error model)::

    client.media = Media(client); client.templates = Templates(client)
    client.phone_numbers = PhoneNumbers(client); client.profile = Profile(client)
"""

from ._files import MEDIA_LIMITS
from ._media import ChecksumMismatch, Media, MediaInfo
from ._numbers import PhoneNumber, PhoneNumbers, Throughput
from ._profile import BusinessProfile, Profile
from ._template_parts import (
    AuthBody,
    AuthFooter,
    BodyText,
    Button,
    CallPermissionComponent,
    CatalogButton,
    Component,
    CopyCodeButton,
    FlowButton,
    FooterText,
    HeaderMedia,
    HeaderText,
    LimitedTimeOffer,
    MpmButton,
    OtpButton,
    PhoneNumberButton,
    QuickReplyButton,
    RequestContactInfoButton,
    SpmButton,
    SupportedApp,
    TemplateCard,
    TemplateCarousel,
    UrlButton,
    VoiceCallButton,
)
from ._templates import TemplateInfo, Templates

__all__ = [
    "MEDIA_LIMITS",
    "AuthBody",
    "AuthFooter",
    "BodyText",
    "BusinessProfile",
    "Button",
    "CallPermissionComponent",
    "CatalogButton",
    "ChecksumMismatch",
    "Component",
    "CopyCodeButton",
    "FlowButton",
    "FooterText",
    "HeaderMedia",
    "HeaderText",
    "LimitedTimeOffer",
    "Media",
    "MediaInfo",
    "MpmButton",
    "OtpButton",
    "PhoneNumber",
    "PhoneNumberButton",
    "PhoneNumbers",
    "Profile",
    "QuickReplyButton",
    "RequestContactInfoButton",
    "SpmButton",
    "SupportedApp",
    "TemplateCard",
    "TemplateCarousel",
    "TemplateInfo",
    "Templates",
    "Throughput",
    "UrlButton",
    "VoiceCallButton",
]
