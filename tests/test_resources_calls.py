"""client.calls: Meta's documented call bodies and permission answer, and the emulator end to end."""

from __future__ import annotations

import pytest

import wa_async as wa
from tests._account import PNID, Scripted, answer, emulated
from tests._data import payload

DONE = answer({"messaging_product": "whatsapp", "success": True})
OFFER = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n"
ANSWER = "v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\ns=-\r\n"


async def test_the_actions_send_the_documented_bodies() -> None:
    connect = payload("request-calls-connect.json")
    accept = payload("request-calls-accept.json")
    terminate = payload("request-calls-terminate.json")
    mock = Scripted([answer(payload("response-calls-connect.json")), DONE, DONE, DONE, DONE])
    async with mock.client as client:
        call_id = await client.calls.connect("+1 555 123 4567", connect["session"]["sdp"],
                                             biz_opaque_callback_data=connect["biz_opaque_callback_data"])
        assert call_id == "wacid.HBgLMTU1NTEyMzQ1NjcVAgASGBQxMjM0NTY3ODkwQUJDREVGMDQ1NgA="
        assert await client.calls.pre_accept(accept["call_id"], accept["session"]["sdp"])
        assert await client.calls.accept(accept["call_id"], accept["session"]["sdp"],
                                         biz_opaque_callback_data=accept["biz_opaque_callback_data"])
        assert await client.calls.reject(terminate["call_id"])
        assert await client.calls.terminate(terminate["call_id"])
    assert mock.sent(0) == connect and mock.sent(2) == accept and mock.sent(4) == terminate
    pre_accept = {k: v for k, v in accept.items() if k != "biz_opaque_callback_data"} | {"action": "pre_accept"}
    assert mock.sent(1) == pre_accept
    assert mock.sent(3) == {**terminate, "action": "reject"}
    assert {mock.path(i) for i in range(5)} == {f"{PNID}/calls"}


async def test_a_bsuid_is_called_by_recipient() -> None:
    mock = Scripted([answer(payload("response-calls-connect.json")), answer(payload("response-call-permissions.json"))])
    async with mock.client as client:
        await client.calls.connect("US.1234567890123456789", OFFER)
        await client.calls.permissions("US.1234567890123456789")
    assert mock.sent(0)["recipient"] == "US.1234567890123456789" and "to" not in mock.sent(0)
    assert mock.requests[1].params == {"recipient": "US.1234567890123456789"}


async def test_permissions_decode_the_documented_answer() -> None:
    mock = Scripted([answer(payload("response-call-permissions.json")),
                     answer({"permission": {"status": "temporary", "expiration": 1767866400}, "actions": []})])
    async with mock.client as client:
        permissions = await client.calls.permissions("+1 555 123 4567")
        older = await client.calls.permissions("15551234567")
    assert mock.requests[0].params == {"user_wa_id": "15551234567"}
    assert permissions.status == "temporary" and permissions.expiration_time == 1767866400
    assert permissions.can_request_permission and not permissions.can_call
    start = permissions.actions[1]
    assert start.action_name == "start_call" and start.limits[0].limit_expiration_time == 1767348000
    assert older.expiration_time == 1767866400  # the parameter table's name for it


async def test_against_the_emulator() -> None:
    async with emulated() as (emu, client):
        pnid, user = emu.phone_number_id, "15551234567"
        with pytest.raises(wa.ApiError) as caught:
            await client.calls.connect(user, OFFER)
        assert caught.value.code == 138000 and caught.value.http_status == 401  # calling is not enabled yet
        assert await client.calls.update_settings(status="ENABLED", callback_permission_status="ENABLED")
        assert (await client.calls.settings()).enabled
        assert (await client.calls.permissions(user)).status == "no_permission"
        with pytest.raises(wa.ApiError) as caught:
            await client.calls.connect(user, OFFER)
        assert caught.value.code == 138006
        emu.calls.grant_permission(pnid, user)
        permissions = await client.calls.permissions(user)
        assert permissions.status == "temporary" and permissions.can_call and permissions.expiration_time
        call_id = await client.calls.connect(user, OFFER, biz_opaque_callback_data="ticket-1")
        assert emu.calls[call_id].biz_opaque_callback_data == "ticket-1"
        with pytest.raises(wa.ApiError) as caught:
            await client.calls.connect(user, OFFER)
        assert caught.value.code == 138003  # one call per user at a time
        emu.calls.answer(call_id)
        assert await client.calls.terminate(call_id)
        assert emu.calls[call_id].state == "ENDED"

        incoming = emu.calls.incoming(pnid, "15557654321")
        assert await client.calls.pre_accept(incoming, ANSWER)
        with pytest.raises(wa.ApiError, match="same as the pre_accept"):
            await client.calls.accept(incoming, OFFER)
        assert await client.calls.accept(incoming, ANSWER)
        assert emu.calls[incoming].state == "ACCEPTED" and emu.calls[incoming].answer == ANSWER
        assert await client.calls.terminate(incoming)
        declined = emu.calls.incoming(pnid, "15557654322")
        assert await client.calls.reject(declined)
        assert emu.calls[declined].state == "ENDED"
