"""Order messages of Meta's Payments APIs: an order to review and pay (``order_details``) and its later status
(``order_status``). REGIONAL: only for businesses onboarded to Payments API India (INR) or Brazil (BRL).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Literal

import msgspec

from wa_async._errors import ValidationError
from wa_async._messages import _check
from wa_async._messages._interactive import _check_frame, _frame, _Interactive
from wa_async._messages._params import ImageParam

__all__ = ["OrderAmount", "OrderDetails", "OrderItem", "OrderStatus"]

# Meta's payments pages (payments-in/pg, payments-br/orders).
BODY_LIMIT = 1024
ITEM_NAME_LIMIT = 60
DESCRIPTION_LIMIT = 60  # tax, shipping, discount and the discount program name
EXPIRATION_DESCRIPTION_LIMIT = 120
STATUS_DESCRIPTION_LIMIT = 120
OFFSET = 100  # "Must be 100" for INR and for BRL
REFERENCE_ID_LIMITS = {"INR": 35, "BRL": 60}
_REFERENCE_ID = re.compile(r"[A-Za-z0-9_.\-]+", re.ASCII)
ORDER_STATUSES = ("pending", "processing", "partially_shipped", "partially-shipped", "shipped", "completed", "canceled")
PAYMENT_STATUSES = ("pending", "captured", "failed")


class OrderAmount(msgspec.Struct, frozen=True):
    """An amount in minor units: ``value`` is the amount times ``offset``, which Meta fixes at 100 (12.34 BRL
    is ``OrderAmount(1234)``). ``description`` (up to 60 characters) labels a tax, shipping or discount line;
    ``discount_program_name`` (60) names the program of an incentivised discount."""

    value: int
    offset: int = OFFSET
    description: str | None = None
    discount_program_name: str | None = None

    def _check(self, path: str, *, described: bool = False, discount: bool = False) -> None:
        _check.integer(self.value, f"{path}.value", 0)
        if self.offset != OFFSET or isinstance(self.offset, bool):
            raise ValidationError(f"{path}.offset", f"{self.offset!r}: Meta requires {OFFSET}", limit=OFFSET)
        if self.description is not None:
            if not described:
                raise ValidationError(f"{path}.description", "only tax, shipping and discount carry a description")
            _check.text(self.description, f"{path}.description", DESCRIPTION_LIMIT)
        if self.discount_program_name is not None:
            if not discount:
                raise ValidationError(f"{path}.discount_program_name", "only a discount carries a program name")
            _check.text(self.discount_program_name, f"{path}.discount_program_name", DESCRIPTION_LIMIT)

    def _wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": self.value, "offset": self.offset}
        if self.description is not None:
            out["description"] = self.description
        if self.discount_program_name is not None:
            out["discount_program_name"] = self.discount_program_name
        return out


class OrderItem(msgspec.Struct, frozen=True):
    """One line of an order: ``name`` (up to 60 characters), the price per unit ``amount``, ``quantity``, the
    catalog ``retailer_id`` (Brazil, and India with a catalog), a lower ``sale_amount``; India orders without a
    catalog also give ``country_of_origin``, ``importer_name`` and ``importer_address`` (a dict)."""

    name: str
    amount: OrderAmount
    quantity: int
    retailer_id: str | None = None
    sale_amount: OrderAmount | None = None
    country_of_origin: str | None = None
    importer_name: str | None = None
    importer_address: dict[str, Any] | None = None

    def _check(self, path: str) -> None:
        _check.text(self.name, f"{path}.name", ITEM_NAME_LIMIT)
        _amount(self.amount, f"{path}.amount")
        _check.integer(self.quantity, f"{path}.quantity", 1)
        _check.optional_text(self.retailer_id, f"{path}.retailer_id", None)
        if self.sale_amount is not None:
            _amount(self.sale_amount, f"{path}.sale_amount")
            if self.sale_amount.value >= self.amount.value:
                raise ValidationError(f"{path}.sale_amount", "must be less than the amount")
        _check.optional_text(self.country_of_origin, f"{path}.country_of_origin", None)
        _check.optional_text(self.importer_name, f"{path}.importer_name", None)
        if self.importer_address is not None:
            _check.mapping(self.importer_address, f"{path}.importer_address")

    def _unit(self) -> int:
        return (self.sale_amount or self.amount).value

    def _wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.retailer_id is not None:
            out["retailer_id"] = self.retailer_id
        out["name"] = self.name
        out["amount"] = self.amount._wire()
        out["quantity"] = self.quantity
        if self.sale_amount is not None:
            out["sale_amount"] = self.sale_amount._wire()
        for key in ("country_of_origin", "importer_name", "importer_address"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


NO_TAX = OrderAmount(0)
"""Zero tax: Meta requires a tax line and does not show it when it is zero."""


def _amount(value: object, path: str, *, described: bool = False, discount: bool = False) -> None:
    if not isinstance(value, OrderAmount):
        raise ValidationError(path, f"expected an OrderAmount, got {type(value).__name__}")
    value._check(path, described=described, discount=discount)


class OrderDetails(_Interactive, frozen=True):
    """An order the user reviews and pays in WhatsApp (interactive ``order_details``, action ``review_and_pay``).

    REGIONAL: Payments API India (``currency="INR"``) or Brazil (``"BRL"``, sent with ``payment_type: "br"``);
    the business must be onboarded and its ``payment_settings`` (raw dicts: a payment gateway, link, Pix code or
    boleto, as Meta's payments pages give them) configured.

    ``subtotal`` (the sum of each item's sale or list price times its quantity) and ``total_amount`` (subtotal
    plus tax and shipping, minus discount) are computed, so they always satisfy Meta's rule. ``reference_id``
    (unique per order: letters, digits, ``_ - .``; up to 35 characters for India, 60 for Brazil), ``body`` (1024),
    ``goods_type`` (``"digital-goods"`` or ``"physical-goods"``), ``footer`` (60), ``header`` (an image by link;
    Meta shows the first product's otherwise), ``expiration_timestamp`` (Unix seconds, at least 300 s ahead when
    sent) with ``expiration_description`` (120).

    ```python
    wa.OrderDetails(
        "5511987654321", "Your order: tap to pay.", "order-2026-0001", "BRL",
        [wa.OrderItem("Gift card R$50", wa.OrderAmount(5000), 1, retailer_id="GIFT-50")],
        payment_settings=[{
            "type": "payment_link",
            "payment_link": {"uri": "https://pay.example.com/p/order-2026-0001"},
        }],
    )
    ```
    """

    body: str
    reference_id: str
    currency: Literal["INR", "BRL"]
    items: Sequence[OrderItem]
    payment_settings: Sequence[dict[str, Any]] = ()
    goods_type: Literal["digital-goods", "physical-goods"] = "digital-goods"
    tax: OrderAmount = NO_TAX
    shipping: OrderAmount | None = None
    discount: OrderAmount | None = None
    catalog_id: str | None = None
    expiration_timestamp: int | None = None
    expiration_description: str | None = None
    header: ImageParam | None = None
    footer: str | None = None
    reply_to: str | None = None

    def _validate(self) -> None:
        _check_frame(self.body, BODY_LIMIT, None, self.footer, self.reply_to, media_header=False)
        currency = _check.choice(self.currency, "currency", tuple(REFERENCE_ID_LIMITS))
        _check.text(self.reference_id, "reference_id", REFERENCE_ID_LIMITS[currency])
        if _REFERENCE_ID.fullmatch(self.reference_id) is None:
            raise ValidationError("reference_id", f"{self.reference_id!r}: letters, digits, '_', '-' and '.' only")
        _check.choice(self.goods_type, "goods_type", ("digital-goods", "physical-goods"))
        items = _check.items(self.items, "items", OrderItem, limit=None)
        for i, item in enumerate(items):
            item._check(f"items[{i}]")
        msgspec.structs.force_setattr(self, "items", items)
        settings = _check.sequence(self.payment_settings, "payment_settings")
        for i, s in enumerate(settings):
            _check.mapping(s, f"payment_settings[{i}]")
            if not isinstance(s.get("type"), str):
                raise ValidationError(f"payment_settings[{i}].type", "a payment setting needs a string 'type'")
        msgspec.structs.force_setattr(self, "payment_settings", settings)
        _amount(self.tax, "tax", described=True)
        if self.shipping is not None:
            _amount(self.shipping, "shipping", described=True)
        if self.discount is not None:
            _amount(self.discount, "discount", described=True, discount=True)
        if self._total() < 0:
            raise ValidationError("discount", "is larger than the subtotal plus tax and shipping")
        _check.optional_text(self.catalog_id, "catalog_id", None)
        if (self.expiration_timestamp is None) != (self.expiration_description is None):
            raise ValidationError("expiration_timestamp", "give both expiration_timestamp and expiration_description")
        if self.expiration_timestamp is not None:
            _check.integer(self.expiration_timestamp, "expiration_timestamp", 1)
            _check.text(self.expiration_description, "expiration_description", EXPIRATION_DESCRIPTION_LIMIT)
        if self.header is not None:
            if not isinstance(self.header, ImageParam) or self.header.link is None:
                raise ValidationError("header", "an order's header is an image by link (ImageParam(link=...))")
            self.header._check("header")

    def _subtotal(self) -> int:
        return sum(item._unit() * item.quantity for item in self.items)

    def _total(self) -> int:
        extra = self.tax.value + (self.shipping.value if self.shipping is not None else 0)
        return self._subtotal() + extra - (self.discount.value if self.discount is not None else 0)

    def _wire(self) -> Any:
        order: dict[str, Any] = {
            "status": "pending",
            "items": [item._wire() for item in self.items],
            "subtotal": {"value": self._subtotal(), "offset": OFFSET},
            "tax": self.tax._wire(),
        }
        if self.shipping is not None:
            order["shipping"] = self.shipping._wire()
        if self.discount is not None:
            order["discount"] = self.discount._wire()
        if self.catalog_id is not None:
            order["catalog_id"] = self.catalog_id
        if self.expiration_timestamp is not None:
            # Meta's payments pages type the timestamp as a string.
            timestamp = str(self.expiration_timestamp)
            order["expiration"] = {"timestamp": timestamp, "description": self.expiration_description}
        params: dict[str, Any] = {"reference_id": self.reference_id, "type": self.goods_type}
        if self.currency == "BRL":
            params["payment_type"] = "br"
        if self.payment_settings:
            params["payment_settings"] = list(self.payment_settings)
        params["currency"] = self.currency
        params["total_amount"] = {"value": self._total(), "offset": OFFSET}
        params["order"] = order
        action = {"name": "review_and_pay", "parameters": params}
        return _frame("order_details", self.header, self.body, self.footer, action)


class OrderStatus(_Interactive, frozen=True):
    """A new status for an order sent with [`OrderDetails`][wa_async.OrderDetails] (interactive
    ``order_status``, action ``review_order``). REGIONAL: India and Brazil Payments APIs.

    ``status``: ``processing``, ``partially_shipped`` (Brazil's page spells it ``partially-shipped``; both are
    accepted and sent as given), ``shipped``, ``completed`` or ``canceled`` (``pending`` too); ``description`` up to
    120 characters; Brazil also takes ``payment_status`` (``pending``, ``captured``, ``failed``) with an optional
    ``payment_timestamp``. Meta answers 2046 to a transition it does not allow, 2047 to cancelling a paid order.

    ```python
    wa.OrderStatus(
        "5511987654321", "Your order is being prepared.", "order-2026-0001", "processing"
    )
    ```
    """

    body: str
    reference_id: str
    status: str
    description: str | None = None
    payment_status: str | None = None
    payment_timestamp: int | None = None
    footer: str | None = None
    reply_to: str | None = None

    def _validate(self) -> None:
        _check_frame(self.body, BODY_LIMIT, None, self.footer, self.reply_to, media_header=False)
        _check.text(self.reference_id, "reference_id", max(REFERENCE_ID_LIMITS.values()))
        _check.choice(self.status, "status", ORDER_STATUSES)
        _check.optional_text(self.description, "description", STATUS_DESCRIPTION_LIMIT)
        if self.payment_status is not None:
            _check.choice(self.payment_status, "payment_status", PAYMENT_STATUSES)
        if self.payment_timestamp is not None:
            if self.payment_status is None:
                raise ValidationError("payment_timestamp", "goes with a payment_status")
            _check.integer(self.payment_timestamp, "payment_timestamp", 1)

    def _wire(self) -> Any:
        order: dict[str, Any] = {"status": self.status}
        if self.description is not None:
            order["description"] = self.description
        params: dict[str, Any] = {"reference_id": self.reference_id, "order": order}
        if self.payment_status is not None:
            payment: dict[str, Any] = {"status": self.payment_status}
            if self.payment_timestamp is not None:
                payment["timestamp"] = self.payment_timestamp
            params["payment"] = payment
        return _frame("order_status", None, self.body, self.footer, {"name": "review_order", "parameters": params})
