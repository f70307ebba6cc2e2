"""The common base of outbound messages, recipients (phone numbers, BSUIDs, groups), the read receipt, and the one
JSON encoder."""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec

from wa_async._errors import ValidationError
from wa_async._messages import _check

__all__ = ["Group", "MarkRead", "Message"]

_encode = msgspec.json.Encoder().encode
_force = msgspec.structs.force_setattr
_PHONE_LOW, _PHONE_HIGH = _check.PHONE_DIGITS


class Group(str):
    """A WhatsApp group as a recipient: ``wa.Text(wa.Group("Y2FwaV9ncm91cDo..."), "Hello all")``.

    The id is the one the Groups API returns. Meta's group messaging takes text, media and template messages,
    sent with ``recipient_type: "group"``; other message types refuse a group. On the message, ``msg.to`` is the
    plain id string.
    """

    __slots__ = ()


class _Addressed(msgspec.Struct, frozen=True):
    # Declared apart from Message so that ``to`` stays positional (first) while Message's own keyword-only
    # fields sort after every subclass field.
    to: str


class Message(_Addressed, frozen=True, kw_only=True):
    """Base of every outbound message: validated on construction, encoded by ``to_json()``.

    ``to`` is the recipient: a phone number in international format (``+``, ``-``, ``(``, ``)`` and spaces are
    allowed and removed), a business-scoped user ID (BSUID, ``US.13491208655302741918``) or parent BSUID
    (``US.ENT.11815799212886844830``), or a [`Group`][wa_async.Group]. A phone number is sent as ``to``, a
    BSUID as ``recipient`` (Meta's rule). ``msg.to`` keeps the normalised recipient: the digits of a phone
    number, or the BSUID or group id as given.

    ``callback_data`` (up to 512 characters) is sent as ``biz_opaque_callback_data`` and echoed in status
    webhooks. ``user_id``, with a phone number as ``to``, sends the user's BSUID as ``recipient`` too; Meta then
    uses the phone number.
    """

    callback_data: str | None = None
    user_id: str | None = None

    type: ClassVar[str]
    """The wire ``type`` of the message (``"text"``, ``"template"``, ``"interactive"``, ...)."""
    free_form: ClassVar[bool] = True
    """False only for templates: free-form messages need an open 24-hour customer-service window."""
    _to_groups: ClassVar[bool] = False  # Meta's group messaging takes text, media and templates only

    def __post_init__(self) -> None:
        to = self.to
        if type(to) is not str or not (to.isdigit() and to.isascii() and _PHONE_LOW <= len(to) <= _PHONE_HIGH):
            to = self._recipient(to)
            _force(self, "to", to)
        if self.callback_data is not None:
            _check.text(self.callback_data, "callback_data", _check.CALLBACK_DATA_LIMIT)
        self._validate()
        if not to.isdigit() or self.user_id is not None:
            self._check_recipient(to)

    def _recipient(self, to: object) -> str:
        if isinstance(to, Group):
            if not self._to_groups:
                raise ValidationError(
                    "to", f"a group takes text, media and template messages only, not {type(self).__name__}"
                )
            return _check.group_id(str(to))
        return _check.recipient(to)

    def _check_recipient(self, to: str) -> None:
        """Rules for recipients other than a plain phone number."""
        if self.user_id is not None:
            _check.bsuid(self.user_id, "user_id")
            if not to.isdigit():
                raise ValidationError("user_id", "goes with a phone number as `to`; give a lone BSUID as `to`")
        elif "." in to:
            reason = self._phone_only()
            if reason is not None:
                raise ValidationError("to", f"{reason} go to phone numbers only, not BSUIDs (Meta error 131062)")

    def _phone_only(self) -> str | None:
        """Why this message cannot go to a BSUID (Meta's error 131062), or None."""
        return None

    def _validate(self) -> None:
        """Check the type's own fields; raise ValidationError."""

    def _wire(self) -> Any:
        """The type object: the value of the key named by [`type`][wa_async.Message.type]."""
        raise NotImplementedError

    @property
    def endpoint(self) -> str:
        """The edge of the phone number this message is posted to: ``"messages"`` (``"marketing_messages"`` for
        a marketing template)."""
        return "messages"

    def _body(self) -> dict[str, Any]:
        t = self.type
        to = self.to
        body: dict[str, Any] = {"messaging_product": "whatsapp"}
        if to.isdigit():
            body["recipient_type"] = "individual"
            body["to"] = to
            if self.user_id is not None:  # the user's BSUID beside the phone number: Meta uses the phone number
                body["recipient"] = self.user_id
        elif "." in to:  # a BSUID or parent BSUID
            body["recipient_type"] = "individual"
            body["recipient"] = to
        else:
            body["recipient_type"] = "group"
            body["to"] = to
        body["type"] = t
        body[t] = self._wire()
        reply_to = getattr(self, "reply_to", None)
        if reply_to is not None:
            body["context"] = {"message_id": reply_to}
        if self.callback_data is not None:
            body["biz_opaque_callback_data"] = self.callback_data
        return body

    def to_json(self) -> bytes:
        """The exact request body for ``POST /<PHONE_NUMBER_ID>/<endpoint>``."""
        to = self.to
        if not to.isdigit() or self.user_id is not None:
            return _encode(self._body())
        # The hot path (a phone number), written out: a call to _body() would cost 10% of the encoding.
        t = self.type
        body: dict[str, Any] = {
            "messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": t, t: self._wire()
        }  # fmt: skip
        reply_to = getattr(self, "reply_to", None)
        if reply_to is not None:
            body["context"] = {"message_id": reply_to}
        if self.callback_data is not None:
            body["biz_opaque_callback_data"] = self.callback_data
        return _encode(body)


class MarkRead(msgspec.Struct, frozen=True):
    """A read receipt for a received message, optionally with a typing indicator.

    Marking a message read also marks the earlier ones; the typing indicator is dismissed when you answer
    or after 25 seconds.
    """

    message_id: str
    typing: bool = False

    # A receipt is not a message to a contact: the 24-hour window does not apply to it.
    free_form: ClassVar[bool] = False

    def __post_init__(self) -> None:
        _check.text(self.message_id, "message_id", None)
        _check.boolean(self.typing, "typing")

    @property
    def endpoint(self) -> str:
        """Read receipts are posted to ``messages``."""
        return "messages"

    def to_json(self) -> bytes:
        """The exact request body for ``POST /<PHONE_NUMBER_ID>/messages``."""
        body: dict[str, Any] = {"messaging_product": "whatsapp", "status": "read", "message_id": self.message_id}
        if self.typing:
            body["typing_indicator"] = {"type": "text"}
        return _encode(body)
