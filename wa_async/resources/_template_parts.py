"""Typed components of a template *definition* (for ``client.templates.create`` and ``edit``).

These describe a template to create; the ``HeaderParams``/``BodyParams`` of ``wa.Template`` fill one in at send
time. A component list may mix these with raw dicts; button objects are gathered into one ``BUTTONS`` component.
The checks against Meta's limits are in ``_template_check``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import msgspec

from .._errors import ValidationError

__all__ = [
    "AuthBody",
    "AuthFooter",
    "BodyText",
    "Button",
    "CallPermissionComponent",
    "CatalogButton",
    "Component",
    "CopyCodeButton",
    "FlowButton",
    "FooterText",
    "HeaderMedia",
    "HeaderText",
    "LimitedTimeOffer",
    "MpmButton",
    "OtpButton",
    "PhoneNumberButton",
    "QuickReplyButton",
    "RequestContactInfoButton",
    "SpmButton",
    "SupportedApp",
    "TemplateCard",
    "TemplateCarousel",
    "UrlButton",
    "VoiceCallButton",
    "components_wire",
]


def _example(params: Sequence[str] | Mapping[str, str] | None, key: str) -> dict[str, Any] | None:
    if not params:
        return None
    if isinstance(params, Mapping):
        return {f"{key}_named_params": [{"param_name": k, "example": str(v)} for k, v in params.items()]}
    return {key: [[str(p) for p in params]] if key == "body_text" else [str(p) for p in params]}


def _put(out: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """``out`` with the fields that are not None."""
    out.update((k, v) for k, v in fields.items() if v is not None)
    return out


# -- header, body, footer ------------------------------------------------------------------------------------------


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
    """A media header: ``IMAGE``, ``VIDEO``, ``GIF``, ``DOCUMENT`` or ``LOCATION``, with an example handle.

    In a carousel card: ``IMAGE``, ``VIDEO``, or ``PRODUCT`` (a product card, no handle).
    """

    format: Literal["IMAGE", "VIDEO", "GIF", "DOCUMENT", "LOCATION", "PRODUCT"]
    example_handle: str | Sequence[str] | None = None  # from the Resumable Upload API

    def wire(self) -> dict[str, Any]:
        """The component as Meta's JSON."""
        out: dict[str, Any] = {"type": "HEADER", "format": self.format}
        handle = self.example_handle
        if handle is not None:
            out["example"] = {"header_handle": [handle] if isinstance(handle, str) else list(handle)}
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


class AuthBody(msgspec.Struct, frozen=True):
    """An authentication template's body: Meta writes its text (*<code> is your verification code.*);
    ``add_security_recommendation`` adds *For your security, do not share this code.*"""

    add_security_recommendation: bool | None = None

    def wire(self) -> dict[str, Any]:
        """The component as Meta's JSON."""
        return _put({"type": "BODY"}, add_security_recommendation=self.add_security_recommendation)


class FooterText(msgspec.Struct, frozen=True):
    """The footer (at most 60 characters, no parameters)."""

    text: str

    def wire(self) -> dict[str, Any]:
        """The component as Meta's JSON."""
        return {"type": "FOOTER", "text": self.text}


class AuthFooter(msgspec.Struct, frozen=True):
    """An authentication template's footer: *This code expires in <N> minutes.* (1 to 90), with no text."""

    code_expiration_minutes: int

    def wire(self) -> dict[str, Any]:
        """The component as Meta's JSON."""
        return {"type": "FOOTER", "code_expiration_minutes": self.code_expiration_minutes}


class LimitedTimeOffer(msgspec.Struct, frozen=True):
    """The offer of a limited-time offer template (marketing): ``text`` of at most 16 characters;
    ``has_expiration=True`` shows the expiry (given at send time) with a countdown."""

    text: str
    has_expiration: bool | None = None

    def wire(self) -> dict[str, Any]:
        """The component as Meta's JSON."""
        offer = _put({"text": self.text}, has_expiration=self.has_expiration)
        return {"type": "limited_time_offer", "limited_time_offer": offer}


class CallPermissionComponent(msgspec.Struct, frozen=True):
    """Asks the user's permission to call them (a marketing or utility template, with a body)."""

    def wire(self) -> dict[str, Any]:
        """The component as Meta's JSON."""
        return {"type": "call_permission_request"}


