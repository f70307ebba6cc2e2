"""Phone number registration: ``register``, ``deregister``, ``request_code``, ``verify_code``.

Meta's registration page: ``register`` takes ``messaging_product``, a 6-digit ``pin`` (the two-step PIN, set if
none exists) and an optional ``data_localization_region`` (Local Storage), which cannot change without
deregistering first; ``register`` and ``deregister`` together are limited to 10 requests per number in a moving
72 hours (133016). ``request_code`` sends a code by ``SMS`` or ``VOICE``; ``verify_code`` checks it.
"""

from __future__ import annotations

import re
import secrets
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from aiohttp import web

from ._area import Area, Route, error, read_body, require_product, str_field
from ._graph import GraphError, json_response, param

__all__ = ["LOCAL_STORAGE_REGIONS", "Registration"]

LOCAL_STORAGE_REGIONS = frozenset({"AU", "ID", "IN", "JP", "SG", "KR", "DE", "CH", "GB", "BR", "BH", "ZA", "AE", "CA"})
_PIN = re.compile(r"^\d{6}$")
_WINDOW = 72 * 3600.0
_MAX_IN_WINDOW = 10


@dataclass(slots=True)
class _Number:
    registered: bool = True  # the emulated numbers start registered (CONNECTED), as a number in use is
    pin: str | None = None
    region: str | None = None
    requests: deque[float] = field(default_factory=deque)  # register/deregister times, for 133016
    code: str | None = None  # the last code sent by request_code, until verified


class Registration(Area):
    """Registration state per phone number id (any id; each starts registered, with no two-step PIN)."""

    __slots__ = ("_clock", "_numbers", "fixed_code")

    def __init__(self, clock: Callable[[], float]) -> None:
        super().__init__()
        self._clock = clock
        self._numbers: dict[str, _Number] = {}
        self.fixed_code: str | None = None  # when set, the code request_code "sends" (else a random one)

    def __repr__(self) -> str:
        return f"<Registration numbers={len(self._numbers)}>"

    def routes(self) -> Iterable[Route]:
        """``POST /{pnid}/register``, ``/deregister``, ``/request_code``, ``/verify_code``."""
        return (
            ("POST", "/{pnid}/register", self.register),
            ("POST", "/{pnid}/deregister", self.deregister),
            ("POST", "/{pnid}/request_code", self.request_code),
            ("POST", "/{pnid}/verify_code", self.verify_code),
        )

    def is_registered(self, phone_number_id: str) -> bool:
        """Whether the number is registered with the Cloud API."""
        return self._number(phone_number_id).registered

    def last_code(self, phone_number_id: str) -> str | None:
        """The code the last ``request_code`` "sent" (what the SMS or call would say), for tests."""
        return self._number(phone_number_id).code

    def pin(self, phone_number_id: str) -> str | None:
        """The two-step verification PIN set by ``register``."""
        return self._number(phone_number_id).pin

    async def register(self, request: web.Request) -> web.Response:
        """``POST /{pnid}/register`` ``{"messaging_product", "pin", "data_localization_region"?}``."""
        body = await read_body(request)
        require_product(body)
        pin = body.get("pin")
        if pin is None:
            raise param("The parameter pin is required.")
        if not isinstance(pin, str) or not _PIN.match(pin):
            raise param("Invalid PIN format. PIN must be exactly 6 digits")
        region = str_field(body, "data_localization_region", required=False)
        if region is not None and region not in LOCAL_STORAGE_REGIONS:
            raise param(f"Param data_localization_region must be one of {{{', '.join(sorted(LOCAL_STORAGE_REGIONS))}}}"
                        f" - got {region!r}")  # fmt: skip
        number = self._number(request.match_info["pnid"])
        self._count(number)
        if number.pin is not None and pin != number.pin:
            raise error(133005, "Two step verification PIN Mismatch", "The PIN does not match the two-step "
                        "verification PIN of this number.")  # fmt: skip
        if number.registered and number.region is not None and region != number.region:
            raise param("The data_localization_region of a registered number cannot change: deregister it first.")
        number.pin = pin
        number.region = region
        number.registered = True
        return json_response({"success": True})

    async def deregister(self, request: web.Request) -> web.Response:
        """``POST /{pnid}/deregister`` (no body)."""
        number = self._number(request.match_info["pnid"])
        if not number.registered:
            raise GraphError(100, "Phone number not registered on the WhatsApp Business Platform.", subcode=2207051,
                             message="Phone number not registered on the WhatsApp Business Platform.")  # fmt: skip
        self._count(number)
        number.registered = False
        number.region = None
        return json_response({"success": True})

    async def request_code(self, request: web.Request) -> web.Response:
        """``POST /{pnid}/request_code`` ``{"code_method": "SMS"|"VOICE", "language"}``."""
        body = await read_body(request)
        method = body.get("code_method")
        if method is None:
            raise param("The parameter code_method is required.")
        if method not in ("SMS", "VOICE"):
            raise param(f'Param code_method must be one of {{SMS, VOICE}} - got "{method}".')
        str_field(body, "language")
        number = self._number(request.match_info["pnid"])
        number.code = self.fixed_code or f"{secrets.randbelow(10**6):06d}"
        return json_response({"success": True})

    async def verify_code(self, request: web.Request) -> web.Response:
        """``POST /{pnid}/verify_code`` ``{"code"}`` -> ``{"success": true, "id"}``."""
        body = await read_body(request)
        code = str_field(body, "code")
        pnid = request.match_info["pnid"]
        number = self._number(pnid)
        if number.code is None or code != number.code:
            raise param("The verification code is invalid or has expired")
        number.code = None
        return json_response({"success": True, "id": pnid})

    def _number(self, phone_number_id: str) -> _Number:
        number = self._numbers.get(phone_number_id)
        if number is None:
            number = self._numbers[phone_number_id] = _Number()
        return number

    def _count(self, number: _Number) -> None:
        """Count one register/deregister request; 133016 past 10 in a moving 72 hours."""
        now = self._clock()
        while number.requests and number.requests[0] <= now - _WINDOW:
            number.requests.popleft()
        if len(number.requests) >= _MAX_IN_WINDOW:
            raise error(133016, "Account register deregister rate limit exceeded", "Too many register and "
                        "deregister requests for this number: at most 10 in 72 hours.")  # fmt: skip
        number.requests.append(now)
