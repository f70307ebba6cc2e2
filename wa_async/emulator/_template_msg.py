"""Checks of a ``template`` message's shape (docs/limits.md); the store check (132001) is the
handler's."""

from __future__ import annotations

import re
from typing import Any

from ._checks import check_media, req_dict, req_list, req_str
from ._graph import invalid, missing
from ._interactive import product_sections

__all__ = ["body_param_count", "check_template"]

_COMPONENTS = frozenset({"header", "body", "button", "footer", "carousel", "limited_time_offer"})
_SUB_TYPES = frozenset(
    {"quick_reply", "url", "flow", "catalog", "copy_code", "mpm", "voice_call", "order_details", "otp"}
)
_MEDIA = frozenset({"image", "video", "document"})
_OTHER_PARAMS = frozenset({"order_status", "limited_time_offer", "tap_target_configuration"})
_PARAMETER_NAME = re.compile(r"[a-z_]+")  # docs/limits.md: lowercase letters and underscores
_COUPON = re.compile(r"[A-Za-z0-9]{1,20}")  # docs/limits.md: alphanumeric, at most 20 since 2025-12-03


def check_template(obj: dict[str, Any]) -> None:
    """Check ``name``, ``language`` and every component and parameter."""
    req_str(obj, "name", "template.name", 512)
    language = req_dict(obj, "language", "template.language")
    req_str(language, "code", "template.language.code")
    if language.get("policy", "deterministic") != "deterministic":
        raise invalid("Parameter 'template.language.policy' must be 'deterministic'")
    components = obj.get("components")
    if components is None:
        return
    if not isinstance(components, list):
        raise invalid("Parameter 'template.components' must be an array")
    _components(components, "template.components", _COMPONENTS)


def _components(components: list[Any], base: str, allowed: frozenset[str]) -> None:
    for i, component in enumerate(components):
        path = f"{base}[{i}]"
        if not isinstance(component, dict):
            raise invalid(f"Parameter '{path}' must be an object")
        kind = req_str(component, "type", f"{path}.type").lower()
        if kind not in allowed:
            raise invalid(f"Parameter '{path}.type' has an unsupported value '{kind}'")
        if kind == "button":
            _button(component, path, card=allowed is not _COMPONENTS)
        elif kind == "carousel":
            _carousel(component, path)
        params = component.get("parameters")
        if params is None:
            continue
        if not isinstance(params, list):
            raise invalid(f"Parameter '{path}.parameters' must be an array")
        names: set[str] = set()
        for j, parameter in enumerate(params):
            _parameter(parameter, f"{path}.parameters[{j}]")
            name = parameter.get("parameter_name")
            if name is not None:
                if name in names:
                    raise invalid(f"Duplicate parameter_name '{name}' in {path}")
                names.add(name)


_CARD_COMPONENTS = frozenset({"header", "body", "button"})


def _carousel(component: dict[str, Any], path: str) -> None:
    # docs/limits.md: 2 to 10 cards, each with its card_index and its components.
    cards = req_list(component, "cards", f"{path}.cards", max_items=10)
    if len(cards) < 2:
        raise invalid(f"Parameter '{path}.cards' needs at least 2 cards, got {len(cards)}")
    seen: set[int] = set()
    for i, card in enumerate(cards):
        cpath = f"{path}.cards[{i}]"
        if not isinstance(card, dict):
            raise invalid(f"Parameter '{cpath}' must be an object")
        index = card.get("card_index")
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index <= 9 or index in seen:
            raise invalid(f"Parameter '{cpath}.card_index' must be a unique integer from 0 to 9")
        seen.add(index)
        _components(req_list(card, "components", f"{cpath}.components"), f"{cpath}.components", _CARD_COMPONENTS)


def body_param_count(obj: dict[str, Any]) -> int:
    """How many parameters the (already checked) message gives its body component."""
    for component in obj.get("components") or ():
        if component["type"].lower() == "body":
            return len(component.get("parameters") or ())
    return 0