# -- buttons -------------------------------------------------------------------------------------------------------


class QuickReplyButton(msgspec.Struct, frozen=True):
    """A quick-reply button (label at most 25 characters)."""

    text: str

    def wire(self) -> dict[str, Any]:
        """The button as Meta's JSON."""
        return {"type": "QUICK_REPLY", "text": self.text}


class UrlButton(msgspec.Struct, frozen=True):
    """A URL button; a ``{{1}}`` at the end of ``url`` takes ``example`` (a full URL, or the variable's value) as
    its sample."""

    text: str
    url: str
    example: str | None = None

    def wire(self) -> dict[str, Any]:
        """The button as Meta's JSON."""
        return _put({"type": "URL", "text": self.text, "url": self.url},
                    example=None if self.example is None else [self.example])  # fmt: skip


class PhoneNumberButton(msgspec.Struct, frozen=True):
    """A button that calls ``phone_number`` (international format)."""

    text: str
    phone_number: str

    def wire(self) -> dict[str, Any]:
        """The button as Meta's JSON."""
        return {"type": "PHONE_NUMBER", "text": self.text, "phone_number": self.phone_number}


class CopyCodeButton(msgspec.Struct, frozen=True):
    """A coupon's copy-code button (one per template); ``example`` is a sample code, letters and digits."""

    example: str

    def wire(self) -> dict[str, Any]:
        """The button as Meta's JSON."""
        return {"type": "COPY_CODE", "example": self.example}


class SupportedApp(msgspec.Struct, frozen=True):
    """An Android app a one-tap or zero-tap code is handed to: its package name and app signing key hash."""

    package_name: str
    signature_hash: str


class OtpButton(msgspec.Struct, frozen=True):
    """An authentication template's one-time-password button.

    ``otp_type``: ``COPY_CODE`` (copies the code), ``ONE_TAP`` (autofills it into the app) or ``ZERO_TAP`` (hands
    it to the app with no tap; needs ``zero_tap_terms_accepted=True``). One-tap and zero-tap name the receiving
    apps in ``supported_apps`` (1 to 5) and fall back to a copy-code button, labelled ``text``, where autofill is
    not possible. ``text`` and ``autofill_text`` (at most 25 characters) default to Meta's localized labels.
    """

    otp_type: Literal["COPY_CODE", "ONE_TAP", "ZERO_TAP"]
    text: str | None = None
    autofill_text: str | None = None
    supported_apps: Sequence[SupportedApp] = ()
    zero_tap_terms_accepted: bool | None = None

    def wire(self) -> dict[str, Any]:
        """The button as Meta's JSON."""
        apps = [{"package_name": a.package_name, "signature_hash": a.signature_hash} for a in self.supported_apps]
        return _put({"type": "OTP", "otp_type": self.otp_type}, text=self.text, autofill_text=self.autofill_text,
                    zero_tap_terms_accepted=self.zero_tap_terms_accepted, supported_apps=apps or None)  # fmt: skip


class FlowButton(msgspec.Struct, frozen=True):
    """Opens a WhatsApp Flow, named by exactly one of ``flow_id``, ``flow_name`` or ``flow_json`` (the Flow JSON
    as a string); ``flow_action`` is ``"navigate"`` (to ``navigate_screen``) or ``"data_exchange"``."""

    text: str
    flow_id: str | None = None
    flow_name: str | None = None
    flow_json: str | None = None
    navigate_screen: str | None = None
    flow_action: Literal["navigate", "data_exchange"] | None = None

    def wire(self) -> dict[str, Any]:
        """The button as Meta's JSON."""
        return _put({"type": "FLOW", "text": self.text}, flow_id=self.flow_id, flow_name=self.flow_name,
                    flow_json=self.flow_json, navigate_screen=self.navigate_screen,
                    flow_action=self.flow_action)  # fmt: skip


class MpmButton(msgspec.Struct, frozen=True):
    """Opens a multi-product message's product list (the products are chosen at send time)."""

    text: str

    def wire(self) -> dict[str, Any]:
        """The button as Meta's JSON."""
        return {"type": "MPM", "text": self.text}


class CatalogButton(msgspec.Struct, frozen=True):
    """Opens the business's catalog."""

    text: str

    def wire(self) -> dict[str, Any]:
        """The button as Meta's JSON."""
        return {"type": "CATALOG", "text": self.text}


