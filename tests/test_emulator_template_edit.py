"""The emulator's template edit (``POST /{template_id}``), time-to-live on create and edit, bulk delete."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from tests._data import payload
from tests._http import call, code
from tests.conftest import FakeClock
from wa_async._options import DEFAULT_API_VERSION as V
from wa_async.emulator import Emulator

DAY = 24 * 3600


def url(emu: Emulator, path: str) -> str:
    return f"{emu.graph_url}/{V}/{path}"


def body_of(category: str, ttl: Any) -> dict[str, Any]:
    return {"name": f"ttl_{category.lower()}", "language": "en_US", "category": category,
            "message_send_ttl_seconds": ttl, "components": [{"type": "BODY", "text": "Code {{1}}"}]}  # fmt: skip


async def test_edit_replaces_components(http: aiohttp.ClientSession, emu: Emulator) -> None:
    events: list[tuple[str, dict[str, Any], str | None]] = []
    emu.template_edits.emit = lambda field, value, pnid: events.append((field, value, pnid))
    template = emu.templates.find("order_update", "en_US")
    assert template is not None
    edit = payload("request-template-edit-components.json")
    assert await call(http, "POST", url(emu, template["id"]), json=edit) == (200, {"success": True})
    _, body = await call(http, "GET", url(emu, template["id"]))
    assert body["components"] == edit["components"] and body["status"] == "APPROVED"
    change = {"message_template_id": int(template["id"]), "message_template_name": "order_update",
              "message_template_language": "en_US"}  # fmt: skip
    assert events == [("message_template_components_update", change, None)]


async def test_edit_limits_on_an_approved_template(
    http: aiohttp.ClientSession, emu: Emulator, clock: FakeClock
) -> None:
    template = emu.templates.find("order_update", "en_US")
    assert template is not None
    edit = url(emu, template["id"])
    components = {"components": [{"type": "BODY", "text": "Hi {{1}}, order {{2}} is on its way."}]}
    assert (await call(http, "POST", edit, json=components))[0] == 200
    status, body = await call(http, "POST", edit, json=components)
    assert status == 400 and "once in 24 hours" in body["error"]["error_data"]["details"]
    for _ in range(9):  # 10 edits in 30 days, one a day
        clock.now += DAY
        assert (await call(http, "POST", edit, json=components))[0] == 200
    clock.now += DAY
    status, body = await call(http, "POST", edit, json=components)
    assert status == 400 and "10 times in 30 days" in body["error"]["error_data"]["details"]
    clock.now += 20 * DAY  # the first edits leave the 30-day window
    assert (await call(http, "POST", edit, json=components))[0] == 200


async def test_edit_rules(http: aiohttp.ClientSession, emu: Emulator) -> None:
    approved = emu.templates.find("order_update", "en_US")
    assert approved is not None
    status, body = await call(http, "POST", url(emu, approved["id"]), json={"category": "MARKETING"})
    assert status == 400 and "category of an approved template" in body["error"]["error_data"]["details"]
    pending = emu.templates.add("pending_one", "en_US", status="PENDING")
    status, body = await call(http, "POST", url(emu, pending["id"]), json={"components": [{"type": "BODY"}]})
    assert status == 400 and "PENDING" in body["error"]["error_data"]["details"]
    rejected = emu.templates.add("rejected_one", "en_US", "UTILITY", status="REJECTED")
    for _ in range(3):  # rejected and paused templates: no edit limit, and the category may change
        assert (await call(http, "POST", url(emu, rejected["id"]), json={"components": [{"type": "BODY"}]}))[0] == 200
        rejected["status"] = "REJECTED"
    assert (await call(http, "POST", url(emu, rejected["id"]), json={"category": "MARKETING"}))[0] == 200
    assert rejected["category"] == "MARKETING"
    for bad in ({}, {"components": []}, {"name": "other_name"}, {"footer": "x"}, {"category": "PROMO"}):
        status, body = await call(http, "POST", url(emu, approved["id"]), json=bad)
        assert status == 400 and code(body) == 100, bad


@pytest.mark.parametrize(
    ("category", "ttl", "ok"),
    [
        ("AUTHENTICATION", 30, True), ("AUTHENTICATION", 900, True), ("AUTHENTICATION", 901, False),
        ("AUTHENTICATION", 29, False), ("AUTHENTICATION", "120", True), ("AUTHENTICATION", -1, True),
        ("UTILITY", 43_200, True), ("UTILITY", 43_201, False), ("UTILITY", -1, True),
        ("MARKETING", 43_199, False), ("MARKETING", 2_592_000, True), ("MARKETING", 2_592_001, False),
        ("MARKETING", -1, False), ("UTILITY", "soon", False), ("UTILITY", 1.5, False),
    ],
)  # fmt: skip
async def test_ttl_ranges_on_create(
    http: aiohttp.ClientSession, emu: Emulator, category: str, ttl: Any, ok: bool
) -> None:
    status, body = await call(http, "POST", url(emu, f"{emu.waba_id}/message_templates"), json=body_of(category, ttl))
    if ok:
        assert status == 200
        assert emu.templates.by_id(body["id"])["message_send_ttl_seconds"] == int(ttl)
    else:
        assert (
            status == 400 and code(body) == 100 and "message_send_ttl_seconds" in body["error"]["error_data"]["details"]
        )


async def test_ttl_on_edit_follows_the_category(http: aiohttp.ClientSession, emu: Emulator) -> None:
    template = emu.templates.find("coupon_expiration_reminder_number_vars", "en")
    assert template is not None
    status, body = await call(http, "POST", url(emu, template["id"]), json={"message_send_ttl_seconds": 600})
    assert status == 400 and "MARKETING" in body["error"]["error_data"]["details"]
    assert (await call(http, "POST", url(emu, template["id"]), json={"message_send_ttl_seconds": 86_400}))[0] == 200
    assert template["message_send_ttl_seconds"] == 86_400


@pytest.mark.parametrize(
    "name",
    ["request-template-create-marketing-ttl.json", "request-template-create-named-params.json",
     "request-template-create-request-contact-info.json"],
)  # fmt: skip
async def test_documented_create_payloads_are_accepted(http: aiohttp.ClientSession, emu: Emulator, name: str) -> None:
    status, body = await call(http, "POST", url(emu, f"{emu.waba_id}/message_templates"), json=payload(name))
    assert status == 200 and set(body) == {"id", "status", "category"}


async def test_bulk_delete_by_ids(http: aiohttp.ClientSession, emu: Emulator) -> None:
    ids = [emu.templates.add(f"bulk_{i}", "en_US")["id"] for i in range(3)]
    templates = url(emu, f"{emu.waba_id}/message_templates")
    status, body = await call(http, "DELETE", templates, params={"hsm_ids": json.dumps(ids[:2])})
    assert (status, body) == (200, {"success": True})
    assert ids[0] not in emu.templates and ids[1] not in emu.templates and ids[2] in emu.templates
    status, body = await call(http, "DELETE", templates, params={"hsm_ids": json.dumps([ids[2], "1"])})
    assert status == 400 and body["error"]["error_subcode"] == 2593002 and ids[2] in emu.templates
    status, body = await call(http, "DELETE", templates, params={"hsm_ids": "[]"})
    assert status == 400 and code(body) == 100
