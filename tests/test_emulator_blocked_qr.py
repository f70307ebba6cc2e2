"""The emulator's block list and QR codes, against Meta's documented payloads."""

from __future__ import annotations

import re
from typing import Any

import aiohttp
import pytest

from tests._data import payload
from tests._http import call, code
from tests._shapes import assert_shape
from tests.conftest import FakeClock
from wa_async._options import DEFAULT_API_VERSION as V
from wa_async.emulator import Emulator
from wa_async.emulator._blocked import MAX_BLOCKED
from wa_async.emulator._qr import MAX_QR_CODES


def url(emu: Emulator, path: str) -> str:
    return f"{emu.graph_url}/{V}/{emu.phone_number_id}/{path}"


def users(*items: dict[str, str]) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "block_users": list(items)}


# --- block list --------------------------------------------------------------------------------------------------


async def test_block_list_unblock(http: aiohttp.ClientSession, emu: Emulator) -> None:
    block = url(emu, "block_users")
    status, body = await call(http, "POST", block, json=payload("request-block-users.json"))
    assert status == 200
    assert body == {"messaging_product": "whatsapp", "block_users": {"added_users": [
        {"input": "+15551234567", "wa_id": "15551234567"},
        {"input": "US.1234567890123456780", "user_id": "US.1234567890123456780"},
    ]}}  # fmt: skip
    assert emu.blocked.is_blocked(emu.phone_number_id, "15551234567")

    status, body = await call(http, "GET", block)
    assert status == 200
    assert_shape(body, payload("response-block-users-list.json"))
    assert [item.get("wa_id") for item in body["data"]] == ["15551234567", None]
    assert body["data"][0]["user_id"].startswith("US.")

    status, body = await call(http, "DELETE", block, json=users({"user": "+1 555 123 4567"}))
    assert status == 200 and body["block_users"]["added_users"] == [
        {"input": "+1 555 123 4567", "wa_id": "15551234567"}
    ]
    assert not emu.blocked.is_blocked(emu.phone_number_id, "15551234567")
    _, body = await call(http, "GET", block)
    assert [item["user_id"] for item in body["data"]] == ["US.1234567890123456780"]


async def test_block_partial_failure_is_metas_400(http: aiohttp.ClientSession, clock: FakeClock) -> None:
    async with Emulator(rate_limit=None, clock=clock, enforce_window=True) as emu:
        await emu.inbound("15551234567", text="hi")  # only a user who wrote in the last 24 hours can be blocked
        body = users({"user": "+15551234567"}, {"user": "+15559876543"})
        status, answer = await call(http, "POST", url(emu, "block_users"), json=body)
        assert status == 400
        assert_shape(answer, payload("response-block-users-partial-failure.json"))
        assert answer["error"]["code"] == 139100
        assert answer["block_users"]["failed_users"][0]["errors"][0]["code"] == 131047
        assert answer["block_users"]["added_users"] == [{"input": "+15551234567", "wa_id": "15551234567"}]
        clock.now += 24 * 3600
        status, answer = await call(http, "POST", url(emu, "block_users"), json=users({"user": "15551234567"}))
        assert status == 400 and answer["block_users"]["failed_users"][0]["errors"][0]["code"] == 131047


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({"user": "+15550783881"}, 131021),  # the business's own number
        ({"user_id": "US.ENT.1234567890987654321"}, 131009),  # parent BSUIDs cannot be blocked
        ({"user": "not-a-number"}, 131009),
    ],
)
async def test_block_per_user_errors(
    http: aiohttp.ClientSession, emu: Emulator, item: dict[str, str], expected: int
) -> None:
    status, body = await call(http, "POST", url(emu, "block_users"), json=users(item))
    assert status == 400 and body["error"]["code"] == 139100
    assert body["block_users"]["added_users"] == []
    assert body["block_users"]["failed_users"][0]["errors"][0]["code"] == expected


async def test_block_list_limit(http: aiohttp.ClientSession, emu: Emulator) -> None:
    assert emu.blocked.limit == MAX_BLOCKED == 64_000
    emu.blocked.limit = 2  # the same check as at 64,000, without 64,000 requests
    body = users({"user": "15550000001"}, {"user": "15550000002"}, {"user": "15550000003"})
    status, answer = await call(http, "POST", url(emu, "block_users"), json=body)
    assert status == 400
    assert [u["wa_id"] for u in answer["block_users"]["added_users"]] == ["15550000001", "15550000002"]
    assert answer["block_users"]["failed_users"][0]["errors"][0]["code"] == 139101
    status, _ = await call(http, "POST", url(emu, "block_users"), json=users({"user": "15550000001"}))
    assert status == 200  # blocking someone already blocked needs no room


@pytest.mark.parametrize(
    "body",
    [
        {"messaging_product": "whatsapp", "block_users": []},
        {"messaging_product": "whatsapp"},
        {"block_users": [{"user": "15551234567"}]},
        {"messaging_product": "whatsapp", "block_users": [{"name": "x"}]},
    ],
)
async def test_block_rejects_bad_bodies(http: aiohttp.ClientSession, emu: Emulator, body: dict[str, Any]) -> None:
    status, answer = await call(http, "POST", url(emu, "block_users"), json=body)
    assert status == 400 and code(answer) == 100


