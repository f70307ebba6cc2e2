"""Meta's limits on a template definition, checked before anything is sent (create and edit).

Sources (docs/limits.md, "Templates"): Meta's template-management and components pages, the authentication-
template pages (copy-code, one-tap, zero-tap), the coupon, limited-time offer, media- and product-card carousel
and call-permission pages, and the time-to-live page.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .._errors import ValidationError

__all__ = ["CATEGORIES", "TTL_RANGES", "check_components", "check_template", "check_ttl"]

NAME = re.compile(r"^[a-z0-9_]+$")
NAME_LIMIT = 512
CATEGORIES = ("AUTHENTICATION", "MARKETING", "UTILITY")
HEADER_TEXT_LIMIT = 60
BODY_LIMIT = 1024
OFFER_BODY_LIMIT = 600  # a limited-time offer template's body
CARD_BODY_LIMIT = 160  # a carousel card's body
FOOTER_LIMIT = 60
BUTTONS_LIMIT = 10
CARD_BUTTONS_LIMIT = 2
BUTTON_TEXT_LIMIT = 25
URL_LIMIT = 2000
PHONE_LIMIT = 20
CODE_EXPIRATION = (1, 90)  # code_expiration_minutes
SUPPORTED_APPS_LIMIT = 5
OFFER_TEXT_LIMIT = 16
COUPON = re.compile(r"[A-Za-z0-9]{1,20}")  # a copy-code button's code: letters and digits, at most 20
CAROUSEL_CARDS = (2, 10)
OTP_TYPES = ("COPY_CODE", "ONE_TAP", "ZERO_TAP")
FLOW_ACTIONS = ("navigate", "data_exchange")
TTL_RANGES: dict[str, tuple[int, int]] = {
    "AUTHENTICATION": (30, 900),
    "UTILITY": (30, 43_200),
    "MARKETING": (43_200, 2_592_000),
}
"""``message_send_ttl_seconds`` per category, inclusive; authentication and utility also take ``-1`` (30 days)."""

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
_HEADER_FORMATS = ("TEXT", "IMAGE", "VIDEO", "GIF", "DOCUMENT", "LOCATION")
_CARD_HEADER_FORMATS = ("IMAGE", "VIDEO", "PRODUCT")
_CARD_BUTTONS = ("QUICK_REPLY", "URL", "PHONE_NUMBER", "SPM")
_LABELLED = ("QUICK_REPLY", "URL", "PHONE_NUMBER", "FLOW", "MPM", "CATALOG", "SPM", "VOICE_CALL")


def check_template(name: object, language: object, category: object, components: list[dict[str, Any]]) -> str:
    """Check a whole template definition; return its category in upper case."""
    if not isinstance(name, str) or not NAME.match(name):
        raise ValidationError("name", f"{name!r}: only lowercase letters, digits and underscores ([a-z0-9_]+)")
    if len(name) > NAME_LIMIT:
        raise ValidationError("name", f"{len(name)} characters, the limit is {NAME_LIMIT}", limit=NAME_LIMIT)
    if not isinstance(language, str) or not language.strip():
        raise ValidationError("language", "is empty (a code such as en_US)")
    cat = check_category(category)
    check_components(cat, components)
    return cat


def check_category(category: object) -> str:
    """The category in upper case, or a ValidationError."""
    cat = category.upper() if isinstance(category, str) else ""
    if cat not in CATEGORIES:
        raise ValidationError("category", f"{category!r}: must be one of {', '.join(CATEGORIES)}")
    return cat


def check_ttl(category: str, ttl: object) -> int:
    """``message_send_ttl_seconds`` for a template of ``category``: seconds (an int or a ``timedelta``) in the
    category's range, or ``-1`` (30 days) for authentication and utility."""
    if isinstance(ttl, datetime.timedelta):
        seconds = ttl.total_seconds()
        if seconds != int(seconds):
            raise ValidationError("ttl", f"{ttl}: whole seconds only")
        ttl = int(seconds)
    if isinstance(ttl, bool) or not isinstance(ttl, int):
        raise ValidationError("ttl", f"{ttl!r}: seconds as an int (or a timedelta)")
    low, high = TTL_RANGES[category]
    if ttl == -1 and category != "MARKETING":
        return ttl
    if not low <= ttl <= high:
        extra = ", or -1 for 30 days" if category != "MARKETING" else ""
        raise ValidationError("ttl", f"{ttl} seconds: a {category} template's time-to-live is {low} to {high} "
                                     f"seconds{extra}", limit=(low, high))  # fmt: skip
    return ttl


