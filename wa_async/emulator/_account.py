"""Phone numbers and the business profile (docs/limits.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from ._area import json_object
from ._graph import GraphError, json_response, param

__all__ = ["Account"]

_VERTICALS = frozenset(
    {"UNDEFINED", "OTHER", "AUTO", "BEAUTY", "APPAREL", "EDU", "ENTERTAIN", "EVENT_PLAN", "FINANCE", "GROCERY",
     "GOVT", "HOTEL", "HEALTH", "NONPROFIT", "PROF_SERVICES", "RETAIL", "TRAVEL", "RESTAURANT", "NOT_A_BIZ"}
)  # fmt: skip
# Business profile limits (docs/limits.md): about 1-139, address 256, email 128, description 512, websites <= 2 x 256.
_PROFILE_LIMITS = {"about": 139, "address": 256, "email": 128, "description": 512}
_PROFILE_FIELDS = ("about", "address", "description", "email", "profile_picture_url", "websites", "vertical")
_PHONE_DEFAULT_FIELDS = ("verified_name", "code_verification_status", "display_phone_number", "quality_rating",
                         "platform_type", "throughput", "webhook_configuration", "id")  # fmt: skip


class Account:
    """The emulated business: its phone numbers and one business profile per phone number id."""

    __slots__ = ("_profiles", "display_phone_number", "phone_fields", "phone_number_id", "verified_name")

    def __init__(self, phone_number_id: str, display_phone_number: str, verified_name: str = "Emulated Shop") -> None:
        self.phone_number_id = phone_number_id
        self.display_phone_number = display_phone_number
        self.verified_name = verified_name
        self._profiles: dict[str, dict[str, Any]] = {}
        # Other areas add fields they own to a phone number's record (e.g. webhook_configuration).
        self.phone_fields: list[Callable[[str], dict[str, Any]]] = []

    def __repr__(self) -> str:
        return f"<Account phone_number_id={self.phone_number_id!r} profiles={len(self._profiles)}>"

    def phone_number(self, phone_number_id: str) -> dict[str, Any]:
        """Every field the emulator knows of a phone number (any id is accepted)."""
        record = {
            "verified_name": self.verified_name,
            "code_verification_status": "VERIFIED",
            "display_phone_number": self.display_phone_number,
            "quality_rating": "GREEN",
            "platform_type": "CLOUD_API",
            "throughput": {"level": "STANDARD"},
            "webhook_configuration": {"application": ""},
            "status": "CONNECTED",
            "name_status": "APPROVED",
            "account_mode": "LIVE",
            "is_official_business_account": False,
            "whatsapp_business_manager_messaging_limit": "TIER_250",
            "messaging_limit_tier": "TIER_250",
            "id": phone_number_id,
        }
        for fields in self.phone_fields:
            record.update(fields(phone_number_id))
        return record

    def get_phone_number(self, request: web.Request, phone_number_id: str) -> web.Response:
        """``GET /{v}/{pnid}`` with optional ``fields=``."""
        record = self.phone_number(phone_number_id)
        return json_response(
            _pick(record, request.query.get("fields"), _PHONE_DEFAULT_FIELDS, "WhatsAppBusinessPhoneNumber")
        )

    def list_phone_numbers(self, request: web.Request) -> web.Response:
        """``GET /{v}/{waba}/phone_numbers``: the one emulated number, in a cursor page."""
        record = self.phone_number(self.phone_number_id)
        data = [_pick(record, request.query.get("fields"), tuple(record), "WhatsAppBusinessPhoneNumber")]
        return json_response({"data": data, "paging": {"cursors": {"before": "MAZDZD", "after": "MAZDZD"}}})

    def get_profile(self, request: web.Request) -> web.Response:
        """``GET /{v}/{pnid}/whatsapp_business_profile`` -> ``{"data": [{..., "messaging_product"}]}``."""
        profile = self._profile(request.match_info["pnid"])
        data = _pick(profile, request.query.get("fields"), _PROFILE_FIELDS, "WhatsAppBusinessProfile")
        data.pop("id", None)
        return json_response({"data": [{**data, "messaging_product": "whatsapp"}]})

    async def update_profile(self, request: web.Request) -> web.Response:
        """``POST /{v}/{pnid}/whatsapp_business_profile`` with ``messaging_product`` and the fields to change."""
        body = json_object(await request.read())
        if body.get("messaging_product") != "whatsapp":
            raise param("The parameter messaging_product is required and must be whatsapp.")
        update = {k: v for k, v in body.items() if k != "messaging_product"}
        for key, value in update.items():
            _check_profile_field(key, value)
        profile = self._profile(request.match_info["pnid"])
        if "profile_picture_handle" in update:
            update.pop("profile_picture_handle")
            profile["profile_picture_url"] = f"{request.scheme}://{request.host}/profile_picture.jpg"
        profile.update(update)
        return json_response({"success": True})

    def _profile(self, phone_number_id: str) -> dict[str, Any]:
        profile = self._profiles.get(phone_number_id)
        if profile is None:
            profile = self._profiles[phone_number_id] = {
                "about": "Hello from the emulator",
                "address": "",
                "description": "",
                "email": "",
                "profile_picture_url": "",
                "websites": [],
                "vertical": "UNDEFINED",
            }
        return profile


def _check_profile_field(key: str, value: Any) -> None:
    if key in _PROFILE_LIMITS:
        low = 1 if key == "about" else 0
        if not isinstance(value, str) or not low <= len(value) <= _PROFILE_LIMITS[key]:
            raise param(f"Param {key} must be a string of {low} to {_PROFILE_LIMITS[key]} characters")
    elif key == "websites":
        if not isinstance(value, list) or len(value) > 2:
            raise param("Param websites must be an array of at most 2 URLs")
        if not all(isinstance(url, str) and len(url) <= 256 for url in value):
            raise param("Param websites must hold URLs of at most 256 characters")
    elif key == "vertical":
        if value not in _VERTICALS:
            raise param(f"Param vertical must be one of {{{', '.join(sorted(_VERTICALS))}}} - got {value!r}")
    elif key != "profile_picture_handle":
        raise param(f"Unknown parameter {key!r}")


def _pick(record: dict[str, Any], fields: str | None, default: tuple[str, ...], node: str) -> dict[str, Any]:
    wanted = tuple(f.strip() for f in fields.split(",") if f.strip()) if fields else default
    for field in wanted:
        if field not in record:
            text = f"Tried accessing nonexisting field ({field}) on node type ({node})"
            raise GraphError(100, text, message=f"(#100) {text}")
    return {k: record[k] for k in (*wanted, "id") if k in record}
