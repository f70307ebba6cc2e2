"""Typed components of a template *definition* (for ``client.templates.create``) and their documented limits.

These describe a template to create; the ``HeaderParams``/``BodyParams`` of ``wa.Template`` fill one in at send
time. A component list may mix these with raw dicts; button objects are gathered into one ``BUTTONS`` component.
Every component, typed or raw, is checked against FACTS §4 before anything is sent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import msgspec

from .._errors import ValidationError

__all__ = [
    "CATEGORIES",
    "BodyText",
    "Component",
    "FooterText",
    "HeaderMedia",
    "HeaderText",
    "PhoneNumberButton",
    "QuickReplyButton",
    "UrlButton",
    "check_template",
    "components_wire",
]

# FACTS §4 (template-management, components).
NAME = re.compile(r"^[a-z0-9_]+$")
NAME_LIMIT = 512
CATEGORIES = ("AUTHENTICATION", "MARKETING", "UTILITY")
HEADER_TEXT_LIMIT = 60
BODY_LIMIT = 1024
FOOTER_LIMIT = 60
BUTTONS_LIMIT = 10
BUTTON_TEXT_LIMIT = 25
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
_HEADER_FORMATS = ("TEXT", "IMAGE", "VIDEO", "GIF", "DOCUMENT", "LOCATION")


def _example(params: Sequence[str] | Mapping[str, str] | None, key: str) -> dict[str, Any] | None:
    if not params:
        return None
    if isinstance(params, Mapping):
        return {f"{key}_named_params": [{"param_name": k, "example": str(v)} for k, v in params.items()]}
    return {key: [[str(p) for p in params]] if key == "body_text" else [str(p) for p in params]}


class HeaderText(msgspec.Struct, frozen=True):
    """A text header (at most 60 characters and one ``{{1}}`` or ``{{name}}`` parameter) with its example."""

    text: str
    example: str | None = None
    name: str | None = None  # the parameter's name, for a NAMED template

    def wire(self) -> dict[str, Any]:
        """The component as Meta's JSON."""
        out: dict[str, Any] = {"type": "HEADER", "format": "TEXT", "text": self.text}
        if self.example is not None:
            ex = {self.name: self.example} if self.name else [self.example]
            out["example"] = _example(ex, "header_text")
        return out


class HeaderMedia(msgspec.Struct, frozen=True):
    """A media header: ``IMAGE``, ``VIDEO``, ``GIF``, ``DOCUMENT`` or ``LOCATION``, with an example handle."""

    format: Literal["IMAGE", "VIDEO", "GIF", "DOCUMENT", "LOCATION"]
    example_handle: str | None = None  # from the Resumable Upload API

    def wire(self) -> dict[str, Any]:
        """The component as Meta's JSON."""
        out: dict[str, Any] = {"type": "HEADER", "format": self.format}
        if self.example_handle is not None:
            out["example"] = {"header_handle": [self.example_handle]}
        return out


class BodyText(msgspec.Struct, frozen=True):
    """The body (at most 1024 characters); ``examples`` give one value per ``{{n}}``, or a name -> value map."""

    text: str
    examples: Sequence[str] | Mapping[str, str] | None = None

    def wire(self) -> dict[str, Any]:
        """The component as Meta's JSON."""
        out: dict[str, Any] = {"type": "BODY", "text": self.text}
        example = _example(self.examples, "body_text")
        if example is not None:
            out["example"] = example
        return out


class FooterText(msgspec.Struct, frozen=True):
    """The footer (at most 60 characters, no parameters)."""

    text: str

    def wire(self) -> dict[str, Any]:
        """The component as Meta's JSON."""
        return {"type": "FOOTER", "text": self.text}


class QuickReplyButton(msgspec.Struct, frozen=True):
    """A quick-reply button (label at most 25 characters)."""

    text: str

    def wire(self) -> dict[str, Any]:
        """The button as Meta's JSON."""
        return {"type": "QUICK_REPLY", "text": self.text}


class UrlButton(msgspec.Struct, frozen=True):
    """A URL button; a ``{{1}}`` at the end of ``url`` takes ``example`` (a full URL) as its sample."""

    text: str
    url: str
    example: str | None = None

    def wire(self) -> dict[str, Any]:
        """The button as Meta's JSON."""
        out: dict[str, Any] = {"type": "URL", "text": self.text, "url": self.url}
        if self.example is not None:
            out["example"] = [self.example]
        return out


class PhoneNumberButton(msgspec.Struct, frozen=True):
    """A button that calls ``phone_number`` (international format)."""

    text: str
    phone_number: str

    def wire(self) -> dict[str, Any]:
        """The button as Meta's JSON."""
        return {"type": "PHONE_NUMBER", "text": self.text, "phone_number": self.phone_number}


_Button = QuickReplyButton | UrlButton | PhoneNumberButton
Component = HeaderText | HeaderMedia | BodyText | FooterText | QuickReplyButton | UrlButton | PhoneNumberButton
_COMPONENT_TYPES = (HeaderText, HeaderMedia, BodyText, FooterText)


