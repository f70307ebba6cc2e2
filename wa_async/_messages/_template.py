"""Template messages and their typed components: header, body, buttons of every sub-type, carousels.

Sends go to ``/messages``, or with ``marketing=True`` to Meta's Marketing Messages API (``/marketing_messages``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, ClassVar, Literal, TypeAlias

import msgspec

from wa_async._errors import ValidationError
from wa_async._messages import _check
from wa_async._messages._base import Group, Message, _encode
from wa_async._messages._params import (
    ActionParam,
    CouponParam,
    ImageParam,
    Param,
    PayloadParam,
    ProductParam,
    TextParam,
    TtlParam,
    VideoParam,
    check_param,
    wire_param,
)

__all__ = ["BodyParams", "ButtonParams", "CarouselParams", "Component", "HeaderParams", "Template"]

TEMPLATE_NAME = re.compile(r"[a-z0-9_]+", re.ASCII)  # Meta's templates overview
TEMPLATE_NAME_LIMIT = 512
HEADER_TEXT_LIMIT = 60  # a template header's text, parameter included, is at most 60 characters
MAX_BUTTON_INDEX = 9  # up to 10 buttons
OTP_CODE_LIMIT = 15  # Meta's authentication-template pages: a one-time password of up to 15 characters
VOICE_CALL_PAYLOAD_LIMIT = 512  # Meta's call-button page
CAROUSEL_CARDS = (2, 10)  # Meta's media-card carousel page: 2 to 10 cards

# What a typed parameter of each button sub-type may be, and what a plain str means there (Meta's template
# components, coupon, MPM, call-button, authentication and payments pages).
_BUTTON_PARAMS: dict[str, tuple[tuple[type[Any], ...], type[Any] | None]] = {
    "quick_reply": ((PayloadParam,), PayloadParam),
    "url": ((TextParam,), TextParam),
    "otp": ((TextParam,), TextParam),
    "copy_code": ((CouponParam,), CouponParam),
    "flow": ((ActionParam,), None),
    "catalog": ((ActionParam,), None),
    "mpm": ((ActionParam,), None),
    "order_details": ((ActionParam,), None),
    "voice_call": ((TtlParam, PayloadParam), PayloadParam),
}
BUTTON_SUB_TYPES = frozenset(_BUTTON_PARAMS)
_CARD_BUTTONS = ("quick_reply", "url")  # the buttons of a carousel card

ParamLike: TypeAlias = Param | str | dict[str, Any]


def _check_params(component: _Component | ButtonParams, path: str) -> tuple[Any, ...]:
    params = _check.sequence(component.parameters, f"{path}.parameters")
    # Frozen, and the parameters too, so that nothing changes between validation and sending.
    if type(component.parameters) is not tuple:
        msgspec.structs.force_setattr(component, "parameters", params)
    names = None
    for i, p in enumerate(params):
        check_param(p, f"{path}.parameters[{i}]")
        if type(p) is TextParam and p.name is not None:
            names = names or []
            names.append((f"{path}.parameters[{i}].name", p.name))
    if names:
        _check.unique(names, "parameter names")
    return params


class _Component(msgspec.Struct, frozen=True):
    component_type: ClassVar[str]

    parameters: Sequence[ParamLike]

    def _check(self, path: str) -> None:
        _check_params(self, path)

    def _wire(self) -> dict[str, Any]:
        return {"type": self.component_type, "parameters": [wire_param(p) for p in self.parameters]}


class HeaderParams(_Component, frozen=True):
    """The one parameter of a template's header: text (up to 60 characters), an image, video or document, or, in
    a carousel card, a [`ProductParam`][wa_async.ProductParam].

    ```python
    header = wa.HeaderParams([wa.ImageParam(link="https://example.com/banner.png")])
    ```
    """

    component_type: ClassVar[str] = "header"

    def _check(self, path: str) -> None:
        super()._check(path)
        # Meta's template components page: a header holds 1 parameter and at most 60 characters of text.
        _check.count(self.parameters, f"{path}.parameters", 1, noun="parameters")
        p = self.parameters[0]
        if isinstance(p, (str, TextParam)):
            value = p if isinstance(p, str) else p.text
            field = f"{path}.parameters[0]" + ("" if isinstance(p, str) else ".text")
            _check.text(value, field, HEADER_TEXT_LIMIT)


class BodyParams(_Component, frozen=True):
    """The parameters of a template's body: in order (``str``, [`Currency`][wa_async.Currency],
    [`DateTime`][wa_async.DateTime], ...), or named with ``TextParam(text, name=...)`` in any order."""

    component_type: ClassVar[str] = "body"

    def _check(self, path: str) -> None:
        super()._check(path)
        _check.count(self.parameters, f"{path}.parameters", None, noun="parameters")


class ButtonParams(msgspec.Struct, frozen=True):
    """The parameters of a template's button number ``index`` (0 to 9), by ``sub_type``:

    - ``quick_reply``: a ``str`` is the payload returned when tapped ([`PayloadParam`][wa_async.PayloadParam]);
    - ``url``: a ``str`` is the text appended to the button's URL;
    - ``otp``: the one-time password (up to 15 characters) of an authentication template's copy-code, one-tap or
      zero-tap button; sent as Meta sends it, a ``url`` button (index 0 when not given). Such templates go to
      phone numbers only;
    - ``copy_code``: a ``str`` is the coupon code (letters and digits, up to 20);
    - ``flow``, ``catalog``, ``mpm``, ``order_details``: an [`ActionParam`][wa_async.ActionParam];
    - ``voice_call``: a [`TtlParam`][wa_async.TtlParam] and/or a ``str`` payload (up to 512 characters, echoed
      in calls webhooks); Meta's example sends no index, so ``index`` may be left out.

    The sub-type is sent as given, so ``"CATALOG"``, as in Meta's catalog example, works too.

    ```python
    wa.ButtonParams("copy_code", 0, ["WINTER2026SAVE25"])
    wa.ButtonParams("otp", parameters=["482913"])
    ```
    """

    sub_type: str
    index: int | str | None = None
    parameters: Sequence[ParamLike] = ()

    def _kind(self) -> str:
        return self.sub_type.lower()

    def _check(self, path: str, *, allowed: Sequence[str] = tuple(_BUTTON_PARAMS)) -> None:
        if not isinstance(self.sub_type, str) or self.sub_type.lower() not in allowed:
            raise ValidationError(f"{path}.sub_type", f"{self.sub_type!r} is not one of {', '.join(sorted(allowed))}")
        kind = self._kind()
        index = self.index
        if index is None:
            if kind not in ("voice_call", "otp"):
                raise ValidationError(f"{path}.index", f"required for a {kind} button", limit=MAX_BUTTON_INDEX)
        else:
            if isinstance(index, str) and index.isascii() and index.isdigit():
                index = int(index)
            if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index <= MAX_BUTTON_INDEX:
                raise ValidationError(
                    f"{path}.index", f"{self.index!r} is not a button index 0..{MAX_BUTTON_INDEX}",
                    limit=MAX_BUTTON_INDEX,
                )  # fmt: skip
        params = _check_params(self, path)
        typed, _ = _BUTTON_PARAMS[kind]
        for i, p in enumerate(params):
            if not isinstance(p, (str, dict, *typed)):
                names = " or ".join(t.__name__ for t in typed)
                got = type(p).__name__
                raise ValidationError(f"{path}.parameters[{i}]", f"a {kind} button takes {names}, not {got}")
        if kind == "otp":
            _check.count(params, f"{path}.parameters", 1, noun="parameters")
            code = params[0].text if isinstance(params[0], TextParam) else params[0]
            if isinstance(code, str):
                _check.text(code, f"{path}.parameters[0]", OTP_CODE_LIMIT)
        elif kind == "copy_code":
            _check.count(params, f"{path}.parameters", 1, noun="parameters")
            if isinstance(params[0], str):
                CouponParam(params[0])._check(f"{path}.parameters[0]")
        elif kind == "voice_call":
            for i, p in enumerate(params):
                if isinstance(p, (str, PayloadParam)):
                    value = p if isinstance(p, str) else p.payload
                    _check.text(value, f"{path}.parameters[{i}]", VOICE_CALL_PAYLOAD_LIMIT)

    def _key(self) -> str:
        return "voice_call button" if self.index is None and self._kind() == "voice_call" else f"button {self._index()}"

    def _index(self) -> int:
        return 0 if self.index is None else int(self.index)

    def _wire(self) -> dict[str, Any]:
        kind = self._kind()
        _, plain = _BUTTON_PARAMS[kind]
        params = [wire_param(plain(p) if plain is not None and isinstance(p, str) else p) for p in self.parameters]
        # Authentication templates' OTP buttons are sent as url buttons (Meta's authentication-template pages).
        sub_type = "url" if kind == "otp" else self.sub_type
        if self.index is None and kind == "voice_call":
            return {"type": "button", "sub_type": sub_type, "parameters": params}
        # Meta's examples send the index both as a string ("0") and as a number; the OpenAPI file types it as a
        # string, so we send a string.
        return {"type": "button", "sub_type": sub_type, "index": str(self._index()), "parameters": params}


class CarouselParams(msgspec.Struct, frozen=True):
    """The cards of a carousel template (media cards or product cards), 2 to 10, in the template's order: each
    card a list of its components, a [`HeaderParams`][wa_async.HeaderParams] (an image, a video or a
    [`ProductParam`][wa_async.ProductParam]), optional [`BodyParams`][wa_async.BodyParams], and
    ``quick_reply``/``url`` [`ButtonParams`][wa_async.ButtonParams]. Carousel templates are marketing templates.

    ```python
    wa.CarouselParams([
        [
            wa.HeaderParams([wa.ImageParam(id="1234")]),
            wa.ButtonParams("quick_reply", 0, ["MORE_BEANS"]),
        ],
        [
            wa.HeaderParams([wa.ImageParam(id="5678")]),
            wa.ButtonParams("quick_reply", 0, ["MORE_GRINDERS"]),
        ],
    ])
    ```
    """

    component_type: ClassVar[str] = "carousel"

    cards: Sequence[Sequence[HeaderParams | BodyParams | ButtonParams]]

    def _check(self, path: str) -> None:
        low, high = CAROUSEL_CARDS
        cards = _check.sequence(self.cards, f"{path}.cards")
        _check.count(cards, f"{path}.cards", high, minimum=low, noun="cards")
        frozen = []
        for i, card in enumerate(cards):
            cpath = f"{path}.cards[{i}]"
            components = _check.sequence(card, cpath)
            seen: dict[str, str] = {}
            for j, c in enumerate(components):
                kpath = f"{cpath}[{j}]"
                if isinstance(c, ButtonParams):
                    c._check(kpath, allowed=_CARD_BUTTONS)
                elif isinstance(c, (HeaderParams, BodyParams)):
                    c._check(kpath)
                else:
                    raise ValidationError(
                        kpath, f"expected HeaderParams, BodyParams or ButtonParams, got {type(c).__name__}"
                    )
                _once(seen, _component_key(c), kpath)
            if "header" not in seen:
                raise ValidationError(cpath, "a card needs a HeaderParams (an image, a video or a product)")
            header = next(c for c in components if isinstance(c, HeaderParams))
            if not isinstance(header.parameters[0], (ImageParam, VideoParam, ProductParam, dict)):
                raise ValidationError(f"{cpath}.header", "a card's header is an image, a video or a ProductParam")
            frozen.append(components)
        kinds = {type(next(c for c in card if isinstance(c, HeaderParams)).parameters[0]) for card in frozen}
        if len(kinds) > 1:
            raise ValidationError(f"{path}.cards", "every card's header must be of the same kind")
        msgspec.structs.force_setattr(self, "cards", tuple(frozen))

    def _wire(self) -> dict[str, Any]:
        cards = [{"card_index": i, "components": [c._wire() for c in card]} for i, card in enumerate(self.cards)]
        return {"type": "carousel", "cards": cards}


Component: TypeAlias = HeaderParams | BodyParams | ButtonParams | CarouselParams | dict[str, Any]
"""A template component: typed, or a raw dict in the wire shape."""


def otp_components(code: str) -> list[Component]:
    """The parameters of an authentication template: the one-time password ``code`` in the body and in its
    copy-code, one-tap or zero-tap button (index 0), as Meta's authentication templates take it."""
    return [BodyParams([code]), ButtonParams("otp", 0, [code])]


