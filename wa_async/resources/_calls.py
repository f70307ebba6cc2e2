"""``client.calls``: the Calling API (``POST /{phone_number_id}/calls``), call permissions and calling settings.

Meta's Calling reference: every action is a ``POST /{phone_number_id}/calls`` with ``action``: ``connect`` places
a business-initiated call with an SDP offer (the user must have granted call permission); ``pre_accept`` and
``accept`` answer a user's call with an SDP answer (``accept`` repeats the ``pre_accept`` SDP); ``reject`` declines
it; ``terminate`` ends any call. Calling must be enabled in the number's settings first (138000). What happens on
the call arrives by the ``calls`` webhook.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from .._errors import ApiError, ValidationError
from .._messages._check import CALLBACK_DATA_LIMIT, recipient
from .._pipeline import Pipeline
from .._request import Request, decode_json
from .._transport import Response
from ._common import Confirmed, json_body, text_field
from ._settings import CallHours, CallIcons, CallingSettings, GetSettings, UpdateSettings, calling_wire

__all__ = [
    "CallAction",
    "CallLimit",
    "CallPermissions",
    "Calls",
    "ConnectCall",
    "GetCallPermissions",
    "UpdateCall",
]


class CallLimit(msgspec.Struct, frozen=True):
    """A limit on an action: ``max_allowed`` per ``time_period`` (``PT24H``, ``P7D``), ``current_usage`` so far,
    and when it frees up once reached (Unix seconds)."""

    time_period: str
    max_allowed: int
    current_usage: int
    limit_expiration_time: int | None = None


class CallAction(msgspec.Struct, frozen=True):
    """Whether an action (``start_call``, ``send_call_permission_request``) may be taken now, and its limits."""

    action_name: str
    can_perform_action: bool
    limits: list[CallLimit] = []


class _Permission(msgspec.Struct, frozen=True):
    status: str = "no_permission"
    expiration_time: int | None = None
    expiration: int | None = None  # Meta's parameter table names it so, its example expiration_time (UNCERTAIN)


class _PermissionsAnswer(msgspec.Struct):
    permission: _Permission = _Permission()
    actions: list[CallAction] = []


class CallPermissions(msgspec.Struct, frozen=True):
    """A user's call permission for the number: ``no_permission``, ``temporary`` (until ``expiration_time``,
    Unix seconds) or ``permanent``, and what the business may do now."""

    status: str
    expiration_time: int | None = None
    actions: list[CallAction] = []

    @property
    def can_call(self) -> bool:
        """Whether a business-initiated call may be placed now."""
        return any(a.action_name == "start_call" and a.can_perform_action for a in self.actions)

    @property
    def can_request_permission(self) -> bool:
        """Whether a call permission request may be sent now."""
        return any(a.action_name == "send_call_permission_request" and a.can_perform_action for a in self.actions)


class _Call(msgspec.Struct):
    id: str


class _Connected(msgspec.Struct):
    calls: list[_Call] = []


class ConnectCall(Request[str]):
    """``POST /{phone_number_id}/calls`` with ``action: connect``: the result is the new call id."""

    __slots__ = ()

    def __init__(self, phone_number_id: str, body: dict[str, Any]) -> None:
        super().__init__("POST", f"{phone_number_id}/calls", body=json_body(body))

    def decode(self, response: Response) -> str:
        """The call id (``wacid...``)."""
        answer: _Connected = decode_json(response, _Connected, self)
        if not answer.calls:
            raise ApiError("the connect answer holds no call id", http_status=response.status, request=self)
        return answer.calls[0].id


class UpdateCall(Confirmed):
    """``POST /{phone_number_id}/calls`` with ``pre_accept``, ``accept``, ``reject`` or ``terminate``."""

    __slots__ = ()

    def __init__(self, phone_number_id: str, body: dict[str, Any]) -> None:
        super().__init__("POST", f"{phone_number_id}/calls", body=json_body(body))


class GetCallPermissions(Request[CallPermissions]):
    """``GET /{phone_number_id}/call_permissions?user_wa_id=`` (or ``recipient=`` a BSUID)."""

    __slots__ = ()

    def __init__(self, phone_number_id: str, user: str) -> None:
        key = "recipient" if "." in user else "user_wa_id"
        super().__init__("GET", f"{phone_number_id}/call_permissions", params={key: user})

    def decode(self, response: Response) -> CallPermissions:
        """The permission and the actions."""
        answer: _PermissionsAnswer = decode_json(response, _PermissionsAnswer, self)
        p = answer.permission
        return CallPermissions(p.status, p.expiration_time or p.expiration, answer.actions)


class Calls:
    """Calls of the client's phone number: ``client.calls``.

    ```python
    await client.calls.update_settings(status="ENABLED")
    if (await client.calls.permissions("15551234567")).can_call:
        call_id = await client.calls.connect("15551234567", sdp_offer)
        ...
        await client.calls.terminate(call_id)
    ```

    A user's call arrives by webhook; answer it with [`pre_accept`][wa_async.resources.Calls.pre_accept] and
    [`accept`][wa_async.resources.Calls.accept] (the same SDP answer), or [`reject`][wa_async.resources.Calls.reject]
    it.
    """

    __slots__ = ("_api",)

    def __init__(self, api: Pipeline) -> None:
        self._api = api

    def __repr__(self) -> str:
        return f"<Calls phone_number_id={self._api.phone_number_id}>"

    async def connect(self, to: str, sdp: str, *, biz_opaque_callback_data: str | None = None) -> str:
        """Call a user (a phone number or a BSUID) with a WebRTC SDP offer; return the call id.

        Raises:
            ValidationError: ``to`` is neither a phone number nor a BSUID, ``sdp`` is not an SDP text, the callback
                data is over 512 characters.
        """
        user = recipient(to, "to")
        body = self._body("connect", sdp=_sdp(sdp, "offer"), callback=biz_opaque_callback_data)
        body["recipient" if "." in user else "to"] = user
        return await self._api.execute(ConnectCall(self._api.phone_number_id, body))

    async def pre_accept(self, call_id: str, sdp: str) -> bool:
        """Start connecting a user's call with an SDP answer, before accepting it (media flows sooner)."""
        body = self._body("pre_accept", _call_id(call_id), sdp=_sdp(sdp, "answer"))
        return await self._api.execute(UpdateCall(self._api.phone_number_id, body))

    async def accept(self, call_id: str, sdp: str, *, biz_opaque_callback_data: str | None = None) -> bool:
        """Accept a user's call with the SDP answer (the same as given to ``pre_accept``)."""
        body = self._body("accept", _call_id(call_id), sdp=_sdp(sdp, "answer"), callback=biz_opaque_callback_data)
        return await self._api.execute(UpdateCall(self._api.phone_number_id, body))

    async def reject(self, call_id: str) -> bool:
        """Decline a user's call."""
        return await self._api.execute(UpdateCall(self._api.phone_number_id, self._body("reject", _call_id(call_id))))

    async def terminate(self, call_id: str) -> bool:
        """End a call (also after the media session ended: Meta asks for it)."""
        body = self._body("terminate", _call_id(call_id))
        return await self._api.execute(UpdateCall(self._api.phone_number_id, body))

    async def permissions(self, user: str) -> CallPermissions:
        """Whether ``user`` (a phone number or a BSUID) allows calls from the number, and what may be done now
        (Meta allows 5 of these requests a second)."""
        return await self._api.execute(GetCallPermissions(self._api.phone_number_id, recipient(user, "user")))

    async def settings(self) -> CallingSettings:
        """The number's calling settings."""
        return (await self._api.execute(GetSettings(self._api.phone_number_id))).calling

    async def update_settings(
        self,
        *,
        status: str | None = None,
        call_icon_visibility: str | None = None,
        restrict_to_user_countries: Sequence[str] | None = None,
        call_hours: CallHours | None = None,
        callback_permission_status: str | None = None,
        sip: dict[str, Any] | None = None,
    ) -> bool:
        """Change the calling settings given (the others stay; an omitted ``holiday_schedule`` in ``call_hours``
        clears the holidays, as Meta does).

        ``status`` and ``callback_permission_status``: ``ENABLED`` or ``DISABLED``; ``call_icon_visibility``:
        ``DEFAULT`` or ``DISABLE_ALL``; ``restrict_to_user_countries``: ISO country codes of the users who see
        the call button (``[]``: everyone); ``call_hours``: at most 2 ranges a day (HHMM, not overlapping), at
        most 20 holidays.

        Raises:
            ValidationError: nothing given, or a value Meta does not accept, naming the field.
        """
        icons = None if restrict_to_user_countries is None else CallIcons(list(restrict_to_user_countries))
        settings = CallingSettings(status=status, call_icon_visibility=call_icon_visibility, call_icons=icons,
                                   call_hours=call_hours, callback_permission_status=callback_permission_status,
                                   sip=sip)  # fmt: skip
        wire = calling_wire(settings)
        return await self._api.execute(UpdateSettings(self._api.phone_number_id, "calling", wire))

    @staticmethod
    def _body(action: str, call_id: str | None = None, *, sdp: dict[str, str] | None = None,
              callback: str | None = None) -> dict[str, Any]:  # fmt: skip
        body: dict[str, Any] = {"messaging_product": "whatsapp", "action": action}
        if call_id is not None:
            body["call_id"] = call_id
        if sdp is not None:
            body["session"] = sdp
        if callback is not None:
            body["biz_opaque_callback_data"] = text_field(callback, "biz_opaque_callback_data", CALLBACK_DATA_LIMIT)
        return body


def _call_id(call_id: object) -> str:
    return text_field(call_id, "call_id").strip()


def _sdp(sdp: object, sdp_type: str) -> dict[str, str]:
    text = text_field(sdp, "sdp")
    if not text.startswith("v=0"):
        raise ValidationError("sdp", "is not an SDP text: it must start with 'v=0' (RFC 8866)")
    return {"sdp_type": sdp_type, "sdp": text}