def check_components(cat: str, components: Sequence[Mapping[str, Any]]) -> None:
    """Check each component of a template of category ``cat``, then the rules of the whole."""
    seen: dict[str, str] = {}
    for i, c in enumerate(components):
        field = f"components[{i}]"
        if not isinstance(c, Mapping):
            raise ValidationError(field, "expected a component object")
        kind = str(c.get("type", "")).upper()
        if not kind:
            raise ValidationError(f"{field}.type", "is missing")
        if kind in seen:
            raise ValidationError(field, f"a second {kind} component ({seen[kind]} is one)")
        seen[kind] = field
        check = _CHECKS.get(kind)
        if check is not None:
            check(c, field, cat)
    _check_whole(cat, components, seen)


def _check_whole(cat: str, components: Sequence[Mapping[str, Any]], seen: Mapping[str, str]) -> None:
    buttons = _buttons(components, seen)
    otp = [f for f, b in buttons if _kind(b) == "OTP"]
    if cat == "AUTHENTICATION":
        if "HEADER" in seen:
            raise ValidationError(seen["HEADER"], "an authentication template has no header")
        if not otp or len(buttons) != 1:
            raise ValidationError(seen.get("BUTTONS", "components"),
                                  "an authentication template has one OTP button (OtpButton)")  # fmt: skip
    else:
        if "BODY" not in seen:
            raise ValidationError("components", "a template needs a BODY component")
        if otp:
            raise ValidationError(otp[0], "OTP buttons belong to AUTHENTICATION templates")
    copy_codes = [f for f, b in buttons if _kind(b) == "COPY_CODE"]
    if len(copy_codes) > 1:
        raise ValidationError(copy_codes[1], "a template has one copy-code button")
    for kind in ("LIMITED_TIME_OFFER", "CAROUSEL"):
        if kind in seen and cat != "MARKETING":
            raise ValidationError(seen[kind], f"a {kind.lower()} component belongs to MARKETING templates")
    if "CALL_PERMISSION_REQUEST" in seen and cat == "AUTHENTICATION":
        raise ValidationError(seen["CALL_PERMISSION_REQUEST"], "belongs to MARKETING or UTILITY templates")
    if "LIMITED_TIME_OFFER" in seen:
        _check_offer_template(components, seen)


def _check_offer_template(components: Sequence[Mapping[str, Any]], seen: Mapping[str, str]) -> None:
    """A limited-time offer template: no footer, a body of at most 600, an image or video header, if any."""
    if "FOOTER" in seen:
        raise ValidationError(seen["FOOTER"], "a limited-time offer template has no footer")
    for c in components:
        kind = str(c.get("type", "")).upper()
        if kind == "BODY":
            _text(c.get("text"), f"{seen['BODY']}.text", OFFER_BODY_LIMIT)
        elif kind == "HEADER" and str(c.get("format", "")).upper() not in ("IMAGE", "VIDEO"):
            raise ValidationError(f"{seen['HEADER']}.format", "a limited-time offer's header is an IMAGE or VIDEO")


def _buttons(components: Sequence[Mapping[str, Any]], seen: Mapping[str, str]) -> list[tuple[str, Any]]:
    if "BUTTONS" not in seen:
        return []
    for c in components:
        if str(c.get("type", "")).upper() == "BUTTONS":
            return [(f"{seen['BUTTONS']}.buttons[{j}]", b) for j, b in enumerate(c.get("buttons") or ())]
    return []  # pragma: no cover


def _kind(button: Any) -> str:
    return str(button.get("type", "")).upper() if isinstance(button, Mapping) else ""


# -- one component ---------------------------------------------------------------------------------------------


def _check_header(c: Mapping[str, Any], field: str, cat: str) -> None:
    fmt = str(c.get("format", "")).upper()
    if fmt not in _HEADER_FORMATS:
        raise ValidationError(f"{field}.format", f"{c.get('format')!r}: must be one of {', '.join(_HEADER_FORMATS)}")
    if fmt == "TEXT":
        text = _text(c.get("text"), f"{field}.text", HEADER_TEXT_LIMIT)
        if len(_PLACEHOLDER.findall(text)) > 1:
            raise ValidationError(f"{field}.text", "a text header takes at most 1 parameter", limit=1)


def _check_body(c: Mapping[str, Any], field: str, cat: str, limit: int = BODY_LIMIT) -> None:
    if cat == "AUTHENTICATION" and "text" not in c:
        recommend = c.get("add_security_recommendation")
        if recommend is not None and not isinstance(recommend, bool):
            raise ValidationError(f"{field}.add_security_recommendation", f"{recommend!r} is not true or false")
        return  # Meta writes an authentication template's body itself
    text = _text(c.get("text"), f"{field}.text", limit)
    wanted = len(set(_PLACEHOLDER.findall(text)))
    example = c.get("example")
    if not isinstance(example, Mapping):
        return
    given: int | None = None
    if isinstance(example.get("body_text"), list) and example["body_text"]:
        first = example["body_text"][0]
        given = len(first) if isinstance(first, list) else None
    elif isinstance(example.get("body_text_named_params"), list):
        given = len(example["body_text_named_params"])
    if given is not None and given != wanted:
        raise ValidationError(f"{field}.example", f"{given} example value(s) for {wanted} parameter(s) in the body")


