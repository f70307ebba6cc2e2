"""Calling: ``POST /{pnid}/calls`` (connect, pre_accept, accept, reject, terminate) and ``/call_permissions``.

Meta's Calling reference and troubleshooting pages: the number must have calling ``ENABLED`` in its settings
(138000, HTTP 401); a business-initiated ``connect`` needs the user's approved call permission (138006, 401), only
one call per user at a time (138003), and a limited number of connected business-initiated calls per 24 hours
(138012; Meta's troubleshooting page and its permission example say 5). ``pre_accept`` and ``accept`` answer a
user-initiated call with an SDP ``answer`` (``accept`` must repeat the ``pre_accept`` SDP); ``reject`` declines
one; ``terminate`` ends any call. ``GET /{pnid}/call_permissions?user_wa_id=`` (or ``recipient=`` a BSUID)
answers the permission and the two actions with their limits; at most 5 requests a second (613).

The user's side is driven from the test: `Calls.grant_permission`, `Calls.incoming` (a user calls),
`Calls.answer` (the user picks up a business call), `Calls.record_permission_request`.
"""

from __future__ import annotations

import base64
import secrets
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import web

from ._area import Area, Route, error, read_body, require_product
from ._graph import json_response, param
from ._limits import SlidingWindow
from ._settings import PhoneSettings
from ._validate import normalize_to

__all__ = ["Calls"]

_ACTIONS = frozenset({"connect", "pre_accept", "accept", "reject", "terminate"})
_DAY, _WEEK = 24 * 3600.0, 7 * 24 * 3600.0
_TEMPORARY = _WEEK  # a temporary permission lasts 7 days
_MAX_CALLBACK_DATA = 512
CallState = Literal["RINGING", "PRE_ACCEPTED", "ACCEPTED", "ENDED"]


@dataclass(slots=True)
class Call:
    """One call the emulator knows."""

    id: str
    phone_number_id: str
    user: str  # the user's wa_id (or BSUID when called by one)
    direction: Literal["BUSINESS_INITIATED", "USER_INITIATED"]
    state: CallState = "RINGING"
    offer: str = ""
    answer: str | None = None
    biz_opaque_callback_data: str | None = None


@dataclass(slots=True)
class _Pair:
    permission: Literal["no_permission", "temporary", "permanent"] = "no_permission"
    expires: float | None = None  # on the emulator's clock, for a temporary permission
    connected: deque[float] = field(default_factory=deque)  # connected business-initiated calls
    requests: deque[float] = field(default_factory=deque)  # call permission requests sent


