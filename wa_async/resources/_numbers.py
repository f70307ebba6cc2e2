"""``client.phone_numbers``: the WABA's phone numbers and this client's number: its registration, verification,
settings and throughput level.

Meta's registration page: ``register`` takes the 6-digit two-step verification PIN (it sets one when the number
has none) and optionally a Local Storage region; ``register`` and ``deregister`` together are limited to 10
requests per number in a moving 72 hours (error 133016). ``request_code`` sends a verification code by SMS or
voice; ``verify_code`` checks it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import msgspec

from .._errors import ValidationError
from .._pipeline import Pipeline
from .._request import Request, node_id
from ._common import Confirmed, json_body, text_field
from ._paging import Page, csv, follow_pages, waba_of
from ._settings import FEATURES, CallingSettings, GetSettings, PhoneNumberSettings, UpdateSettings, calling_wire

__all__ = [
    "LOCAL_STORAGE_REGIONS",
    "Deregister",
    "GetPhoneNumber",
    "ListPhoneNumbers",
    "PhoneNumber",
    "PhoneNumbers",
    "Register",
    "RequestCode",
    "Throughput",
    "VerifyCode",
]

# data_localization_region: the countries Local Storage is offered in (Meta's registration page).
LOCAL_STORAGE_REGIONS = frozenset({"AU", "ID", "IN", "JP", "SG", "KR", "DE", "CH", "GB", "BR", "BH", "ZA", "AE", "CA"})
_PIN = re.compile(r"\d{6}", re.ASCII)


class Throughput(msgspec.Struct, frozen=True):
    """The number's throughput level: ``STANDARD`` (80 messages/second, every number's start) or, after Meta's
    automatic upgrade, 1,000 messages/second (the level's name, ``HIGH``, comes from a third-party SDK)."""

    level: str | None = None


class PhoneNumber(msgspec.Struct, frozen=True):
    """A business phone number; fields Meta did not return (see ``fields=``) are None."""

    id: str
    display_phone_number: str | None = None
    verified_name: str | None = None
    quality_rating: str | None = None  # GREEN, YELLOW, RED, NA, UNKNOWN
    status: str | None = None
    code_verification_status: str | None = None
    name_status: str | None = None
    platform_type: str | None = None
    host_platform: str | None = None
    throughput: Throughput | None = None
    messaging_limit_tier: str | None = None  # deprecated by Meta, still returned
    whatsapp_business_manager_messaging_limit: str | None = None
    account_mode: str | None = None  # LIVE or SANDBOX
    country_code: str | None = None
    country_dial_code: str | None = None
    unified_cert_status: str | None = None
    is_official_business_account: bool | None = None
    username: str | None = None
    webhook_configuration: dict[str, Any] | None = None

    @property
    def messaging_limit(self) -> str | None:
        """The messaging limit tier, from whichever field Meta filled in."""
        return self.whatsapp_business_manager_messaging_limit or self.messaging_limit_tier


class ListPhoneNumbers(Request[Page[PhoneNumber]]):
    """``GET /{waba_id}/phone_numbers``: one page."""

    __slots__ = ()
    result = Page[PhoneNumber]

    def __init__(self, waba_id: str, params: Mapping[str, str]) -> None:
        super().__init__("GET", f"{waba_id}/phone_numbers", params=params)


class GetPhoneNumber(Request[PhoneNumber]):
    """``GET /{phone_number_id}``."""

    __slots__ = ()
    result = PhoneNumber

    def __init__(self, phone_number_id: str, fields: str | None = None) -> None:
        params = {"fields": fields} if fields else None
        super().__init__("GET", node_id(phone_number_id, "phone_number_id"), params=params)


class Register(Confirmed):
    """``POST /{phone_number_id}/register`` with the two-step PIN (and a Local Storage region)."""

    __slots__ = ()

    def __init__(self, phone_number_id: str, pin: str, data_localization_region: str | None = None) -> None:
        body: dict[str, str] = {"messaging_product": "whatsapp", "pin": pin}
        if data_localization_region is not None:
            body["data_localization_region"] = data_localization_region
        super().__init__("POST", f"{phone_number_id}/register", body=json_body(body))


class Deregister(Confirmed):
    """``POST /{phone_number_id}/deregister`` (no body)."""

    __slots__ = ()

    def __init__(self, phone_number_id: str) -> None:
        super().__init__("POST", f"{phone_number_id}/deregister")


class RequestCode(Confirmed):
    """``POST /{phone_number_id}/request_code``: send a verification code by ``SMS`` or ``VOICE``."""

    __slots__ = ()

    def __init__(self, phone_number_id: str, method: str, language: str) -> None:
        body = json_body({"code_method": method, "language": language})
        super().__init__("POST", f"{phone_number_id}/request_code", body=body)


class VerifyCode(Confirmed):
    """``POST /{phone_number_id}/verify_code`` with the code the SMS or call gave."""

    __slots__ = ()

    def __init__(self, phone_number_id: str, code: str) -> None:
        super().__init__("POST", f"{phone_number_id}/verify_code", body=json_body({"code": code}))


class PhoneNumbers:
    """Phone numbers: ``client.phone_numbers``.

    ```python
    for number in await client.phone_numbers.list():  # needs waba_id
        print(number.display_phone_number, number.quality_rating, number.messaging_limit)
    me = await client.phone_numbers.get()  # this client's number
    await client.phone_numbers.register("246810")  # the two-step verification PIN
    print(await client.phone_numbers.throughput())  # "STANDARD"
    ```
    """

    __slots__ = ("_api",)

    def __init__(self, api: Pipeline) -> None:
        self._api = api

    def __repr__(self) -> str:
        return f"<PhoneNumbers waba_id={self._api.waba_id}>"

    async def list(self, fields: str | Sequence[str] | None = None) -> list[PhoneNumber]:
        """Every phone number of the WhatsApp Business Account (all pages)."""
        waba = waba_of(self._api)
        params = {"fields": ",".join([fields] if isinstance(fields, str) else fields)} if fields else {}
        return [n async for n in follow_pages(self._api, lambda p: ListPhoneNumbers(waba, p), params)]

    async def get(self, fields: str | Sequence[str] | None = None) -> PhoneNumber:
        """This client's phone number (Meta's default fields unless ``fields`` names others)."""
        return await self._api.execute(GetPhoneNumber(self._api.phone_number_id, csv(fields)))

    async def throughput(self) -> str | None:
        """This number's throughput level (``STANDARD``: 80 messages/second), or None when Meta gives none."""
        number = await self._api.execute(GetPhoneNumber(self._api.phone_number_id, "throughput"))
        return number.throughput.level if number.throughput is not None else None

    async def request_code(self, method: Literal["SMS", "VOICE"] | str = "SMS", language: str = "en_US") -> bool:
        """Have Meta send a verification code to the number by ``SMS`` or ``VOICE`` call, in ``language``.

        Raises:
            ValidationError: ``method`` is neither SMS nor VOICE, or ``language`` is empty.
        """
        if not isinstance(method, str) or method.upper() not in ("SMS", "VOICE"):
            raise ValidationError("method", f"{method!r} is not SMS or VOICE")
        lang = text_field(language, "language").strip()
        return await self._api.execute(RequestCode(self._api.phone_number_id, method.upper(), lang))

    async def verify_code(self, code: str) -> bool:
        """Verify the number with the code ``request_code`` had sent.

        Raises:
            ValidationError: ``code`` is empty.
        """
        return await self._api.execute(VerifyCode(self._api.phone_number_id, text_field(code, "code").strip()))

    async def register(self, pin: str, *, data_localization_region: str | None = None) -> bool:
        """Register the number with the Cloud API. ``pin`` is its two-step verification PIN (6 digits; set as the
        PIN when the number has none). ``data_localization_region`` turns on Local Storage in that country.

        Register and deregister together: at most 10 requests per number in 72 hours (then error 133016).

        Raises:
            ValidationError: ``pin`` is not six digits, or the region is not one Local Storage offers.
        """
        if not isinstance(pin, str) or not _PIN.fullmatch(pin):
            raise ValidationError("pin", "the two-step verification PIN must be exactly 6 digits", limit=6)
        region = data_localization_region
        if region is not None:
            region = region.upper() if isinstance(region, str) else region
            if region not in LOCAL_STORAGE_REGIONS:
                raise ValidationError("data_localization_region", f"{data_localization_region!r} is not one of "
                                      f"{', '.join(sorted(LOCAL_STORAGE_REGIONS))}")  # fmt: skip
        return await self._api.execute(Register(self._api.phone_number_id, pin, region))

    async def deregister(self) -> bool:
        """Deregister the number from the Cloud API (its message history stays)."""
        return await self._api.execute(Deregister(self._api.phone_number_id))

    async def settings(self, *, include_sip_credentials: bool = False) -> PhoneNumberSettings:
        """This number's settings: calling, payload encryption, storage configuration."""
        return await self._api.execute(GetSettings(self._api.phone_number_id, include_sip_credentials))

    async def update_settings(
        self,
        *,
        calling: CallingSettings | None = None,
        user_identity_change: Mapping[str, Any] | None = None,
        payload_encryption: Mapping[str, Any] | None = None,
        storage_configuration: Mapping[str, Any] | None = None,
    ) -> bool:
        """Change one feature's settings (Meta takes one per request); ``calling`` is checked against Meta's
        documented values and limits (see [`Calls.update_settings`][wa_async.resources.Calls.update_settings]).

        Raises:
            ValidationError: no feature or more than one, or a calling setting out of its limits.
        """
        given = {name: value for name, value in zip(FEATURES, (calling, user_identity_change, payload_encryption,
                                                               storage_configuration), strict=True)
                 if value is not None}  # fmt: skip
        if len(given) != 1:
            raise ValidationError("settings", f"give exactly one of {', '.join(FEATURES)} per request, got "
                                  f"{len(given)}")  # fmt: skip
        ((feature, value),) = given.items()
        if isinstance(value, CallingSettings):
            wire: Mapping[str, Any] = calling_wire(value)
        elif feature == "calling" or not isinstance(value, Mapping):
            raise ValidationError(feature, f"expected {'CallingSettings' if feature == 'calling' else 'a mapping'}, "
                                  f"got {type(value).__name__}")  # fmt: skip
        else:
            wire = value
        return await self._api.execute(UpdateSettings(self._api.phone_number_id, feature, wire))
