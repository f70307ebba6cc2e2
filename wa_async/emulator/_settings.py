"""Phone number settings: ``GET``/``POST /{pnid}/settings``, the calling settings above all.

Meta's call-settings page: ``{"calling": {status, call_icon_visibility, call_icons{restrict_to_user_countries},
call_hours{status, timezone_id, weekly_operating_hours[{day_of_week, open_time, close_time}] (at most 2 per day,
no overlap), holiday_schedule[{date, start_time, end_time}] (at most 20; omitted clears it)},
callback_permission_status, sip{status, servers[...]}}}`` -> ``{"success": true}``. The OpenAPI file adds the
``user_identity_change``, ``payload_encryption`` and ``storage_configuration`` features, one per request.
Meta's page writes the values in capitals, the OpenAPI examples in lower case: both are accepted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from aiohttp import web

from ._area import Area, Route, read_body
from ._graph import json_response, param

__all__ = ["PhoneSettings"]

_ON_OFF = frozenset({"ENABLED", "DISABLED"})
_DAYS = frozenset({"MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"})
_HHMM = re.compile(r"^([01]\d|2[0-3])[0-5]\d$")
_DATE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_FEATURES = ("calling", "user_identity_change", "payload_encryption", "storage_configuration")
_MAX_HOLIDAYS = 20
_MAX_RANGES_PER_DAY = 2


class PhoneSettings(Area):
    """Settings per phone number id; calling starts ``DISABLED``, as on a number that never enabled it."""

    __slots__ = ("_settings",)

    def __init__(self) -> None:
        super().__init__()
        self._settings: dict[str, dict[str, Any]] = {}

    def __repr__(self) -> str:
        return f"<PhoneSettings numbers={len(self._settings)}>"

    def routes(self) -> Iterable[Route]:
        """``GET``/``POST /{pnid}/settings``."""
        return (("GET", "/{pnid}/settings", self.get), ("POST", "/{pnid}/settings", self.update))

    def calling_enabled(self, phone_number_id: str) -> bool:
        """Whether the Calling API is enabled on the number (138000 for the calls endpoints otherwise)."""
        return str(self._of(phone_number_id)["calling"].get("status", "")).upper() == "ENABLED"

    def callback_permission(self, phone_number_id: str) -> bool:
        """Whether calling back a missed call is allowed without asking (``callback_permission_status``)."""
        status = self._of(phone_number_id)["calling"].get("callback_permission_status", "")
        return str(status).upper() == "ENABLED"

    async def get(self, request: web.Request) -> web.Response:
        """``GET /{pnid}/settings[?include_sip_credentials=true]``."""
        settings = self._of(request.match_info["pnid"])
        calling = dict(settings["calling"])
        sip = calling.get("sip")
        if isinstance(sip, dict) and request.query.get("include_sip_credentials") == "true":
            calling["sip"] = {**sip, "servers": [{**s, "sip_user_password": "emulated-sip-password"}
                                                 for s in sip.get("servers", [])]}  # fmt: skip
        return json_response({**settings, "calling": calling})

    async def update(self, request: web.Request) -> web.Response:
        """``POST /{pnid}/settings`` with one feature object."""
        body = await read_body(request)
        body.pop("messaging_product", None)
        unknown = set(body) - set(_FEATURES)
        if unknown:
            raise param(f"Unknown parameter {sorted(unknown)[0]!r}: expected one of {', '.join(_FEATURES)}")
        if len(body) != 1:
            raise param(f"Give exactly one of {', '.join(_FEATURES)} per request, got {len(body)}.")
        (feature, value), = body.items()
        if not isinstance(value, dict):
            raise param(f"Param {feature} must be an object.")
        settings = self._of(request.match_info["pnid"])
        if feature == "calling":
            _check_calling(value)
            settings["calling"].update(value)  # call_hours is replaced whole: an omitted holiday_schedule is cleared
        else:
            settings[feature] = dict(value)
        return json_response({"success": True})

    def _of(self, phone_number_id: str) -> dict[str, Any]:
        settings = self._settings.get(phone_number_id)
        if settings is None:
            settings = self._settings[phone_number_id] = {
                "calling": {"status": "DISABLED", "call_icon_visibility": "DEFAULT",
                            "callback_permission_status": "DISABLED"},
                "payload_encryption": {"status": "DISABLED"},
                "storage_configuration": {"status": "DEFAULT"},
            }  # fmt: skip
        return settings


def _check_calling(calling: dict[str, Any]) -> None:
    known = {"status", "call_icon_visibility", "call_icons", "call_hours", "callback_permission_status", "sip",
             "video", "srtp_key_exchange_protocol", "ip_addresses"}  # fmt: skip
    unknown = set(calling) - known
    if unknown:
        raise param(f"Unknown parameter 'calling.{sorted(unknown)[0]}'")
    for key in ("status", "callback_permission_status"):
        if key in calling:
            _enum(calling[key], _ON_OFF, f"calling.{key}")
    if "call_icon_visibility" in calling:
        _enum(calling["call_icon_visibility"], {"DEFAULT", "DISABLE_ALL", "VISIBLE"}, "calling.call_icon_visibility")
    if "call_icons" in calling:
        icons = _obj(calling["call_icons"], "calling.call_icons")
        countries = icons.get("restrict_to_user_countries", [])
        if not isinstance(countries, list) or not all(isinstance(c, str) and _COUNTRY.match(c) for c in countries):
            raise param("Param calling.call_icons.restrict_to_user_countries must be ISO 3166 alpha-2 country codes")
    if "call_hours" in calling:
        _check_hours(_obj(calling["call_hours"], "calling.call_hours"))
    if "sip" in calling:
        sip = _obj(calling["sip"], "calling.sip")
        if "status" in sip:
            _enum(sip["status"], _ON_OFF, "calling.sip.status")
        for i, server in enumerate(sip.get("servers", [])):
            server = _obj(server, f"calling.sip.servers[{i}]")
            if not isinstance(server.get("hostname"), str) or not server["hostname"]:
                raise param(f"The parameter calling.sip.servers[{i}].hostname is required.")


def _check_hours(hours: dict[str, Any]) -> None:
    if "status" in hours:
        _enum(hours["status"], _ON_OFF, "calling.call_hours.status")
    if str(hours.get("status", "")).upper() == "ENABLED" and not hours.get("timezone_id"):
        raise param("The parameter calling.call_hours.timezone_id is required when call hours are enabled.")
    per_day: dict[str, list[tuple[str, str]]] = {}
    for i, item in enumerate(hours.get("weekly_operating_hours", [])):
        path = f"calling.call_hours.weekly_operating_hours[{i}]"
        item = _obj(item, path)
        day = _enum(item.get("day_of_week"), _DAYS, f"{path}.day_of_week")
        start = _hhmm(item.get("open_time"), f"{path}.open_time")
        end = _hhmm(item.get("close_time"), f"{path}.close_time")
        if start >= end:
            raise param(f"Param {path}: open_time must be before close_time")
        ranges = per_day.setdefault(day, [])
        if any(start < b and a < end for a, b in ranges):
            raise param(f"Param {path} overlaps another range on {day}")
        ranges.append((start, end))
        if len(ranges) > _MAX_RANGES_PER_DAY:
            raise param(f"At most {_MAX_RANGES_PER_DAY} operating hour ranges per day, got more on {day}")
    holidays = hours.get("holiday_schedule", [])
    if not isinstance(holidays, list) or len(holidays) > _MAX_HOLIDAYS:
        raise param(f"Param calling.call_hours.holiday_schedule must be an array of at most {_MAX_HOLIDAYS} dates")
    for i, item in enumerate(holidays):
        path = f"calling.call_hours.holiday_schedule[{i}]"
        item = _obj(item, path)
        if not isinstance(item.get("date"), str) or not _DATE.match(item["date"]):
            raise param(f"Param {path}.date must be a YYYY-MM-DD date")
        _hhmm(item.get("start_time"), f"{path}.start_time")
        _hhmm(item.get("end_time"), f"{path}.end_time")


def _enum(value: Any, allowed: Iterable[str], path: str) -> str:
    if not isinstance(value, str) or value.upper() not in allowed:
        raise param(f"Param {path} must be one of {{{', '.join(sorted(allowed))}}} - got {value!r}")
    return value.upper()


def _hhmm(value: Any, path: str) -> str:
    if not isinstance(value, str) or not _HHMM.match(value):
        raise param(f"Param {path} must be a time written HHMM, got {value!r}")
    return value


def _obj(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise param(f"Param {path} must be an object")
    return value
