"""Interactive messages that ask the user for something with one button: their location, permission to call them,
their phone number; and the call button that lets them call you."""

from __future__ import annotations

from typing import Any

from wa_async._messages import _check
from wa_async._messages._interactive import CTA_DISPLAY_TEXT_LIMIT, _check_frame, _frame, _Interactive
from wa_async._messages._params import TTL_MINUTES

__all__ = ["CallPermissionRequest", "ContactInfoRequest", "LocationRequest", "VoiceCall"]

BODY_LIMIT = 1024  # Meta's location-request and calling pages; the other pages give none and 1024 is the rule
CALL_PAYLOAD_LIMIT = 512  # Meta's call-button page


class LocationRequest(_Interactive, frozen=True):
    """Asks the user to share their location with a "Send location" button (interactive
    ``location_request_message``); ``body`` up to 1024 characters. The answer is an ordinary location message.

    ```python
    wa.LocationRequest("16505551234", "Where should we pick you up?")
    ```
    """

    body: str
    reply_to: str | None = None

    def _validate(self) -> None:
        _check_frame(self.body, BODY_LIMIT, None, None, self.reply_to, media_header=False)

    def _wire(self) -> Any:
        return _frame("location_request_message", None, self.body, None, {"name": "send_location"})


class CallPermissionRequest(_Interactive, frozen=True):
    """Asks the user for permission to call them on WhatsApp (interactive ``call_permission_request``), with an
    optional ``body`` (up to 1024 characters). Meta allows one request per user in 24 hours and two in 7 days;
    the answer arrives as a call-permission reply webhook.

    ```python
    wa.CallPermissionRequest(
        "US.13491208655302741918", "May we call you about order #4711?"
    )
    ```
    """

    body: str | None = None
    reply_to: str | None = None

    def _validate(self) -> None:
        _check_frame(self.body, BODY_LIMIT, None, None, self.reply_to, media_header=False, body_required=False)

    def _wire(self) -> Any:
        return _frame("call_permission_request", None, self.body, None, {"name": "call_permission_request"})


class ContactInfoRequest(_Interactive, frozen=True):
    """Asks a user who hides their number to share it (interactive ``request_contact_info``, Meta's
    REQUEST_CONTACT_INFO button, available from July 2026); ``body`` up to 1024 characters (Meta states no
    limit: UNCERTAIN). The answer is a contacts message whose contact carries ``origin: "contact_request"``.

    ```python
    wa.ContactInfoRequest(
        "US.13491208655302741918", "Please share your number so our courier can call you."
    )
    ```
    """

    body: str
    reply_to: str | None = None

    def _validate(self) -> None:
        _check_frame(self.body, BODY_LIMIT, None, None, self.reply_to, media_header=False)

    def _wire(self) -> Any:
        return _frame("request_contact_info", None, self.body, None, {"name": "request_contact_info"})


class VoiceCall(_Interactive, frozen=True):
    """A button that calls your business on WhatsApp (interactive ``voice_call``): ``body`` up to 1024
    characters; ``display_text`` (up to 20, Meta's default "Call Now"), ``ttl_minutes`` (how long the button
    works, 1 to 43,200; default 7 days) and ``payload`` (up to 512 characters, echoed in the calls webhook).

    ```python
    wa.VoiceCall(
        "16505551234", "Tap to call our support team.",
        display_text="Call support", payload="t-4711",
    )
    ```
    """

    body: str
    display_text: str | None = None
    ttl_minutes: int | None = None
    payload: str | None = None
    reply_to: str | None = None

    def _validate(self) -> None:
        _check_frame(self.body, BODY_LIMIT, None, None, self.reply_to, media_header=False)
        _check.optional_text(self.display_text, "display_text", CTA_DISPLAY_TEXT_LIMIT)
        if self.ttl_minutes is not None:
            _check.integer(self.ttl_minutes, "ttl_minutes", *TTL_MINUTES)
        _check.optional_text(self.payload, "payload", CALL_PAYLOAD_LIMIT)

    def _wire(self) -> Any:
        action: dict[str, Any] = {"name": "voice_call"}
        params = {k: v for k in ("display_text", "ttl_minutes", "payload") if (v := getattr(self, k)) is not None}
        if params:
            action["parameters"] = params
        return _frame("voice_call", None, self.body, None, action)