class SpmButton(msgspec.Struct, frozen=True):
    """A product card's button (in a product carousel): opens the card's product."""

    text: str

    def wire(self) -> dict[str, Any]:
        """The button as Meta's JSON."""
        return {"type": "SPM", "text": self.text}


class VoiceCallButton(msgspec.Struct, frozen=True):
    """Starts a WhatsApp call to the business."""

    text: str

    def wire(self) -> dict[str, Any]:
        """The button as Meta's JSON (lower-case ``voice_call``, as in Meta's example)."""
        return {"type": "voice_call", "text": self.text}


class RequestContactInfoButton(msgspec.Struct, frozen=True):
    """Asks the user to share their phone number (for users who hide it behind a username); Meta writes the
    label."""

    def wire(self) -> dict[str, Any]:
        """The button as Meta's JSON."""
        return {"type": "REQUEST_CONTACT_INFO"}


Button = (QuickReplyButton | UrlButton | PhoneNumberButton | CopyCodeButton | OtpButton | FlowButton | MpmButton
          | CatalogButton | SpmButton | VoiceCallButton | RequestContactInfoButton)  # fmt: skip
_BUTTONS = (QuickReplyButton, UrlButton, PhoneNumberButton, CopyCodeButton, OtpButton, FlowButton, MpmButton,
            CatalogButton, SpmButton, VoiceCallButton, RequestContactInfoButton)  # fmt: skip


# -- carousel --------------------------------------------------------------------------------------------------------


class TemplateCard(msgspec.Struct, frozen=True):
    """One card of a carousel template: a header (``HeaderMedia("IMAGE"|"VIDEO", handle)`` for a media card,
    ``HeaderMedia("PRODUCT")`` for a product card), an optional body (at most 160 characters) and its buttons
    (at most 2: quick-reply, URL, phone number; a product card has one SPM or URL button)."""

    header: HeaderMedia
    body: BodyText | None = None
    buttons: Sequence[Button | Mapping[str, Any]] = ()

    def wire(self) -> dict[str, Any]:
        """The card as Meta's JSON."""
        components: list[dict[str, Any]] = [self.header.wire()]
        if self.body is not None:
            components.append(self.body.wire())
        if self.buttons:
            buttons = [b.wire() if isinstance(b, _BUTTONS) else dict(b) for b in self.buttons]
            components.append({"type": "BUTTONS", "buttons": buttons})
        return {"components": components}


class TemplateCarousel(msgspec.Struct, frozen=True):
    """The cards of a carousel template (marketing): 2 to 10, all with the same components. A media carousel is
    sent with exactly as many cards as it was created with; a product carousel created with 2 may send up to 10."""

    cards: Sequence[TemplateCard | Mapping[str, Any]]

    def wire(self) -> dict[str, Any]:
        """The component as Meta's JSON."""
        return {"type": "CAROUSEL", "cards": [c.wire() if isinstance(c, TemplateCard) else dict(c)
                                              for c in self.cards]}  # fmt: skip


Component = (HeaderText | HeaderMedia | BodyText | AuthBody | FooterText | AuthFooter | LimitedTimeOffer
             | CallPermissionComponent | TemplateCarousel | Button)  # fmt: skip
_COMPONENTS = (HeaderText, HeaderMedia, BodyText, AuthBody, FooterText, AuthFooter, LimitedTimeOffer,
               CallPermissionComponent, TemplateCarousel)  # fmt: skip


def components_wire(components: Sequence[Component | Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Meta's ``components`` array: typed components encoded, raw dicts kept, button objects gathered."""
    if isinstance(components, str | bytes | Mapping):
        raise ValidationError("components", "expected a list of components")
    out: list[dict[str, Any]] = []
    buttons: list[dict[str, Any]] = []
    for i, c in enumerate(components):
        if isinstance(c, _BUTTONS):
            if not buttons:
                out.append({"type": "BUTTONS", "buttons": buttons})
            buttons.append(c.wire())
        elif isinstance(c, _COMPONENTS):
            out.append(c.wire())
        elif isinstance(c, Mapping):
            out.append(dict(c))
        else:
            raise ValidationError(f"components[{i}]", f"expected a component or a dict, got {type(c).__name__}")
    return out
