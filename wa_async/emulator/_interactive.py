"""Interactive message checks: reply buttons, lists, CTA URL, flows, location requests (docs/limits.md); products,
carousels, call buttons and call permission, contact-info and address requests, payment orders (docs/limits.md,
§15)."""

from __future__ import annotations

from typing import Any

from ._checks import check_media, opt_str, req_dict, req_list, req_str, text_field
from ._graph import invalid, missing

__all__ = ["check_interactive"]

_HEADER_MEDIA = frozenset({"image", "video", "document"})
# Types that take no header, or no header and no footer (docs/limits.md).
_NO_HEADER = frozenset({"product", "catalog_message", "location_request_message", "voice_call", "request_contact_info"})
_BARE = frozenset({"carousel", "call_permission_request"})


def check_interactive(obj: dict[str, Any]) -> None:
    """Check an ``interactive`` object by its ``type``."""
    kind = req_str(obj, "type", "interactive.type")
    check = _KINDS.get(kind)
    if check is None:
        raise invalid(f"Parameter 'interactive.type' has an unsupported value '{kind}'")
    if kind in _BARE:
        for part in ("header", "footer"):
            if part in obj:
                raise invalid(f"Parameter 'interactive.{part}' is not supported for {kind} messages")
    elif kind in _NO_HEADER and "header" in obj:
        raise invalid(f"Parameter 'interactive.header' is not supported for {kind} messages")
    if "footer" in obj:
        text_field(obj, "footer", "interactive.footer", 60)  # docs/limits.md: every footer is ≤60
    check(obj)


def _header(obj: dict[str, Any], media: bool) -> None:
    header = obj.get("header")
    if header is None:
        return
    if not isinstance(header, dict):
        raise invalid("Parameter 'interactive.header' must be an object")
    kind = req_str(header, "type", "interactive.header.type")
    if kind == "text":
        req_str(header, "text", "interactive.header.text", 60)
    elif media and kind in _HEADER_MEDIA:
        check_media(req_dict(header, kind, f"interactive.header.{kind}"), f"interactive.header.{kind}")
    else:
        raise invalid(f"Parameter 'interactive.header.type' has an unsupported value '{kind}'")


def _buttons(obj: dict[str, Any]) -> None:
    _header(obj, media=True)
    text_field(obj, "body", "interactive.body", 1024)
    action = req_dict(obj, "action", "interactive.action")
    buttons = req_list(action, "buttons", "interactive.action.buttons", max_items=3)
    ids: set[str] = set()
    titles: set[str] = set()
    for i, button in enumerate(buttons):
        path = f"interactive.action.buttons[{i}]"
        if not isinstance(button, dict) or button.get("type") != "reply":
            raise invalid(f"Parameter '{path}.type' must be 'reply'")
        reply = req_dict(button, "reply", f"{path}.reply")
        button_id = req_str(reply, "id", f"{path}.reply.id", 256)
        title = req_str(reply, "title", f"{path}.reply.title")
        if len(title) > 20:
            raise invalid(f"Button title length invalid. Min length: 1, Max length: 20 ({path}.reply.title)")
        if button_id in ids:
            raise invalid("Duplicate button id")
        if title in titles:
            raise invalid("Duplicate button title")
        ids.add(button_id)
        titles.add(title)


