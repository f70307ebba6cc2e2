"""A phone number's settings (``/{phone_number_id}/settings``), the calling settings above all.

Meta's call-settings page: ``{"calling": {status, call_icon_visibility, call_icons{restrict_to_user_countries},
call_hours{status, timezone_id, weekly_operating_hours (at most 2 ranges a day, no overlap), holiday_schedule (at
most 20; omitted clears it)}, callback_permission_status, sip{status, servers}}}``. Meta's OpenAPI file adds the
``user_identity_change``, ``payload_encryption`` and ``storage_configuration`` features; one feature per request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import msgspec

from .._errors import ValidationError
from .._request import Request
from ._common import Confirmed, json_body

__all__ = [
    "FEATURES",
    "CallHours",
    "CallIcons",
    "CallingSettings",
    "GetSettings",
    "Holiday",
    "OperatingHours",
    "PhoneNumberSettings",
    "UpdateSettings",
    "calling_wire",
]

FEATURES = ("calling", "user_identity_change", "payload_encryption", "storage_configuration")
MAX_RANGES_PER_DAY = 2  # weekly_operating_hours: at most 2 ranges a day, not overlapping
MAX_HOLIDAYS = 20  # holiday_schedule: at most 20 dates
_ON_OFF = ("ENABLED", "DISABLED")
_ICON_VISIBILITY = ("DEFAULT", "DISABLE_ALL", "VISIBLE")  # VISIBLE: in the OpenAPI examples
_DAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
_HHMM = re.compile(r"([01]\d|2[0-3])[0-5]\d")
_DATE = re.compile(r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])")
_COUNTRY = re.compile(r"[A-Z]{2}")


class OperatingHours(msgspec.Struct, frozen=True, omit_defaults=True):
    """One range of a weekday when calls are taken: ``OperatingHours("MONDAY", "0900", "1730")`` (HHMM)."""

    day_of_week: str
    open_time: str
    close_time: str


class Holiday(msgspec.Struct, frozen=True, omit_defaults=True):
    """A date (``YYYY-MM-DD``) with the hours (HHMM) when calls are not taken."""

    date: str
    start_time: str
    end_time: str


class CallHours(msgspec.Struct, frozen=True, omit_defaults=True):
    """When the business takes calls: the week's ranges (at most 2 a day) and up to 20 holidays."""

    status: str | None = None
    timezone_id: str | None = None
    weekly_operating_hours: list[OperatingHours] = []
    holiday_schedule: list[Holiday] = []


class CallIcons(msgspec.Struct, frozen=True, omit_defaults=True):
    """Where the call button shows: only to users whose phone numbers are of these ISO countries (``[]``: all)."""

    restrict_to_user_countries: list[str] = []


class CallingSettings(msgspec.Struct, frozen=True, omit_defaults=True):
    """The Calling API settings of a number; fields left None are not changed by an update.

    Meta writes the values in capitals (``ENABLED``); its OpenAPI examples answer in lower case: both are read.
    """

    status: str | None = None
    call_icon_visibility: str | None = None
    call_icons: CallIcons | None = None
    call_hours: CallHours | None = None
    callback_permission_status: str | None = None
    sip: dict[str, Any] | None = None
    video: dict[str, Any] | None = None
    ip_addresses: dict[str, Any] | None = None
    srtp_key_exchange_protocol: str | None = None

    @property
    def enabled(self) -> bool:
        """Whether calling is enabled."""
        return (self.status or "").upper() == "ENABLED"


class PhoneNumberSettings(msgspec.Struct, frozen=True):
    """All settings of a number, as ``GET /{phone_number_id}/settings`` answers them."""

    calling: CallingSettings = CallingSettings()
    payload_encryption: dict[str, Any] | None = None
    storage_configuration: dict[str, Any] | None = None
    user_identity_change: dict[str, Any] | None = None


class GetSettings(Request[PhoneNumberSettings]):
    """``GET /{phone_number_id}/settings`` (``include_sip_credentials=true`` adds the SIP passwords)."""

    __slots__ = ()
    result = PhoneNumberSettings

    def __init__(self, phone_number_id: str, include_sip_credentials: bool = False) -> None:
        params = {"include_sip_credentials": "true"} if include_sip_credentials else None
        super().__init__("GET", f"{phone_number_id}/settings", params=params)


class UpdateSettings(Confirmed):
    """``POST /{phone_number_id}/settings`` with one feature object."""

    __slots__ = ()

    def __init__(self, phone_number_id: str, feature: str, value: Mapping[str, Any]) -> None:
        super().__init__("POST", f"{phone_number_id}/settings", body=json_body({feature: value}))


