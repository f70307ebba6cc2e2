"""Template parameters, also used as the media headers of interactive messages.

Anywhere a parameter goes, a plain ``str`` means a text parameter and a ``dict`` in the wire shape is
sent as it is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, ClassVar, TypeAlias

import msgspec

from wa_async._errors import ValidationError
from wa_async._messages import _check
from wa_async._messages._products import ProductSection, check_sections, wire_sections

__all__ = [
    "ActionParam",
    "CouponParam",
    "Currency",
    "DateTime",
    "DocumentParam",
    "ImageParam",
    "Param",
    "PayloadParam",
    "ProductParam",
    "TextParam",
    "TtlParam",
    "VideoParam",
]

_CURRENCY_CODE = re.compile(r"[A-Z]{3}", re.ASCII)
# Meta's templates overview: a named parameter is lowercase characters and underscores ({{first_name}}).
PARAMETER_NAME = re.compile(r"[a-z_]+", re.ASCII)
# Meta's coupon-templates page: an alphanumeric code of up to 20 characters (15 before 2025-12-03).
_COUPON = re.compile(r"[A-Za-z0-9]+", re.ASCII)
COUPON_CODE_LIMIT = 20
TTL_MINUTES = (1, 43_200)  # a call button's time to live (Meta's call-button page): 1 minute to 30 days


class _Param(msgspec.Struct, frozen=True, omit_defaults=True):
    """A typed parameter; checked by the message that holds it, so that errors name the full path.

    Most are wire-shaped (``omit_defaults`` drops the unset fields), so msgspec encodes them directly.
    """

    param_type: ClassVar[str]

    def _check(self, path: str) -> None:
        raise NotImplementedError

    def _value(self) -> Any:
        return self

    def _wire(self) -> dict[str, Any]:
        t = self.param_type
        return {"type": t, t: self._value()}


class TextParam(_Param, frozen=True):
    """A text parameter; a plain ``str`` does the same. ``name`` is the parameter's name in a template created
    with named parameters (``{{first_name}}``), sent as ``parameter_name``; named parameters go in any order.

    ```python
    wa.BodyParams([
        wa.TextParam("Jamie", name="first_name"),
        wa.TextParam("ORD-4711", name="order_number"),
    ])
    ```
    """

    param_type: ClassVar[str] = "text"

    text: str
    name: str | None = None

    def _check(self, path: str) -> None:
        _check.text(self.text, f"{path}.text", None)
        if self.name is not None:
            _check.text(self.name, f"{path}.name", None)
            if PARAMETER_NAME.fullmatch(self.name) is None:
                raise ValidationError(f"{path}.name", f"{self.name!r} is not a parameter name: lowercase letters and _")

    def _wire(self) -> dict[str, Any]:
        if self.name is None:
            return {"type": "text", "text": self.text}
        return {"type": "text", "parameter_name": self.name, "text": self.text}


class Currency(_Param, frozen=True):
    """An amount of money: ``amount_1000`` is the amount times 1000 (``100990`` is 100.99), ``code`` ISO 4217."""

    param_type: ClassVar[str] = "currency"

    fallback_value: str
    code: str
    amount_1000: int

    def _check(self, path: str) -> None:
        _check.text(self.fallback_value, f"{path}.fallback_value", None)
        if not isinstance(self.code, str) or _CURRENCY_CODE.fullmatch(self.code) is None:
            raise ValidationError(f"{path}.code", f"{self.code!r} is not an ISO 4217 code such as 'USD'")
        if isinstance(self.amount_1000, bool) or not isinstance(self.amount_1000, int):
            raise ValidationError(f"{path}.amount_1000", f"expected an int, got {type(self.amount_1000).__name__}")


_DATE_PARTS: tuple[tuple[str, int, int], ...] = (
    ("day_of_week", 1, 7),
    ("year", 1, 9999),
    ("month", 1, 12),
    ("day_of_month", 1, 31),
    ("hour", 0, 23),
    ("minute", 0, 59),
)


class DateTime(_Param, frozen=True):
    """A date and time; WhatsApp shows ``fallback_value``, the parts are optional."""

    param_type: ClassVar[str] = "date_time"

    fallback_value: str
    day_of_week: int | None = None
    year: int | None = None
    month: int | None = None
    day_of_month: int | None = None
    hour: int | None = None
    minute: int | None = None
    calendar: str | None = None

    def _check(self, path: str) -> None:
        _check.text(self.fallback_value, f"{path}.fallback_value", None)
        for name, low, high in _DATE_PARTS:
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValidationError(f"{path}.{name}", f"expected an int, got {type(value).__name__}")
            if not low <= value <= high:
                raise ValidationError(f"{path}.{name}", f"{value} is outside {low}..{high}", limit=(low, high))
        _check.optional_text(self.calendar, f"{path}.calendar", None)


class _MediaParam(_Param, frozen=True):
    link: str | None = None
    id: str | None = None

    def _check(self, path: str) -> None:
        _check.link_or_id(self.link, self.id, f"{path}.")


class ImageParam(_MediaParam, frozen=True):
    """An image by ``link`` or uploaded ``id`` (exactly one): a template header or an interactive header."""

    param_type: ClassVar[str] = "image"


class VideoParam(_MediaParam, frozen=True):
    """A video by ``link`` or uploaded ``id`` (exactly one): a template header or an interactive header."""

    param_type: ClassVar[str] = "video"


class DocumentParam(_MediaParam, frozen=True):
    """A document by ``link`` or uploaded ``id`` (exactly one), with an optional ``filename``."""

    param_type: ClassVar[str] = "document"

    filename: str | None = None

    def _check(self, path: str) -> None:
        super()._check(path)
        _check.optional_text(self.filename, f"{path}.filename", None)


class PayloadParam(_Param, frozen=True):
    """The payload a quick-reply button returns in the ``button`` webhook when tapped."""

    param_type: ClassVar[str] = "payload"

    payload: str

    def _check(self, path: str) -> None:
        _check.text(self.payload, f"{path}.payload", None)

    def _value(self) -> Any:
        return self.payload


class ActionParam(_Param, frozen=True):
    """The action of a template button: a flow button (``flow_token``, ``flow_action_data``), a catalog button
    (``thumbnail_product_retailer_id``), a multi-product button (``thumbnail_product_retailer_id`` and 1 to 10
    ``sections`` of up to 30 products in all), or an India payments ``order_details`` button (a raw dict, REGIONAL).
    """

    param_type: ClassVar[str] = "action"

    flow_token: str | None = None
    flow_action_data: dict[str, Any] | None = None
    thumbnail_product_retailer_id: str | None = None
    sections: Sequence[ProductSection] | None = None
    order_details: dict[str, Any] | None = None

    def _check(self, path: str) -> None:
        if all(getattr(self, f) is None for f in self.__struct_fields__):
            raise ValidationError(
                f"{path}.action",
                "give flow_token/flow_action_data, thumbnail_product_retailer_id, sections or order_details",
            )
        _check.optional_text(self.flow_token, f"{path}.flow_token", None)
        if self.flow_action_data is not None:
            _check.mapping(self.flow_action_data, f"{path}.flow_action_data")
        _check.optional_text(self.thumbnail_product_retailer_id, f"{path}.thumbnail_product_retailer_id", None)
        if self.sections is not None:
            msgspec.structs.force_setattr(self, "sections", check_sections(self.sections, f"{path}.sections"))
        if self.order_details is not None:
            _check.mapping(self.order_details, f"{path}.order_details")

    def _value(self) -> Any:
        action: dict[str, Any] = {}
        for f in self.__struct_fields__:
            v = getattr(self, f)
            if v is not None:
                action[f] = wire_sections(v) if f == "sections" else v
        return action


class CouponParam(_Param, frozen=True):
    """The code of a copy-code (coupon) button: letters and digits, up to 20 characters. In a ``copy_code``
    button a plain ``str`` does the same."""

    param_type: ClassVar[str] = "coupon_code"

    coupon_code: str

    def _check(self, path: str) -> None:
        _check.text(self.coupon_code, f"{path}.coupon_code", COUPON_CODE_LIMIT)
        if _COUPON.fullmatch(self.coupon_code) is None:
            raise ValidationError(f"{path}.coupon_code", f"{self.coupon_code!r} is not alphanumeric")

    def _value(self) -> Any:
        return self.coupon_code


class TtlParam(_Param, frozen=True):
    """How long a template's call button stays active, in minutes (1 to 43,200; Meta's default is 7 days)."""

    param_type: ClassVar[str] = "ttl_minutes"

    ttl_minutes: int

    def _check(self, path: str) -> None:
        _check.integer(self.ttl_minutes, f"{path}.ttl_minutes", *TTL_MINUTES)

    def _value(self) -> Any:
        return self.ttl_minutes


class ProductParam(_Param, frozen=True):
    """A catalog product: the header of a product card in a template carousel."""

    param_type: ClassVar[str] = "product"

    catalog_id: str
    product_id: str

    def _check(self, path: str) -> None:
        _check.text(self.catalog_id, f"{path}.catalog_id", None)
        _check.text(self.product_id, f"{path}.product_id", None)

    def _value(self) -> Any:
        return {"product_retailer_id": self.product_id, "catalog_id": self.catalog_id}


Param: TypeAlias = (
    TextParam
    | Currency
    | DateTime
    | ImageParam
    | VideoParam
    | DocumentParam
    | PayloadParam
    | ActionParam
    | CouponParam
    | TtlParam
    | ProductParam
)
"""Any typed parameter."""

MediaParam: TypeAlias = ImageParam | VideoParam | DocumentParam


def check_param(value: object, path: str) -> None:
    """Check one parameter: a typed one, a ``str`` (text) or a raw wire-shaped ``dict``."""
    if isinstance(value, _Param):
        value._check(path)
    elif isinstance(value, str):
        _check.text(value, path, None)
    elif isinstance(value, dict):
        _check.mapping(value, path)
        if not isinstance(value.get("type"), str):
            raise ValidationError(f"{path}.type", "a raw parameter needs a string 'type'")
    else:
        raise ValidationError(path, f"expected a parameter, a str or a dict, got {type(value).__name__}")


def wire_param(value: Param | str | dict[str, Any]) -> dict[str, Any]:
    """The wire shape of a checked parameter."""
    if isinstance(value, str):
        return {"type": "text", "text": value}
    if isinstance(value, dict):
        return value
    return value._wire()