def _list(obj: dict[str, Any]) -> None:
    _header(obj, media=False)
    text_field(obj, "body", "interactive.body", 4096)
    action = req_dict(obj, "action", "interactive.action")
    req_str(action, "button", "interactive.action.button", 20)
    sections = req_list(action, "sections", "interactive.action.sections", max_items=10)
    row_ids: set[str] = set()
    for i, section in enumerate(sections):
        path = f"interactive.action.sections[{i}]"
        if not isinstance(section, dict):
            raise invalid(f"Parameter '{path}' must be an object")
        if len(sections) > 1:
            req_str(section, "title", f"{path}.title", 24)
        else:
            opt_str(section, "title", f"{path}.title", 24)
        for j, row in enumerate(req_list(section, "rows", f"{path}.rows")):
            if not isinstance(row, dict):
                raise invalid(f"Parameter '{path}.rows[{j}]' must be an object")
            row_id = req_str(row, "id", f"{path}.rows[{j}].id", 200)
            req_str(row, "title", f"{path}.rows[{j}].title", 24)
            opt_str(row, "description", f"{path}.rows[{j}].description", 72)
            if row_id in row_ids:
                raise invalid("Duplicate row id")
            row_ids.add(row_id)
    if len(row_ids) > 10:
        raise invalid(f"Too many rows: at most 10 rows in all sections, got {len(row_ids)}")


def _cta_url(obj: dict[str, Any]) -> None:
    _header(obj, media=True)
    text_field(obj, "body", "interactive.body", 1024)
    action = req_dict(obj, "action", "interactive.action")
    if action.get("name") != "cta_url":
        raise invalid("Parameter 'interactive.action.name' must be 'cta_url'")
    params = req_dict(action, "parameters", "interactive.action.parameters")
    req_str(params, "display_text", "interactive.action.parameters.display_text", 20)
    req_str(params, "url", "interactive.action.parameters.url")


def _flow(obj: dict[str, Any]) -> None:
    _header(obj, media=True)
    text_field(obj, "body", "interactive.body", 1024)
    action = req_dict(obj, "action", "interactive.action")
    if action.get("name") != "flow":
        raise invalid("Parameter 'interactive.action.name' must be 'flow'")
    params = req_dict(action, "parameters", "interactive.action.parameters")
    path = "interactive.action.parameters"
    if params.get("flow_message_version") != "3":
        raise invalid(f"Parameter '{path}.flow_message_version' must be '3'")
    req_str(params, "flow_cta", f"{path}.flow_cta")
    if params.get("flow_id") is None and params.get("flow_name") is None:
        raise missing(f"Parameter '{path}.flow_id' or '{path}.flow_name' is required")
    if params.get("flow_action", "navigate") not in ("navigate", "data_exchange"):
        raise invalid(f"Parameter '{path}.flow_action' must be 'navigate' or 'data_exchange'")
    if params.get("mode", "published") not in ("draft", "published"):
        raise invalid(f"Parameter '{path}.mode' must be 'draft' or 'published'")


def _location_request(obj: dict[str, Any]) -> None:
    text_field(obj, "body", "interactive.body", 1024)
    action = req_dict(obj, "action", "interactive.action")
    if action.get("name") != "send_location":
        raise invalid("Parameter 'interactive.action.name' must be 'send_location'")


def _action_named(obj: dict[str, Any], name: str) -> dict[str, Any]:
    action = req_dict(obj, "action", "interactive.action")
    if action.get("name") != name:
        raise invalid(f"Parameter 'interactive.action.name' must be '{name}'")
    return action


def _opt_body(obj: dict[str, Any]) -> None:
    if "body" in obj:
        text_field(obj, "body", "interactive.body", 1024)


def _int(obj: dict[str, Any], key: str, path: str, low: int, high: int | None = None, *, required: bool = True) -> None:
    value = obj.get(key)
    if value is None:
        if required:
            raise missing(f"Parameter '{path}' is required")
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        raise invalid(f"Parameter '{path}' must be an integer from {low}" + (f" to {high}" if high else ""))


def _product(obj: dict[str, Any]) -> None:
    # docs/limits.md: body and footer optional, no header; the catalog and the product are required.
    _opt_body(obj)
    action = req_dict(obj, "action", "interactive.action")
    req_str(action, "catalog_id", "interactive.action.catalog_id")
    req_str(action, "product_retailer_id", "interactive.action.product_retailer_id")


