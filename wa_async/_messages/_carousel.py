"""Interactive carousels: 2 to 10 horizontally scrolling cards, each with an image or video and a URL button
(Meta's media-carousel page), or each a product of your catalog (Meta's product-carousel page)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from wa_async._errors import ValidationError
from wa_async._messages import _check
from wa_async._messages._interactive import CTA_DISPLAY_TEXT_LIMIT, _check_frame, _Interactive
from wa_async._messages._params import ImageParam, VideoParam

__all__ = ["Carousel", "CarouselCard", "ProductCard"]

BODY_LIMIT = 1024
CARD_BODY_LIMIT = 160
CARD_BODY_LINE_BREAKS = 2
CARDS = (2, 10)


class CarouselCard(msgspec.Struct, frozen=True):
    """A media card: an image or video header (by ``link``), an optional ``body`` (up to 160 characters and 2
    line breaks), and a button labelled ``display_text`` (up to 20 characters) that opens ``url``."""

    header: ImageParam | VideoParam
    display_text: str
    url: str
    body: str | None = None

    def _check(self, path: str) -> None:
        if not isinstance(self.header, (ImageParam, VideoParam)):
            kind = type(self.header).__name__
            raise ValidationError(f"{path}.header", f"expected an ImageParam or VideoParam, got {kind}")
        if self.header.link is None:
            raise ValidationError(f"{path}.header.link", "a carousel card's media goes by link")
        self.header._check(f"{path}.header")
        _check.text(self.display_text, f"{path}.display_text", CTA_DISPLAY_TEXT_LIMIT)
        _check.url(self.url, f"{path}.url")
        if self.body is not None:
            _check.text(self.body, f"{path}.body", CARD_BODY_LIMIT)
            breaks = self.body.count("\n")
            if breaks > CARD_BODY_LINE_BREAKS:
                raise ValidationError(
                    f"{path}.body", f"{breaks} line breaks, the limit is {CARD_BODY_LINE_BREAKS}",
                    limit=CARD_BODY_LINE_BREAKS,
                )  # fmt: skip

    def _wire(self, index: int) -> dict[str, Any]:
        card: dict[str, Any] = {"card_index": index, "type": "cta_url", "header": self.header._wire()}
        if self.body is not None:
            card["body"] = {"text": self.body}
        card["action"] = {"name": "cta_url", "parameters": {"display_text": self.display_text, "url": self.url}}
        return card


class ProductCard(msgspec.Struct, frozen=True):
    """A product card: one product of your catalog, by its retailer id."""

    catalog_id: str
    product_id: str

    def _check(self, path: str) -> None:
        _check.text(self.catalog_id, f"{path}.catalog_id", None)
        _check.text(self.product_id, f"{path}.product_id", None)

    def _wire(self, index: int) -> dict[str, Any]:
        action = {"product_retailer_id": self.product_id, "catalog_id": self.catalog_id}
        return {"card_index": index, "type": "product", "action": action}


class Carousel(_Interactive, frozen=True):
    """A carousel of 2 to 10 cards under a ``body`` (up to 1024 characters), all media cards
    ([`CarouselCard`][wa_async.CarouselCard], every header of one kind) or all product cards
    ([`ProductCard`][wa_async.ProductCard], one catalog). No header, footer or buttons of its own.

    ```python
    wa.Carousel("16505551234", "This week's offers", [
        wa.CarouselCard(
            wa.ImageParam(link="https://example.com/beans.jpg"), "Shop now",
            "https://example.com/offers/beans", body="Ethiopian beans, 20% off",
        ),
        wa.CarouselCard(
            wa.ImageParam(link="https://example.com/grinder.jpg"), "Shop now",
            "https://example.com/offers/grinder",
        ),
    ])
    ```
    """

    body: str
    cards: Sequence[CarouselCard | ProductCard]
    reply_to: str | None = None

    def _validate(self) -> None:
        _check_frame(self.body, BODY_LIMIT, None, None, self.reply_to, media_header=False)
        low, high = CARDS
        cards = _check.items(self.cards, "cards", (CarouselCard, ProductCard), limit=high, minimum=low, noun="cards")
        for i, card in enumerate(cards):
            card._check(f"cards[{i}]")
        if len({type(c) for c in cards}) > 1:
            raise ValidationError("cards", "all media cards (CarouselCard) or all product cards (ProductCard)")
        if isinstance(cards[0], CarouselCard):
            if len({type(c.header) for c in cards if isinstance(c, CarouselCard)}) > 1:
                raise ValidationError("cards", "every card's header must be of one kind (all images or all videos)")
        elif len({c.catalog_id for c in cards if isinstance(c, ProductCard)}) > 1:
            raise ValidationError("cards", "every product card must come from one catalog_id")
        msgspec.structs.force_setattr(self, "cards", cards)

    def _wire(self) -> Any:
        cards = [c._wire(i) for i, c in enumerate(self.cards)]
        return {"type": "carousel", "body": {"text": self.body}, "action": {"cards": cards}}