class Calls(Area):
    """Calls and call permissions per (phone number id, user)."""

    __slots__ = ("_calls", "_clock", "_pairs", "_permission_window", "_settings", "daily_call_limit", "wall")

    def __init__(self, clock: Callable[[], float], settings: PhoneSettings, *, daily_call_limit: int = 5) -> None:
        super().__init__()
        self._clock = clock
        self._settings = settings
        self.daily_call_limit = daily_call_limit
        self.wall: Callable[[], float] = time.time
        self._calls: dict[str, Call] = {}
        self._pairs: dict[tuple[str, str], _Pair] = {}
        self._permission_window = SlidingWindow(5)

    def __repr__(self) -> str:
        return f"<Calls calls={len(self._calls)} pairs={len(self._pairs)}>"

    def __getitem__(self, call_id: str) -> Call:
        return self._calls[call_id]

    def routes(self) -> Iterable[Route]:
        """``POST /{pnid}/calls`` and ``GET /{pnid}/call_permissions``."""
        return (("POST", "/{pnid}/calls", self.post), ("GET", "/{pnid}/call_permissions", self.permissions))

    # --- the user's side, driven by tests ---------------------------------------------------------------------
    def grant_permission(self, phone_number_id: str, user: str, *, permanent: bool = False) -> None:
        """The user approves calls from the number: for 7 days, or for good."""
        pair = self._pair(phone_number_id, user)
        pair.permission = "permanent" if permanent else "temporary"
        pair.expires = None if permanent else self._clock() + _TEMPORARY

    def record_permission_request(self, phone_number_id: str, user: str) -> None:
        """A call permission request message went to the user (counts against 1 a day and 2 a week)."""
        self._pair(phone_number_id, user).requests.append(self._clock())

    def incoming(self, phone_number_id: str, user: str, sdp: str = "v=0\r\n", *, call_id: str | None = None) -> str:
        """The user calls the business; return the new call id (a ``connect`` webhook would follow)."""
        call = self._new(phone_number_id, user, "USER_INITIATED", sdp, call_id)
        connect = {"id": call.id, "from": user, "event": "connect", "direction": call.direction,
                   "session": {"sdp_type": "offer", "sdp": sdp}}  # fmt: skip
        self.notify("calls", {"calls": [connect]}, phone_number_id)
        return call.id

    def answer(self, call_id: str) -> None:
        """The user picks up a business-initiated call: it is connected (and counts against the daily limit)."""
        call = self._calls[call_id]
        if call.direction != "BUSINESS_INITIATED" or call.state != "RINGING":
            raise ValueError(f"call {call_id} is not a ringing business-initiated call")
        call.state = "ACCEPTED"
        pair = self._pair(call.phone_number_id, call.user)
        pair.connected.append(self._clock())
        pair.requests.clear()  # a connected call resets the permission request limits (Meta)
        status = {"id": call_id, "type": "call", "status": "ACCEPTED"}
        self.notify("calls", {"statuses": [status]}, call.phone_number_id)

    # --- the API ----------------------------------------------------------------------------------------------
    async def post(self, request: web.Request) -> web.Response:
        """``POST /{pnid}/calls`` with ``action``."""
        body = await read_body(request)
        require_product(body)
        action = body.get("action")
        if action not in _ACTIONS:
            raise param(f"Param action must be one of {{{', '.join(sorted(_ACTIONS))}}} - got {action!r}")
        pnid = request.match_info["pnid"]
        if not self._settings.calling_enabled(pnid):
            raise error(138000, "Calling not enabled", "Calling APIs are not enabled for this phone number",
                        status=401)  # fmt: skip
        if action == "connect":
            return self._connect(pnid, body)
        call = self._call(pnid, body)
        if action in ("pre_accept", "accept"):
            self._answer(call, body, final=action == "accept")
        elif action == "reject":
            if call.direction != "USER_INITIATED" or call.state not in ("RINGING", "PRE_ACCEPTED"):
                raise param(f"Call {call.id} cannot be rejected: only a ringing user-initiated call can.")
            self._end(call, "REJECTED")
        else:
            self._end(call, "COMPLETED")
        return json_response({"messaging_product": "whatsapp", "success": True})

    async def permissions(self, request: web.Request) -> web.Response:
        """``GET /{pnid}/call_permissions?user_wa_id=`` or ``?recipient=``."""
        pnid = request.match_info["pnid"]
        now = self._clock()
        if not self._permission_window.hit(pnid, now):
            raise error(613, "Fetch Call Permission For Consumer Phone Number API Limit Hit",
                        "Limit reached for requests to the fetch call permission status API.", status=429)  # fmt: skip
        user = request.query.get("user_wa_id") or request.query.get("recipient")
        if not user:
            raise param("The parameter user_wa_id (or recipient) is required.")
        pair = self._pair(pnid, normalize_to(user) or user)
        self._expire(pair, now)
        permission: dict[str, Any] = {"status": pair.permission}
        if pair.permission == "temporary" and pair.expires is not None:
            permission["expiration_time"] = self._epoch(pair.expires)
        day = self._limit("PT24H", 1, pair.requests, _DAY, now)
        week = self._limit("P7D", 2, pair.requests, _WEEK, now)
        calls = self._limit("PT24H", self.daily_call_limit, pair.connected, _DAY, now)
        can_request = pair.permission != "permanent" and all("limit_expiration_time" not in x for x in (day, week))
        can_call = pair.permission != "no_permission" and "limit_expiration_time" not in calls
        return json_response({
            "messaging_product": "whatsapp",
            "permission": permission,
            "actions": [
                {"action_name": "send_call_permission_request", "can_perform_action": can_request,
                 "limits": [day, week]},
                {"action_name": "start_call", "can_perform_action": can_call, "limits": [calls]},
            ],
        })  # fmt: skip

    # --- internals --------------------------------------------------------------------------------------------
    def _connect(self, pnid: str, body: dict[str, Any]) -> web.Response:
        to, recipient = body.get("to"), body.get("recipient")
        if not to and not recipient:
            raise param("The parameter to (or recipient) is required.")
        if to:  # `to` wins when both are given (Meta)
            user = normalize_to(to) if isinstance(to, str) else None
            if user is None:
                raise param(f"Param to must be a phone number, got {to!r}")
        elif not isinstance(recipient, str):
            raise param("Param recipient must be a string.")
        else:
            user = recipient
        sdp = _session(body, "offer")
        callback = body.get("biz_opaque_callback_data")
        if callback is not None and (not isinstance(callback, str) or len(callback) > _MAX_CALLBACK_DATA):
            raise param(f"Param biz_opaque_callback_data must be a string of at most {_MAX_CALLBACK_DATA} characters")
        if any(c.user == user and c.phone_number_id == pnid and c.state != "ENDED" for c in self._calls.values()):
            raise error(138003, "Duplicate call", "A call is already ongoing with the receiver")
        now = self._clock()
        pair = self._pair(pnid, user)
        self._expire(pair, now)
        if pair.permission == "no_permission":
            raise error(138006, "No approved call permission found",
                        "No approved call permission from the recipient", status=401)  # fmt: skip
        _trim(pair.connected, now - _DAY)
        if len(pair.connected) >= self.daily_call_limit:
            raise error(138012, "Business Initiated Calls Limit Hit", "Limit reached for maximum business initiated "
                        f"calls allowed in 24 hours ({self.daily_call_limit}).")  # fmt: skip
        call = self._new(pnid, user, "BUSINESS_INITIATED", sdp)
        call.biz_opaque_callback_data = callback
        self.notify("calls", {"statuses": [{"id": call.id, "type": "call", "status": "RINGING"}]}, pnid)
        return json_response({"messaging_product": "whatsapp", "calls": [{"id": call.id}]})

    def _answer(self, call: Call, body: dict[str, Any], *, final: bool) -> None:
        if call.direction != "USER_INITIATED":
            raise param(f"Call {call.id} was placed by the business: only a user-initiated call is answered.")
        sdp = _session(body, "answer")
        if call.state == "ACCEPTED" or (call.state == "PRE_ACCEPTED" and not final):
            raise param(f"Call {call.id} is already {call.state.lower().replace('_', '-')}.")
        if final and call.state == "PRE_ACCEPTED" and sdp != call.answer:
            raise param("The accept SDP must be the same as the pre_accept SDP.")
        call.answer = sdp
        call.state = "ACCEPTED" if final else "PRE_ACCEPTED"
        if final:
            call.biz_opaque_callback_data = body.get("biz_opaque_callback_data")

    def _end(self, call: Call, status: str) -> None:
        call.state = "ENDED"
        ended = {"id": call.id, "event": "terminate", "status": status}
        self.notify("calls", {"calls": [ended]}, call.phone_number_id)

    def _call(self, pnid: str, body: dict[str, Any]) -> Call:
        call_id = body.get("call_id")
        if not isinstance(call_id, str) or not call_id:
            raise param("The parameter call_id is required.")
        call = self._calls.get(call_id)
        if call is None or call.phone_number_id != pnid:
            raise param(f"Invalid call_id {call_id!r}: no such call on this number.")
        if call.state == "ENDED":
            raise param(f"Call {call_id} has already ended.")
        return call

    def _new(
        self, pnid: str, user: str, direction: Literal["BUSINESS_INITIATED", "USER_INITIATED"], sdp: str,
        call_id: str | None = None,
    ) -> Call:
        call_id = call_id or "wacid." + base64.b64encode(secrets.token_bytes(30)).decode()
        call = self._calls[call_id] = Call(call_id, pnid, user, direction, offer=sdp)
        return call

    def _pair(self, pnid: str, user: str) -> _Pair:
        key = (pnid, normalize_to(user) or user)
        pair = self._pairs.get(key)
        if pair is None:
            pair = self._pairs[key] = _Pair()
        return pair

    def _expire(self, pair: _Pair, now: float) -> None:
        if pair.permission == "temporary" and pair.expires is not None and now >= pair.expires:
            pair.permission, pair.expires = "no_permission", None

    def _limit(self, period: str, maximum: int, times: deque[float], span: float, now: float) -> dict[str, Any]:
        recent = [t for t in times if t > now - span]
        limit: dict[str, Any] = {"time_period": period, "max_allowed": maximum, "current_usage": len(recent)}
        if len(recent) >= maximum:
            limit["limit_expiration_time"] = self._epoch(recent[-maximum] + span)
        return limit

    def _epoch(self, at: float) -> int:
        """An emulator clock time as Unix seconds (Meta's timestamps)."""
        return int(self.wall() + (at - self._clock()))


def _session(body: dict[str, Any], sdp_type: str) -> str:
    session = body.get("session")
    if not isinstance(session, dict):
        raise param("The parameter session is required.")
    if session.get("sdp_type") != sdp_type:
        raise param(f"Param session.sdp_type must be {sdp_type!r}, got {session.get('sdp_type')!r}")
    sdp = session.get("sdp")
    if not isinstance(sdp, str) or not sdp.startswith("v=0"):
        raise param("SDP Validation error: session.sdp must be an SDP text starting with 'v=0' (RFC 8866)")
    return sdp


def _trim(times: deque[float], cutoff: float) -> None:
    while times and times[0] <= cutoff:
        times.popleft()