def product_sections(sections: list[Any], path: str) -> None:
    """Sections of catalog products: titled when several, at most 30 products in all (docs/limits.md)."""
    total = 0
    for i, section in enumerate(sections):
        spath = f"{path}[{i}]"
        if not isinstance(section, dict):
            raise invalid(f"Parameter '{spath}' must be an object")
        if len(sections) > 1:
            req_str(section, "title", f"{spath}.title", 24)
        else:
            opt_str(section, "title", f"{spath}.title", 24)
        items = req_list(section, "product_items", f"{spath}.product_items")
        for j, item in enumerate(items):
            if not isinstance(item, dict):
                raise invalid(f"Parameter '{spath}.product_items[{j}]' must be an object")
            req_str(item, "product_retailer_id", f"{spath}.product_items[{j}].product_retailer_id")
        total += len(items)
    if total > 30:
        raise invalid(f"Too many products: at most 30 in all sections, got {total}")


def _product_list(obj: dict[str, Any]) -> None:
    header = req_dict(obj, "header", "interactive.header")
    if header.get("type") != "text":
        raise invalid("Parameter 'interactive.header.type' must be 'text' for product_list messages")
    req_str(header, "text", "interactive.header.text", 60)
    text_field(obj, "body", "interactive.body", 1024)
    action = req_dict(obj, "action", "interactive.action")
    req_str(action, "catalog_id", "interactive.action.catalog_id")
    sections = req_list(action, "sections", "interactive.action.sections", max_items=10)
    product_sections(sections, "interactive.action.sections")


def _catalog(obj: dict[str, Any]) -> None:
    text_field(obj, "body", "interactive.body", 1024)
    action = _action_named(obj, "catalog_message")
    params = action.get("parameters")
    if params is not None:  # optional: the catalog's first item is shown without it (docs/limits.md)
        if not isinstance(params, dict):
            raise invalid("Parameter 'interactive.action.parameters' must be an object")
        opt_str(params, "thumbnail_product_retailer_id", "interactive.action.parameters.thumbnail_product_retailer_id")


def _carousel(obj: dict[str, Any]) -> None:
    # docs/limits.md: 2 to 10 cards, unique card_index 0-9, all media cards (one header type) or all products.
    text_field(obj, "body", "interactive.body", 1024)
    action = req_dict(obj, "action", "interactive.action")
    cards = req_list(action, "cards", "interactive.action.cards", max_items=10)
    if len(cards) < 2:
        raise invalid(f"Parameter 'interactive.action.cards' needs at least 2 cards, got {len(cards)}")
    indexes: set[int] = set()
    kinds: set[tuple[str, str]] = set()
    for i, card in enumerate(cards):
        path = f"interactive.action.cards[{i}]"
        if not isinstance(card, dict):
            raise invalid(f"Parameter '{path}' must be an object")
        _int(card, "card_index", f"{path}.card_index", 0, 9)
        if card["card_index"] in indexes:
            raise invalid(f"Duplicate card_index {card['card_index']}")
        indexes.add(card["card_index"])
        kind = req_str(card, "type", f"{path}.type")
        card_action = req_dict(card, "action", f"{path}.action")
        if kind == "cta_url":
            header = req_dict(card, "header", f"{path}.header")
            media = req_str(header, "type", f"{path}.header.type")
            if media not in ("image", "video"):
                raise invalid(f"Parameter '{path}.header.type' must be 'image' or 'video'")
            req_str(req_dict(header, media, f"{path}.header.{media}"), "link", f"{path}.header.{media}.link")
            if "body" in card:
                body = text_field(card, "body", f"{path}.body", 160)
                if body.count("\n") > 2:
                    raise invalid(f"Parameter '{path}.body.text' has more than 2 line breaks")
            if card_action.get("name") != "cta_url":
                raise invalid(f"Parameter '{path}.action.name' must be 'cta_url'")
            params = req_dict(card_action, "parameters", f"{path}.action.parameters")
            req_str(params, "display_text", f"{path}.action.parameters.display_text", 20)
            req_str(params, "url", f"{path}.action.parameters.url")
            kinds.add((kind, media))
        elif kind == "product":
            req_str(card_action, "product_retailer_id", f"{path}.action.product_retailer_id")
            kinds.add((kind, req_str(card_action, "catalog_id", f"{path}.action.catalog_id")))
        else:
            raise invalid(f"Parameter '{path}.type' must be 'cta_url' or 'product'")
    if len(kinds) > 1:
        raise invalid("Every card must be of one kind: one header type, or products of one catalog")


