"""``client.phone_numbers``: the WABA's phone numbers and this client's number (FACTS §8)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import msgspec

from ._templates import waba_of

if TYPE_CHECKING:
    from .._client import Client

__all__ = ["PhoneNumber", "PhoneNumbers", "Throughput"]


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


class _Cursors(msgspec.Struct):
    after: str | None = None


class _Paging(msgspec.Struct):
    cursors: _Cursors | None = None
    next: str | None = None


class _Page(msgspec.Struct):
    data: list[PhoneNumber] = []
    paging: _Paging | None = None


class PhoneNumbers:
    """Phone numbers: ``client.phone_numbers``.

    ::

        for number in await client.phone_numbers.list():          # needs waba_id
            print(number.display_phone_number, number.quality_rating, number.messaging_limit)
        me = await client.phone_numbers.get()                      # this client's number
    """

    __slots__ = ("_client",)

    def __init__(self, client: Client) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<PhoneNumbers waba_id={self._client.waba_id}>"

    async def list(self, fields: str | Sequence[str] | None = None) -> list[PhoneNumber]:
        """Every phone number of the WhatsApp Business Account (all pages)."""
        path = f"{waba_of(self._client)}/phone_numbers"
        params = {"fields": _csv(fields)} if fields else {}
        numbers: list[PhoneNumber] = []
        seen: set[str] = set()
        while True:
            page = await self._client.request("GET", path, params=params, decode=_Page)
            numbers.extend(page.data)
            paging = page.paging
            after = paging.cursors.after if paging is not None and paging.cursors is not None else None
            if paging is None or not paging.next or not after or after in seen or not page.data:
                return numbers
            seen.add(after)
            params = {**params, "after": after}

    async def get(self, fields: str | Sequence[str] | None = None) -> PhoneNumber:
        """This client's phone number (Meta's default fields unless ``fields`` names others)."""
        params = {"fields": _csv(fields)} if fields else None
        return await self._client.request("GET", self._client.phone_number_id, params=params, decode=PhoneNumber)


def _csv(value: str | Sequence[str]) -> str:
    return value if isinstance(value, str) else ",".join(value)
