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

__all__ = [
    "MEDIA_LIMITS",
    "BodyText",
    "BusinessProfile",
    "ChecksumMismatch",
    "Component",
    "FooterText",
    "HeaderMedia",
    "HeaderText",
    "Media",
    "MediaInfo",
    "PhoneNumber",
    "PhoneNumberButton",
    "PhoneNumbers",
    "Profile",
    "QuickReplyButton",
    "TemplateInfo",
    "Templates",
    "Throughput",
    "UrlButton",
]