def _call_permission_request(obj: dict[str, Any]) -> None:
    _opt_body(obj)  # docs/limits.md: body optional
    _action_named(obj, "call_permission_request")


def _voice_call(obj: dict[str, Any]) -> None:
    # docs/limits.md: display_text ≤20, ttl_minutes 1-43,200, payload ≤512, all optional.
    text_field(obj, "body", "interactive.body", 1024)
    params = _action_named(obj, "voice_call").get("parameters")
    if params is None:
        return
    if not isinstance(params, dict):
        raise invalid("Parameter 'interactive.action.parameters' must be an object")
    path = "interactive.action.parameters"
    opt_str(params, "display_text", f"{path}.display_text", 20)
    _int(params, "ttl_minutes", f"{path}.ttl_minutes", 1, 43_200, required=False)
    opt_str(params, "payload", f"{path}.payload", 512)


def _request_contact_info(obj: dict[str, Any]) -> None:
    text_field(obj, "body", "interactive.body", 1024)  # docs/limits.md: the limit is a guess (UNCERTAIN)
    _action_named(obj, "request_contact_info")


_ADDRESS_FIELDS = frozenset({"name", "phone_number", "in_pin_code", "house_number", "floor_number", "tower_number",
                             "building_name", "address", "landmark_area", "city", "state"})  # fmt: skip


def _address_values(values: Any, path: str) -> None:
    if not isinstance(values, dict):
        raise invalid(f"Parameter '{path}' must be an object")
    for key, value in values.items():
        if key not in _ADDRESS_FIELDS:
            raise invalid(f"Parameter '{path}.{key}' is not an address field")
        if not isinstance(value, str):
            raise invalid(f"Parameter '{path}.{key}' must be a string")
    pin = values.get("in_pin_code")
    if isinstance(pin, str) and len(pin) > 6:
        raise invalid(f"Param {path}.in_pin_code must be at most 6 characters long, got {len(pin)}")


def _address_message(obj: dict[str, Any]) -> None:
    # docs/limits.md (India only): country is mandatory.
    text_field(obj, "body", "interactive.body", 1024)
    params = req_dict(_action_named(obj, "address_message"), "parameters", "interactive.action.parameters")
    path = "interactive.action.parameters"
    if req_str(params, "country", f"{path}.country") != "IN":
        raise invalid(f"Parameter '{path}.country' must be 'IN': address messages are for India")
    if "values" in params:
        _address_values(params["values"], f"{path}.values")
    for i, saved in enumerate(params.get("saved_addresses") or ()):
        if not isinstance(saved, dict):
            raise invalid(f"Parameter '{path}.saved_addresses[{i}]' must be an object")
        req_str(saved, "id", f"{path}.saved_addresses[{i}].id")
        _address_values(
            req_dict(saved, "value", f"{path}.saved_addresses[{i}].value"), f"{path}.saved_addresses[{i}].value"
        )
    if "validation_errors" in params and not isinstance(params["validation_errors"], dict):
        raise invalid(f"Parameter '{path}.validation_errors' must be an object")


