"""Address messages: a form in WhatsApp where the user enters or picks a delivery address (Meta's address-messages
page). REGIONAL: only for businesses in India and their customers in India."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from wa_async._errors import ValidationError
from wa_async._messages import _check
from wa_async._messages._interactive import _check_frame, _frame, _Interactive

__all__ = ["AddressRequest", "SavedAddress"]

BODY_LIMIT = 1024
# The form's fields, all for India; the pin code is at most 6 characters.
ADDRESS_FIELDS = (
    "name",
    "phone_number",
    "in_pin_code",
    "house_number",
    "floor_number",
    "tower_number",
    "building_name",
    "address",
    "landmark_area",
    "city",
    "state",
)
PIN_CODE_LIMIT = 6
COUNTRIES = ("IN",)


def _check_fields(values: object, path: str, *, empty: bool, messages: bool = False) -> dict[str, str]:
    if not isinstance(values, Mapping):
        raise ValidationError(path, f"expected a mapping of address fields, got {type(values).__name__}")
    out: dict[str, str] = {}
    for key, value in values.items():
        if key not in ADDRESS_FIELDS:
            raise ValidationError(f"{path}.{key}", f"not an address field; the fields are {', '.join(ADDRESS_FIELDS)}")
        limit = PIN_CODE_LIMIT if key == "in_pin_code" and not messages else None
        out[key] = _check.text(value, f"{path}.{key}", limit, minimum=0 if empty else 1)
    return out


class SavedAddress(msgspec.Struct, frozen=True):
    """An address the user gave before, offered for them to pick: an ``id`` of your choice and its ``values``
    (the form's fields: ``name``, ``phone_number``, ``in_pin_code``, ``city``, ...)."""

    id: str
    values: Mapping[str, str]


class AddressRequest(_Interactive, frozen=True):
    """Asks the user for a delivery address with WhatsApp's address form (interactive ``address_message``).
    REGIONAL: India only (``country="IN"``, Meta's only documented country).

    ``values`` pre-fills the form; ``saved_addresses`` offers addresses to pick from; ``validation_errors`` (field
    -> message) sends the form back with the user's entries marked wrong. The fields: ``name``,
    ``phone_number``, ``in_pin_code`` (up to 6 characters), ``house_number``, ``floor_number``, ``tower_number``,
    ``building_name``, ``address``, ``landmark_area``, ``city``, ``state``. The answer is an ``nfm_reply``
    interactive message; clients that cannot show the form fail with error 1026.

    ```python
    wa.AddressRequest("919876543210", "Where should we deliver your order?",
                      values={"name": "Jamie Example", "phone_number": "+919876543210"})
    ```
    """

    body: str
    values: Mapping[str, str] | None = None
    saved_addresses: Sequence[SavedAddress] = ()
    validation_errors: Mapping[str, str] | None = None
    country: str = "IN"
    footer: str | None = None
    reply_to: str | None = None

    def _validate(self) -> None:
        _check_frame(self.body, BODY_LIMIT, None, self.footer, self.reply_to, media_header=False)
        _check.choice(self.country, "country", COUNTRIES)
        if self.values is not None:
            msgspec.structs.force_setattr(self, "values", _check_fields(self.values, "values", empty=False))
        saved = _check.items(self.saved_addresses, "saved_addresses", SavedAddress, limit=None, minimum=0)
        frozen = []
        for i, a in enumerate(saved):
            _check.text(a.id, f"saved_addresses[{i}].id", None)
            frozen.append(SavedAddress(a.id, _check_fields(a.values, f"saved_addresses[{i}].values", empty=True)))
        _check.unique([(f"saved_addresses[{i}].id", a.id) for i, a in enumerate(frozen)], "saved address ids")
        msgspec.structs.force_setattr(self, "saved_addresses", tuple(frozen))
        if self.validation_errors is not None:
            errors = _check_fields(self.validation_errors, "validation_errors", empty=False, messages=True)
            msgspec.structs.force_setattr(self, "validation_errors", errors)

    def _wire(self) -> Any:
        params: dict[str, Any] = {"country": self.country}
        if self.values is not None:
            params["values"] = self.values
        if self.saved_addresses:
            params["saved_addresses"] = [{"id": a.id, "value": a.values} for a in self.saved_addresses]
        if self.validation_errors is not None:
            params["validation_errors"] = self.validation_errors
        action = {"name": "address_message", "parameters": params}
        return _frame("address_message", None, self.body, self.footer, action)
