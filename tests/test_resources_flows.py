"""client.flows: the calls Meta's OpenAPI file documents (and its examples decode), the Flow JSON upload with its
typed validation errors, the business encryption key, and the emulator end to end."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

import wa_async as wa
from tests._account import OK, PNID, WABA, Scripted, answer, emulated
from tests._data import SPEC, payload

FLOW_JSON = {"version": "6.0", "screens": [{"id": "WELCOME", "title": "Hello", "terminal": True,
                                            "layout": {"type": "SingleColumnLayout", "children": []}}]}  # fmt: skip


@functools.cache
def spec() -> Any:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with SPEC.open(encoding="utf-8") as f:
        return yaml.load(f, Loader=loader)


def example(path: str, method: str, name: str) -> Any:
    content = spec()["paths"][path][method]["responses"]["200"]["content"]["application/json"]
    return content["examples"][name]["value"]


async def test_create_sends_the_documented_form() -> None:
    mock = Scripted([answer({"id": "flow-1"})])
    async with mock.client as client:
        created = await client.flows.create(" my first flow ", ["sign_up", "OTHER"], endpoint_uri="https://e.test/f",
                                            clone_flow_id="1234", flow_json=json.dumps(FLOW_JSON), publish=True)
    assert created == wa.FlowCreated(id="flow-1")
    assert mock.path() == f"{WABA}/flows" and mock.requests[0].method == "POST"
    form = mock.form()
    assert form == {"name": "my first flow", "categories": '["SIGN_UP", "OTHER"]', "endpoint_uri": "https://e.test/f",
                    "clone_flow_id": "1234", "flow_json": json.dumps(FLOW_JSON), "publish": "true"}  # fmt: skip


async def test_list_and_get_decode_the_openapi_examples() -> None:
    listed = example("/{Version}/{WABA-ID}/flows", "get", "List Flows")
    got = example("/{Version}/{Flow-ID}", "get", "Get Flow")
    mock = Scripted([answer(listed), answer(got), answer(example("/{Version}/{Flow-ID}", "get", "Get Preview URL"))])
    async with mock.client as client:
        flows = [f async for f in client.flows.list()]
        flow = await client.flows.get("flow-1")
        preview = await client.flows.preview_url("flow-1", invalidate=True)
    assert [f.status for f in flows] == ["DRAFT", "DRAFT", "PUBLISHED"]
    (problem,) = flows[1].validation_errors
    assert problem.error == "INVALID_PROPERTY" and problem.line_start == 46 and problem.column_end == 30
    assert flow.json_version == "2.1" and flow.data_api_version == "3.0" and flow.preview is not None
    assert flow.health_status is not None and flow.health_status["can_send_message"] == "BLOCKED"
    assert mock.requests[1].params is not None and "preview" not in mock.requests[1].params["fields"].split(",")
    assert mock.requests[2].params == {"fields": "preview.invalidate(true)"}
    assert preview.preview_url.startswith("https://business.facebook.com/wa/manage/flows/")


async def test_update_json_uploads_the_file_and_types_the_validation_errors(tmp_path: Path) -> None:
    errors = {"success": True, "validation_errors": [{"error": "INVALID_PROPERTY_VALUE_FORMAT",
              "error_type": "FLOW_JSON_ERROR", "message": "Invalid value", "line_start": 10, "line_end": 10,
              "column_start": 21, "column_end": 34, "pointers": [{"line_start": 10, "path": "screens[0].id"}]}]}
    source = tmp_path / "flow.json"
    source.write_text(json.dumps(FLOW_JSON))
    mock = Scripted([answer(errors), answer({"success": True, "validation_errors": []})])
    async with mock.client as client:
        upload = await client.flows.update_json("1234", FLOW_JSON)
        again = await client.flows.update_json("1234", source)
    assert not upload.ok and upload.validation_errors[0].pointers[0]["path"] == "screens[0].id"
    assert again.ok
    body = mock.requests[0].body
    assert isinstance(body, wa.Multipart) and dict(body.fields) == {"name": "flow.json", "asset_type": "FLOW_JSON"}
    (part,) = body.files
    assert part.name == "file" and part.content_type == "application/json" and part.source.filename == "flow.json"
    assert json.loads(part.source.read_all()) == FLOW_JSON
    sent_again = mock.requests[1].body
    assert isinstance(sent_again, wa.Multipart) and sent_again.files[0].source.read_all() == source.read_bytes()
    assert mock.path(0) == "1234/assets"


async def test_metadata_publish_deprecate_delete_and_assets() -> None:
    assets = {"data": [{"name": "flow.json", "asset_type": "FLOW_JSON", "download_url": "https://cdn.test/x"}]}
    mock = Scripted([OK, OK, OK, OK, answer(assets)])
    async with mock.client as client:
        assert await client.flows.update("1234", name="renamed", categories=["survey"], endpoint_uri="")
        assert await client.flows.publish("1234")
        assert await client.flows.deprecate("1234")
        assert await client.flows.delete("1234")
        (asset,) = await client.flows.assets("1234")
    assert mock.form(0) == {"name": "renamed", "categories": '["SURVEY"]', "endpoint_uri": ""}
    assert [(r.method, mock.path(i)) for i, r in enumerate(mock.requests)] == [
        ("POST", "1234"), ("POST", "1234/publish"), ("POST", "1234/deprecate"), ("DELETE", "1234"),
        ("GET", "1234/assets")]  # fmt: skip
    assert asset.download_url == "https://cdn.test/x"


async def test_the_business_key_is_the_documented_form_field() -> None:
    documented = payload("response-business-encryption-get.json")
    pem = documented["data"][0]["business_public_key"]
    mock = Scripted([OK, answer(documented), answer({"data": []})])
    async with mock.client as client:
        assert await client.flows.set_public_key(pem.encode())
        key = await client.flows.public_key()
        assert await client.flows.public_key() is None
    assert mock.form(0) == {"business_public_key": pem} and mock.path(0) == f"{PNID}/whatsapp_business_encryption"
    assert key is not None and key.business_public_key == pem and key.signature_status == "VALID"


async def test_against_the_emulator() -> None:
    pair = wa.flows.generate_key_pair()
    async with emulated() as (emu, client):
        flows = client.flows
        created = await flows.create("booking", ["APPOINTMENT_BOOKING"])
        bad = await flows.update_json(created.id, {"version": "6.0", "screens": [{"id": "A"}]})
        assert not bad.ok and bad.validation_errors[0].error == "MISSING_REQUIRED_PROPERTY"
        with pytest.raises(wa.ApiError) as caught:
            await flows.publish(created.id)
        assert caught.value.code == 139002
        endpoint_json = {**FLOW_JSON, "data_api_version": "3.0"}
        assert (await flows.update_json(created.id, endpoint_json)).ok
        assert await flows.update(created.id, endpoint_uri="https://flows.example.com/endpoint")
        with pytest.raises(wa.ApiError, match="Public Key"):
            await flows.publish(created.id)  # an endpoint Flow needs the business key first
        assert await flows.set_public_key(pair.public_pem)
        key = await flows.public_key()
        assert key is not None and key.business_public_key == pair.public_pem.strip()
        preview = await flows.preview_url(created.id)
        renewed = await flows.preview_url(created.id, invalidate=True)
        assert preview.preview_url != renewed.preview_url
        assert await flows.publish(created.id)
        info = await flows.get(created.id)
        assert info.status == "PUBLISHED" and info.endpoint_uri == "https://flows.example.com/endpoint"
        with pytest.raises(wa.ApiError) as caught:
            await flows.update_json(created.id, FLOW_JSON)
        assert caught.value.code == 139001
        with pytest.raises(wa.ApiError) as caught:
            await flows.delete(created.id)
        assert caught.value.code == 139004
        assert await flows.deprecate(created.id)
        draft = await flows.create("draft", ["OTHER"], flow_json=FLOW_JSON)
        assert draft.success and draft.validation_errors == []
        assert [(f.name, f.status) async for f in flows.list()] == [("booking", "DEPRECATED"), ("draft", "DRAFT")]
        (asset,) = await flows.assets(draft.id)
        assert asset.asset_type == "FLOW_JSON"
        assert await flows.delete(draft.id)
        assert emu.flows[created.id].status == "DEPRECATED" and draft.id not in emu.flows
