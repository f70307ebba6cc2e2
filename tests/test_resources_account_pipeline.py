"""Every account-management resource goes through the one pipeline (limiter, retries, typed errors carrying the
request), and refuses bad input with a ValidationError naming the field before anything is sent."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

import wa_async as wa
from tests._account import BAD, BUSY, OK, WABA, Scripted, answer
from tests._data import payload
from wa_async.resources import _blocked, _calls, _flows, _groups, _numbers, _qr, _subscriptions, _usernames

Call = Callable[[wa.Client], Awaitable[Any]]
SDP = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"
GROUP = "Y2FwaV9ncm91cDoxNTU1MDAwMTExMToxMjM0NTY3ODkwMTIzNDU2Nzg5MAZDZD"

CASES: list[tuple[str, Call, wa.Response, type, str, str]] = [
    ("subscriptions", lambda c: c.subscriptions.subscribe(), OK, _subscriptions.SubscribeApp, "POST",
     f"{WABA}/subscribed_apps"),
    ("phone_numbers", lambda c: c.phone_numbers.register("246810"), OK, _numbers.Register, "POST",
     "106540352242922/register"),
    ("blocked", lambda c: c.blocked.block("15551234567"),
     answer({"block_users": {"added_users": [{"input": "15551234567", "wa_id": "15551234567"}]}}),
     _blocked.ChangeBlockList, "POST", "106540352242922/block_users"),
    ("qr_codes", lambda c: c.qr_codes.create("Hi"), answer(payload("response-qr-code-create.json")),
     _qr.CreateQrCode, "POST", "106540352242922/message_qrdls"),
    ("flows", lambda c: c.flows.publish("1234"), OK, _flows.PublishFlow, "POST", "1234/publish"),
    ("calls", lambda c: c.calls.connect("15551234567", SDP), answer(payload("response-calls-connect.json")),
     _calls.ConnectCall, "POST", "106540352242922/calls"),
    ("groups", lambda c: c.groups.remove_participants(GROUP, "15551234567"),
     answer({"removed_participants": [{"input": "15551234567"}]}), _groups.ChangeParticipants, "DELETE",
     f"{GROUP}/participants"),
    ("usernames", lambda c: c.usernames.set("examplecoffee"), answer(payload("response-username-set.json")),
     _usernames.SetUsername, "POST", "106540352242922/username"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "call", "ok", "kind", "method", "path"), CASES, ids=[c[0] for c in CASES])
async def test_a_transient_error_is_retried_through_the_limiter(
    name: str, call: Call, ok: wa.Response, kind: type, method: str, path: str
) -> None:
    mock = Scripted([BUSY, ok])
    async with mock.client as client:
        result = await call(client)
    assert result not in (None, False)
    assert len(mock.requests) == 2 and mock.limiter.acquired == 2
    assert {r.method for r in mock.requests} == {method} and {mock.path(0), mock.path(1)} == {path}


@pytest.mark.parametrize(("name", "call", "ok", "kind", "method", "path"), CASES, ids=[c[0] for c in CASES])
async def test_an_error_answer_is_typed_and_carries_its_request(
    name: str, call: Call, ok: wa.Response, kind: type, method: str, path: str
) -> None:
    mock = Scripted([BAD])
    async with mock.client as client:
        with pytest.raises(wa.ApiError) as caught:
            await call(client)
    assert caught.value.code == 100 and caught.value.fbtrace_id == "T"
    assert isinstance(caught.value.request, kind)
    assert len(mock.requests) == 1 and mock.limiter.acquired == 1


BAD_INPUT: list[tuple[str, Call, str]] = [
    ("node id", lambda c: c.flows.get("../me"), "flow_id"),
    ("group id", lambda c: c.groups.get("a/b"), "group_id"),
    ("qr code", lambda c: c.qr_codes.delete("x?y"), "code"),
    ("pin letters", lambda c: c.phone_numbers.register("12345a"), "pin"),
    ("pin short", lambda c: c.phone_numbers.register("12345"), "pin"),
    ("pin long", lambda c: c.phone_numbers.register("1234567"), "pin"),
    ("pin int", lambda c: c.phone_numbers.register(246810), "pin"),  # type: ignore[arg-type]
    ("region", lambda c: c.phone_numbers.register("246810", data_localization_region="US"),
     "data_localization_region"),
    ("code method", lambda c: c.phone_numbers.request_code("EMAIL"), "method"),
    ("empty code", lambda c: c.phone_numbers.verify_code(" "), "code"),
    ("settings none", lambda c: c.phone_numbers.update_settings(), "settings"),
    ("settings two", lambda c: c.phone_numbers.update_settings(calling=wa.CallingSettings(status="ENABLED"),
                                                               payload_encryption={"status": "DISABLED"}), "settings"),
    ("empty block list", lambda c: c.blocked.block([]), "users"),
    ("too many blocked", lambda c: c.blocked.block([f"1555{i:07d}" for i in range(64_001)]), "users"),
    ("block twice", lambda c: c.blocked.block(["15551234567", "+1 555 123 4567"]), "users[1]"),
    ("block not a user", lambda c: c.blocked.unblock(["hello"]), "users[0]"),
    ("block parent bsuid", lambda c: c.blocked.block("US.ENT.1234567890987654321"), "users[0]"),
    ("qr message long", lambda c: c.qr_codes.create("x" * 141), "prefilled_message"),
    ("qr message empty", lambda c: c.qr_codes.create(""), "prefilled_message"),
    ("qr format", lambda c: c.qr_codes.create("hi", "JPG"), "image_format"),  # type: ignore[arg-type]
    ("flow json not json", lambda c: c.flows.update_json("1234", "{not json"), "flow_json"),
    ("flow json not object", lambda c: c.flows.update_json("1234", "[1, 2]"), "flow_json"),
    ("flow no category", lambda c: c.flows.create("f", []), "categories"),
    ("flow bad category", lambda c: c.flows.create("f", ["sign up"]), "categories[0]"),
    ("flow endpoint http", lambda c: c.flows.create("f", ["OTHER"], endpoint_uri="http://x.test"), "endpoint_uri"),
    ("flow nothing to update", lambda c: c.flows.update("1234"), "flow"),
    ("private key", lambda c: c.flows.set_public_key("-----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----"),
     "public_key_pem"),
    ("not a key", lambda c: c.flows.set_public_key("hello"), "public_key_pem"),
    ("call to", lambda c: c.calls.connect("nobody", SDP), "to"),
    ("call sdp", lambda c: c.calls.connect("15551234567", "hello"), "sdp"),
    ("call callback data", lambda c: c.calls.connect("15551234567", SDP, biz_opaque_callback_data="x" * 513),
     "biz_opaque_callback_data"),
    ("call id", lambda c: c.calls.terminate(""), "call_id"),
    ("call settings none", lambda c: c.calls.update_settings(), "calling"),
    ("call status", lambda c: c.calls.update_settings(status="ON"), "calling.status"),
    ("call country", lambda c: c.calls.update_settings(restrict_to_user_countries=["USA"]),
     "calling.call_icons.restrict_to_user_countries[0]"),
    ("call hours time", lambda c: c.calls.update_settings(call_hours=wa.CallHours(
        weekly_operating_hours=[wa.OperatingHours("MONDAY", "9:00", "1700")])),
     "calling.call_hours.weekly_operating_hours[0].open_time"),
    ("call hours three a day", lambda c: c.calls.update_settings(call_hours=wa.CallHours(weekly_operating_hours=[
        wa.OperatingHours("MONDAY", "0800", "0900"), wa.OperatingHours("MONDAY", "1000", "1100"),
        wa.OperatingHours("MONDAY", "1200", "1300")])), "calling.call_hours.weekly_operating_hours[2]"),
    ("call hours overlap", lambda c: c.calls.update_settings(call_hours=wa.CallHours(weekly_operating_hours=[
        wa.OperatingHours("MONDAY", "0800", "1000"), wa.OperatingHours("monday", "0930", "1100")])),
     "calling.call_hours.weekly_operating_hours[1]"),
    ("call holidays", lambda c: c.calls.update_settings(call_hours=wa.CallHours(
        holiday_schedule=[wa.Holiday(f"2026-01-{d:02d}", "0000", "2359") for d in range(1, 22)])),
     "calling.call_hours.holiday_schedule"),
    ("call timezone", lambda c: c.calls.update_settings(call_hours=wa.CallHours(status="ENABLED")),
     "calling.call_hours.timezone_id"),
    ("group subject empty", lambda c: c.groups.create("   "), "subject"),
    ("group subject long", lambda c: c.groups.create("s" * 129), "subject"),
    ("group description", lambda c: c.groups.create("s", description="d" * 2049), "description"),
    ("group mode", lambda c: c.groups.create("s", join_approval_mode="open"), "join_approval_mode"),  # type: ignore[arg-type]
    ("group too many", lambda c: c.groups.remove_participants(GROUP, [f"155500000{i:02d}" for i in range(9)]),
     "users"),
    ("group no one", lambda c: c.groups.add_participants(GROUP, []), "users"),
    ("group join ids", lambda c: c.groups.approve_join_requests(GROUP, []), "join_request_ids"),
    ("group page size", lambda c: anext(c.groups.list(limit=1025)), "limit"),
    ("group picture", lambda c: c.groups.update(GROUP, picture=b"GIF89a"), "picture"),
    ("group nothing", lambda c: c.groups.update(GROUP), "group"),
    ("subscription url", lambda c: c.subscriptions.subscribe("http://hooks.example.com", "t"), "callback_url"),
    ("subscription url long", lambda c: c.subscriptions.subscribe("https://h.test/" + "x" * 190, "t"),
     "callback_url"),
    ("subscription token", lambda c: c.subscriptions.subscribe("https://h.test/x"), "verify_token"),
    ("subscription token alone", lambda c: c.subscriptions.subscribe(verify_token="t"), "verify_token"),
    ("override token", lambda c: c.subscriptions.set_number_override("https://h.test/x", ""), "verify_token"),
    ("username", lambda c: c.usernames.set(" "), "username"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "call", "field"), BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
async def test_bad_input_is_refused_before_any_request(name: str, call: Call, field: str) -> None:
    mock = Scripted([])
    async with mock.client as client:
        with pytest.raises(wa.ValidationError) as caught:
            await call(client)
    assert caught.value.field == field, caught.value
    assert mock.requests == [] and mock.limiter.acquired == 0


async def test_waba_calls_need_the_waba_id() -> None:
    mock = Scripted([], waba_id=None)
    async with mock.client as client:
        for call in (client.subscriptions.list(), client.flows.create("f", ["OTHER"])):
            with pytest.raises(wa.ValidationError, match="waba_id"):
                await call
        with pytest.raises(wa.ValidationError, match="waba_id"):
            await anext(client.flows.list())
    assert mock.requests == []