def _check_footer(c: Mapping[str, Any], field: str, cat: str) -> None:
    if "code_expiration_minutes" in c:
        if cat != "AUTHENTICATION":
            raise ValidationError(f"{field}.code_expiration_minutes", "belongs to AUTHENTICATION templates")
        low, high = CODE_EXPIRATION
        minutes = c["code_expiration_minutes"]
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not low <= minutes <= high:
            raise ValidationError(f"{field}.code_expiration_minutes", f"{minutes!r}: {low} to {high} minutes",
                                  limit=(low, high))  # fmt: skip
        return
    _text(c.get("text"), f"{field}.text", FOOTER_LIMIT)


def _check_buttons_component(c: Mapping[str, Any], field: str, cat: str) -> None:
    _check_buttons(c.get("buttons"), f"{field}.buttons", BUTTONS_LIMIT)


def _check_buttons(buttons: object, field: str, limit: int, allowed: Sequence[str] | None = None) -> list[str]:
    """Check a button list; return the buttons' types."""
    if not isinstance(buttons, list) or not buttons:
        raise ValidationError(field, "expected a non-empty list of buttons")
    if len(buttons) > limit:
        raise ValidationError(field, f"{len(buttons)} buttons, the limit is {limit}", limit=limit)
    kinds = []
    for j, b in enumerate(buttons):
        bfield = f"{field}[{j}]"
        if not isinstance(b, Mapping):
            raise ValidationError(bfield, "expected a button object")
        kind = _kind(b)
        if not kind:
            raise ValidationError(f"{bfield}.type", "is missing")
        if allowed is not None and kind not in allowed:
            raise ValidationError(f"{bfield}.type", f"{b.get('type')!r}: a card's buttons are {', '.join(allowed)}")
        _check_button(b, kind, bfield)
        kinds.append(kind)
    return kinds


def _check_button(b: Mapping[str, Any], kind: str, field: str) -> None:
    if kind in _LABELLED or "text" in b:
        _text(b.get("text"), f"{field}.text", BUTTON_TEXT_LIMIT)
    if kind == "URL":
        url = b.get("url")
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise ValidationError(f"{field}.url", f"{url!r} is not an http(s) URL")
        _text(url, f"{field}.url", URL_LIMIT)
    elif kind == "PHONE_NUMBER":
        _text(b.get("phone_number"), f"{field}.phone_number", PHONE_LIMIT)
    elif kind == "COPY_CODE":
        example = b.get("example")
        if not isinstance(example, str) or COUPON.fullmatch(example) is None:
            raise ValidationError(f"{field}.example", f"{example!r}: a sample code of 1 to 20 letters and digits",
                                  limit=20)  # fmt: skip
    elif kind == "OTP":
        _check_otp(b, field)
    elif kind == "FLOW":
        named = [k for k in ("flow_id", "flow_name", "flow_json") if b.get(k) is not None]
        if len(named) != 1:
            raise ValidationError(field, "a flow button names its flow by exactly one of flow_id, flow_name, "
                                         f"flow_json (got {', '.join(named) or 'none'})")  # fmt: skip
        action = b.get("flow_action")
        if action is not None and action not in FLOW_ACTIONS:
            raise ValidationError(f"{field}.flow_action", f"{action!r}: one of {', '.join(FLOW_ACTIONS)}")


def _check_otp(b: Mapping[str, Any], field: str) -> None:
    otp_type = str(b.get("otp_type", "")).upper()
    if otp_type not in OTP_TYPES:
        raise ValidationError(f"{field}.otp_type", f"{b.get('otp_type')!r}: one of {', '.join(OTP_TYPES)}")
    if "autofill_text" in b:
        _text(b.get("autofill_text"), f"{field}.autofill_text", BUTTON_TEXT_LIMIT)
    if "package_name" in b or "signature_hash" in b:
        raise ValidationError(f"{field}.package_name", "since Graph API v21.0 the app goes in supported_apps "
                                                       "(SupportedApp(package_name, signature_hash))")  # fmt: skip
    if otp_type == "COPY_CODE":
        return
    apps = b.get("supported_apps")
    if not isinstance(apps, list) or not apps:
        raise ValidationError(f"{field}.supported_apps", f"a {otp_type} button names the apps it fills (1 to "
                                                         f"{SUPPORTED_APPS_LIMIT})")  # fmt: skip
    if len(apps) > SUPPORTED_APPS_LIMIT:
        raise ValidationError(f"{field}.supported_apps", f"{len(apps)} apps, the limit is {SUPPORTED_APPS_LIMIT}",
                              limit=SUPPORTED_APPS_LIMIT)  # fmt: skip
    for k, app in enumerate(apps):
        for key in ("package_name", "signature_hash"):
            value = app.get(key) if isinstance(app, Mapping) else None
            if not isinstance(value, str) or not value.strip():
                raise ValidationError(f"{field}.supported_apps[{k}].{key}", "is missing")
    if otp_type == "ZERO_TAP" and b.get("zero_tap_terms_accepted") is not True:
        raise ValidationError(f"{field}.zero_tap_terms_accepted", "a zero-tap button needs Meta's zero-tap terms "
                                                                  "accepted (True)")  # fmt: skip