def components_wire(components: Sequence[Component | Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Meta's ``components`` array: typed components encoded, raw dicts kept, button objects gathered."""
    if isinstance(components, str | bytes | Mapping):
        raise ValidationError("components", "expected a list of components")
    out: list[dict[str, Any]] = []
    buttons: list[dict[str, Any]] = []
    for i, c in enumerate(components):
        if isinstance(c, _Button):
            if not buttons:
                out.append({"type": "BUTTONS", "buttons": buttons})
            buttons.append(c.wire())
        elif isinstance(c, _COMPONENT_TYPES):
            out.append(c.wire())
        elif isinstance(c, Mapping):
            out.append(dict(c))
        else:
            raise ValidationError(f"components[{i}]", f"expected a component or a dict, got {type(c).__name__}")
    return out


def check_template(name: object, language: object, category: object, components: list[dict[str, Any]]) -> str:
    """Check a template definition against FACTS §4; return the category in upper case."""
    if not isinstance(name, str) or not NAME.match(name):
        raise ValidationError("name", f"{name!r}: only lowercase letters, digits and underscores ([a-z0-9_]+)")
    if len(name) > NAME_LIMIT:
        raise ValidationError("name", f"{len(name)} characters, the limit is {NAME_LIMIT}", limit=NAME_LIMIT)
    if not isinstance(language, str) or not language.strip():
        raise ValidationError("language", "is empty (a code such as en_US)")
    cat = category.upper() if isinstance(category, str) else ""
    if cat not in CATEGORIES:
        raise ValidationError("category", f"{category!r}: must be one of {', '.join(CATEGORIES)}")
    seen: set[str] = set()
    for i, c in enumerate(components):
        kind = str(c.get("type", "")).upper()
        field = f"components[{i}]"
        if kind in seen:
            raise ValidationError(field, f"a second {kind} component")
        seen.add(kind)
        if kind == "HEADER":
            _check_header(c, field)
        elif kind == "BODY":
            if cat == "AUTHENTICATION" and "text" not in c:
                continue  # Meta writes an authentication template's body itself
            _text(c.get("text"), f"{field}.text", BODY_LIMIT)
            _check_body_example(c, field)
        elif kind == "FOOTER":
            _text(c.get("text"), f"{field}.text", FOOTER_LIMIT)
        elif kind == "BUTTONS":
            _check_buttons(c.get("buttons"), f"{field}.buttons")
        elif not kind:
            raise ValidationError(f"{field}.type", "is missing")
    if cat != "AUTHENTICATION" and "BODY" not in seen:
        raise ValidationError("components", "a template needs a BODY component")
    return cat


def _text(value: object, field: str, limit: int) -> str:
    if not isinstance(value, str) or not value:
        raise ValidationError(field, "is missing or empty")
    if len(value) > limit:
        raise ValidationError(field, f"{len(value)} characters, the limit is {limit}", limit=limit)
    return value


def _check_header(c: Mapping[str, Any], field: str) -> None:
    fmt = str(c.get("format", "")).upper()
    if fmt not in _HEADER_FORMATS:
        raise ValidationError(f"{field}.format", f"{c.get('format')!r}: must be one of {', '.join(_HEADER_FORMATS)}")
    if fmt == "TEXT":
        text = _text(c.get("text"), f"{field}.text", HEADER_TEXT_LIMIT)
        if len(_PLACEHOLDER.findall(text)) > 1:
            raise ValidationError(f"{field}.text", "a text header takes at most 1 parameter", limit=1)


def _check_body_example(c: Mapping[str, Any], field: str) -> None:
    wanted = len(set(_PLACEHOLDER.findall(c["text"])))
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


def _check_buttons(buttons: object, field: str) -> None:
    if not isinstance(buttons, list) or not buttons:
        raise ValidationError(field, "expected a non-empty list of buttons")
    if len(buttons) > BUTTONS_LIMIT:
        raise ValidationError(field, f"{len(buttons)} buttons, the limit is {BUTTONS_LIMIT}", limit=BUTTONS_LIMIT)
    for j, b in enumerate(buttons):
        if not isinstance(b, Mapping):
            raise ValidationError(f"{field}[{j}]", "expected a button object")
        kind = str(b.get("type", "")).upper()
        if kind in ("QUICK_REPLY", "URL", "PHONE_NUMBER") or "text" in b:
            _text(b.get("text"), f"{field}[{j}].text", BUTTON_TEXT_LIMIT)
        if kind == "URL":
            url = b.get("url")
            if not isinstance(url, str) or not url.startswith(("https://", "http://")):
                raise ValidationError(f"{field}[{j}].url", f"{url!r} is not an http(s) URL")
        if kind == "PHONE_NUMBER" and not b.get("phone_number"):
            raise ValidationError(f"{field}[{j}].phone_number", "is missing")
