"""The emulator's Flows management: create, list, get (preview), update, upload the Flow JSON, publish, deprecate,
delete, with the Flows error codes 139001 to 139004."""

from __future__ import annotations

import io
import json
from typing import Any

import aiohttp

from tests._data import payload
from tests._http import call, code
from wa_async._options import DEFAULT_API_VERSION as V
from wa_async.emulator import Emulator

SIMPLE = {"version": "7.0", "screens": [{"id": "WELCOME", "title": "Hi", "terminal": True,
                                         "layout": {"type": "SingleColumnLayout", "children": []}}]}  # fmt: skip
WITH_ENDPOINT = {**SIMPLE, "data_api_version": "3.0"}
# Meta's documented item of validation_errors (the OpenAPI "Upload Flow JSON Asset" example)
DOCUMENTED_PROBLEM = {"error": "INVALID_PROPERTY", "error_type": "JSON_SCHEMA_ERROR", "message": "m",
                      "line_start": 46, "line_end": 46, "column_start": 17, "column_end": 30}  # fmt: skip


def url(emu: Emulator, path: str) -> str:
    return f"{emu.graph_url}/{V}/{path}"


def asset(content: str | bytes, *, asset_type: str = "FLOW_JSON") -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("name", "flow.json")
    form.add_field("asset_type", asset_type)
    data = content.encode() if isinstance(content, str) else content
    form.add_field("file", io.BytesIO(data), filename="flow.json", content_type="application/json")
    return form


async def create(http: aiohttp.ClientSession, emu: Emulator, name: str = "booking", **extra: Any) -> str:
    status, body = await call(http, "POST", url(emu, f"{emu.waba_id}/flows"),
                              data={"name": name, "categories": '["APPOINTMENT_BOOKING"]', **extra})  # fmt: skip
    assert status == 200, body
    return str(body["id"])


async def test_flow_lifecycle(http: aiohttp.ClientSession, emu: Emulator) -> None:
    flow_id = await create(http, emu)
    status, body = await call(http, "GET", url(emu, flow_id))
    assert body == {"id": flow_id, "name": "booking", "status": "DRAFT", "categories": ["APPOINTMENT_BOOKING"],
                    "validation_errors": []}  # fmt: skip

    status, body = await call(http, "POST", url(emu, f"{flow_id}/assets"), data=asset(json.dumps(SIMPLE)))
    assert (status, body) == (200, {"success": True, "validation_errors": []})
    status, body = await call(http, "GET", url(emu, f"{flow_id}/assets"))
    assert [(a["name"], a["asset_type"]) for a in body["data"]] == [("flow.json", "FLOW_JSON")]
    async with http.get(body["data"][0]["download_url"]) as resp:
        assert json.loads(await resp.read()) == SIMPLE

    status, body = await call(http, "POST", url(emu, flow_id), data={"name": "booking v2",
                                                                    "categories": '["OTHER"]'})  # fmt: skip
    assert (status, body) == (200, {"success": True})
    assert await call(http, "POST", url(emu, f"{flow_id}/publish")) == (200, {"success": True})
    _, body = await call(http, "GET", url(emu, flow_id), params={"fields": "name,status,categories,json_version"})
    assert body == {"id": flow_id, "name": "booking v2", "status": "PUBLISHED", "categories": ["OTHER"],
                    "json_version": "7.0"}  # fmt: skip

    for method, path, form in (("POST", flow_id, {"name": "x"}), ("POST", f"{flow_id}/assets", asset("{}"))):
        status, body = await call(http, method, url(emu, path), data=form)
        assert status == 400 and code(body) == 139001  # a published Flow cannot change
    status, body = await call(http, "POST", url(emu, f"{flow_id}/publish"))
    assert status == 400 and code(body) == 139002
    status, body = await call(http, "DELETE", url(emu, flow_id))
    assert status == 400 and code(body) == 139004
    assert await call(http, "POST", url(emu, f"{flow_id}/deprecate")) == (200, {"success": True})
    status, body = await call(http, "POST", url(emu, f"{flow_id}/deprecate"))
    assert status == 400 and code(body) == 139003 and "already" in body["error"]["message"]


async def test_draft_can_be_deleted_not_deprecated(http: aiohttp.ClientSession, emu: Emulator) -> None:
    flow_id = await create(http, emu)
    status, body = await call(http, "POST", url(emu, f"{flow_id}/deprecate"))
    assert status == 400 and code(body) == 139003
    assert await call(http, "DELETE", url(emu, flow_id)) == (200, {"success": True})
    status, body = await call(http, "GET", url(emu, flow_id))
    assert status == 400 and body["error"]["error_subcode"] == 33
    status, body = await call(http, "POST", url(emu, f"{flow_id}/publish"))
    assert status == 400 and body["error"]["error_subcode"] == 33


