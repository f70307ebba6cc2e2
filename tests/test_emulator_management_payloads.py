"""Every documented management request body (tests/data/cloud-api/payloads) is accepted verbatim by the emulator."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from fnmatch import fnmatch
from typing import Any

import aiohttp
import pytest

from tests._data import NOT_MESSAGE_SENDS, PAYLOADS, payload
from tests._http import call
from wa_async._options import DEFAULT_API_VERSION as V
from wa_async.emulator import Emulator

Setup = Callable[[Emulator, aiohttp.ClientSession], Awaitable[str]]  # prepares the state; returns the path


async def _calling(emu: Emulator, http: aiohttp.ClientSession) -> None:
    status, _ = await call(http, "POST", f"{emu.graph_url}/{V}/{emu.phone_number_id}/settings",
                           json=payload("request-call-settings.json"))  # fmt: skip
    assert status == 200


async def connect(emu: Emulator, http: aiohttp.ClientSession) -> str:
    await _calling(emu, http)
    emu.calls.grant_permission(emu.phone_number_id, payload("request-calls-connect.json")["to"])
    return f"{emu.phone_number_id}/calls"


async def accept(emu: Emulator, http: aiohttp.ClientSession) -> str:
    await _calling(emu, http)
    emu.calls.incoming(emu.phone_number_id, "15551234567", call_id=payload("request-calls-accept.json")["call_id"])
    return f"{emu.phone_number_id}/calls"


async def group(emu: Emulator, http: aiohttp.ClientSession) -> str:
    _, body = await call(http, "POST", f"{emu.graph_url}/{V}/{emu.phone_number_id}/groups",
                         json=payload("request-group-create.json"))  # fmt: skip
    return emu.groups.by_request(body["request_id"]).id


async def join_requests(emu: Emulator, http: aiohttp.ClientSession) -> str:
    return f"{await group(emu, http)}/join_requests"


async def participants(emu: Emulator, http: aiohttp.ClientSession) -> str:
    group_id = await group(emu, http)
    emu.groups[group_id].join_approval_mode = "auto_approve"
    for item in payload("request-group-participants-remove.json")["participants"]:
        emu.groups.join(group_id, item.get("user") or item["user_id"])
    return f"{group_id}/participants"


async def verify(emu: Emulator, http: aiohttp.ClientSession) -> str:
    emu.registration.fixed_code = payload("request-verify-code.json")["code"]
    await call(http, "POST", f"{emu.graph_url}/{V}/{emu.phone_number_id}/request_code",
               json=payload("request-request-code.json"))  # fmt: skip
    return f"{emu.phone_number_id}/verify_code"


async def template(emu: Emulator, http: aiohttp.ClientSession) -> str:
    found = emu.templates.find("order_update", "en_US")
    assert found is not None
    return str(found["id"])


async def subscribed(emu: Emulator, http: aiohttp.ClientSession) -> str:
    return emu.phone_number_id  # POST /{pnid} with webhook_configuration


def fixed(path: str) -> Setup:
    async def setup(emu: Emulator, http: aiohttp.ClientSession) -> str:
        return path.format(pnid=emu.phone_number_id, waba=emu.waba_id)

    return setup


# name -> (method, setup); the Flows endpoint bodies go to the business's endpoint, not to Graph (tested in
# tests/test_flows_endpoint.py)
ROUTES: dict[str, tuple[str, Setup] | None] = {
    "request-block-users.json": ("POST", fixed("{pnid}/block_users")),
    "request-call-settings.json": ("POST", fixed("{pnid}/settings")),
    "request-calls-accept.json": ("POST", accept),
    "request-calls-connect.json": ("POST", connect),
    "request-calls-terminate.json": ("POST", accept),
    "request-flow-endpoint-data-exchange.json": None,
    "request-flow-endpoint-encrypted.json": None,
    "request-flow-endpoint-ping.json": None,
    "request-group-create.json": ("POST", fixed("{pnid}/groups")),
    "request-group-join-requests-approve.json": ("POST", join_requests),
    "request-group-participants-remove.json": ("DELETE", participants),
    "request-phone-webhook-override.json": ("POST", subscribed),
    "request-qr-code-create.json": ("POST", fixed("{pnid}/message_qrdls")),
    "request-register-phone.json": ("POST", fixed("{pnid}/register")),
    "request-request-code.json": ("POST", fixed("{pnid}/request_code")),
    "request-subscribed-apps-override.json": ("POST", fixed("{waba}/subscribed_apps")),
    "request-template-create-marketing-ttl.json": ("POST", fixed("{waba}/message_templates")),
    "request-template-create-named-params.json": ("POST", fixed("{waba}/message_templates")),
    "request-template-create-request-contact-info.json": ("POST", fixed("{waba}/message_templates")),
    "request-template-edit-components.json": ("POST", template),
    "request-username-set.json": ("POST", fixed("{pnid}/username")),
    "request-verify-code.json": ("POST", verify),
}


def test_every_management_payload_has_a_route() -> None:
    management = {p.name for p in PAYLOADS.glob("request-*.json") if any(fnmatch(p.name, n) for n in NOT_MESSAGE_SENDS)}
    assert set(ROUTES) == management


@pytest.mark.parametrize("name", sorted(n for n, r in ROUTES.items() if r is not None))
async def test_documented_request_is_accepted(http: aiohttp.ClientSession, emu: Emulator, name: str) -> None:
    route = ROUTES[name]
    assert route is not None
    method, setup = route
    path = await setup(emu, http)
    body: Any = payload(name)
    status, answer = await call(http, method, f"{emu.graph_url}/{V}/{path}", json=body)
    assert status == 200, answer
    assert "error" not in answer
