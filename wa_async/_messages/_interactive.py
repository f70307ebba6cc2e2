"""Interactive messages: reply buttons, lists, a call-to-action URL button, and flows; the frame (header, body,
footer, action) every interactive type shares."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, TypeAlias

import msgspec

from wa_async._errors import ValidationError
from wa_async._messages import _check
from wa_async._messages._base import Message
from wa_async._messages._params import DocumentParam, ImageParam, VideoParam

__all__ = ["Buttons", "CtaUrl", "Flow", "ListMessage", "ReplyButton", "Row", "Section"]

# Meta's interactive-message pages.
HEADER_LIMIT = 60
FOOTER_LIMIT = 60
BUTTONS_BODY_LIMIT = 1024
MAX_BUTTONS = 3
BUTTON_TITLE_LIMIT = 20
BUTTON_ID_LIMIT = 256
LIST_BODY_LIMIT = 4096
LIST_BUTTON_LIMIT = 20
MAX_SECTIONS = 10
SECTION_TITLE_LIMIT = 24
MAX_ROWS = 10
ROW_ID_LIMIT = 200
ROW_TITLE_LIMIT = 24
ROW_DESCRIPTION_LIMIT = 72
CTA_BODY_LIMIT = 1024
CTA_DISPLAY_TEXT_LIMIT = 20
# Meta's OpenAPI file (InteractiveObject.body, ActionObject flow parameters); Meta's pages give no flow limits.
FLOW_BODY_LIMIT = 1024
FLOW_CTA_LIMIT = 30

Header: TypeAlias = str | ImageParam | VideoParam | DocumentParam | dict[str, Any]
"""An interactive header: text (up to 60 characters), an image, a video, a document, or a raw dict."""


def _check_header(header: object, *, media: bool) -> None:
    if header is None:
        return
    if isinstance(header, str):
        _check.text(header, "header", HEADER_LIMIT)
    elif media and isinstance(header, (ImageParam, VideoParam, DocumentParam)):
        header._check("header")
    elif media and isinstance(header, dict):
        _check.mapping(header, "header")
        if not isinstance(header.get("type"), str):
            raise ValidationError("header.type", "a raw header needs a string 'type'")
    else:
        allowed = "text, an ImageParam, VideoParam, DocumentParam or a dict" if media else "text only"
        raise ValidationError("header", f"got {type(header).__name__}; this header takes {allowed}")


def _frame(
    kind: str, header: Header | None, body: str | None, footer: str | None, action: dict[str, Any]
) -> dict[str, Any]:
    out: dict[str, Any] = {"type": kind}
    if header is not None:
        if isinstance(header, str):
            out["header"] = {"type": "text", "text": header}
        elif isinstance(header, dict):
            out["header"] = header
        else:
            out["header"] = header._wire()
    if body is not None:
        out["body"] = {"text": body}
    if footer is not None:
        out["footer"] = {"text": footer}
    out["action"] = action
    return out


def _check_frame(
    body: str | None, body_limit: int, header: object, footer: str | None, reply_to: str | None, *,
    media_header: bool, body_required: bool = True,
) -> None:  # fmt: skip
    if body_required or body is not None:
        _check.text(body, "body", body_limit)
    _check_header(header, media=media_header)
    _check.optional_text(footer, "footer", FOOTER_LIMIT)
    _check.optional_text(reply_to, "reply_to", None)


class _Interactive(Message, frozen=True):
    type: ClassVar[str] = "interactive"


class ReplyButton(msgspec.Struct, frozen=True):
    """A quick-reply button: ``id`` (up to 256 characters) comes back in the webhook, ``title`` (up to 20)
    is shown; both unique within the message."""

    id: str
    title: str


class Buttons(_Interactive, frozen=True):
    """A message with 1 to 3 reply buttons.

    ```python
    msg = wa.Buttons("16505551234", "Keep your booking?",
                     [wa.ReplyButton("keep", "Keep"), wa.ReplyButton("cancel", "Cancel")])
    ```
    """

    body: str
    buttons: Sequence[ReplyButton]
    header: Header | None = None
    footer: str | None = None
    reply_to: str | None = None

    def _validate(self) -> None:
        _check_frame(self.body, BUTTONS_BODY_LIMIT, self.header, self.footer, self.reply_to, media_header=True)
        buttons = _check.sequence(self.buttons, "buttons")
        msgspec.structs.force_setattr(self, "buttons", buttons)
        _check.count(buttons, "buttons", MAX_BUTTONS, noun="buttons")
        for i, b in enumerate(buttons):
            if not isinstance(b, ReplyButton):
                raise ValidationError(f"buttons[{i}]", f"expected a ReplyButton, got {type(b).__name__}")
            _check.text(b.id, f"buttons[{i}].id", BUTTON_ID_LIMIT)
            _check.text(b.title, f"buttons[{i}].title", BUTTON_TITLE_LIMIT)
        _check.unique([(f"buttons[{i}].id", b.id) for i, b in enumerate(buttons)], "button ids")
        _check.unique([(f"buttons[{i}].title", b.title) for i, b in enumerate(buttons)], "button titles")

    def _wire(self) -> Any:
        action = {"buttons": [{"type": "reply", "reply": {"id": b.id, "title": b.title}} for b in self.buttons]}
        return _frame("button", self.header, self.body, self.footer, action)


class Row(msgspec.Struct, frozen=True, omit_defaults=True):
    """A list row: ``id`` (up to 200 characters, unique in the message), ``title`` (24), ``description`` (72)."""

    id: str
    title: str
    description: str | None = None


class Section(msgspec.Struct, frozen=True):
    """A titled group of rows; the title (up to 24 characters) is required when a list has several sections."""

    title: str | None
    rows: Sequence[Row]


class ListMessage(_Interactive, frozen=True):
    """A message with a button that opens a list: up to 10 sections and up to 10 rows in all."""

    body: str
    button: str
    sections: Sequence[Section]
    header: str | None = None
    footer: str | None = None
    reply_to: str | None = None

    def _validate(self) -> None:
        _check_frame(self.body, LIST_BODY_LIMIT, self.header, self.footer, self.reply_to, media_header=False)
        _check.text(self.button, "button", LIST_BUTTON_LIMIT)
        sections = _check.sequence(self.sections, "sections")
        _check.count(sections, "sections", MAX_SECTIONS, noun="sections")
        frozen: list[Section] = []
        ids: list[tuple[str, str]] = []
        for i, s in enumerate(sections):
            path = f"sections[{i}]"
            if not isinstance(s, Section):
                raise ValidationError(path, f"expected a Section, got {type(s).__name__}")
            if s.title is None:
                if len(sections) > 1:
                    raise ValidationError(f"{path}.title", "required when the list has more than one section")
            else:
                _check.text(s.title, f"{path}.title", SECTION_TITLE_LIMIT)
            rows = _check.sequence(s.rows, f"{path}.rows")
            _check.count(rows, f"{path}.rows", None, noun="rows")
            for j, r in enumerate(rows):
                rpath = f"{path}.rows[{j}]"
                if not isinstance(r, Row):
                    raise ValidationError(rpath, f"expected a Row, got {type(r).__name__}")
                _check.text(r.id, f"{rpath}.id", ROW_ID_LIMIT)
                _check.text(r.title, f"{rpath}.title", ROW_TITLE_LIMIT)
                _check.optional_text(r.description, f"{rpath}.description", ROW_DESCRIPTION_LIMIT)
                ids.append((f"{rpath}.id", r.id))
            frozen.append(s if type(s.rows) is tuple else Section(s.title, rows))
        _check.count(ids, "sections", MAX_ROWS, noun="rows in all")
        _check.unique(ids, "row ids")
        msgspec.structs.force_setattr(self, "sections", tuple(frozen))

    def _wire(self) -> Any:
        sections = []
        for s in self.sections:
            rows = list(s.rows)  # Row is wire-shaped: msgspec encodes it, omitting a None description
            sections.append({"title": s.title, "rows": rows} if s.title is not None else {"rows": rows})
        return _frame("list", self.header, self.body, self.footer, {"button": self.button, "sections": sections})


class CtaUrl(_Interactive, frozen=True):
    """A message with one button that opens ``url``, labelled ``display_text`` (up to 20 characters)."""

    body: str
    display_text: str
    url: str
    header: Header | None = None
    footer: str | None = None
    reply_to: str | None = None

    def _validate(self) -> None:
        _check_frame(self.body, CTA_BODY_LIMIT, self.header, self.footer, self.reply_to, media_header=True)
        _check.text(self.display_text, "display_text", CTA_DISPLAY_TEXT_LIMIT)
        _check.url(self.url, "url")

    def _wire(self) -> Any:
        action = {"name": "cta_url", "parameters": {"display_text": self.display_text, "url": self.url}}
        return _frame("cta_url", self.header, self.body, self.footer, action)


class Flow(_Interactive, frozen=True):
    """A message that opens a WhatsApp Flow, by ``flow_id`` or ``flow_name`` (exactly one).

    ``flow_action`` is ``"navigate"`` (then ``screen`` and ``data`` start the flow) or ``"data_exchange"``;
    ``mode="draft"`` sends an unpublished flow.
    """

    body: str
    flow_cta: str
    flow_id: str | None = None
    flow_name: str | None = None
    flow_token: str | None = None
    flow_action: str = "navigate"
    screen: str | None = None
    data: dict[str, Any] | None = None
    mode: str | None = None
    header: Header | None = None
    footer: str | None = None
    reply_to: str | None = None

    def _validate(self) -> None:
        _check_frame(self.body, FLOW_BODY_LIMIT, self.header, self.footer, self.reply_to, media_header=True)
        _check.text(self.flow_cta, "flow_cta", FLOW_CTA_LIMIT)
        if (self.flow_id is None) == (self.flow_name is None):
            raise ValidationError("flow_id", "give exactly one of flow_id and flow_name")
        _check.optional_text(self.flow_id, "flow_id", None)
        _check.optional_text(self.flow_name, "flow_name", None)
        _check.optional_text(self.flow_token, "flow_token", None)
        if self.flow_action not in ("navigate", "data_exchange"):
            raise ValidationError("flow_action", f"{self.flow_action!r} is not 'navigate' or 'data_exchange'")
        _check.optional_text(self.screen, "screen", None)
        if self.data is not None:
            _check.mapping(self.data, "data")
            if not self.data:
                raise ValidationError("data", "must not be empty (omit it instead)")
        if self.mode is not None and self.mode not in ("draft", "published"):
            raise ValidationError("mode", f"{self.mode!r} is not 'draft' or 'published'")

    def _wire(self) -> Any:
        params: dict[str, Any] = {"flow_message_version": "3"}
        if self.flow_token is not None:
            params["flow_token"] = self.flow_token
        if self.flow_id is not None:
            params["flow_id"] = self.flow_id
        else:
            params["flow_name"] = self.flow_name
        params["flow_cta"] = self.flow_cta
        params["flow_action"] = self.flow_action
        if self.screen is not None or self.data is not None:
            payload: dict[str, Any] = {}
            if self.screen is not None:
                payload["screen"] = self.screen
            if self.data is not None:
                payload["data"] = self.data
            params["flow_action_payload"] = payload
        if self.mode is not None:
            params["mode"] = self.mode
        return _frame("flow", self.header, self.body, self.footer, {"name": "flow", "parameters": params})