async def test_flow_json_validation_errors_have_metas_shape(http: aiohttp.ClientSession, emu: Emulator) -> None:
    flow_id = await create(http, emu)
    status, body = await call(
        http, "POST", url(emu, f"{flow_id}/assets"), data=asset('{"version": "7.0",\n "screens": [')
    )
    assert status == 200 and body["success"] is True
    (problem,) = body["validation_errors"]
    assert set(problem) == set(DOCUMENTED_PROBLEM)
    assert all(type(problem[k]) is type(v) for k, v in DOCUMENTED_PROBLEM.items())
    assert problem["line_start"] == 2  # where the JSON breaks
    status, body = await call(http, "POST", url(emu, f"{flow_id}/publish"))
    assert status == 400 and code(body) == 139002 and "validation errors" in body["error"]["message"]

    _, body = await call(http, "POST", url(emu, f"{flow_id}/assets"), data=asset(json.dumps({"screens": [{}]})))
    messages = [p["message"] for p in body["validation_errors"]]
    assert any('"version"' in m for m in messages) and any('"layout"' in m for m in messages)
    _, listed = await call(http, "GET", url(emu, f"{emu.waba_id}/flows"))
    assert listed["data"][0]["validation_errors"] == body["validation_errors"]
    status, body = await call(http, "POST", url(emu, f"{flow_id}/assets"), data=asset("{}", asset_type="IMAGE"))
    assert status == 400 and code(body) == 100


async def test_publishing_an_endpoint_flow_needs_the_uri_and_a_key(http: aiohttp.ClientSession, emu: Emulator) -> None:
    flow_id = await create(http, emu)
    await call(http, "POST", url(emu, f"{flow_id}/assets"), data=asset(json.dumps(WITH_ENDPOINT)))
    status, body = await call(http, "POST", url(emu, f"{flow_id}/publish"))
    assert status == 400 and code(body) == 139002 and "endpoint_uri" in body["error"]["message"]
    await call(http, "POST", url(emu, flow_id), data={"endpoint_uri": "https://flows.example.com/endpoint"})
    status, body = await call(http, "POST", url(emu, f"{flow_id}/publish"))
    assert status == 400 and code(body) == 139002 and "Public Key" in body["error"]["message"]
    key = payload("response-business-encryption-get.json")["data"][0]["business_public_key"]
    await call(http, "POST", url(emu, f"{emu.phone_number_id}/whatsapp_business_encryption"),
               data={"business_public_key": key})  # fmt: skip
    assert await call(http, "POST", url(emu, f"{flow_id}/publish")) == (200, {"success": True})
    _, body = await call(http, "GET", url(emu, flow_id), params={"fields": "endpoint_uri,data_api_version"})
    assert body == {"endpoint_uri": "https://flows.example.com/endpoint", "data_api_version": "3.0", "id": flow_id}


async def test_create_checks_and_options(http: aiohttp.ClientSession, emu: Emulator) -> None:
    flows = url(emu, f"{emu.waba_id}/flows")
    first = await create(http, emu, "signup")
    for form, needle in (
        ({"name": "signup", "categories": '["SIGN_UP"]'}, "not unique"),
        ({"name": "x", "categories": '["PARTY"]'}, "categories"),
        ({"name": "x", "categories": "[]"}, "categories"),
        ({"categories": '["OTHER"]'}, "name"),
        ({"name": "x", "categories": '["OTHER"]', "clone_flow_id": "1"}, "does not exist"),
        ({"name": "x", "categories": '["OTHER"]', "endpoint_uri": "ftp://x"}, "endpoint_uri"),
    ):
        status, body = await call(http, "POST", flows, data=form)
        assert status == 400 and code(body) == 100 and needle in body["error"]["error_data"]["details"], form

    # JSON bodies work too; flow_json and publish on create (the create answer then carries the validation)
    status, body = await call(http, "POST", flows, json={"name": "instant", "categories": ["SURVEY"],
                                                        "flow_json": json.dumps(SIMPLE), "publish": True})  # fmt: skip
    assert status == 200 and body["success"] is True and body["validation_errors"] == []
    assert emu.flows[body["id"]].status == "PUBLISHED"
    await call(http, "POST", url(emu, f"{first}/assets"), data=asset(json.dumps(SIMPLE)))
    clone = await create(http, emu, "signup copy", clone_flow_id=first)
    assert emu.flows[clone].flow_json == emu.flows[first].flow_json and emu.flows[clone].status == "DRAFT"

    _, body = await call(http, "GET", flows, params={"limit": "2"})
    assert [f["name"] for f in body["data"]] == ["signup", "instant"] and "next" in body["paging"]
    assert set(body["data"][0]) == {"id", "name", "status", "categories", "validation_errors"}  # OpenAPI's items


async def test_preview_url_and_fields(http: aiohttp.ClientSession, emu: Emulator) -> None:
    flow_id = await create(http, emu)
    _, body = await call(http, "GET", url(emu, flow_id), params={"fields": "preview.invalidate(false)"})
    preview = body["preview"]
    assert preview["preview_url"].startswith(f"https://business.facebook.com/wa/manage/flows/{flow_id}/preview/")
    assert preview["expires_at"].endswith("+0000")
    _, again = await call(http, "GET", url(emu, flow_id), params={"fields": "preview"})
    assert again["preview"] == preview
    _, renewed = await call(http, "GET", url(emu, flow_id), params={"fields": "preview.invalidate(true)"})
    assert renewed["preview"]["preview_url"] != preview["preview_url"]
    _, body = await call(http, "GET", url(emu, flow_id), params={"fields": "health_status,whatsapp_business_account"})
    assert body["health_status"]["can_send_message"] == "BLOCKED" and body["whatsapp_business_account"]["id"]
    status, body = await call(http, "GET", url(emu, flow_id), params={"fields": "owner"})
    assert status == 400 and code(body) == 100
