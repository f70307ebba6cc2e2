"""The emulator's account set-up areas: webhook subscriptions, registration, settings, usernames, encryption key."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from tests._data import payload
from tests._http import call, code
from tests._shapes import assert_shape
from tests.conftest import FakeClock
from wa_async._options import DEFAULT_API_VERSION as V
from wa_async.emulator import Emulator


@pytest.fixture
async def emu(clock: FakeClock) -> AsyncIterator[Emulator]:
    async with Emulator(rate_limit=None, clock=clock, webhook_url="https://hooks.example.com/whatsapp/app") as e:
        yield e


def url(emu: Emulator, path: str) -> str:
    return f"{emu.graph_url}/{V}/{path}"


# --- webhook subscriptions ---------------------------------------------------------------------------------------


async def test_subscribe_list_override_and_unsubscribe(http: aiohttp.ClientSession, emu: Emulator) -> None:
    apps = url(emu, f"{emu.waba_id}/subscribed_apps")
    assert await call(http, "GET", apps) == (200, {"data": []})
    assert await call(http, "POST", apps) == (200, {"success": True})
    status, body = await call(http, "GET", apps)
    assert status == 200 and "override_callback_uri" not in body["data"][0]
    assert_shape(body, payload("response-subscribed-apps-get.json"), optional=frozenset({"override_callback_uri"}))
    assert emu.subscriptions.callback_url(emu.phone_number_id) == "https://hooks.example.com/whatsapp/app"

    override = payload("request-subscribed-apps-override.json")
    assert await call(http, "POST", apps, json=override) == (200, {"success": True})
    status, body = await call(http, "GET", apps)
    assert_shape(body, payload("response-subscribed-apps-get.json"))
    assert body["data"][0]["override_callback_uri"] == override["override_callback_uri"]
    assert emu.subscriptions.callback_url(emu.phone_number_id) == override["override_callback_uri"]

    assert await call(http, "POST", apps, json={}) == (200, {"success": True})  # an empty body clears the override
    status, body = await call(http, "GET", apps)
    assert "override_callback_uri" not in body["data"][0]

    assert await call(http, "DELETE", apps) == (200, {"success": True})
    assert await call(http, "GET", apps) == (200, {"data": []})
    assert emu.subscriptions.callback_url(emu.phone_number_id) is None  # unsubscribed: no webhooks at all


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"override_callback_uri": "http://hooks.example.com/x", "verify_token": "t"}, "https"),
        ({"override_callback_uri": "https://h.example.com/" + "x" * 200, "verify_token": "t"}, "200"),
        ({"override_callback_uri": "https://hooks.example.com/x"}, "verify_token"),
        ({"verify_token": "t"}, "override_callback_uri"),
        ({"callback": "https://hooks.example.com/x"}, "callback"),
    ],
)
async def test_subscription_override_is_checked(
    http: aiohttp.ClientSession, emu: Emulator, body: dict[str, Any], needle: str
) -> None:
    status, answer = await call(http, "POST", url(emu, f"{emu.waba_id}/subscribed_apps"), json=body)
    assert status == 400 and code(answer) == 100 and needle in answer["error"]["error_data"]["details"]


async def test_phone_number_override_set_read_and_removed(http: aiohttp.ClientSession, emu: Emulator) -> None:
    apps = url(emu, f"{emu.waba_id}/subscribed_apps")
    await call(http, "POST", apps, json=payload("request-subscribed-apps-override.json"))
    number = url(emu, emu.phone_number_id)
    request = payload("request-phone-webhook-override.json")
    assert await call(http, "POST", number, json=request) == (200, {"success": True})

    status, body = await call(http, "GET", number, params={"fields": "webhook_configuration"})
    assert status == 200
    assert_shape(body, payload("response-phone-webhook-configuration.json"))
    assert body["webhook_configuration"]["phone_number"] == request["webhook_configuration"]["override_callback_uri"]
    assert emu.subscriptions.callback_url(emu.phone_number_id) == body["webhook_configuration"]["phone_number"]

    remove = {"webhook_configuration": {"override_callback_uri": ""}}
    assert await call(http, "POST", number, json=remove) == (200, {"success": True})
    _, body = await call(http, "GET", number, params={"fields": "webhook_configuration"})
    assert "phone_number" not in body["webhook_configuration"]

    status, body = await call(http, "POST", number, json={"connection_status": "CONNECTED"})
    assert status == 400 and code(body) == 100
    status, body = await call(http, "POST", url(emu, "999000111"), json=request)  # an id nobody used: unknown node
    assert status == 400 and body["error"]["error_subcode"] == 33


async def test_override_handshake_when_verifying_callbacks(http: aiohttp.ClientSession, emu: Emulator) -> None:
    seen: list[dict[str, str]] = []

    async def verify(request: web.Request) -> web.Response:
        seen.append(dict(request.query))
        if request.query.get("hub.verify_token") != "right":
            return web.Response(status=403)
        return web.Response(text=request.query["hub.challenge"])

    app = web.Application()
    app.router.add_get("/hook", verify)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    hook = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    emu.subscriptions.verify_callbacks = True
    apps = url(emu, f"{emu.waba_id}/subscribed_apps")
    try:
        status, body = await call(http, "POST", apps, json={"override_callback_uri": hook, "verify_token": "wrong"})
        assert status == 400 and code(body) == 2200
        assert await call(http, "GET", apps) == (200, {"data": []})  # nothing was subscribed
        ok = await call(http, "POST", apps, json={"override_callback_uri": hook, "verify_token": "right"})
        assert ok == (200, {"success": True})
    finally:
        await runner.cleanup()
    assert [q["hub.mode"] for q in seen] == ["subscribe", "subscribe"]


async def test_management_endpoints_need_the_token_and_share_the_gateway_window(
    http: aiohttp.ClientSession, clock: FakeClock
) -> None:
    async with Emulator(rate_limit=1, clock=clock) as emu:
        apps = f"{emu.gateway_url}/{V}/{emu.waba_id}/subscribed_apps"
        status, body = await call(http, "GET", apps, headers={})
        assert status == 401 and code(body) == 190
        assert (await call(http, "GET", apps))[0] == 200
        status, body = await call(http, "GET", f"{emu.gateway_url}/{V}/{emu.phone_number_id}/settings")
        assert status == 429 and code(body) == 130429  # the same per-account window as every gateway request


# --- registration ------------------------------------------------------------------------------------------------


async def test_register_deregister_and_pin(http: aiohttp.ClientSession, emu: Emulator) -> None:
    register = url(emu, f"{emu.phone_number_id}/register")
    request = payload("request-register-phone.json")
    assert await call(http, "POST", register, json=request) == (200, {"success": True})
    assert emu.registration.pin(emu.phone_number_id) == request["pin"]
    assert await call(http, "POST", register, json=request) == (200, {"success": True})  # again: same PIN is fine

    status, body = await call(http, "POST", register, json={**request, "pin": "135790"})
    assert status == 400 and code(body) == 133005  # not the two-step PIN
    status, body = await call(http, "POST", register, json={**request, "data_localization_region": "AU"})
    assert status == 400 and "deregister" in body["error"]["error_data"]["details"]

    deregister = url(emu, f"{emu.phone_number_id}/deregister")
    assert await call(http, "POST", deregister) == (200, {"success": True})
    assert not emu.registration.is_registered(emu.phone_number_id)
    status, body = await call(http, "POST", deregister)
    assert status == 400 and code(body) == 100 and body["error"]["error_subcode"] == 2207051
    request["data_localization_region"] = "AU"
    assert await call(http, "POST", register, json=request) == (200, {"success": True})


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"messaging_product": "whatsapp", "pin": "12345"}, "6 digits"),
        ({"messaging_product": "whatsapp", "pin": "12345a"}, "6 digits"),
        ({"messaging_product": "whatsapp", "pin": 123456}, "6 digits"),
        ({"messaging_product": "whatsapp"}, "pin"),
        ({"pin": "123456"}, "messaging_product"),
        ({"messaging_product": "whatsapp", "pin": "123456", "data_localization_region": "US"}, "data_localization"),
    ],
)
async def test_register_rejects_bad_input(
    http: aiohttp.ClientSession, emu: Emulator, body: dict[str, Any], needle: str
) -> None:
    status, answer = await call(http, "POST", url(emu, f"{emu.phone_number_id}/register"), json=body)
    assert status == 400 and code(answer) == 100 and needle in answer["error"]["error_data"]["details"]


async def test_register_and_deregister_share_ten_requests_per_72_hours(
    http: aiohttp.ClientSession, emu: Emulator, clock: FakeClock
) -> None:
    register = url(emu, f"{emu.phone_number_id}/register")
    deregister = url(emu, f"{emu.phone_number_id}/deregister")
    body = {"messaging_product": "whatsapp", "pin": "123456"}
    for i in range(10):
        status, _ = await call(http, "POST", deregister if i % 2 else register, json=body)
        assert status == 200
        clock.now += 3600
    status, answer = await call(http, "POST", register, json=body)
    assert status == 400 and code(answer) == 133016
    clock.now += 62 * 3600 + 1  # the first request leaves the moving 72-hour window
    assert (await call(http, "POST", register, json=body))[0] == 200


async def test_request_and_verify_code(http: aiohttp.ClientSession, emu: Emulator) -> None:
    pnid = emu.phone_number_id
    verify = url(emu, f"{pnid}/verify_code")
    status, body = await call(http, "POST", verify, json=payload("request-verify-code.json"))
    assert status == 400 and code(body) == 100  # no code was requested
    assert await call(http, "POST", url(emu, f"{pnid}/request_code"), json=payload("request-request-code.json")) == (
        200, {"success": True})  # fmt: skip
    sent = emu.registration.last_code(pnid)
    assert sent is not None and len(sent) == 6 and sent.isdigit()
    wrong = "000000" if sent != "000000" else "111111"
    status, body = await call(http, "POST", verify, json={"code": wrong})
    assert status == 400 and code(body) == 100
    assert await call(http, "POST", verify, json={"code": sent}) == (200, {"success": True, "id": pnid})
    status, _ = await call(http, "POST", verify, json={"code": sent})
    assert status == 400  # a code works once
    for bad in ({"code_method": "EMAIL", "language": "en_US"}, {"code_method": "SMS"}, {"language": "en_US"}):
        status, body = await call(http, "POST", url(emu, f"{pnid}/request_code"), json=bad)
        assert status == 400 and code(body) == 100


# --- settings ----------------------------------------------------------------------------------------------------


async def test_calling_settings_round_trip(http: aiohttp.ClientSession, emu: Emulator) -> None:
    settings = url(emu, f"{emu.phone_number_id}/settings")
    status, body = await call(http, "GET", settings)
    assert status == 200 and body["calling"]["status"] == "DISABLED"
    assert not emu.settings.calling_enabled(emu.phone_number_id)
    request = payload("request-call-settings.json")
    assert await call(http, "POST", settings, json=request) == (200, {"success": True})
    status, body = await call(http, "GET", settings)
    assert body["calling"] == request["calling"]
    assert emu.settings.calling_enabled(emu.phone_number_id) and emu.settings.callback_permission(emu.phone_number_id)

    # call_hours is replaced whole: posting it without holiday_schedule clears the holidays (Meta)
    hours = {**request["calling"]["call_hours"]}
    del hours["holiday_schedule"]
    assert (await call(http, "POST", settings, json={"calling": {"call_hours": hours}}))[0] == 200
    _, body = await call(http, "GET", settings)
    assert "holiday_schedule" not in body["calling"]["call_hours"]
    # Meta's page writes ENABLED, the OpenAPI examples enabled: both are accepted
    assert (await call(http, "POST", settings, json={"calling": {"status": "disabled"}}))[0] == 200
    assert not emu.settings.calling_enabled(emu.phone_number_id)

    sip = {"calling": {"sip": {"status": "ENABLED", "servers": [{"hostname": "sip.example.com", "port": 5061}]}}}
    assert (await call(http, "POST", settings, json=sip))[0] == 200
    _, body = await call(http, "GET", settings, params={"include_sip_credentials": "true"})
    assert body["calling"]["sip"]["servers"][0]["sip_user_password"]
    _, body = await call(http, "GET", settings)
    assert "sip_user_password" not in body["calling"]["sip"]["servers"][0]


def _hours(*ranges: tuple[str, str, str]) -> dict[str, Any]:
    items = [{"day_of_week": d, "open_time": o, "close_time": c} for d, o, c in ranges]
    return {"calling": {"call_hours": {"status": "ENABLED", "timezone_id": "UTC", "weekly_operating_hours": items}}}


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"calling": {"status": "ON"}}, "calling.status"),
        ({"calling": {"call_icon_visibility": "HIDDEN"}}, "call_icon_visibility"),
        ({"calling": {"call_icons": {"restrict_to_user_countries": ["USA"]}}}, "restrict_to_user_countries"),
        (_hours(("MONDAY", "0900", "0800")), "before close_time"),
        (_hours(("MONDAY", "0900", "1200"), ("MONDAY", "1100", "1300")), "overlaps"),
        (_hours(("MONDAY", "0100", "0200"), ("MONDAY", "0300", "0400"), ("MONDAY", "0500", "0600")), "At most 2"),
        (_hours(("FUNDAY", "0900", "1000")), "day_of_week"),
        (_hours(("MONDAY", "9:00", "1000")), "HHMM"),
        ({"calling": {"call_hours": {"status": "ENABLED", "weekly_operating_hours": []}}}, "timezone_id"),
        ({"calling": {"call_hours": {"holiday_schedule": [{"date": "2026-01-01", "start_time": "0000",
                                                           "end_time": "2359"}] * 21}}}, "at most 20"),
        ({"calling": {"call_hours": {"holiday_schedule": [{"date": "01/01/2026", "start_time": "0000",
                                                           "end_time": "2359"}]}}}, "YYYY-MM-DD"),
        ({"calling": {"status": "ENABLED"}, "payload_encryption": {"status": "ENABLED"}}, "exactly one"),
        ({"calling": {"loudness": 11}}, "calling.loudness"),
        ({}, "exactly one"),
    ],
)  # fmt: skip
async def test_calling_settings_are_checked(
    http: aiohttp.ClientSession, emu: Emulator, body: dict[str, Any], needle: str
) -> None:
    status, answer = await call(http, "POST", url(emu, f"{emu.phone_number_id}/settings"), json=body)
    assert status == 400 and code(answer) == 100 and needle in answer["error"]["error_data"]["details"]


# --- business usernames ------------------------------------------------------------------------------------------


async def test_username_set_get_suggest_delete(http: aiohttp.ClientSession, emu: Emulator) -> None:
    events: list[tuple[str, dict[str, Any], str | None]] = []
    emu.usernames.emit = lambda field, value, pnid: events.append((field, value, pnid))
    username = url(emu, f"{emu.phone_number_id}/username")
    assert await call(http, "GET", username) == (200, {})
    status, body = await call(http, "POST", username, json=payload("request-username-set.json"))
    assert status == 200
    assert_shape(body, payload("response-username-set.json"))
    status, body = await call(http, "GET", username)
    assert_shape(body, payload("response-username-get.json"))
    assert body == {"username": "examplecoffee", "status": "approved"}
    status, body = await call(http, "GET", url(emu, f"{emu.phone_number_id}/username_suggestions"))
    assert_shape(body, payload("response-username-suggestions.json"))
    assert body["data"][0]["username_suggestions"] == ["emulatedshop", "emulated.shop", "emulated_shop"]

    other = url(emu, "106540352242923/username")
    status, body = await call(http, "POST", other, json={"username": "ExampleCoffee"})  # case-insensitive clash
    assert status == 400 and code(body) == 147005
    assert (await call(http, "POST", other, json={"username": "examplecoffee", "transfer_action": "force_transfer"}))[
        0] == 200  # fmt: skip
    assert await call(http, "GET", username) == (200, {})
    assert await call(http, "DELETE", other) == (200, {"success": True})
    assert await call(http, "DELETE", other) == (200, {"success": False})
    assert [(f, v.get("status"), p) for f, v, p in events] == [
        ("business_username_updates", "approved", emu.phone_number_id),
        ("business_username_updates", "deleted", emu.phone_number_id),
        ("business_username_updates", "approved", "106540352242923"),
        ("business_username_updates", "deleted", "106540352242923"),
    ]


@pytest.mark.parametrize(
    "name", ["ab", "a" * 36, "www.shop", "shop.com", ".shop", "shop.", "sh..op", "12345", "shop!", "café", "my shop"]
)
async def test_username_format(http: aiohttp.ClientSession, emu: Emulator, name: str) -> None:
    status, body = await call(http, "POST", url(emu, f"{emu.phone_number_id}/username"), json={"username": name})
    assert status == 400 and code(body) == 100


async def test_username_needs_a_registered_number(http: aiohttp.ClientSession, emu: Emulator) -> None:
    await call(http, "POST", url(emu, f"{emu.phone_number_id}/deregister"))
    status, body = await call(http, "POST", url(emu, f"{emu.phone_number_id}/username"), json={"username": "my_id"})
    assert status == 400 and code(body) == 133010
    status, body = await call(http, "POST", url(emu, f"{emu.phone_number_id}/username"),
                              json={"username": "my_id", "transfer_action": "steal"})  # fmt: skip
    assert status == 400 and code(body) == 100


# --- business encryption key -------------------------------------------------------------------------------------


async def test_business_encryption_key(http: aiohttp.ClientSession, emu: Emulator) -> None:
    endpoint = url(emu, f"{emu.phone_number_id}/whatsapp_business_encryption")
    assert await call(http, "GET", endpoint) == (200, {"data": []})
    documented = payload("response-business-encryption-get.json")
    key = documented["data"][0]["business_public_key"]
    assert await call(http, "POST", endpoint, data={"business_public_key": key}) == (200, {"success": True})
    status, body = await call(http, "GET", endpoint)
    assert body == documented and emu.encryption.key(emu.phone_number_id) == key
    for bad in ({}, {"business_public_key": "not a key"},
                {"business_public_key": "-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----"}):  # fmt: skip
        status, body = await call(http, "POST", endpoint, data=bad)
        assert status == 400 and code(body) == 100
    async with http.get(endpoint) as resp:  # the bearer is still required
        assert resp.status == 401
