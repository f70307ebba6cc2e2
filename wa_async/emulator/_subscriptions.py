"""Webhook subscriptions: ``/{waba}/subscribed_apps`` and the phone number's callback override.

Meta's webhooks override page: ``POST /{waba}/subscribed_apps`` subscribes the app (an empty body also clears a
WABA-level override; ``override_callback_uri`` of at most 200 characters plus ``verify_token`` sets one),
``GET`` lists the subscribed apps, ``DELETE`` unsubscribes. ``POST /{pnid}`` with ``webhook_configuration`` sets
or (with ``override_callback_uri: ""``) removes the phone number's override, read back with
``GET /{pnid}?fields=webhook_configuration``. Precedence: phone override, then WABA override, then the app's URL.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Set
from typing import Any

import aiohttp
from aiohttp import web

from ._account import Account
from ._area import Area, Handler, Route, error, https_url, read_body, str_field
from ._graph import json_response, param

__all__ = ["APP_ID", "Subscriptions"]

APP_ID = "100000000000001"  # the emulated Meta app
_APP = {
    "id": APP_ID,
    "name": "Emulated WhatsApp App",
    "link": f"https://www.facebook.com/games/?app_id={APP_ID}",
}
_MAX_URI = 200


class Subscriptions(Area):
    """Which WABAs the emulated app is subscribed to, and the callback overrides per WABA and per number.

    With ``verify_callbacks=True`` setting an override performs Meta's verification handshake first (a ``GET``
    with ``hub.mode``, ``hub.verify_token``, ``hub.challenge``; the endpoint must echo the challenge), so only
    turn it on with a local receiver: it makes a real HTTP request.
    """

    __slots__ = ("_numbers", "_phone", "_waba", "app_url", "verify_callbacks", "waba_id")

    def __init__(
        self,
        *,
        waba_id: str,
        account: Account,
        numbers: Set[str],
        app_url: str | None = None,
        verify_callbacks: bool = False,
    ) -> None:
        super().__init__()
        self.waba_id = waba_id
        self.app_url = app_url
        self.verify_callbacks = verify_callbacks
        self._numbers = numbers
        self._waba: dict[str, str | None] = {}  # subscribed WABA id -> its override URL (None: none)
        self._phone: dict[str, str] = {}  # phone number id -> override URL
        account.phone_fields.append(self.webhook_configuration)

    def __repr__(self) -> str:
        return f"<Subscriptions wabas={len(self._waba)} phone_overrides={len(self._phone)}>"

    def routes(self) -> Iterable[Route]:
        """``GET``/``POST``/``DELETE /{waba}/subscribed_apps``."""
        path = "/{waba}/subscribed_apps"
        return (("GET", path, self.list_apps), ("POST", path, self.subscribe), ("DELETE", path, self.unsubscribe))

    def node(self, method: str, node: str) -> Handler | None:
        """``POST /{pnid}``: the phone number's webhook override."""
        return self.set_phone_override if method == "POST" and node in self._numbers else None

    def is_subscribed(self, waba_id: str) -> bool:
        """Whether the app is subscribed to ``waba_id``."""
        return waba_id in self._waba

    def callback_url(self, phone_number_id: str, waba_id: str | None = None) -> str | None:
        """Where a webhook for ``phone_number_id`` goes: phone override, WABA override, then the app's URL
        (None when the app is not subscribed to the WABA: Meta then sends nothing)."""
        waba = waba_id or self.waba_id
        if waba not in self._waba:
            return None
        return self._phone.get(phone_number_id) or self._waba[waba] or self.app_url

    def webhook_configuration(self, phone_number_id: str) -> dict[str, Any]:
        """The ``webhook_configuration`` field of ``GET /{pnid}`` (only the levels that are set, plus the app's)."""
        config: dict[str, Any] = {}
        if phone_number_id in self._phone:
            config["phone_number"] = self._phone[phone_number_id]
        waba_override = self._waba.get(self.waba_id)
        if waba_override:
            config["whatsapp_business_account"] = waba_override
        config["application"] = self.app_url or ""
        return {"webhook_configuration": config}

    async def list_apps(self, request: web.Request) -> web.Response:
        """``GET /{waba}/subscribed_apps`` -> ``{"data": [{"whatsapp_business_api_data", ...}]}``."""
        waba = request.match_info["waba"]
        if waba not in self._waba:
            return json_response({"data": []})
        item: dict[str, Any] = {"whatsapp_business_api_data": dict(_APP)}
        override = self._waba[waba]
        if override:
            item["override_callback_uri"] = override
        return json_response({"data": [item]})

    async def subscribe(self, request: web.Request) -> web.Response:
        """``POST /{waba}/subscribed_apps``, with no body or with ``override_callback_uri`` + ``verify_token``."""
        body = await read_body(request)
        unknown = set(body) - {"override_callback_uri", "verify_token"}
        if unknown:
            raise param(f"Unknown parameter {sorted(unknown)[0]!r}")
        uri = str_field(body, "override_callback_uri", required=False)
        if uri is None:
            if body.get("verify_token"):
                raise param("The parameter override_callback_uri is required with verify_token.")
            self._waba[request.match_info["waba"]] = None
            return json_response({"success": True})
        await self._check_callback(uri, body)
        self._waba[request.match_info["waba"]] = uri
        return json_response({"success": True})

    async def unsubscribe(self, request: web.Request) -> web.Response:
        """``DELETE /{waba}/subscribed_apps``: no more webhooks for that WABA."""
        self._waba.pop(request.match_info["waba"], None)
        return json_response({"success": True})

    async def set_phone_override(self, request: web.Request) -> web.Response:
        """``POST /{pnid}`` with ``{"webhook_configuration": {"override_callback_uri", "verify_token"}}``."""
        body = await read_body(request)
        unknown = set(body) - {"webhook_configuration"}
        if unknown:
            raise param(f"Param {sorted(unknown)[0]} is not supported on a phone number by the emulator.")
        config = body.get("webhook_configuration")
        if not isinstance(config, dict):
            raise param("The parameter webhook_configuration is required and must be an object.")
        pnid = request.match_info["node"]
        uri = config.get("override_callback_uri")
        if uri == "":
            self._phone.pop(pnid, None)  # Meta: post an empty override_callback_uri to remove it
            return json_response({"success": True})
        uri = str_field(config, "override_callback_uri")
        assert uri is not None
        await self._check_callback(uri, config)
        self._phone[pnid] = uri
        return json_response({"success": True})

    async def _check_callback(self, uri: str, body: dict[str, Any]) -> None:
        https_url(uri, "override_callback_uri", max_len=_MAX_URI)
        token = str_field(body, "verify_token")
        assert token is not None
        if self.verify_callbacks:
            await _handshake(uri, token)


async def _handshake(uri: str, token: str) -> None:
    """Meta's verification request; the endpoint must answer 200 with the challenge as the body."""
    challenge = str(secrets.randbelow(10**9))
    query = {"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": challenge}
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session,
            session.get(uri, params=query) as resp,
        ):
            ok = resp.status == 200 and (await resp.text()).strip() == challenge
    except (TimeoutError, aiohttp.ClientError, OSError):
        ok = False
    if not ok:
        # The code of this failure is not in the pages read; 2200 is Graph's "callback verification failed".
        raise error(2200, "Callback verification failed", f"The callback URL {uri} did not answer the "
                    "verification request with the challenge.")  # fmt: skip