def _check_offer(c: Mapping[str, Any], field: str, cat: str) -> None:
    offer = c.get("limited_time_offer")
    if not isinstance(offer, Mapping):
        raise ValidationError(f"{field}.limited_time_offer", "is missing")
    _text(offer.get("text"), f"{field}.limited_time_offer.text", OFFER_TEXT_LIMIT)
    expires = offer.get("has_expiration")
    if expires is not None and not isinstance(expires, bool):
        raise ValidationError(f"{field}.limited_time_offer.has_expiration", f"{expires!r} is not true or false")


def _check_carousel(c: Mapping[str, Any], field: str, cat: str) -> None:
    cards = c.get("cards")
    low, high = CAROUSEL_CARDS
    if not isinstance(cards, list) or not low <= len(cards) <= high:
        count = len(cards) if isinstance(cards, list) else 0
        raise ValidationError(f"{field}.cards", f"{count} cards: a carousel has {low} to {high}", limit=high)
    layouts = []
    for k, card in enumerate(cards):
        layouts.append(_check_card(card, f"{field}.cards[{k}]"))
    for k, layout in enumerate(layouts[1:], start=1):
        if layout != layouts[0]:
            raise ValidationError(f"{field}.cards[{k}]", "every card has the same components as the first "
                                                         f"({_describe(layouts[0])}; this one: {_describe(layout)})")


def _check_card(card: object, field: str) -> tuple[Any, ...]:
    """Check one carousel card; return its layout (component types, header format, button types)."""
    components = card.get("components") if isinstance(card, Mapping) else None
    if not isinstance(components, list) or not components:
        raise ValidationError(f"{field}.components", "a card is a list of components (a header first)")
    layout: list[Any] = []
    seen: set[str] = set()
    fmt = ""
    for i, c in enumerate(components):
        cfield = f"{field}.components[{i}]"
        kind = str(c.get("type", "")).upper() if isinstance(c, Mapping) else ""
        if kind in seen or kind not in ("HEADER", "BODY", "BUTTONS"):
            raise ValidationError(cfield, "a card holds one HEADER, an optional BODY and its BUTTONS")
        seen.add(kind)
        assert isinstance(c, Mapping)
        if kind == "HEADER":
            fmt = str(c.get("format", "")).upper()
            if fmt not in _CARD_HEADER_FORMATS:
                raise ValidationError(f"{cfield}.format", f"{c.get('format')!r}: a card's header is "
                                                          f"{', '.join(_CARD_HEADER_FORMATS)}")  # fmt: skip
            layout.append(("HEADER", fmt))
        elif kind == "BODY":
            _check_body(c, cfield, "MARKETING", CARD_BODY_LIMIT)
            layout.append(("BODY",))
        else:
            limit = 1 if fmt == "PRODUCT" else CARD_BUTTONS_LIMIT
            allowed = ("SPM", "URL") if fmt == "PRODUCT" else _CARD_BUTTONS
            layout.append(("BUTTONS", *_check_buttons(c.get("buttons"), f"{cfield}.buttons", limit, allowed)))
    if "HEADER" not in seen:
        raise ValidationError(f"{field}.components", "a card needs a HEADER (IMAGE, VIDEO or PRODUCT)")
    return tuple(layout)


def _describe(layout: tuple[Any, ...]) -> str:
    return ", ".join("/".join(part) for part in layout)


def _text(value: object, field: str, limit: int) -> str:
    if not isinstance(value, str) or not value:
        raise ValidationError(field, "is missing or empty")
    if len(value) > limit:
        raise ValidationError(field, f"{len(value)} characters, the limit is {limit}", limit=limit)
    return value


_CHECKS: dict[str, Callable[[Mapping[str, Any], str, str], None]] = {
    "HEADER": _check_header,
    "BODY": _check_body,
    "FOOTER": _check_footer,
    "BUTTONS": _check_buttons_component,
    "LIMITED_TIME_OFFER": _check_offer,
    "CAROUSEL": _check_carousel,
}
