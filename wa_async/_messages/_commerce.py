"""Commerce messages: one product, a list of products, the whole catalog (Meta's share-products page).

Each needs an e-commerce catalog connected to the WhatsApp Business Account, and an open 24-hour window.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from wa_async._messages import _check
from wa_async._messages._interactive import HEADER_LIMIT, _check_frame, _frame, _Interactive
from wa_async._messages._products import ProductSection, check_sections, wire_sections

__all__ = ["Catalog", "Product", "ProductList"]

BODY_LIMIT = 1024


class Product(_Interactive, frozen=True):
    """One product of your catalog (interactive ``product``): optional ``body`` (up to 1024 characters) and
    ``footer`` (60); Meta allows no header.

    ```python
    wa.Product(
        "16505551234", "1234567890555555", "GRINDER-01",
        body="Here is the grinder you asked about.",
    )
    ```
    """

    catalog_id: str
    product_id: str
    body: str | None = None
    footer: str | None = None
    reply_to: str | None = None

    def _validate(self) -> None:
        _check_frame(self.body, BODY_LIMIT, None, self.footer, self.reply_to, media_header=False, body_required=False)
        _check.text(self.catalog_id, "catalog_id", None)
        _check.text(self.product_id, "product_id", None)

    def _wire(self) -> Any:
        action = {"catalog_id": self.catalog_id, "product_retailer_id": self.product_id}
        return _frame("product", None, self.body, self.footer, action)


class ProductList(_Interactive, frozen=True):
    """Up to 30 products of your catalog in up to 10 sections (interactive ``product_list``).

    ``header`` (text, up to 60 characters) and ``body`` (1024) are required, ``footer`` (60) optional. A section
    title (24) is required when there are several sections. Products not in the catalog are dropped by Meta; the
    send fails when none is.

    ```python
    wa.ProductList(
        "16505551234", "1234567890555555", "Our best sellers", "Pick anything you like.",
        [
            wa.ProductSection("Coffee beans", ["BEANS-ETH", "BEANS-COL"]),
            wa.ProductSection("Equipment", ["GRINDER-01"]),
        ],
    )
    ```
    """

    catalog_id: str
    header: str
    body: str
    sections: Sequence[ProductSection]
    footer: str | None = None
    reply_to: str | None = None

    def _validate(self) -> None:
        _check_frame(self.body, BODY_LIMIT, None, self.footer, self.reply_to, media_header=False)
        _check.text(self.header, "header", HEADER_LIMIT)
        _check.text(self.catalog_id, "catalog_id", None)
        msgspec.structs.force_setattr(self, "sections", check_sections(self.sections, "sections"))

    def _wire(self) -> Any:
        action = {"catalog_id": self.catalog_id, "sections": wire_sections(self.sections)}
        return _frame("product_list", self.header, self.body, self.footer, action)


class Catalog(_Interactive, frozen=True):
    """A button that opens your catalog (interactive ``catalog_message``): ``body`` up to 1024 characters,
    ``footer`` 60. ``thumbnail_product_id`` picks the product whose image is shown; without it Meta shows the
    catalog's first item.

    ```python
    wa.Catalog(
        "16505551234", "Browse our range and order here.", thumbnail_product_id="BEANS-ETH"
    )
    ```
    """

    body: str
    thumbnail_product_id: str | None = None
    footer: str | None = None
    reply_to: str | None = None

    def _validate(self) -> None:
        _check_frame(self.body, BODY_LIMIT, None, self.footer, self.reply_to, media_header=False)
        _check.optional_text(self.thumbnail_product_id, "thumbnail_product_id", None)

    def _wire(self) -> Any:
        action: dict[str, Any] = {"name": "catalog_message"}
        if self.thumbnail_product_id is not None:
            action["parameters"] = {"thumbnail_product_retailer_id": self.thumbnail_product_id}
        return _frame("catalog_message", None, self.body, self.footer, action)