def _button(component: dict[str, Any], path: str, *, card: bool = False) -> None:
    sub_type = req_str(component, "sub_type", f"{path}.sub_type").lower()
    if sub_type not in (("quick_reply", "url") if card else _SUB_TYPES):
        raise invalid(f"Parameter '{path}.sub_type' has an unsupported value '{sub_type}'")
    index = component.get("index")
    if index is None:
        if sub_type != "voice_call":  # docs/limits.md: Meta's call-button example sends no index
            raise missing(f"Parameter '{path}.index' is required")
    # The examples send the index both as a string and as a number; either must be 0..9.
    elif isinstance(index, bool) or str(index) not in {str(n) for n in range(10)}:
        raise invalid(f"Parameter '{path}.index' must be between 0 and 9")
    params = component.get("parameters")
    if not isinstance(params, list):
        return
    if sub_type == "copy_code" and [p.get("type") for p in params if isinstance(p, dict)] != ["coupon_code"]:
        raise invalid(f"Parameter '{path}.parameters' of a copy_code button is one coupon_code")
    if sub_type == "mpm":
        for j, p in enumerate(params):
            action = p.get("action") if isinstance(p, dict) else None
            if isinstance(action, dict):
                sections = req_list(action, "sections", f"{path}.parameters[{j}].action.sections", max_items=10)
                product_sections(sections, f"{path}.parameters[{j}].action.sections")


def _parameter(parameter: Any, path: str) -> None:
    if not isinstance(parameter, dict):
        raise invalid(f"Parameter '{path}' must be an object")
    kind = req_str(parameter, "type", f"{path}.type")
    name = parameter.get("parameter_name")
    if name is not None and (not isinstance(name, str) or _PARAMETER_NAME.fullmatch(name) is None):
        raise invalid(f"Parameter '{path}.parameter_name' must be lowercase letters and underscores")
    if kind == "text":
        if not isinstance(parameter.get("text"), str):
            raise missing(f"Parameter '{path}.text' is required")
    elif kind == "currency":
        currency = req_dict(parameter, "currency", f"{path}.currency")
        req_str(currency, "fallback_value", f"{path}.currency.fallback_value")
        code = req_str(currency, "code", f"{path}.currency.code")
        if len(code) != 3 or not code.isalpha():
            raise invalid(f"Parameter '{path}.currency.code' must be an ISO 4217 code")
        amount = currency.get("amount_1000")
        if amount is None:
            raise missing(f"Parameter '{path}.currency.amount_1000' is required")
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise invalid(f"Parameter '{path}.currency.amount_1000' must be an integer")
    elif kind == "date_time":
        req_str(
            req_dict(parameter, "date_time", f"{path}.date_time"),
            "fallback_value",
            f"{path}.date_time.fallback_value",
        )
    elif kind in _MEDIA:
        check_media(req_dict(parameter, kind, f"{path}.{kind}"), f"{path}.{kind}")
    elif kind == "payload":
        req_str(parameter, "payload", f"{path}.payload")
    elif kind == "action":
        req_dict(parameter, "action", f"{path}.action")
    elif kind == "location":
        req_dict(parameter, "location", f"{path}.location")
    elif kind == "coupon_code":
        code = req_str(parameter, "coupon_code", f"{path}.coupon_code")
        if _COUPON.fullmatch(code) is None:
            raise invalid(f"Parameter '{path}.coupon_code' must be 1 to 20 letters and digits")
    elif kind == "ttl_minutes":
        ttl = parameter.get("ttl_minutes")
        if isinstance(ttl, bool) or not isinstance(ttl, int) or not 1 <= ttl <= 43_200:
            raise invalid(f"Parameter '{path}.ttl_minutes' must be an integer from 1 to 43200")
    elif kind == "product":
        product = req_dict(parameter, "product", f"{path}.product")
        req_str(product, "product_retailer_id", f"{path}.product.product_retailer_id")
        req_str(product, "catalog_id", f"{path}.product.catalog_id")
    elif kind not in _OTHER_PARAMS:
        raise invalid(f"Parameter '{path}.type' has an unsupported value '{kind}'")
