"""Checks of a ``template`` message's shape (docs/limits.md); the store check (132001) is the handler's."""

from __future__ import annotations

from typing import Any

from ._checks import check_media, req_dict, req_str
from ._graph import invalid, missing

__all__ = ["body_param_count", "check_template"]

_COMPONENTS = frozenset({"header", "body", "button", "footer", "carousel", "limited_time_offer"})
_SUB_TYPES = frozenset(
    {"quick_reply", "url", "flow", "catalog", "copy_code", "mpm", "voice_call", "order_details", "otp"}
)
_MEDIA = frozenset({"image", "video", "document"})
_OTHER_PARAMS = frozenset({"coupon_code", "product", "order_status", "limited_time_offer", "tap_target_configuration"})


def check_template(obj: dict[str, Any]) -> None:
    """Check ``name``, ``language.code`` and every component and parameter."""
    req_str(obj, "name", "template.name", 512)
    req_str(req_dict(obj, "language", "template.language"), "code", "template.language.code")
    components = obj.get("components")
    if components is None:
        return
    if not isinstance(components, list):
        raise invalid("Parameter 'template.components' must be an array")
    for i, component in enumerate(components):
        path = f"template.components[{i}]"
        if not isinstance(component, dict):
            raise invalid(f"Parameter '{path}' must be an object")
        kind = req_str(component, "type", f"{path}.type").lower()
        if kind not in _COMPONENTS:
            raise invalid(f"Parameter '{path}.type' has an unsupported value '{kind}'")
        if kind == "button":
            _button(component, path)
        params = component.get("parameters")
        if params is None:
            continue
        if not isinstance(params, list):
            raise invalid(f"Parameter '{path}.parameters' must be an array")
        for j, parameter in enumerate(params):
            _parameter(parameter, f"{path}.parameters[{j}]")


def body_param_count(obj: dict[str, Any]) -> int:
    """How many parameters the (already checked) message gives its body component."""
    for component in obj.get("components") or ():
        if component["type"].lower() == "body":
            return len(component.get("parameters") or ())
    return 0


def _button(component: dict[str, Any], path: str) -> None:
    sub_type = req_str(component, "sub_type", f"{path}.sub_type")
    if sub_type.lower() not in _SUB_TYPES:
        raise invalid(f"Parameter '{path}.sub_type' has an unsupported value '{sub_type}'")
    index = component.get("index")
    if index is None:
        raise missing(f"Parameter '{path}.index' is required")
    # The examples send the index both as a string and as a number; either must be 0..9.
    if isinstance(index, bool) or str(index) not in {str(n) for n in range(10)}:
        raise invalid(f"Parameter '{path}.index' must be between 0 and 9")


def _parameter(parameter: Any, path: str) -> None:
    if not isinstance(parameter, dict):
        raise invalid(f"Parameter '{path}' must be an object")
    kind = req_str(parameter, "type", f"{path}.type")
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
    elif kind not in _OTHER_PARAMS:
        raise invalid(f"Parameter '{path}.type' has an unsupported value '{kind}'")