def _amount(obj: dict[str, Any], key: str, path: str, *, required: bool = True) -> int:
    value = obj.get(key)
    if value is None:
        if required:
            raise missing(f"Parameter '{path}' is required")
        return 0
    if not isinstance(value, dict):
        raise invalid(f"Parameter '{path}' must be an object")
    _int(value, "value", f"{path}.value", 0)
    if value.get("offset") != 100:
        raise invalid(f"Parameter '{path}.offset' must be 100")
    opt_str(value, "description", f"{path}.description", 60)
    amount: int = value["value"]
    return amount


def _order_details(obj: dict[str, Any]) -> None:
    # docs/limits.md (India and Brazil payments): the amounts must add up.
    _header(obj, media=True)
    text_field(obj, "body", "interactive.body", 1024)
    params = req_dict(_action_named(obj, "review_and_pay"), "parameters", "interactive.action.parameters")
    path = "interactive.action.parameters"
    req_str(params, "reference_id", f"{path}.reference_id", 60)
    if params.get("type") not in ("digital-goods", "physical-goods"):
        raise invalid(f"Parameter '{path}.type' must be 'digital-goods' or 'physical-goods'")
    currency = req_str(params, "currency", f"{path}.currency")
    if currency not in ("INR", "BRL"):
        raise invalid(f"Parameter '{path}.currency' must be 'INR' or 'BRL'")
    if currency == "BRL" and params.get("payment_type") != "br":
        raise invalid(f"Parameter '{path}.payment_type' must be 'br' for BRL orders")
    total = _amount(params, "total_amount", f"{path}.total_amount")
    order = req_dict(params, "order", f"{path}.order")
    if order.get("status") != "pending":
        raise invalid(f"Parameter '{path}.order.status' must be 'pending'")
    subtotal = 0
    for i, item in enumerate(req_list(order, "items", f"{path}.order.items")):
        ipath = f"{path}.order.items[{i}]"
        if not isinstance(item, dict):
            raise invalid(f"Parameter '{ipath}' must be an object")
        req_str(item, "name", f"{ipath}.name", 60)
        price = _amount(item, "amount", f"{ipath}.amount")
        sale = _amount(item, "sale_amount", f"{ipath}.sale_amount", required=False)
        _int(item, "quantity", f"{ipath}.quantity", 1)
        subtotal += (sale if "sale_amount" in item else price) * item["quantity"]
    if _amount(order, "subtotal", f"{path}.order.subtotal") != subtotal:
        raise invalid(f"Parameter '{path}.order.subtotal' must be the sum of the items, {subtotal}")
    expected = (subtotal + _amount(order, "tax", f"{path}.order.tax")
                + _amount(order, "shipping", f"{path}.order.shipping", required=False)
                - _amount(order, "discount", f"{path}.order.discount", required=False))  # fmt: skip
    if total != expected:
        raise invalid(f"Parameter '{path}.total_amount' must be subtotal + tax + shipping - discount, {expected}")


def _order_status(obj: dict[str, Any]) -> None:
    text_field(obj, "body", "interactive.body", 1024)
    params = req_dict(_action_named(obj, "review_order"), "parameters", "interactive.action.parameters")
    path = "interactive.action.parameters"
    req_str(params, "reference_id", f"{path}.reference_id")
    order = req_dict(params, "order", f"{path}.order")
    statuses = ("pending", "processing", "partially_shipped", "partially-shipped", "shipped", "completed", "canceled")
    if order.get("status") not in statuses:
        raise invalid(f"Parameter '{path}.order.status' must be one of {', '.join(statuses)}")
    opt_str(order, "description", f"{path}.order.description", 120)


_KINDS = {
    "button": _buttons,
    "list": _list,
    "cta_url": _cta_url,
    "flow": _flow,
    "location_request_message": _location_request,
    "product": _product,
    "product_list": _product_list,
    "catalog_message": _catalog,
    "carousel": _carousel,
    "call_permission_request": _call_permission_request,
    "voice_call": _voice_call,
    "request_contact_info": _request_contact_info,
    "address_message": _address_message,
    "order_details": _order_details,
    "order_status": _order_status,
}
