"""Sections of catalog products, shared by multi-product messages and multi-product (MPM) template buttons."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from wa_async._errors import ValidationError
from wa_async._messages import _check

__all__ = ["ProductSection", "check_sections", "wire_sections"]

# Meta's share-products and MPM-template pages: up to 10 sections and 30 products in all (the OpenAPI file says
# 30 per section; the pages say 30 in total, the stricter rule), a section title of up to 24 characters.
MAX_SECTIONS = 10
MAX_PRODUCTS = 30
SECTION_TITLE_LIMIT = 24


class ProductSection(msgspec.Struct, frozen=True):
    """A titled group of catalog products, by their retailer ids (the ``product_retailer_id`` of each).

    ```python
    wa.ProductSection("Coffee beans", ["BEANS-ETH", "BEANS-COL"])
    ```
    """

    title: str | None
    product_ids: Sequence[str]


def check_sections(value: object, path: str) -> tuple[ProductSection, ...]:
    """Check 1 to 10 sections holding 1 to 30 products in all; return them frozen."""
    sections = _check.items(value, path, ProductSection, limit=MAX_SECTIONS, noun="sections")
    total = 0
    frozen = []
    for i, s in enumerate(sections):
        spath = f"{path}[{i}]"
        if s.title is None:
            if len(sections) > 1:
                raise ValidationError(f"{spath}.title", "required when there is more than one section")
        else:
            _check.text(s.title, f"{spath}.title", SECTION_TITLE_LIMIT)
        ids = _check.sequence(s.product_ids, f"{spath}.product_ids")
        _check.count(ids, f"{spath}.product_ids", None, noun="products")
        for j, product_id in enumerate(ids):
            _check.text(product_id, f"{spath}.product_ids[{j}]", None)
        total += len(ids)
        frozen.append(s if type(s.product_ids) is tuple else ProductSection(s.title, ids))
    if total > MAX_PRODUCTS:
        raise ValidationError(path, f"{total} products in all, the limit is {MAX_PRODUCTS}", limit=MAX_PRODUCTS)
    return tuple(frozen)


def wire_sections(sections: Sequence[ProductSection]) -> list[dict[str, Any]]:
    """The wire shape: ``[{"title", "product_items": [{"product_retailer_id"}, ...]}, ...]``."""
    out = []
    for s in sections:
        items = [{"product_retailer_id": p} for p in s.product_ids]
        out.append({"title": s.title, "product_items": items} if s.title is not None else {"product_items": items})
    return out
