"""The emulator's Calling API: connect, pre_accept, accept, reject, terminate, and call permissions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from tests._data import payload
from tests._http import call, code
from tests._shapes import assert_shape
from tests.conftest import FakeClock
from wa_async._options import DEFAULT_API_VERSION as V
from wa_async.emulator import Emulator

USER = "15551234567"
DAY = 24 * 3600


@pytest.fixture
async def emu(clock: FakeClock, http: aiohttp.ClientSession) -> AsyncIterator[Emulator]:
    async with Emulator(rate_limit=None, clock=clock) as e:
        status, _ = await call(
            http, "POST", f"{e.graph_url}/{V}/{e.phone_number_id}/settings", json=payload("request-call-settings.json")
        )
        assert status == 200
        yield e


def calls(emu: Emulator) -> str:
    return f"{emu.graph_url}/{V}/{emu.phone_number_id}/calls"


def action(name: str, call_id: str, **extra: Any) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "action": name, "call_id": call_id, **extra}


async def test_calling_must_be_enabled(http: aiohttp.ClientSession, clock: FakeClock) -> None:
    async with Emulator(rate_limit=None, clock=clock) as emu:
        status, body = await call(http, "POST", calls(emu), json=payload("request-calls-connect.json"))
        assert status == 401 and code(body) == 138000


async def test_business_initiated_call(http: aiohttp.ClientSession, emu: Emulator) -> None:
    events: list[tuple[str, dict[str, Any], str | None]] = []
    emu.calls.emit = lambda field, value, pnid: events.append((field, value, pnid))
    connect = payload("request-calls-connect.json")
    status, body = await call(http, "POST", calls(emu), json=connect)
    assert status == 401 and code(body) == 138006  # no call permission from the user yet
    emu.calls.grant_permission(emu.phone_number_id, USER)
    status, body = await call(http, "POST", calls(emu), json=connect)
    assert status == 200
    assert_shape(body, payload("response-calls-connect.json"))
    call_id = body["calls"][0]["id"]
    assert call_id.startswith("wacid.") and emu.calls[call_id].biz_opaque_callback_data == "crm-ticket-1234"
    status, body = await call(http, "POST", calls(emu), json=connect)
    assert status == 400 and code(body) == 138003  # one call at a time with a user

    status, body = await call(
        http, "POST", calls(emu), json=action("accept", call_id, session={"sdp_type": "answer", "sdp": "v=0\r\n"})
    )
    assert status == 400 and code(body) == 100  # the business does not answer its own call
    emu.calls.answer(call_id)
    terminate = {**payload("request-calls-terminate.json"), "call_id": call_id}
    assert await call(http, "POST", calls(emu), json=terminate) == (
        200,
        {"messaging_product": "whatsapp", "success": True},
    )
    status, body = await call(http, "POST", calls(emu), json=terminate)
    assert status == 400 and "ended" in body["error"]["error_data"]["details"]
    assert [(f, next(iter(v)), (v.get("statuses") or v.get("calls"))[0].get("status")) for f, v, _ in events] == [
        ("calls", "statuses", "RINGING"),
        ("calls", "statuses", "ACCEPTED"),
        ("calls", "calls", "COMPLETED"),
    ]


async def test_user_initiated_call_pre_accept_accept_and_reject(http: aiohttp.ClientSession, emu: Emulator) -> None:
    call_id = emu.calls.incoming(emu.phone_number_id, USER)
    accept = {**payload("request-calls-accept.json"), "call_id": call_id}
    pre_accept = {**accept, "action": "pre_accept"}
    del pre_accept["biz_opaque_callback_data"]
    ok = (200, {"messaging_product": "whatsapp", "success": True})
    assert await call(http, "POST", calls(emu), json=pre_accept) == ok
    other = {**accept, "session": {"sdp_type": "answer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}}
    status, body = await call(http, "POST", calls(emu), json=other)
    assert status == 400 and "same as the pre_accept" in body["error"]["error_data"]["details"]
    assert await call(http, "POST", calls(emu), json=accept) == ok
    assert emu.calls[call_id].state == "ACCEPTED"
    assert await call(http, "POST", calls(emu), json=action("terminate", call_id)) == ok

    second = emu.calls.incoming(emu.phone_number_id, "15559876543")
    assert await call(http, "POST", calls(emu), json=action("reject", second)) == ok
    assert emu.calls[second].state == "ENDED"
    status, body = await call(http, "POST", calls(emu), json=action("reject", second))
    assert status == 400 and code(body) == 100


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"messaging_product": "whatsapp", "action": "dial", "to": USER}, "action"),
        ({"action": "connect", "to": USER}, "messaging_product"),
        ({"messaging_product": "whatsapp", "action": "connect", "session": {"sdp_type": "offer", "sdp": "v=0"}}, "to"),
        ({"messaging_product": "whatsapp", "action": "connect", "to": USER}, "session"),
        (
            {
                "messaging_product": "whatsapp",
                "action": "connect",
                "to": USER,
                "session": {"sdp_type": "answer", "sdp": "v=0"},
            },
            "offer",
        ),
        (
            {
                "messaging_product": "whatsapp",
                "action": "connect",
                "to": USER,
                "session": {"sdp_type": "offer", "sdp": "hello"},
            },
            "SDP",
        ),
        (
            {
                "messaging_product": "whatsapp",
                "action": "connect",
                "to": USER,
                "biz_opaque_callback_data": "x" * 513,
                "session": {"sdp_type": "offer", "sdp": "v=0"},
            },
            "512",
        ),
        ({"messaging_product": "whatsapp", "action": "terminate"}, "call_id"),
        ({"messaging_product": "whatsapp", "action": "terminate", "call_id": "wacid.nope"}, "call_id"),
    ],
)
async def test_calls_reject_bad_requests(
    http: aiohttp.ClientSession, emu: Emulator, body: dict[str, Any], needle: str
) -> None:
    emu.calls.grant_permission(emu.phone_number_id, USER, permanent=True)
    status, answer = await call(http, "POST", calls(emu), json=body)
    assert status == 400 and code(answer) == 100 and needle in answer["error"]["error_data"]["details"]


async def test_daily_limit_of_connected_business_calls(
    http: aiohttp.ClientSession, emu: Emulator, clock: FakeClock
) -> None:
    emu.calls.grant_permission(emu.phone_number_id, USER, permanent=True)
    connect = payload("request-calls-connect.json")
    for _ in range(5):  # Meta's troubleshooting page: 5 connected business-initiated calls in 24 hours
        _, body = await call(http, "POST", calls(emu), json=connect)
        call_id = body["calls"][0]["id"]
        emu.calls.answer(call_id)
        await call(http, "POST", calls(emu), json=action("terminate", call_id))
        clock.now += 60
    status, body = await call(http, "POST", calls(emu), json=connect)
    assert status == 400 and code(body) == 138012
    clock.now += DAY
    assert (await call(http, "POST", calls(emu), json=connect))[0] == 200


async def test_call_permissions(http: aiohttp.ClientSession, emu: Emulator, clock: FakeClock) -> None:
    permissions = f"{emu.graph_url}/{V}/{emu.phone_number_id}/call_permissions"
    documented = payload("response-call-permissions.json")
    loose = frozenset({"expiration_time", "limit_expiration_time"})
    _, body = await call(http, "GET", permissions, params={"user_wa_id": USER})
    assert_shape(body, documented, optional=loose)
    assert body["permission"] == {"status": "no_permission"}
    assert [a["can_perform_action"] for a in body["actions"]] == [True, False]

    emu.calls.grant_permission(emu.phone_number_id, USER)
    emu.calls.record_permission_request(emu.phone_number_id, USER)
    clock.now += 1
    _, body = await call(http, "GET", permissions, params={"user_wa_id": "+1 555 123 4567"})
    assert_shape(body, documented, optional=loose)
    assert body["permission"]["status"] == "temporary" and isinstance(body["permission"]["expiration_time"], int)
    request_action, call_action = body["actions"]
    assert request_action["can_perform_action"] is False  # 1 request a day, already used
    assert request_action["limits"][0] == {
        "time_period": "PT24H",
        "max_allowed": 1,
        "current_usage": 1,
        "limit_expiration_time": request_action["limits"][0]["limit_expiration_time"],
    }
    assert (
        request_action["limits"][1]["current_usage"] == 1 and "limit_expiration_time" not in request_action["limits"][1]
    )
    assert call_action["can_perform_action"] is True and call_action["limits"][0]["max_allowed"] == 5

    clock.now += 7 * DAY  # a temporary permission lasts 7 days
    _, body = await call(http, "GET", permissions, params={"recipient": USER})
    assert body["permission"] == {"status": "no_permission"}
    status, body = await call(http, "GET", permissions)
    assert status == 400 and code(body) == 100


async def test_call_permissions_rate(http: aiohttp.ClientSession, emu: Emulator) -> None:
    permissions = f"{emu.graph_url}/{V}/{emu.phone_number_id}/call_permissions"
    statuses = [(await call(http, "GET", permissions, params={"user_wa_id": USER}))[0] for _ in range(6)]
    assert statuses == [200] * 5 + [429]  # at most 5 requests a second (error 613)
