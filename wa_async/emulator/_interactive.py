"""Interactive message checks: reply buttons, lists, CTA URL, flows (docs/limits.md)."""

from __future__ import annotations

from typing import Any

from ._checks import check_media, opt_str, req_dict, req_list, req_str, text_field
from ._graph import invalid, missing

__all__ = ["check_interactive"]

_COMMERCE = frozenset({"product", "product_list", "catalog_message", "order_details", "order_status"})
_HEADER_MEDIA = frozenset({"image", "video", "document"})
_OTHER_PARAMS = frozenset({"coupon_code", "product", "order_status", "limited_time_offer", "tap_target_configuration"})


def check_interactive(obj: dict[str, Any]) -> None:
    """Check an ``interactive`` object by its ``type``."""
    kind = req_str(obj, "type", "interactive.type")
    check = _KINDS.get(kind)
    if check is None and kind not in _COMMERCE:
        raise invalid(f"Parameter 'interactive.type' has an unsupported value '{kind}'")
    if "footer" in obj:
        text_field(obj, "footer", "interactive.footer", 60)  # docs/limits.md: every footer is ≤60
    if check is not None:
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


_KINDS = {
    "button": _buttons,
    "list": _list,
    "cta_url": _cta_url,
    "flow": _flow,
    "location_request_message": _location_request,
}