class _TemplateOptions(Message, frozen=True, kw_only=True):
    # Keyword-only options, declared apart so that Template's own fields stay positional.
    language_policy: Literal["deterministic"] | None = None
    marketing: bool = False
    product_policy: Literal["CLOUD_API_FALLBACK", "STRICT"] | None = None
    message_activity_sharing: bool | None = None


class Template(_TemplateOptions, frozen=True):
    """An approved template, the only kind of message allowed outside the 24-hour window.

    ``language_policy="deterministic"`` (the only value Meta documents) is sent as ``language.policy``.
    ``marketing=True`` sends a marketing template through Meta's Marketing Messages API (``endpoint`` is
    ``"marketing_messages"``), with ``product_policy`` (``"CLOUD_API_FALLBACK"``: fall back to the Cloud API when
    the account is not onboarded; ``"STRICT"``: refuse instead) and ``message_activity_sharing`` when given.

    ```python
    msg = wa.Template("16505551234", "order_update", "en_US",
                      [wa.BodyParams(["Ann", wa.Currency("$100.99", "USD", 100990)])])
    assert msg.free_form is False
    ```
    """

    type: ClassVar[str] = "template"
    free_form: ClassVar[bool] = False
    _to_groups: ClassVar[bool] = True

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
        copy_code = None
        for i, c in enumerate(components):
            path = f"components[{i}]"
            if isinstance(c, (HeaderParams, BodyParams, ButtonParams, CarouselParams)):
                c._check(path)
                if type(c) is ButtonParams and c._kind() == "copy_code":
                    if copy_code is not None:
                        raise ValidationError(path, f"a template has one copy_code button, and {copy_code} is one")
                    copy_code = path
            else:
                _check.mapping(c, path)
                if not isinstance(c.get("type"), str):
                    raise ValidationError(f"{path}.type", "a raw component needs a string 'type'")
            key = _component_key(c)
            if key in seen:
                raise ValidationError(path, f"repeats {seen[key]}: one {key} per template")
            seen[key] = path
        if self.language_policy is not None and self.language_policy != "deterministic":
            raise ValidationError("language_policy", f"{self.language_policy!r} is not 'deterministic'")
        if self.marketing is not False:
            _check.boolean(self.marketing, "marketing")
        if self.product_policy is not None or self.message_activity_sharing is not None:
            self._check_marketing()

    def _check_marketing(self) -> None:
        for field in ("product_policy", "message_activity_sharing"):
            if getattr(self, field) is not None and not self.marketing:
                raise ValidationError(field, "applies to marketing templates only (marketing=True)")
        if self.product_policy is not None:
            _check.choice(self.product_policy, "product_policy", ("CLOUD_API_FALLBACK", "STRICT"))
        if self.message_activity_sharing is not None:
            _check.boolean(self.message_activity_sharing, "message_activity_sharing")

    def _recipient(self, to: object) -> str:
        if self.marketing and isinstance(to, Group):
            # Meta's Marketing Messages API takes a phone number or a BSUID.
            raise ValidationError("to", "a marketing template goes to a phone number or a BSUID, not a group")
        return super()._recipient(to)

    def _phone_only(self) -> str | None:
        if any(isinstance(c, ButtonParams) and c._kind() == "otp" for c in self.components):
            return "authentication templates with a one-time password button"
        return None

    @property
    def endpoint(self) -> str:
        """``"marketing_messages"`` for a marketing template, else ``"messages"``."""
        return "marketing_messages" if self.marketing else "messages"

    def _wire(self) -> Any:
        language: dict[str, str] = {"code": self.language}
        if self.language_policy is not None:
            language = {"policy": self.language_policy, "code": self.language}
        out: dict[str, Any] = {"name": self.name, "language": language}
        if self.components:
            out["components"] = [c if isinstance(c, dict) else c._wire() for c in self.components]
        return out

    def _body(self) -> dict[str, Any]:
        body = super()._body()
        if self.product_policy is not None:
            body["product_policy"] = self.product_policy
        if self.message_activity_sharing is not None:
            body["message_activity_sharing"] = self.message_activity_sharing
        return body

    def to_json(self) -> bytes:
        """The exact request body for ``POST /<PHONE_NUMBER_ID>/<endpoint>``."""
        to = self.to
        if self.marketing or self.user_id is not None or not to.isdigit():
            return _encode(self._body())
        # The hot path of a broadcast (a template to a phone number), written out as Message.to_json does.
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": "template",
                "template": self._wire()}  # fmt: skip
        if self.callback_data is not None:
            body["biz_opaque_callback_data"] = self.callback_data
        return _encode(body)


def _once(seen: dict[str, str], key: str, path: str) -> None:
    if key in seen:
        raise ValidationError(path, f"repeats {seen[key]}: one {key} per template")
    seen[key] = path


def _component_key(c: Component) -> str:
    if isinstance(c, dict):
        kind = str(c.get("type"))
        return f"button {c.get('index')}" if kind == "button" else kind
    if isinstance(c, ButtonParams):
        return c._key()
    return c.component_type
