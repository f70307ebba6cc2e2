"""The hot path: ``POST /{v}/{pnid}/messages`` (and ``/marketing_messages``): validate, fault, pair-limit, accept,
answer."""

from __future__ import annotations

import asyncio
import base64
import os
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

import msgspec
from aiohttp import web

from ._faults import Fault, FaultSet
from ._graph import GraphError, json_response, param
from ._limits import PairLimit
from ._records import Accepted, Stats
from ._templates import TemplateStore
from ._validate import validate
from ._webhooks import WebhookSender
from ._windows import Windows

__all__ = ["Messages", "hang_up"]

_DECODE = msgspec.json.Decoder().decode
_READ_OK = b'{"success":true}'
_BSUID_REFUSED = "Business-scoped User ID (BSUID) recipients are not supported for this message."
_PRODUCT_POLICIES = ("CLOUD_API_FALLBACK", "STRICT")


class Messages:
    """The message endpoint and the state it writes: accepted messages, read receipts, counters."""

    __slots__ = (
        "_counter",
        "_salt",
        "accepted",
        "check_templates",
        "clock",
        "enforce_window",
        "faults",
        "pairs",
        "read_receipts",
        "stats",
        "status_delays",
        "templates",
        "webhooks",
        "windows",
    )

    def __init__(
        self,
        *,
        clock: Callable[[], float],
        stats: Stats,
        faults: FaultSet,
        pairs: PairLimit | None,
        templates: TemplateStore,
        check_templates: bool,
        status_delays: Sequence[float],
        windows: Windows | None = None,
        enforce_window: bool = False,
    ) -> None:
        self.clock = clock
        self.stats = stats
        self.faults = faults
        self.pairs = pairs
        self.templates = templates
        self.check_templates = check_templates
        self.status_delays = tuple(status_delays)
        self.windows = windows if windows is not None else Windows()
        self.enforce_window = enforce_window
        self.webhooks: WebhookSender | None = None
        self.accepted: list[Accepted] = []
        self.read_receipts: list[str] = []
        self._salt = os.urandom(6)
        self._counter = 0

    def __repr__(self) -> str:
        return f"<Messages accepted={len(self.accepted)} faults={self.faults!r}>"

    def new_wamid(self, wa_id: str) -> str:
        """A unique ``wamid.`` id, base64 like Meta's."""
        self._counter += 1
        raw = b"\x15\x02\x00\x11\x18" + wa_id.encode() + self._salt + self._counter.to_bytes(8, "big")
        return "wamid." + base64.b64encode(raw).decode()

    async def post(self, request: web.Request) -> web.StreamResponse:
        """Handle one send or read receipt."""
        return await self._send(request, marketing=False)

    async def post_marketing(self, request: web.Request) -> web.StreamResponse:
        """``POST /{v}/{pnid}/marketing_messages``: a marketing template through the Marketing Messages API
        (docs/limits.md): the template body of ``/messages``, ``product_policy`` and ``message_activity_sharing``;
        the answer carries ``message_status``."""
        return await self._send(request, marketing=True)

    async def _send(self, request: web.Request, *, marketing: bool) -> web.StreamResponse:
        try:
            body: Any = _DECODE(await request.read())
        except msgspec.DecodeError:
            raise param("Request body is not valid JSON") from None
        if marketing:
            _check_marketing(body)
        parsed = validate(body)
        fired = self.faults.before_accept(parsed.wa_id) if self.faults else ()
        self.stats.faults += len(fired)
        for fault in fired:
            if not fault.accepts:
                if fault.kind == "reset":
                    hang_up(request)
                return _fault_response(fault)
            if fault.kind == "latency":
                await asyncio.sleep(fault.delay)
        if parsed.is_read:
            self.read_receipts.append(parsed.message_id)
            self.stats.read_receipts += 1
            return web.Response(body=_READ_OK, content_type="application/json")

        category = None  # the pricing category of status webhooks; None: a service message
        pacing = None  # the message_status of a paced template (docs/limits.md)
        pnid = request.match_info["pnid"]
        if parsed.type == "template":
            category = self.templates.check_send(body["template"]) if self.check_templates else "marketing"
            pacing = self.templates.pacing(body["template"])
            if parsed.user_id and category == "authentication":  # docs/limits.md: phone numbers only
                raise GraphError(131062, _BSUID_REFUSED, message=f"(#131062) {_BSUID_REFUSED}")
            if marketing and category != "marketing":  # docs/limits.md
                raise GraphError(134100, "Only marketing template messages are supported on this endpoint",
                                 message="(#134100) Only marketing messages supported")  # fmt: skip
        elif self.enforce_window:
            self.windows.check(pnid, parsed.wa_id, self.clock())  # free-form needs an open window (docs/limits.md)
        if self.pairs is not None and not self.pairs.take((pnid, parsed.wa_id), self.clock()):
            raise GraphError(
                131056,
                "Message failed to send because there were too many messages sent from this phone number "
                "to the same phone number in a short period of time",
            )
        wamid = self.new_wamid(parsed.wa_id)
        record = Accepted(wamid, parsed.to, parsed.type, body, self.clock(), pnid, parsed.wa_id, parsed.user_id)
        self.accepted.append(record)
        self.stats.accepted += 1

        fired = self.faults.on_accept(parsed.wa_id) if self.faults else ()
        self.stats.faults += len(fired)
        failed_code = next((f.error_code for f in fired if f.kind == "undeliverable"), None)
        if self.webhooks is not None:
            self.webhooks.schedule_statuses(record, self.status_delays, failed_code=failed_code, category=category)
        for fault in fired:
            if fault.kind == "drop_after_accept":
                hang_up(request)
            if fault.kind == "bad_gateway":
                return web.Response(status=502)
        message: dict[str, str] = {"id": wamid}
        if parsed.group:
            message["group_id"] = parsed.wa_id  # docs/limits.md: group sends answer the group id
        if pacing is not None or marketing:
            message["message_status"] = pacing or "accepted"  # docs/limits.md
        return json_response({"messaging_product": "whatsapp", "contacts": [parsed.contact()], "messages": [message]})


