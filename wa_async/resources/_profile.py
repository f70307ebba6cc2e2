"""``client.profile``: the business profile of the client's phone number."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from .._errors import ApiError, ValidationError
from .._pipeline import Pipeline
from .._request import Request, Success, decode_json
from .._transport import Response

__all__ = ["BusinessProfile", "GetProfile", "Profile", "UpdateProfile"]

_FIELDS = "about,address,description,email,profile_picture_url,websites,vertical"
# Meta's business-profile limits (docs/limits.md): about 1-139, address 256, email 128, description 512 (the
# OpenAPI file's 256 is UNCERTAIN), websites <= 2 x 256.
_LIMITS = {"about": (1, 139), "address": (0, 256), "email": (0, 128), "description": (0, 512)}
_WEBSITES, _WEBSITE_LIMIT = 2, 256


class BusinessProfile(msgspec.Struct, frozen=True):
    """The business profile shown to WhatsApp users."""

    about: str | None = None
    address: str | None = None
    description: str | None = None
    email: str | None = None
    websites: list[str] = []
    vertical: str | None = None
    profile_picture_url: str | None = None


class _Item(BusinessProfile, frozen=True):
    # The OpenAPI example nests the profile one level deeper (UNCERTAIN, see docs/limits.md): accept both shapes.
    business_profile: BusinessProfile | None = None
    messaging_product: str | None = None


class _Answer(msgspec.Struct):
    data: list[_Item] = []


class GetProfile(Request[BusinessProfile]):
    """``GET /{phone_number_id}/whatsapp_business_profile``."""

    __slots__ = ()

    def __init__(self, phone_number_id: str) -> None:
        super().__init__("GET", f"{phone_number_id}/whatsapp_business_profile", params={"fields": _FIELDS})

    def decode(self, response: Response) -> BusinessProfile:
        """The profile, from either answer shape Meta documents."""
        answer: _Answer = decode_json(response, _Answer, self)
        if not answer.data:
            raise ApiError("the business profile answer holds no data", http_status=response.status, request=self)
        item = answer.data[0]
        if item.business_profile is not None:
            return item.business_profile
        return BusinessProfile(
            about=item.about, address=item.address, description=item.description, email=item.email,
            websites=item.websites, vertical=item.vertical, profile_picture_url=item.profile_picture_url,
        )  # fmt: skip


class UpdateProfile(Request[bool]):
    """``POST /{phone_number_id}/whatsapp_business_profile`` with the fields to change."""

    __slots__ = ()

    def __init__(self, phone_number_id: str, fields: Mapping[str, Any]) -> None:
        body = msgspec.json.encode({"messaging_product": "whatsapp", **fields})
        super().__init__("POST", f"{phone_number_id}/whatsapp_business_profile", body=body)

    def decode(self, response: Response) -> bool:
        """True when Meta confirms."""
        return bool(decode_json(response, Success, self).success)


class Profile:
    """The business profile: ``client.profile``.

    ```python
    profile = await client.profile.get()
    await client.profile.update(about="Open 9-5", websites=["https://example.com"])
    ```
    """

    __slots__ = ("_api",)

    def __init__(self, api: Pipeline) -> None:
        self._api = api

    def __repr__(self) -> str:
        return f"<Profile phone_number_id={self._api.phone_number_id}>"

    async def get(self) -> BusinessProfile:
        """The current profile."""
        return await self._api.execute(GetProfile(self._api.phone_number_id))

    async def update(
        self,
        *,
        about: str | None = None,
        address: str | None = None,
        description: str | None = None,
        email: str | None = None,
        websites: Sequence[str] | None = None,
        vertical: str | None = None,
        profile_picture_handle: str | None = None,
    ) -> bool:
        """Change the given fields (the others stay); Meta's length limits are checked first."""
        fields: dict[str, Any] = {}
        for key, value in (("about", about), ("address", address), ("description", description), ("email", email)):
            if value is not None:
                fields[key] = _text(key, value)
        if websites is not None:
            fields["websites"] = _websites(websites)
        if vertical is not None:
            if not isinstance(vertical, str) or not vertical.strip():
                raise ValidationError("vertical", "is empty")
            fields["vertical"] = vertical.upper()
        if profile_picture_handle is not None:
            fields["profile_picture_handle"] = profile_picture_handle
        if not fields:
            raise ValidationError("profile", "nothing to update: give at least one field")
        return await self._api.execute(UpdateProfile(self._api.phone_number_id, fields))


def _text(key: str, value: object) -> str:
    if not isinstance(value, str):
        raise ValidationError(key, f"expected a string, got {type(value).__name__}")
    low, high = _LIMITS[key]
    if len(value) > high:
        raise ValidationError(key, f"{len(value)} characters, the limit is {high}", limit=high)
    if len(value) < low:
        raise ValidationError(key, f"at least {low} character(s)", limit=high)
    return value


def _websites(websites: Sequence[str]) -> list[str]:
    if isinstance(websites, str):
        websites = [websites]
    urls = list(websites)
    if len(urls) > _WEBSITES:
        raise ValidationError("websites", f"{len(urls)} websites, the limit is {_WEBSITES}", limit=_WEBSITES)
    for i, url in enumerate(urls):
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ValidationError(f"websites[{i}]", f"{url!r} is not an http(s) URL")
        if len(url) > _WEBSITE_LIMIT:
            raise ValidationError(f"websites[{i}]", f"{len(url)} characters, the limit is {_WEBSITE_LIMIT}",
                                  limit=_WEBSITE_LIMIT)  # fmt: skip
    return urls
