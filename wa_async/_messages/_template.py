"""Template messages and their typed components (FACTS §3.3)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, ClassVar, TypeAlias

import msgspec

from wa_async._errors import ValidationError
from wa_async._messages import _check
from wa_async._messages._base import Message
from wa_async._messages._params import (
    Param,
    PayloadParam,
    TextParam,
    check_param,
    wire_param,
)

__all__ = ["BodyParams", "ButtonParams", "Component", "HeaderParams", "Template"]

TEMPLATE_NAME = re.compile(r"[a-z0-9_]+", re.ASCII)  # FACTS §4
TEMPLATE_NAME_LIMIT = 512  # FACTS §4
HEADER_TEXT_LIMIT = 60  # FACTS §4: a template header's text, parameter included, is at most 60 characters
BUTTON_SUB_TYPES = frozenset({"quick_reply", "url", "flow", "catalog"})
MAX_BUTTON_INDEX = 9  # FACTS §4: up to 10 buttons

ParamLike: TypeAlias = Param | str | dict[str, Any]


def _check_params(component: _Component | ButtonParams, path: str) -> None:
    params = _check.sequence(component.parameters, f"{path}.parameters")
    # Frozen, and the parameters too, so that nothing changes between validation and sending.
    if type(component.parameters) is not tuple:
        msgspec.structs.force_setattr(component, "parameters", params)
    for i, p in enumerate(params):
        check_param(p, f"{path}.parameters[{i}]")


class _Component(msgspec.Struct, frozen=True):
    component_type: ClassVar[str]

    parameters: Sequence[ParamLike]

    def _check(self, path: str) -> None:
        _check_params(self, path)

    def _wire(self) -> dict[str, Any]:
        return {"type": self.component_type, "parameters": [wire_param(p) for p in self.parameters]}


class HeaderParams(_Component, frozen=True):
    """The one parameter of a template's header: text (up to 60 characters), or an image, video or document.

    >>> header = HeaderParams([ImageParam(link="https://example.com/banner.png")])
    """

    component_type: ClassVar[str] = "header"

    def _check(self, path: str) -> None:
        super()._check(path)
        # FACTS §4: a template header holds 1 parameter and at most 60 characters of text.
        _check.count(self.parameters, f"{path}.parameters", 1, noun="parameters")
        p = self.parameters[0]
        if isinstance(p, (str, TextParam)):
            value = p if isinstance(p, str) else p.text
            field = f"{path}.parameters[0]" + ("" if isinstance(p, str) else ".text")
            _check.text(value, field, HEADER_TEXT_LIMIT)


class BodyParams(_Component, frozen=True):
    """The parameters of a template's body, in order: ``str`` (text), :class:`Currency`, :class:`DateTime`, ..."""

    component_type: ClassVar[str] = "body"

    def _check(self, path: str) -> None:
        super()._check(path)
        _check.count(self.parameters, f"{path}.parameters", None, noun="parameters")


class ButtonParams(msgspec.Struct, frozen=True):
    """The parameter of a template's button number ``index`` (0 to 9).

    ``sub_type`` is ``quick_reply`` (a ``str`` parameter is the payload), ``url`` (a ``str`` is the text
    appended to the button's URL), ``flow`` or ``catalog`` (an :class:`ActionParam`). It is sent as given,
    so ``"CATALOG"``, as in Meta's catalog example, works too.
    """

    sub_type: str
    index: int | str
    parameters: Sequence[ParamLike] = ()

    def _check(self, path: str) -> None:
        if not isinstance(self.sub_type, str) or self.sub_type.lower() not in BUTTON_SUB_TYPES:
            raise ValidationError(
                f"{path}.sub_type", f"{self.sub_type!r} is not one of {', '.join(sorted(BUTTON_SUB_TYPES))}"
            )
        index = self.index
        if isinstance(index, str) and index.isascii() and index.isdigit():
            index = int(index)
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index <= MAX_BUTTON_INDEX:
            raise ValidationError(
                f"{path}.index", f"{self.index!r} is not a button index 0..{MAX_BUTTON_INDEX}", limit=MAX_BUTTON_INDEX
            )
        _check_params(self, path)

    def _wire(self) -> dict[str, Any]:
        quick_reply = self.sub_type.lower() == "quick_reply"
        params = [wire_param(PayloadParam(p) if quick_reply and isinstance(p, str) else p) for p in self.parameters]
        # Meta's examples send the index as a string ("0"); one (catalog) sends a number.
        return {"type": "button", "sub_type": self.sub_type, "index": str(int(self.index)), "parameters": params}


Component: TypeAlias = HeaderParams | BodyParams | ButtonParams | dict[str, Any]
"""A template component: typed, or a raw dict in the wire shape."""


class Template(Message, frozen=True):
    """An approved template, the only kind of message allowed outside the 24-hour window (FACTS §10).

    >>> msg = Template("16505551234", "order_update", "en_US",
    ...                [BodyParams(["Ann", Currency("$100.99", "USD", 100990)])])
    >>> msg.free_form
    False
    """

    type: ClassVar[str] = "template"
    free_form: ClassVar[bool] = False

    name: str
    language: str = "en_US"
    components: Sequence[Component] = ()

    def _validate(self) -> None:
        _check.text(self.name, "name", TEMPLATE_NAME_LIMIT)
        if TEMPLATE_NAME.fullmatch(self.name) is None:
            raise ValidationError("name", f"{self.name!r} does not match ^[a-z0-9_]+$")
        _check.text(self.language, "language", None)
        components = _check.sequence(self.components, "components")
        if type(self.components) is not tuple:
            msgspec.structs.force_setattr(self, "components", components)
        seen: dict[str, str] = {}
        for i, c in enumerate(components):
            path = f"components[{i}]"
            if isinstance(c, (HeaderParams, BodyParams, ButtonParams)):
                c._check(path)
            else:
                _check.mapping(c, path)
                if not isinstance(c.get("type"), str):
                    raise ValidationError(f"{path}.type", "a raw component needs a string 'type'")
            key = _component_key(c)
            if key in seen:
                raise ValidationError(path, f"repeats {seen[key]}: one {key} per template")
            seen[key] = path

    def _wire(self) -> Any:
        out: dict[str, Any] = {"name": self.name, "language": {"code": self.language}}
        if self.components:
            out["components"] = [c if isinstance(c, dict) else c._wire() for c in self.components]
        return out


def _component_key(c: Component) -> str:
    if isinstance(c, dict):
        kind = str(c.get("type"))
        return f"button {c.get('index')}" if kind == "button" else kind
    if isinstance(c, ButtonParams):
        return f"button {int(c.index)}"
    return c.component_type