def calling_wire(settings: CallingSettings) -> dict[str, Any]:
    """The ``calling`` object for an update, checked against Meta's documented values and limits.

    Raises:
        ValidationError: naming the field, e.g. ``calling.call_hours.weekly_operating_hours[2].open_time``.
    """
    if not isinstance(settings, CallingSettings):
        raise ValidationError("calling", f"expected CallingSettings, got {type(settings).__name__}")
    wire: dict[str, Any] = msgspec.to_builtins(settings)
    for key in ("status", "callback_permission_status"):
        if key in wire:
            wire[key] = _choice(wire[key], _ON_OFF, f"calling.{key}")
    if "call_icon_visibility" in wire:
        wire["call_icon_visibility"] = _choice(wire["call_icon_visibility"], _ICON_VISIBILITY,
                                               "calling.call_icon_visibility")  # fmt: skip
    if settings.call_icons is not None:
        countries = [c.upper() if isinstance(c, str) else c for c in settings.call_icons.restrict_to_user_countries]
        for i, code in enumerate(countries):
            if not isinstance(code, str) or not _COUNTRY.fullmatch(code):
                raise ValidationError(f"calling.call_icons.restrict_to_user_countries[{i}]",
                                      f"{code!r} is not an ISO 3166 two-letter country code")  # fmt: skip
        wire["call_icons"] = {"restrict_to_user_countries": countries}
    if settings.call_hours is not None:
        wire["call_hours"] = _hours(settings.call_hours)
    if settings.sip is not None:
        for i, server in enumerate(settings.sip.get("servers") or []):
            if not isinstance(server, Mapping) or not server.get("hostname"):
                raise ValidationError(f"calling.sip.servers[{i}].hostname", "is required")
    if not wire:
        raise ValidationError("calling", "nothing to update: set at least one field")
    return wire


def _hours(hours: CallHours) -> dict[str, Any]:
    path = "calling.call_hours"
    wire: dict[str, Any] = msgspec.to_builtins(hours)
    if hours.status is not None:
        wire["status"] = _choice(hours.status, _ON_OFF, f"{path}.status")
        if wire["status"] == "ENABLED" and not hours.timezone_id:
            raise ValidationError(f"{path}.timezone_id", "is required when call hours are enabled")
    per_day: dict[str, list[tuple[str, str]]] = {}
    week = []
    for i, item in enumerate(hours.weekly_operating_hours):
        at = f"{path}.weekly_operating_hours[{i}]"
        day = _choice(item.day_of_week, _DAYS, f"{at}.day_of_week")
        start, end = _hhmm(item.open_time, f"{at}.open_time"), _hhmm(item.close_time, f"{at}.close_time")
        if start >= end:
            raise ValidationError(at, f"open_time {start} is not before close_time {end}")
        ranges = per_day.setdefault(day, [])
        if any(start < b and a < end for a, b in ranges):
            raise ValidationError(at, f"{start}-{end} overlaps another range on {day}")
        ranges.append((start, end))
        if len(ranges) > MAX_RANGES_PER_DAY:
            raise ValidationError(at, f"{len(ranges)} ranges on {day}, the limit is {MAX_RANGES_PER_DAY} a day",
                                  limit=MAX_RANGES_PER_DAY)  # fmt: skip
        week.append({"day_of_week": day, "open_time": start, "close_time": end})
    if week:
        wire["weekly_operating_hours"] = week
    if len(hours.holiday_schedule) > MAX_HOLIDAYS:
        raise ValidationError(f"{path}.holiday_schedule", f"{len(hours.holiday_schedule)} dates, the limit is "
                              f"{MAX_HOLIDAYS}", limit=MAX_HOLIDAYS)  # fmt: skip
    for i, holiday in enumerate(hours.holiday_schedule):
        at = f"{path}.holiday_schedule[{i}]"
        if not isinstance(holiday.date, str) or not _DATE.fullmatch(holiday.date):
            raise ValidationError(f"{at}.date", f"{holiday.date!r} is not a YYYY-MM-DD date")
        _hhmm(holiday.start_time, f"{at}.start_time")
        _hhmm(holiday.end_time, f"{at}.end_time")
    return wire


def _choice(value: object, allowed: tuple[str, ...], field: str) -> str:
    if not isinstance(value, str) or value.upper() not in allowed:
        raise ValidationError(field, f"{value!r} is not one of {', '.join(allowed)}")
    return value.upper()


def _hhmm(value: object, field: str) -> str:
    if not isinstance(value, str) or not _HHMM.fullmatch(value):
        raise ValidationError(field, f"{value!r} is not a time written HHMM (0000 to 2359)")
    return value
