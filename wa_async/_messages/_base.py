"""The common base of outbound messages, the read receipt, and the one JSON encoder."""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec

from wa_async._errors import ValidationError
from wa_async._messages import _check

__all__ = ["MarkRead", "Message"]

_encode = msgspec.json.Encoder().encode


class _Addressed(msgspec.Struct, frozen=True):
    # Declared apart from Message so that ``to`` stays positional (first) while Message's own
    # ``callback_data`` is keyword-only and sorts after every subclass field.
    to: str


class Message(_Addressed, frozen=True, kw_only=True):
    """Base of every outbound message: validated on construction, encoded by :meth:`to_json`.

    ``to`` is the recipient in international format (a leading ``+`` is stripped); ``callback_data``
    (up to 512 characters) is sent as ``biz_opaque_callback_data`` and echoed in status webhooks.
    """

    callback_data: str | None = None

    type: ClassVar[str]
    """The wire ``type`` of the message (``"text"``, ``"template"``, ``"interactive"``, ...)."""
    free_form: ClassVar[bool] = True
    """False only for templates: free-form messages need an open 24-hour window (FACTS §10)."""
    endpoint: ClassVar[str] = "messages"
    """The path under the phone number id this message is posted to."""

    def __post_init__(self) -> None:
        to = _check.phone(self.to)
        if to != self.to:
            msgspec.structs.force_setattr(self, "to", to)
        # FACTS §3.1 / §4: biz_opaque_callback_data holds up to 512 characters.
        _check.optional_text(self.callback_data, "callback_data", _check.CALLBACK_DATA_LIMIT)
        self._validate()

    def _validate(self) -> None:
        """Check the type's own fields; raise ValidationError."""

    def _wire(self) -> Any:
        """The type object: the value of the key named by :attr:`type`."""
        raise NotImplementedError

    def to_json(self) -> bytes:
        """The exact request body for ``POST /<PHONE_NUMBER_ID>/messages``."""
        t = self.type
        body: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": self.to,
            "type": t,
            t: self._wire(),
        }
        reply_to = getattr(self, "reply_to", None)
        if reply_to is not None:
            body["context"] = {"message_id": reply_to}
        if self.callback_data is not None:
            body["biz_opaque_callback_data"] = self.callback_data
        return _encode(body)


class MarkRead(msgspec.Struct, frozen=True):
    """A read receipt for a received message, optionally with a typing indicator (FACTS §3.2).

    Marking a message read also marks the earlier ones; the typing indicator is dismissed when you answer
    or after 25 seconds.
    """

    message_id: str
    typing: bool = False

    # A receipt is not a message to a contact: the 24-hour window does not apply to it.
    free_form: ClassVar[bool] = False

    def __post_init__(self) -> None:
        _check.text(self.message_id, "message_id", None)
        if not isinstance(self.typing, bool):
            raise ValidationError("typing", f"expected a bool, got {type(self.typing).__name__}")

    def to_json(self) -> bytes:
        """The exact request body for ``POST /<PHONE_NUMBER_ID>/messages``."""
        body: dict[str, Any] = {"messaging_product": "whatsapp", "status": "read", "message_id": self.message_id}
        if self.typing:
            body["typing_indicator"] = {"type": "text"}
        return _encode(body)
