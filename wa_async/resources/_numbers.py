"""``client.phone_numbers``: the WABA's phone numbers and this client's number."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from .._pipeline import Pipeline
from .._request import Request, node_id
from ._paging import Page, csv, follow_pages, waba_of

__all__ = ["GetPhoneNumber", "ListPhoneNumbers", "PhoneNumber", "PhoneNumbers", "Throughput"]


class Throughput(msgspec.Struct, frozen=True):
    """The number's throughput level: ``STANDARD`` (80 messages/second) or ``HIGH`` (FACTS §1.1)."""

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


class PhoneNumbers:
    """Phone numbers: ``client.phone_numbers``.

    ```python
    for number in await client.phone_numbers.list():          # needs waba_id
        print(number.display_phone_number, number.quality_rating, number.messaging_limit)
    me = await client.phone_numbers.get()                      # this client's number
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
