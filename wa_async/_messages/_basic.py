"""Text, location and reaction messages."""

from __future__ import annotations

from typing import Any, ClassVar

from wa_async._errors import ValidationError
from wa_async._messages import _check
from wa_async._messages._base import Message, _encode

__all__ = ["Location", "Reaction", "Text"]

TEXT_BODY_LIMIT = 4096  # Meta's text-messages page


class Text(Message, frozen=True):
    """A text message of up to 4096 characters; ``preview_url`` previews the first http(s) URL in ``body``.

    ```python
    wa.Text("+16505551234", "Your order shipped", reply_to="wamid.HBgL...")
    ```
    """

    type: ClassVar[str] = "text"
    _to_groups: ClassVar[bool] = True

    body: str
    preview_url: bool = False
    reply_to: str | None = None

    def _validate(self) -> None:
        _check.text(self.body, "body", TEXT_BODY_LIMIT)
        if not isinstance(self.preview_url, bool):
            raise ValidationError("preview_url", f"expected a bool, got {type(self.preview_url).__name__}")
        _check.optional_text(self.reply_to, "reply_to", None)

    def _wire(self) -> Any:
        # preview_url is always sent: Meta's own examples send it both true and false.
        return {"body": self.body, "preview_url": self.preview_url}

    def to_json(self) -> bytes:
        """The exact request body for ``POST /<PHONE_NUMBER_ID>/messages``."""
        to = self.to
        if self.user_id is not None or not to.isdigit():
            return _encode(self._body())
        # The hottest path (a text to a phone number), written out: Message.to_json with its lookups resolved.
        body: dict[str, Any] = {
            "messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": "text",
            "text": {"body": self.body, "preview_url": self.preview_url},
        }  # fmt: skip
        if self.reply_to is not None:
            body["context"] = {"message_id": self.reply_to}
        if self.callback_data is not None:
            body["biz_opaque_callback_data"] = self.callback_data
        return _encode(body)


class Location(Message, frozen=True):
    """A location pin: latitude -90..90, longitude -180..180, optional name and address."""

    type: ClassVar[str] = "location"

    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None
    reply_to: str | None = None

    def _validate(self) -> None:
        _check.number(self.latitude, "latitude", -90, 90)
        _check.number(self.longitude, "longitude", -180, 180)
        _check.optional_text(self.name, "name", None)
        _check.optional_text(self.address, "address", None)
        _check.optional_text(self.reply_to, "reply_to", None)

    def _wire(self) -> Any:
        loc: dict[str, Any] = {"latitude": self.latitude, "longitude": self.longitude}
        if self.name is not None:
            loc["name"] = self.name
        if self.address is not None:
            loc["address"] = self.address
        return loc


class Reaction(Message, frozen=True):
    """An emoji reaction to a message; an empty ``emoji`` removes your reaction."""

    type: ClassVar[str] = "reaction"

    message_id: str
    emoji: str

    def _validate(self) -> None:
        _check.text(self.message_id, "message_id", None)
        _check.text(self.emoji, "emoji", None, minimum=0)

    def _wire(self) -> Any:
        return {"message_id": self.message_id, "emoji": self.emoji}
