"""The emulator's resources: media, templates, phone numbers, business profile, Maton connections."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import aiohttp
import pytest

from tests._http import AUTH, call
from tests.conftest import FakeClock
from wa_async._options import DEFAULT_API_VERSION as V
from wa_async.emulator import Emulator

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 100


def form(data: bytes, mime: str, *, part_type: str | None = None, product: str | None = "whatsapp") -> aiohttp.FormData:
    fd = aiohttp.FormData()
    if product is not None:
        fd.add_field("messaging_product", product)
    fd.add_field("type", mime)
    fd.add_field("file", io.BytesIO(data), filename="f", content_type=part_type or mime)
    return fd


# --- media -----------------------------------------------------------------------------------------------------


async def test_media_upload_get_download_delete(http: aiohttp.ClientSession, emu: Emulator) -> None:
    base = f"{emu.gateway_url}/v21.0"
    status, body = await call(http, "POST", f"{base}/{emu.phone_number_id}/media", data=form(PNG, "image/png"))
    assert status == 200 and set(body) == {"id"}
    media_id = body["id"]

    status, info = await call(http, "GET", f"{base}/{media_id}")
    assert status == 200
    assert info == {
        "messaging_product": "whatsapp", "url": info["url"], "mime_type": "image/png",
        "sha256": hashlib.sha256(PNG).hexdigest(), "file_size": str(len(PNG)), "id": media_id,
    }  # fmt: skip
    assert info["url"].startswith(emu.graph_url)

    async with http.get(info["url"], headers=AUTH) as resp:
        assert resp.status == 200 and resp.content_type == "image/png" and await resp.read() == PNG
    async with http.get(info["url"]) as resp:
        assert resp.status == 401  # "If you omit your token, the request will fail." (FACTS §6)

    assert await call(http, "DELETE", f"{base}/{media_id}") == (200, {"success": True})
    status, body = await call(http, "DELETE", f"{base}/{media_id}")
    assert status == 400 and body["error"]["code"] == 100
    async with http.get(info["url"], headers=AUTH) as resp:
        assert resp.status == 404


async def test_media_url_expires_after_ttl(http: aiohttp.ClientSession, emu: Emulator, clock: FakeClock) -> None:
    base = f"{emu.graph_url}/v21.0"
    _, body = await call(http, "POST", f"{base}/{emu.phone_number_id}/media", data=form(PNG, "image/png"))
    _, info = await call(http, "GET", f"{base}/{body['id']}")
    clock.now += 299.9
    async with http.get(info["url"], headers=AUTH) as resp:
        assert resp.status == 200
    clock.now += 0.1  # 5 minutes (FACTS §6)
    async with http.get(info["url"], headers=AUTH) as resp:
        assert resp.status == 404
    _, fresh = await call(http, "GET", f"{base}/{body['id']}")
    async with http.get(fresh["url"], headers=AUTH) as resp:
        assert resp.status == 200


@pytest.mark.parametrize(
    ("data", "mime", "part_type", "code"),
    [
        (PNG, "image/gif", None, 131053),  # not a supported type
        (b"x" * (5 * 1024 * 1024 + 1), "image/jpeg", None, 131053),  # images: 5 MB
        (b"RIFF....WEBPVP8 " + b"\0" * 100 * 1024, "image/webp", None, 131053),  # static stickers: 100 KB
        (PNG, "image/png", "application/pdf", 131053),  # the part's type contradicts `type`
        (b"", "image/png", None, 131053),
    ],
    ids=["unsupported", "too-big", "static-sticker-too-big", "mismatch", "empty"],
)
async def test_media_upload_refusals(
    http: aiohttp.ClientSession, emu: Emulator, data: bytes, mime: str, part_type: str | None, code: int
) -> None:
    url = f"{emu.graph_url}/{V}/{emu.phone_number_id}/media"
    status, body = await call(http, "POST", url, data=form(data, mime, part_type=part_type))
    assert (status, body["error"]["code"]) == (400, code)


async def test_media_upload_needs_messaging_product_and_file(http: aiohttp.ClientSession, emu: Emulator) -> None:
    url = f"{emu.graph_url}/{V}/{emu.phone_number_id}/media"
    status, body = await call(http, "POST", url, data=form(PNG, "image/png", product=None))
    assert (status, body["error"]["code"]) == (400, 100)
    fd = aiohttp.FormData({"messaging_product": "whatsapp", "type": "image/png"})
    status, body = await call(http, "POST", url, data=fd)
    assert (status, body["error"]["code"]) == (400, 100)


async def test_animated_sticker_up_to_500kb(http: aiohttp.ClientSession, emu: Emulator) -> None:
    url = f"{emu.graph_url}/{V}/{emu.phone_number_id}/media"
    animated = b"RIFF....WEBPVP8XANIM" + b"\0" * 400 * 1024
    assert (await call(http, "POST", url, data=form(animated, "image/webp")))[0] == 200


# --- templates -------------------------------------------------------------------------------------------------


async def test_template_paging_across_pages(http: aiohttp.ClientSession, emu: Emulator) -> None:
    for i in range(6):
        emu.templates.add(f"extra_{i}", "en_US")
    total = len(emu.templates)
    url: str | None = f"{emu.gateway_url}/{V}/{emu.waba_id}/message_templates?limit=3&fields=name,status"
    names: list[str] = []
    pages = 0
    while url:
        status, body = await call(http, "GET", url)
        assert status == 200
        pages += 1
        assert 1 <= len(body["data"]) <= 3 and set(body["data"][0]) == {"name", "status", "id"}
        assert set(body["paging"]["cursors"]) == {"before", "after"}
        names += [t["name"] for t in body["data"]]
        url = body["paging"].get("next")
        if url:
            assert url.startswith(emu.gateway_url)
    assert pages == -(-total // 3) >= 3
    assert len(names) == len(set(names)) == total and "hello_world" in names


async def test_template_filters_and_default_fields(http: aiohttp.ClientSession, emu: Emulator) -> None:
    emu.templates.add("draft_one", "en_US", status="REJECTED")
    base = f"{emu.graph_url}/{V}/{emu.waba_id}/message_templates"
    _, body = await call(http, "GET", f"{base}?status=REJECTED")
    assert [t["name"] for t in body["data"]] == ["draft_one"]
    _, body = await call(http, "GET", f"{base}?name=hello_world")
    [hello] = body["data"]
    assert set(hello) == {"name", "parameter_format", "components", "language", "status", "category", "id"}
    assert (hello["language"], hello["status"]) == ("en_US", "APPROVED")


async def test_template_create_duplicate_and_delete(http: aiohttp.ClientSession, emu: Emulator) -> None:
    base = f"{emu.gateway_url}/{V}/{emu.waba_id}/message_templates"
    body_component = {"type": "BODY", "text": "Order {{1}} is ready", "example": {"body_text": [["1"]]}}
    spec = {"name": "order_ready", "language": "en_US", "category": "UTILITY", "components": [body_component]}
    status, body = await call(http, "POST", base, json=spec)
    assert status == 200 and set(body) == {"id", "status", "category"} and body["category"] == "UTILITY"
    status, body = await call(http, "POST", base, json=spec)
    assert (status, body["error"]["code"], body["error"]["error_subcode"]) == (400, 100, 2388024)

    send = {"messaging_product": "whatsapp", "to": "+16505551234", "type": "template", "template": {
        "name": "order_ready", "language": {"code": "en_US"},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": "A1"}]}]}}  # fmt: skip
    assert (await call(http, "POST", f"{emu.gateway_url}/{V}/{emu.phone_number_id}/messages", json=send))[0] == 200

    assert await call(http, "DELETE", f"{base}?name=order_ready") == (200, {"success": True})
    status, body = await call(http, "DELETE", f"{base}?name=order_ready")
    assert (status, body["error"]["code"]) == (400, 100)
    status, body = await call(http, "POST", f"{emu.gateway_url}/{V}/{emu.phone_number_id}/messages", json=send)
    assert body["error"]["code"] == 132001


@pytest.mark.parametrize(
    "change",
    [{"name": "Bad-Name"}, {"name": "x" * 513}, {"category": "PROMO"}, {"components": None}, {"language": None}],
    ids=["uppercase", "too-long", "category", "no-components", "no-language"],
)
async def test_template_create_refusals(http: aiohttp.ClientSession, emu: Emulator, change: dict[str, Any]) -> None:
    spec = {"name": "ok_name", "language": "en_US", "category": "MARKETING", "components": []} | change
    status, body = await call(http, "POST", f"{emu.graph_url}/{V}/{emu.waba_id}/message_templates", json=spec)
    assert (status, body["error"]["code"]) == (400, 100)


async def test_pending_templates_without_auto_approve(http: aiohttp.ClientSession, clock: FakeClock) -> None:
    async with Emulator(auto_approve=False, clock=clock) as emu:
        spec = {"name": "later", "language": "en", "category": "MARKETING", "components": []}
        _, body = await call(http, "POST", f"{emu.graph_url}/{V}/{emu.waba_id}/message_templates", json=spec)
        assert body["status"] == "PENDING"


# --- phone numbers, profile ------------------------------------------------------------------------------------


async def test_phone_numbers(http: aiohttp.ClientSession, emu: Emulator) -> None:
    status, body = await call(http, "GET", f"{emu.gateway_url}/{V}/{emu.waba_id}/phone_numbers")
    assert status == 200 and [p["id"] for p in body["data"]] == [emu.phone_number_id]
    assert "cursors" in body["paging"]
    status, body = await call(http, "GET", f"{emu.gateway_url}/{V}/777")
    assert (status, body["error"]["code"], body["error"]["error_subcode"]) == (400, 100, 33)  # not seen yet
    # Any id is accepted in the phone-number position of a path; from then on GET /{id} knows the number.
    assert (await call(http, "GET", f"{emu.gateway_url}/{V}/777/whatsapp_business_profile"))[0] == 200
    status, body = await call(http, "GET", f"{emu.gateway_url}/{V}/777")
    assert status == 200 and body["id"] == "777" and body["throughput"] == {"level": "STANDARD"}
    fields = "whatsapp_business_manager_messaging_limit"
    status, body = await call(http, "GET", f"{emu.gateway_url}/{V}/777?fields={fields}")
    assert body == {"whatsapp_business_manager_messaging_limit": "TIER_250", "id": "777"}
    status, body = await call(http, "GET", f"{emu.gateway_url}/{V}/777?fields=nonsense")
    assert (status, body["error"]["code"]) == (400, 100)


async def test_business_profile_get_and_update(http: aiohttp.ClientSession, emu: Emulator) -> None:
    url = f"{emu.gateway_url}/{V}/{emu.phone_number_id}/whatsapp_business_profile"
    update = {"messaging_product": "whatsapp", "about": "Fresh succulents", "email": "a@b.co",
              "websites": ["https://a.example"], "vertical": "RETAIL"}  # fmt: skip
    assert await call(http, "POST", url, json=update) == (200, {"success": True})
    status, body = await call(http, "GET", f"{url}?fields=about,email,websites,vertical")
    assert status == 200
    assert body == {"data": [{"about": "Fresh succulents", "email": "a@b.co", "websites": ["https://a.example"],
                              "vertical": "RETAIL", "messaging_product": "whatsapp"}]}  # fmt: skip


@pytest.mark.parametrize(
    "change",
    [{"about": ""}, {"about": "a" * 140}, {"address": "a" * 257}, {"email": "e" * 129}, {"description": "d" * 513},
     {"websites": ["https://a", "https://b", "https://c"]}, {"websites": ["x" * 257]}, {"vertical": "SPACE"},
     {"messaging_product": None}],
    ids=["about-empty", "about-long", "address", "email", "description", "three-sites", "long-site", "vertical",
         "no-product"],
)  # fmt: skip
async def test_business_profile_limits(http: aiohttp.ClientSession, emu: Emulator, change: dict[str, Any]) -> None:
    url = f"{emu.gateway_url}/{V}/{emu.phone_number_id}/whatsapp_business_profile"
    body = {k: v for k, v in ({"messaging_product": "whatsapp"} | change).items() if v is not None}
    status, answer = await call(http, "POST", url, json=body)
    assert (status, answer["error"]["code"]) == (400, 100)


# --- Maton control plane ---------------------------------------------------------------------------------------


async def test_connections_lifecycle(http: aiohttp.ClientSession, emu: Emulator) -> None:
    ctrl = emu.ctrl_url
    status, body = await call(http, "GET", f"{ctrl}/connections?app=whatsapp-business&status=ACTIVE")
    assert status == 200
    [seeded] = body["connections"]
    assert set(seeded) == {"connection_id", "status", "creation_time", "last_updated_time", "url", "app", "metadata"}

    status, body = await call(http, "POST", f"{ctrl}/connections", json={"app": "whatsapp-business"})
    assert status == 200
    created = body["connection"]
    assert created["status"] == "PENDING" and created["url"].startswith(emu.graph_url)
    async with http.get(created["url"]) as resp:  # the user completes OAuth
        assert resp.status == 200
    status, body = await call(http, "GET", f"{ctrl}/connections/{created['connection_id']}")
    assert body["connection"]["status"] == "ACTIVE"
    _, body = await call(http, "GET", f"{ctrl}/connections?status=active")
    assert len(body["connections"]) == 2

    assert (await call(http, "DELETE", f"{ctrl}/connections/{created['connection_id']}"))[0] == 200
    assert (await call(http, "GET", f"{ctrl}/connections/{created['connection_id']}"))[0] == 404
    assert (await call(http, "GET", f"{ctrl}/connections", headers={}))[0] == 401
    assert (await call(http, "POST", f"{ctrl}/connections", json={}))[0] == 400