async def test_block_list_pages_and_stale_cursor(http: aiohttp.ClientSession, emu: Emulator) -> None:
    block = url(emu, "block_users")
    await call(http, "POST", block, json=users(*({"user": f"1555000000{i}"} for i in range(5))))
    seen: list[str] = []
    status, body = await call(http, "GET", block, params={"limit": "2"})
    while True:
        assert status == 200
        seen += [item["wa_id"] for item in body["data"]]
        if "next" not in body.get("paging", {}):
            break
        status, body = await call(http, "GET", body["paging"]["next"])
    assert seen == [f"1555000000{i}" for i in range(5)]

    _, first = await call(http, "GET", block, params={"limit": "2"})
    await call(http, "DELETE", block, json=users({"user": "15550000000"}))  # the list changes while paging
    status, body = await call(http, "GET", block, params={"limit": "2", "after": first["paging"]["cursors"]["after"]})
    assert status == 400 and code(body) == 139102


# --- QR codes ----------------------------------------------------------------------------------------------------


async def test_qr_create_with_image_get_update_delete(http: aiohttp.ClientSession, emu: Emulator) -> None:
    qr = url(emu, "message_qrdls")
    request = payload("request-qr-code-create.json")
    status, body = await call(http, "POST", qr, json=request)
    assert status == 200
    assert_shape(body, payload("response-qr-code-create.json"))
    qr_code = body["code"]
    assert re.fullmatch(r"[A-Z2-7]{14}", qr_code) and body["deep_link_url"] == f"https://wa.me/message/{qr_code}"
    assert body["prefilled_message"] == request["prefilled_message"]
    async with http.get(body["qr_image_url"]) as resp:  # a public URL, as Meta's CDN one
        assert resp.status == 200 and resp.content_type == "image/svg+xml"
        assert (await resp.text()).startswith("<svg")

    status, body = await call(http, "GET", f"{qr}/{qr_code}")
    assert status == 200 and body == {"data": [{"code": qr_code, "prefilled_message": request["prefilled_message"],
                                                "deep_link_url": f"https://wa.me/message/{qr_code}"}]}  # fmt: skip
    status, body = await call(http, "GET", f"{qr}/{qr_code}", params={"fields": "code,qr_image_url.format(PNG)"})
    async with http.get(body["data"][0]["qr_image_url"]) as resp:
        assert resp.content_type == "image/png" and (await resp.read()).startswith(b"\x89PNG\r\n\x1a\n")

    status, body = await call(http, "POST", qr, json={"code": qr_code, "prefilled_message": "Changed"})
    assert status == 200 and body == {"code": qr_code, "prefilled_message": "Changed",
                                      "deep_link_url": f"https://wa.me/message/{qr_code}"}  # fmt: skip
    assert await call(http, "DELETE", f"{qr}/{qr_code}") == (200, {"success": True})
    for method in ("GET", "DELETE"):
        status, body = await call(http, method, f"{qr}/{qr_code}")
        assert status == 404 and code(body) == 803
    status, body = await call(http, "POST", qr, json={"code": qr_code, "prefilled_message": "x"})
    assert status == 404 and code(body) == 803


async def test_qr_list_newest_first_with_fields_and_paging(http: aiohttp.ClientSession, emu: Emulator) -> None:
    qr = url(emu, "message_qrdls")
    made = [(await call(http, "POST", qr, json={"prefilled_message": f"m{i}"}))[1] for i in range(3)]
    assert all("qr_image_url" not in m for m in made)  # no image unless asked for
    status, body = await call(http, "GET", qr)
    assert status == 200
    assert_shape(body, payload("response-qr-code-list.json"), optional=frozenset({"paging"}))
    assert [d["code"] for d in body["data"]] == [m["code"] for m in reversed(made)]
    _, body = await call(http, "GET", qr, params={"fields": "code,prefilled_message,qr_image_url.format(SVG)"})
    assert all(d["qr_image_url"].endswith(f"{d['code']}.svg") for d in body["data"])
    _, body = await call(http, "GET", qr, params={"code": made[1]["code"]})
    assert [d["code"] for d in body["data"]] == [made[1]["code"]]
    _, body = await call(http, "GET", qr, params={"limit": "2"})
    assert len(body["data"]) == 2
    documented = payload("response-qr-code-list.json")
    documented["paging"]["next"] = "https://graph.facebook.com/..."  # Graph paging adds `next` when a page follows
    assert_shape(body, documented)
    for params in ({"limit": "26"}, {"limit": "0"}, {"fields": "scans"}):
        status, body = await call(http, "GET", qr, params=params)
        assert status == 400 and code(body) == 100


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"prefilled_message": "x" * 141}, "140"),
        ({"prefilled_message": "hi", "generate_qr_image": "JPG"}, "generate_qr_image"),
        ({"generate_qr_image": "PNG"}, "prefilled_message"),
        ({"prefilled_message": "hi", "code": "lower-case-code"}, "14-character"),
    ],
)
async def test_qr_rejects_bad_input(
    http: aiohttp.ClientSession, emu: Emulator, body: dict[str, Any], needle: str
) -> None:
    status, answer = await call(http, "POST", url(emu, "message_qrdls"), json=body)
    assert status == 400 and code(answer) == 100 and needle in answer["error"]["error_data"]["details"]


async def test_qr_codes_per_number_limit(http: aiohttp.ClientSession, emu: Emulator) -> None:
    assert emu.qr_codes.limit == MAX_QR_CODES == 2000
    emu.qr_codes.limit = 1
    assert (await call(http, "POST", url(emu, "message_qrdls"), json={"prefilled_message": "a"}))[0] == 200
    status, body = await call(http, "POST", url(emu, "message_qrdls"), json={"prefilled_message": "b"})
    assert status == 400 and "at most 1" in body["error"]["error_data"]["details"]
    async with http.get(f"{emu.graph_url}/__emulator/qr/AAAAAAAAAAAAAA.svg") as resp:
        assert resp.status == 404