def _check_marketing(body: Any) -> None:
    """What ``/marketing_messages`` takes beyond a ``/messages`` body (docs/limits.md)."""
    if not isinstance(body, dict):
        raise param("Request body must be a JSON object")
    if body.get("type") != "template" or "status" in body:
        raise param("Message must be a template message.")
    if body.get("recipient_type", "individual") != "individual":
        raise param('Param recipient_type must be one of {INDIVIDUAL} - got "group".')
    policy = body.get("product_policy")
    if policy is not None and policy not in _PRODUCT_POLICIES:
        raise param(f'Param product_policy must be one of {{CLOUD_API_FALLBACK, STRICT}} - got "{policy}".')
    sharing = body.get("message_activity_sharing")
    if sharing is not None and not isinstance(sharing, bool):
        raise param("Param message_activity_sharing must be a boolean.")


def hang_up(request: web.Request) -> NoReturn:
    """Close the connection without answering: the client sees a dropped connection."""
    if request.transport is not None:
        request.transport.close()
    # aiohttp cannot write to the closed transport, so this response is never seen.
    raise web.HTTPInternalServerError()


def _fault_response(fault: Fault) -> web.Response:
    if fault.kind == "unavailable":
        error = GraphError(
            fault.error_code,
            "Service temporarily unavailable; try again later",
            status=fault.status or 503,
            headers={"Retry-After": str(fault.retry_after)},
        )
    elif fault.kind == "server_error":
        error = GraphError(fault.error_code, "An unknown error occurred; try again", status=fault.status or 500)
    else:
        error = GraphError(fault.error_code, f"Injected error {fault.error_code}", status=fault.status or 400)
    return error.response()
