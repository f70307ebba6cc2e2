"""The emulator's ``GET``/``DELETE /{v}/{id}``: a media item, a template, a phone number it has seen, or Graph's
error 100/33 for an id it does not know."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from wa_async.emulator import Emulator

AUTH = {"Authorization": "Bearer test-key"}


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(headers=AUTH) as session:
        yield session


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator(rate_limit=None) as emulator:
        yield emulator


async def call(http: aiohttp.ClientSession, method: str, url: str, **kwargs: Any) -> tuple[int, Any]:
    async with http.request(method, url, **kwargs) as resp:
        return resp.status, await resp.json(content_type=None)


def assert_no_object(answer: tuple[int, Any], method: str, node: str) -> None:
    status, body = answer
    error = body["error"]
    assert (status, error["code"], error["error_subcode"]) == (400, 100, 33)
    assert error["message"].startswith(f"Unsupported {method} request. Object with ID '{node}' does not exist")
    assert error["type"] == "GraphMethodException" and error["fbtrace_id"]


def upload_form(data: bytes = b"hello") -> aiohttp.FormData:
    fd = aiohttp.FormData()
    fd.add_field("messaging_product", "whatsapp")
    fd.add_field("type", "text/plain")
    fd.add_field("file", io.BytesIO(data), filename="f.txt", content_type="text/plain")
    return fd


@pytest.mark.parametrize("prefix", ["graph", "gateway"])
async def test_an_unknown_id_is_graphs_100_33(http: aiohttp.ClientSession, emu: Emulator, prefix: str) -> None:
    base = f"{getattr(emu, f'{prefix}_url')}/v21.0"
    assert_no_object(await call(http, "GET", f"{base}/1234567890123456"), "get", "1234567890123456")
    assert_no_object(await call(http, "DELETE", f"{base}/42"), "delete", "42")
    assert emu.stats.invalid == 2


async def test_a_deleted_media_id_is_gone_for_get_and_delete(http: aiohttp.ClientSession, emu: Emulator) -> None:
    base = f"{emu.gateway_url}/v21.0"
    _, uploaded = await call(http, "POST", f"{base}/{emu.phone_number_id}/media", data=upload_form())
    media_id = uploaded["id"]
    status, info = await call(http, "GET", f"{base}/{media_id}")
    assert status == 200 and info["id"] == media_id and info["mime_type"] == "text/plain"
    assert await call(http, "DELETE", f"{base}/{media_id}") == (200, {"success": True})
    assert_no_object(await call(http, "GET", f"{base}/{media_id}"), "get", media_id)
    assert_no_object(await call(http, "DELETE", f"{base}/{media_id}"), "delete", media_id)


async def test_a_template_by_id(http: aiohttp.ClientSession, emu: Emulator) -> None:
    seeded = emu.templates.find("order_update", "en_US")
    assert seeded is not None
    base = f"{emu.graph_url}/v21.0"
    status, body = await call(http, "GET", f"{base}/{seeded['id']}")
    assert status == 200 and body == seeded  # every default field, as the list answers them
    status, body = await call(http, "GET", f"{base}/{seeded['id']}?fields=name,status,rejected_reason")
    assert status == 200 and body == {"name": "order_update", "status": "APPROVED", "id": seeded["id"]}
    assert await call(http, "DELETE", f"{base}/{emu.waba_id}/message_templates?name=order_update") == (
        200, {"success": True})  # fmt: skip
    assert_no_object(await call(http, "GET", f"{base}/{seeded['id']}"), "get", seeded["id"])


async def test_phone_numbers_are_known_once_used_in_a_path(http: aiohttp.ClientSession, emu: Emulator) -> None:
    base = f"{emu.gateway_url}/v21.0"
    status, body = await call(http, "GET", f"{base}/{emu.phone_number_id}")
    assert status == 200 and body["id"] == emu.phone_number_id and body["quality_rating"] == "GREEN"
    for other in ("555000111", "555000222", "555000333"):
        assert_no_object(await call(http, "GET", f"{base}/{other}"), "get", other)
    # The emulator accepts any phone number id in these paths, and from then on knows the number.
    text = {"messaging_product": "whatsapp", "to": "15551234567", "type": "text", "text": {"body": "hi"}}
    assert (await call(http, "POST", f"{base}/555000111/messages", json=text))[0] == 200
    assert (await call(http, "POST", f"{base}/555000222/media", data=upload_form()))[0] == 200
    assert (await call(http, "GET", f"{base}/555000333/whatsapp_business_profile"))[0] == 200
    for other in ("555000111", "555000222", "555000333"):
        status, body = await call(http, "GET", f"{base}/{other}?fields=display_phone_number")
        assert status == 200 and body == {"display_phone_number": emu.display_phone_number, "id": other}


async def test_an_unauthorized_request_teaches_no_number(http: aiohttp.ClientSession, emu: Emulator) -> None:
    base = f"{emu.gateway_url}/v21.0"
    status, _ = await call(http, "GET", f"{base}/777/whatsapp_business_profile", headers={"Authorization": ""})
    assert status == 401
    assert_no_object(await call(http, "GET", f"{base}/777"), "get", "777")
