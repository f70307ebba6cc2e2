"""The emulator's message endpoint: auth, validation codes, success shapes, limits, faults, introspection."""

from __future__ import annotations

import asyncio
import copy
import json
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests._data import PAYLOADS, message_send_payloads
from tests.conftest import FakeClock
from wa_async._options import DEFAULT_API_VERSION as V
from wa_async.emulator import Emulator, Fault, serve

TO = "+16505551234"
AUTH = {"Authorization": "Bearer test-key"}




@pytest.fixture
async def emu(clock: FakeClock) -> AsyncIterator[Emulator]:
    async with Emulator(rate_limit=None, graph_rate_limit=None, clock=clock) as emulator:
        yield emulator


async def send(
    http: aiohttp.ClientSession, emu: Emulator, body: Any, *, headers: dict[str, str] | None = None,
    base: str | None = None, pnid: str | None = None, endpoint: str = "messages",
) -> tuple[int, dict[str, Any]]:  # fmt: skip
    url = f"{base or emu.gateway_url}/{V}/{pnid or emu.phone_number_id}/{endpoint}"
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    async with http.post(url, data=data, headers=headers or AUTH) as resp:
        return resp.status, await resp.json()


def text(to: str = TO, body: str = "hi", **extra: Any) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "to": to, "type": "text", "text": {"body": body}, **extra}


def buttons(*pairs: tuple[str, str]) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp", "to": TO, "type": "interactive",
        "interactive": {"type": "button", "body": {"text": "Pick"}, "action": {"buttons": [
            {"type": "reply", "reply": {"id": i, "title": t}} for i, t in pairs]}},
    }  # fmt: skip


def request_payloads() -> list[Path]:
    return message_send_payloads()  # the management payloads are tested with their endpoints


# --- auth ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer "}, {"Authorization": "Basic abc"}])
async def test_missing_bearer_is_401_code_190(
    http: aiohttp.ClientSession, emu: Emulator, headers: dict[str, str]
) -> None:
    status, body = await send(http, emu, text(), headers=headers or {"X": "y"})
    assert status == 401
    assert body["error"]["code"] == 190 and body["error"]["type"] == "OAuthException"
    assert emu.accepted == [] and emu.stats.unauthorized == 1


async def test_api_keys_restricts_tokens(http: aiohttp.ClientSession, clock: FakeClock) -> None:
    async with Emulator(api_keys={"good"}, clock=clock) as emu:
        assert (await send(http, emu, text(), headers={"Authorization": "Bearer bad"}))[0] == 401
        assert (await send(http, emu, text(), headers={"Authorization": "Bearer good"}))[0] == 200


# --- success shapes --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [json.loads(p.read_text()) for p in request_payloads()],
                         ids=[p.name for p in request_payloads()])  # fmt: skip
async def test_every_documented_request_payload_is_accepted(
    http: aiohttp.ClientSession, emu: Emulator, body: dict[str, Any]
) -> None:
    if "to" in body:
        body["to"] = TO  # the Postman placeholder {{Recipient-Phone-Number}}
    marketing = "product_policy" in body  # the one example of the Marketing Messages API
    if body.get("type") == "template":
        t = body["template"]
        emu.templates.add(t["name"], t["language"]["code"], "MARKETING" if marketing else "UTILITY", components=[
            {"type": "BODY", "text": " ".join(f"{{{{{i + 1}}}}}" for i in range(_body_params(t)))}])  # fmt: skip
    status, answer = await send(http, emu, body, endpoint="marketing_messages" if marketing else "messages")
    assert status == 200, answer
    if body.get("status") == "read":
        assert answer == {"success": True}
        assert emu.read_receipts == [body["message_id"]] and emu.accepted == []
        return
    assert answer["messaging_product"] == "whatsapp"
    [message] = answer["messages"]
    assert message["id"].startswith("wamid.")
    if "to" in body:  # with a recipient too, `to` wins: a phone send
        assert answer["contacts"] == [{"input": TO, "wa_id": "16505551234"}]
        expected = (TO, "16505551234", "")
    else:  # sent to a BSUID alone: answered as response-send-message-bsuid.json shows
        shape = json.loads((PAYLOADS / "response-send-message-bsuid.json").read_text())
        assert answer["contacts"] == shape["contacts"]
        expected = (body["recipient"], body["recipient"], body["recipient"])
    assert message.get("message_status") == ("accepted" if marketing else None)
    [record] = emu.accepted
    assert (record.wamid, record.type, record.payload) == (message["id"], body["type"], body)
    assert (record.to, record.wa_id, record.user_id) == expected


def _body_params(template: dict[str, Any]) -> int:
    for c in template.get("components", []):
        if c["type"] == "body":
            return len(c["parameters"])
    return 0


async def test_wamids_are_unique_and_graph_paths_work_without_prefix(
    http: aiohttp.ClientSession, emu: Emulator
) -> None:
    ids = set()
    for i in range(20):
        status, answer = await send(http, emu, text(to=f"+1650555{i:04d}"), base=emu.graph_url, pnid="999")
        assert status == 200
        ids.add(answer["messages"][0]["id"])
    assert len(ids) == 20
    assert {a.phone_number_id for a in emu.accepted} == {"999"}


async def test_type_defaults_to_text_and_formatting_in_to_is_stripped(
    http: aiohttp.ClientSession, emu: Emulator
) -> None:
    body = text(to="+1 (650) 555-1234")
    del body["type"]
    status, answer = await send(http, emu, body)
    assert status == 200 and answer["contacts"][0]["wa_id"] == "16505551234"


# --- validation codes ------------------------------------------------------------------------------------------


def _mutate(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    body = copy.deepcopy(body)
    *parents, last = path.split(".")
    node: Any = body
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if value is _DELETE:
        del node[int(last) if isinstance(node, list) else last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return body


_DELETE = object()
_LIST = json.loads((PAYLOADS / "request-interactive-list.json").read_text())
_CTA = json.loads((PAYLOADS / "request-interactive-cta-url.json").read_text())
_TEMPLATE = json.loads((PAYLOADS / "request-template-text-currency-datetime.json").read_text()) | {"to": TO}
_IMAGE = {"messaging_product": "whatsapp", "to": TO, "type": "image", "image": {"id": "123"}}


def _load(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((PAYLOADS / name).read_text())
    return body


_BSUID_TEXT = _load("request-text-to-bsuid.json")
_PRODUCT = _load("request-interactive-product.json")
_PRODUCT_LIST = _load("request-interactive-product-list.json")
_CATALOG = _load("request-interactive-catalog-message.json")
_MEDIA_CAROUSEL = _load("request-interactive-media-carousel.json")
_PRODUCT_CAROUSEL = _load("request-interactive-product-carousel.json")
_CALL_PERMISSION = _load("request-interactive-call-permission-request.json")
_VOICE_CALL = _load("request-interactive-voice-call.json")
_CONTACT_INFO = _load("request-interactive-request-contact-info.json")
_ADDRESS = _load("request-interactive-address-message.json")
_ORDER = _load("request-interactive-order-details-br.json")
_ORDER_STATUS = _load("request-interactive-order-status.json")
_COPY_CODE = _load("request-template-copy-code.json")
_T_CAROUSEL = _load("request-template-media-carousel.json")
_MPM = _load("request-template-mpm.json")
_NAMED = _load("request-template-named-params.json")
_T_VOICE = _load("request-template-voice-call.json")
_T_PRODUCT_CAROUSEL = _load("request-template-product-carousel.json")
_GROUP = "Y2FwaV9ncm91cDoxNTU1MDAwMTExMToxMjM0NTY3ODkwMTIzNDU2Nzg5MAZDZD"
_SECTION = {"title": "S", "product_items": [{"product_retailer_id": "p"}]}
_ORDER_PARAMS = "interactive.action.parameters"

INVALID: list[tuple[str, Any, int]] = [
    ("not json", b"{nope", 100),
    ("no messaging_product", _mutate(text(), "messaging_product", _DELETE), 100),
    ("wrong messaging_product", text(messaging_product="sms"), 100),
    ("no to", _mutate(text(), "to", _DELETE), 100),
    ("to not digits", text(to="hello"), 131009),
    ("to too short", text(to="+12345"), 131009),
    ("unknown type", text(type="fax"), 100),
    ("bad recipient_type", text(recipient_type="crowd"), 100),
    ("callback data too long", text(biz_opaque_callback_data="x" * 513), 100),
    ("type object missing", _mutate(text(), "text", _DELETE), 131008),
    ("text body missing", _mutate(text(), "text.body", _DELETE), 131008),
    ("text body too long", text(body="x" * 4097), 100),
    ("preview_url not bool", _mutate(text(), "text.preview_url", "yes"), 131009),
    ("context without id", text(context={}), 131008),
    ("image neither id nor link", _mutate(_IMAGE, "image", {}), 131008),
    ("image both id and link", _mutate(_IMAGE, "image", {"id": "1", "link": "https://x"}), 131009),
    ("caption too long", _mutate(_IMAGE, "image.caption", "c" * 1025), 131009),
    ("audio caption", {**_IMAGE, "type": "audio", "audio": {"id": "1", "caption": "no"}}, 131009),
    ("location latitude missing",
     {"messaging_product": "whatsapp", "to": TO, "type": "location", "location": {"longitude": 1}}, 131008),
    ("location latitude out of range",
     {"messaging_product": "whatsapp", "to": TO, "type": "location", "location": {"latitude": 91, "longitude": 1}},
     131009),
    ("contacts without formatted_name",
     {"messaging_product": "whatsapp", "to": TO, "type": "contacts", "contacts": [{"name": {"first_name": "A"}}]},
     131008),
    ("reaction without emoji",
     {"messaging_product": "whatsapp", "to": TO, "type": "reaction", "reaction": {"message_id": "wamid.x"}}, 131008),
    ("four buttons", buttons(("a", "A"), ("b", "B"), ("c", "C"), ("d", "D")), 131009),
    ("duplicate button id", buttons(("a", "A"), ("a", "B")), 131009),
    ("duplicate button title", buttons(("a", "A"), ("b", "A")), 131009),
    ("button title > 20", buttons(("a", "x" * 21)), 131009),
    ("button id > 256", buttons(("i" * 257, "A")), 131009),
    ("no buttons", buttons(), 131008),
    ("buttons body > 1024", _mutate(buttons(("a", "A")), "interactive.body.text", "x" * 1025), 131009),
    ("footer > 60", _mutate(buttons(("a", "A")), "interactive.footer", {"text": "f" * 61}), 131009),
    ("unknown interactive type", _mutate(buttons(("a", "A")), "interactive.type", "hologram"), 131009),
    ("list header not text", _mutate(_LIST, "interactive.header", {"type": "image", "image": {"id": "1"}}), 131009),
    ("list button label > 20", _mutate(_LIST, "interactive.action.button", "b" * 21), 131009),
    ("list row title > 24", _mutate(_LIST, "interactive.action.sections.0.rows.0.title", "t" * 25), 131009),
    ("list row description > 72",
     _mutate(_LIST, "interactive.action.sections.0.rows.0.description", "d" * 73), 131009),
    ("list eleven rows", _mutate(_LIST, "interactive.action.sections.0.rows",
                                 [{"id": f"r{i}", "title": "t"} for i in range(9)]), 131009),
    ("list section title missing", _mutate(_LIST, "interactive.action.sections.1.title", _DELETE), 131008),
    ("list body > 4096", _mutate(_LIST, "interactive.body.text", "x" * 4097), 131009),
    ("cta display_text > 20", _mutate(_CTA, "interactive.action.parameters.display_text", "d" * 21), 131009),
    ("cta url missing", _mutate(_CTA, "interactive.action.parameters.url", _DELETE), 131008),
    ("cta header text > 60", _mutate(_CTA, "interactive.header", {"type": "text", "text": "h" * 61}), 131009),
    ("template name missing", _mutate(_TEMPLATE, "template.name", _DELETE), 131008),
    ("template language missing", _mutate(_TEMPLATE, "template.language", _DELETE), 131008),
    ("currency without amount",
     _mutate(_TEMPLATE, "template.components.0.parameters.1.currency.amount_1000", _DELETE), 131008),
    ("currency code not ISO", _mutate(_TEMPLATE, "template.components.0.parameters.1.currency.code", "DOLLAR"),
     131009),
    ("date_time without fallback",
     _mutate(_TEMPLATE, "template.components.0.parameters.2.date_time.fallback_value", _DELETE), 131008),
    ("unknown parameter type", _mutate(_TEMPLATE, "template.components.0.parameters.0.type", "emoji"), 131009),
    ("read receipt without message_id", {"messaging_product": "whatsapp", "status": "read"}, 131008),
    ("read receipt bad typing indicator",
     {"messaging_product": "whatsapp", "status": "read", "message_id": "m", "typing_indicator": {"type": "x"}},
     131009),
    ("status other than read", {"messaging_product": "whatsapp", "status": "delivered", "message_id": "m"}, 100),
    # recipients (FACTS-2026 §12.4, groups)
    ("recipient not a BSUID", _mutate(_BSUID_TEXT, "recipient", "13491208655302741918"), 131009),
    ("recipient lower-case country", _mutate(_BSUID_TEXT, "recipient", "us.1349"), 131009),
    ("neither to nor recipient", _mutate(_BSUID_TEXT, "recipient", _DELETE), 100),
    ("group with a recipient", _mutate(_BSUID_TEXT, "recipient_type", "group"), 131009),
    ("group with a phone number", text(recipient_type="group"), 131009),
    ("group with an interactive message", _mutate(buttons(("a", "A")), "to", _GROUP) | {"recipient_type": "group"},
     131009),
    # commerce (FACTS-2026 §15.1)
    ("product without catalog", _mutate(_PRODUCT, "interactive.action.catalog_id", _DELETE), 131008),
    ("product with a header", _mutate(_PRODUCT, "interactive.header", {"type": "text", "text": "h"}), 131009),
    ("product list without header", _mutate(_PRODUCT_LIST, "interactive.header", _DELETE), 131008),
    ("product list image header",
     _mutate(_PRODUCT_LIST, "interactive.header", {"type": "image", "image": {"id": "1"}}), 131009),
    ("product list eleven sections", _mutate(_PRODUCT_LIST, "interactive.action.sections", [_SECTION] * 11), 131009),
    ("product list 31 products", _mutate(_PRODUCT_LIST, "interactive.action.sections.0.product_items",
                                         [{"product_retailer_id": f"p{i}"} for i in range(30)]), 131009),
    ("product list section title missing",
     _mutate(_PRODUCT_LIST, "interactive.action.sections.1.title", _DELETE), 131008),
    ("catalog wrong action", _mutate(_CATALOG, "interactive.action.name", "catalog"), 131009),
    ("catalog body > 1024", _mutate(_CATALOG, "interactive.body.text", "x" * 1025), 131009),
    # carousels (FACTS-2026 §15.6)
    ("carousel one card", _mutate(_MEDIA_CAROUSEL, "interactive.action.cards.1", _DELETE), 131009),
    ("carousel eleven cards", _mutate(_PRODUCT_CAROUSEL, "interactive.action.cards",
                                      [{"card_index": i, "type": "product", "action": {
                                          "product_retailer_id": "p", "catalog_id": "c"}} for i in range(11)]), 131009),
    ("carousel duplicate card_index", _mutate(_MEDIA_CAROUSEL, "interactive.action.cards.1.card_index", 0), 131009),
    ("carousel card body > 160", _mutate(_MEDIA_CAROUSEL, "interactive.action.cards.0.body.text", "x" * 161), 131009),
    ("carousel mixed headers", _mutate(_MEDIA_CAROUSEL, "interactive.action.cards.1.header",
                                       {"type": "video", "video": {"link": "https://x.example/v.mp4"}}), 131009),
    ("carousel two catalogs", _mutate(_PRODUCT_CAROUSEL, "interactive.action.cards.1.action.catalog_id", "9"), 131009),
    ("carousel with a footer", _mutate(_MEDIA_CAROUSEL, "interactive.footer", {"text": "f"}), 131009),
    # calls and contact info (FACTS-2026 §12.9, §15.4, §15.5)
    ("call permission wrong action", _mutate(_CALL_PERMISSION, "interactive.action.name", "call"), 131009),
    ("voice call ttl 0", _mutate(_VOICE_CALL, "interactive.action.parameters.ttl_minutes", 0), 131009),
    ("voice call display_text > 20",
     _mutate(_VOICE_CALL, "interactive.action.parameters.display_text", "d" * 21), 131009),
    ("voice call payload > 512", _mutate(_VOICE_CALL, "interactive.action.parameters.payload", "p" * 513), 131009),
    ("contact info without body", _mutate(_CONTACT_INFO, "interactive.body", _DELETE), 131008),
    # address and orders (FACTS-2026 §15.3, §15.8)
    ("address without country", _mutate(_ADDRESS, "interactive.action.parameters.country", _DELETE), 131008),
    ("address outside India", _mutate(_ADDRESS, "interactive.action.parameters.country", "SG"), 131009),
    ("address unknown field", _mutate(_ADDRESS, "interactive.action.parameters.values.zip", "1"), 131009),
    ("address pin code > 6",
     _mutate(_ADDRESS, "interactive.action.parameters.saved_addresses.0.value.in_pin_code", "1234567"), 131009),
    ("order total wrong", _mutate(_ORDER, f"{_ORDER_PARAMS}.total_amount.value", 4999), 131009),
    ("order subtotal wrong", _mutate(_ORDER, f"{_ORDER_PARAMS}.order.subtotal.value", 1), 131009),
    ("order offset 1000", _mutate(_ORDER, f"{_ORDER_PARAMS}.order.tax.offset", 1000), 131009),
    ("order BRL without payment_type", _mutate(_ORDER, f"{_ORDER_PARAMS}.payment_type", _DELETE), 131009),
    ("order currency USD", _mutate(_ORDER, f"{_ORDER_PARAMS}.currency", "USD"), 131009),
    ("order without items", _mutate(_ORDER, f"{_ORDER_PARAMS}.order.items", []), 131008),
    ("order status unknown", _mutate(_ORDER_STATUS, f"{_ORDER_PARAMS}.order.status", "lost"), 131009),
    ("order status wrong action", _mutate(_ORDER_STATUS, "interactive.action.name", "review_and_pay"), 131009),
    # templates (FACTS-2026 §15.7, §15.9)
    ("language policy", _mutate(_COPY_CODE, "template.language.policy", "fallback"), 131009),
    ("coupon code > 20",
     _mutate(_COPY_CODE, "template.components.1.parameters.0.coupon_code", "C" * 21), 131009),
    ("copy_code with a text parameter",
     _mutate(_COPY_CODE, "template.components.1.parameters.0", {"type": "text", "text": "x"}), 131009),
    ("parameter name upper case",
     _mutate(_NAMED, "template.components.0.parameters.0.parameter_name", "Order"), 131009),
    ("parameter name twice",
     _mutate(_NAMED, "template.components.0.parameters.1.parameter_name", "order_number"), 131009),
    ("voice_call ttl too long", _mutate(_T_VOICE, "template.components.0.parameters.0.ttl_minutes", 43201), 131009),
    ("url button without index", _mutate(_T_CAROUSEL, "template.components.1.cards.0.components.3.index", _DELETE),
     131008),
    ("template carousel one card", _mutate(_T_CAROUSEL, "template.components.1.cards.1", _DELETE), 131009),
    ("template carousel card copy_code button",
     _mutate(_T_CAROUSEL, "template.components.1.cards.0.components.2.sub_type", "copy_code"), 131009),
    ("template carousel duplicate card_index",
     _mutate(_T_CAROUSEL, "template.components.1.cards.1.card_index", 0), 131009),
    ("product header without catalog",
     _mutate(_T_PRODUCT_CAROUSEL, "template.components.1.cards.0.components.0.parameters.0.product.catalog_id",
             _DELETE), 131008),
    ("mpm 31 products", _mutate(_MPM, "template.components.2.parameters.0.action.sections.0.product_items",
                                [{"product_retailer_id": f"p{i}"} for i in range(30)]), 131009),
]  # fmt: skip


@pytest.mark.parametrize(("case", "body", "code"), INVALID, ids=[c[0] for c in INVALID])
async def test_invalid_bodies_get_metas_codes(
    http: aiohttp.ClientSession, emu: Emulator, case: str, body: Any, code: int
) -> None:
    emu.templates.add("template-name", "language-and-locale-code")
    if isinstance(body, dict) and body.get("type") == "template" and "name" in body["template"]:
        body = _mutate(body, "to", TO)
        t = body["template"]
        emu.templates.add(t["name"], t.get("language", {}).get("code", "en_US"), components=[
            {"type": "BODY", "text": " ".join(f"{{{{{i + 1}}}}}" for i in range(_body_params(t)))}])  # fmt: skip
    status, answer = await send(http, emu, body)
    assert status == 400, answer
    error = answer["error"]
    assert error["code"] == code
    assert error["message"].startswith(f"(#{code}) ")
    assert error["type"] == "OAuthException"
    assert error["error_data"]["messaging_product"] == "whatsapp" and error["error_data"]["details"]
    assert isinstance(error["fbtrace_id"], str) and error["fbtrace_id"]
    assert emu.accepted == [] and emu.stats.invalid == 1


async def test_a_bsuid_send_is_answered_with_the_user_id(http: aiohttp.ClientSession, emu: Emulator) -> None:
    for bsuid in ("US.13491208655302741918", "US.ENT.11815799212886844830"):
        status, answer = await send(http, emu, _mutate(_BSUID_TEXT, "recipient", bsuid))
        assert status == 200
        assert answer["contacts"] == [{"input": bsuid, "user_id": bsuid}]  # no wa_id: the phone is not shared
    assert [(a.to, a.wa_id, a.user_id) for a in emu.accepted] == [
        ("US.13491208655302741918", "US.13491208655302741918", "US.13491208655302741918"),
        ("US.ENT.11815799212886844830", "US.ENT.11815799212886844830", "US.ENT.11815799212886844830"),
    ]


async def test_authentication_templates_to_a_bsuid_get_131062(http: aiohttp.ClientSession, emu: Emulator) -> None:
    emu.templates.add("verification_code", "en_US", "AUTHENTICATION", [{"type": "BODY", "text": "{{1}} is your code"}])
    otp = _load("request-template-otp-url-button.json")
    to_bsuid = _mutate(otp, "to", _DELETE) | {"recipient": "US.1234567890123456789"}
    status, answer = await send(http, emu, to_bsuid)
    expected = _load("response-error-131062.json")["error"]
    assert status == 400
    error = answer["error"]
    assert (error["code"], error["message"], error["type"]) == (expected["code"], expected["message"], expected["type"])
    assert error["error_data"] == expected["error_data"]
    assert emu.accepted == []
    # To a phone number (`to` wins over `recipient` when both are given), the same template is accepted.
    assert (await send(http, emu, otp | {"to": TO, "recipient": "US.1234567890123456789"}))[0] == 200


async def test_group_sends(http: aiohttp.ClientSession, emu: Emulator) -> None:
    body = text(to=_GROUP, recipient_type="group")
    status, answer = await send(http, emu, body)
    assert status == 200
    assert answer["contacts"] == [{"input": _GROUP, "wa_id": _GROUP}]
    assert answer["messages"][0]["group_id"] == _GROUP
    assert emu.accepted[0].wa_id == _GROUP


async def test_marketing_messages_endpoint(http: aiohttp.ClientSession, emu: Emulator) -> None:
    body = _load("request-marketing-message.json") | {"to": TO}
    t = body["template"]
    emu.templates.add(t["name"], "en_US", "MARKETING", [{"type": "BODY", "text": "Hi {{1}}, use {{2}}"}])
    status, answer = await send(http, emu, body, endpoint="marketing_messages")
    shape = _load("response-marketing-message.json")
    assert status == 200
    assert answer["messages"][0]["message_status"] == shape["messages"][0]["message_status"] == "accepted"
    assert set(answer) == set(shape) and answer["contacts"] == [{"input": TO, "wa_id": "16505551234"}]

    async def code(body: Any) -> tuple[int, str]:
        _, answer = await send(http, emu, body, endpoint="marketing_messages")
        return answer["error"]["code"], answer["error"]["error_data"]["details"]

    not_template = _load("error-100-mm-api-not-template.json")["error"]
    assert await code(text()) == (100, not_template["error_data"]["details"])
    assert (await code(body | {"product_policy": "LOOSE"}))[0] == 100
    assert (await code(body | {"message_activity_sharing": "yes"}))[0] == 100
    utility = _mutate(body, "template.name", "order_update")
    assert (await code(utility))[0] == 134100  # a utility template is not a marketing message
    assert len(emu.accepted) == 1


async def test_template_must_exist_approved_and_match_body_params(http: aiohttp.ClientSession, emu: Emulator) -> None:
    def template(name: str, language: str, *params: str) -> dict[str, Any]:
        components = [{"type": "body", "parameters": [{"type": "text", "text": p} for p in params]}]
        return {"messaging_product": "whatsapp", "to": TO, "type": "template",
                "template": {"name": name, "language": {"code": language}, "components": components}}  # fmt: skip

    assert (await send(http, emu, template("hello_world", "en_US")))[0] == 200
    for body in (template("hello_world", "de"), template("no_such_template", "en_US")):
        status, answer = await send(http, emu, body)
        assert (status, answer["error"]["code"]) == (400, 132001)
    emu.templates.add("pending_one", "en_US", status="PENDING")
    assert (await send(http, emu, template("pending_one", "en_US")))[1]["error"]["code"] == 132001
    assert (await send(http, emu, template("order_update", "en_US", "Pablo")))[1]["error"]["code"] == 132000
    assert (await send(http, emu, template("order_update", "en_US", "Pablo", "#1")))[0] == 200
    assert [a.payload["template"]["name"] for a in emu.accepted] == ["hello_world", "order_update"]


async def test_check_templates_off_accepts_unknown_names(http: aiohttp.ClientSession, clock: FakeClock) -> None:
    async with Emulator(check_templates=False, clock=clock) as emu:
        body = _TEMPLATE | {"template": {"name": "anything", "language": {"code": "xx"}}}
        assert (await send(http, emu, body))[0] == 200


# --- limits ----------------------------------------------------------------------------------------------------


async def test_gateway_window_is_strict_per_token(http: aiohttp.ClientSession, clock: FakeClock) -> None:
    async with Emulator(rate_limit=10, clock=clock, pair_limit=False) as emu:
        for _ in range(10):
            assert (await send(http, emu, text()))[0] == 200
        status, answer = await send(http, emu, text())
        assert status == 429
        assert answer["error"]["code"] == 130429 and answer["error"]["message"] == "(#130429) Rate limit hit"
        other = {"Authorization": "Bearer other-account"}
        assert (await send(http, emu, text(), headers=other))[0] == 200  # a separate account
        clock.now += 0.999
        assert (await send(http, emu, text()))[0] == 429  # still within the second of the first ten
        clock.now += 0.002
        assert (await send(http, emu, text()))[0] == 200
        assert emu.stats.rate_limited == 2 and emu.stats.accepted == 12
        assert emu.max_window == 12  # refused arrivals count as arrivals


async def test_gateway_window_counts_every_gateway_request(http: aiohttp.ClientSession, clock: FakeClock) -> None:
    async with Emulator(rate_limit=2, clock=clock) as emu:
        url = f"{emu.gateway_url}/{V}/{emu.waba_id}/phone_numbers"
        statuses = []
        for _ in range(3):
            async with http.get(url, headers=AUTH) as resp:
                statuses.append(resp.status)
        assert statuses == [200, 200, 429]


async def test_graph_window_keyed_by_phone_number_id(http: aiohttp.ClientSession, clock: FakeClock) -> None:
    async with Emulator(graph_rate_limit=3, clock=clock, pair_limit=False) as emu:
        results = [(await send(http, emu, text(), base=emu.graph_url, pnid="111"))[0] for _ in range(4)]
        assert results == [200, 200, 200, 429]
        assert (await send(http, emu, text(), base=emu.graph_url, pnid="222"))[0] == 200
        assert emu.max_window == 4


async def test_no_limit_still_measures_max_window(http: aiohttp.ClientSession, emu: Emulator, clock: FakeClock) -> None:
    for i in range(5):
        assert (await send(http, emu, text(to=f"+1555000{i:04d}")))[0] == 200
    clock.now += 5
    await send(http, emu, text())
    assert emu.max_window == 5 and emu.stats.max_window == 5


async def test_pair_limit_is_a_token_bucket_per_recipient(http: aiohttp.ClientSession, clock: FakeClock) -> None:
    async with Emulator(rate_limit=None, pair_burst=3, clock=clock) as emu:
        assert [(await send(http, emu, text()))[0] for _ in range(3)] == [200, 200, 200]
        status, answer = await send(http, emu, text())
        assert (status, answer["error"]["code"]) == (400, 131056)
        assert (await send(http, emu, text(to="+16505550000")))[0] == 200  # other recipients flow
        clock.now += 5.9
        assert (await send(http, emu, text()))[0] == 400  # 1 message per 6 s (FACTS §1.2)
        clock.now += 0.2
        assert (await send(http, emu, text()))[0] == 200
        assert emu.stats.pair_limited == 2 and len(emu.accepted) == 5


async def test_pair_limit_can_be_switched_off(http: aiohttp.ClientSession, clock: FakeClock) -> None:
    async with Emulator(rate_limit=None, pair_limit=False, clock=clock) as emu:
        assert all([(await send(http, emu, text()))[0] == 200 for _ in range(50)])


async def test_default_pair_burst_is_45(http: aiohttp.ClientSession, emu: Emulator) -> None:
    results = [(await send(http, emu, text()))[0] for _ in range(46)]
    assert results.count(200) == 45 and results[-1] == 400


# --- faults ----------------------------------------------------------------------------------------------------


async def test_server_error_once_then_success(http: aiohttp.ClientSession, emu: Emulator) -> None:
    emu.add_fault(Fault("server_error", times=1))
    status, answer = await send(http, emu, text())
    assert (status, answer["error"]["code"]) == (500, 131000)
    assert emu.accepted == []
    assert (await send(http, emu, text()))[0] == 200
    assert len(emu.accepted) == 1 and emu.stats.faults == 1


async def test_unavailable_has_retry_after_and_is_not_accepted(http: aiohttp.ClientSession, emu: Emulator) -> None:
    emu.add_fault(Fault("unavailable", retry_after=7, times=1))
    url = f"{emu.gateway_url}/{V}/{emu.phone_number_id}/messages"
    async with http.post(url, json=text(), headers=AUTH) as resp:
        assert resp.status == 503 and resp.headers["Retry-After"] == "7"
        assert (await resp.json())["error"]["code"] == 2
    assert emu.accepted == []


async def test_error_fault_for_one_recipient_only(http: aiohttp.ClientSession, emu: Emulator) -> None:
    emu.add_fault(Fault("error", to="+1 650 555 0001", code=131047, status=400))
    status, answer = await send(http, emu, text(to="+16505550001"))
    assert (status, answer["error"]["code"]) == (400, 131047)
    assert (await send(http, emu, text(to="+16505550002")))[0] == 200
    assert [a.wa_id for a in emu.accepted] == ["16505550002"]


@pytest.mark.parametrize(("kind", "accepted"), [("reset", 0), ("drop_after_accept", 1)])
async def test_connection_drops(http: aiohttp.ClientSession, emu: Emulator, kind: str, accepted: int) -> None:
    emu.add_fault(Fault(kind, times=1))  # type: ignore[arg-type]
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await send(http, emu, text())
    assert len(emu.accepted) == accepted
    assert (await send(http, emu, text()))[0] == 200  # the next request is answered


async def test_bad_gateway_accepts_then_answers_bodyless_502(http: aiohttp.ClientSession, emu: Emulator) -> None:
    emu.add_fault(Fault("bad_gateway", times=1))
    url = f"{emu.gateway_url}/{V}/{emu.phone_number_id}/messages"
    async with http.post(url, json=text(), headers=AUTH) as resp:
        assert resp.status == 502 and await resp.read() == b""
    assert len(emu.accepted) == 1


async def test_latency_delays_then_accepts(http: aiohttp.ClientSession, emu: Emulator) -> None:
    emu.add_fault(Fault("latency", delay=0.01))
    assert (await send(http, emu, text()))[0] == 200
    assert len(emu.accepted) == 1 and emu.stats.faults == 1


async def test_faults_given_at_construction(http: aiohttp.ClientSession, clock: FakeClock) -> None:
    async with Emulator(faults=[Fault("server_error", times=2)], clock=clock) as emu:
        assert [(await send(http, emu, text()))[0] for _ in range(3)] == [500, 500, 200]


async def test_a_fault_that_answered_leaves_the_later_ones_armed(http: aiohttp.ClientSession, emu: Emulator) -> None:
    # The documented combination: the 503s answer the first two requests, so the drop is still armed for the third.
    emu.add_fault(Fault("unavailable", times=2, retry_after=1))
    emu.add_fault(Fault("drop_after_accept", times=1))
    assert [(await send(http, emu, text()))[0] for _ in range(2)] == [503, 503]
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await send(http, emu, text())
    assert len(emu.accepted) == 1 and emu.stats.faults == 3
    assert (await send(http, emu, text()))[0] == 200


async def test_an_accepting_fault_is_not_used_up_by_a_refused_message(
    http: aiohttp.ClientSession, emu: Emulator
) -> None:
    emu.add_fault(Fault("server_error", times=1))
    emu.add_fault(Fault("bad_gateway", times=1))
    emu.add_fault(Fault("drop_after_accept", times=1))
    assert (await send(http, emu, text()))[0] == 500  # refused: nothing accepted, so neither later fault fired
    url = f"{emu.gateway_url}/{V}/{emu.phone_number_id}/messages"
    async with http.post(url, json=text(), headers=AUTH) as resp:
        assert resp.status == 502  # the first answering fault after acceptance; the drop waits its turn
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await send(http, emu, text())
    assert len(emu.accepted) == 2


# --- introspection ---------------------------------------------------------------------------------------------


async def test_stats_accepted_and_reset_endpoints(http: aiohttp.ClientSession, emu: Emulator) -> None:
    await send(http, emu, text(biz_opaque_callback_data="cb"))
    await send(http, emu, text(to="bad"))
    await send(http, emu, text(), headers={"Authorization": "Bearer"})
    async with http.get(f"{emu.graph_url}/__emulator/stats") as resp:
        stats = await resp.json()
    assert stats | {"max_window": 0} == {
        "requests": 3, "accepted": 1, "read_receipts": 0, "rate_limited": 0, "pair_limited": 0, "invalid": 1,
        "unauthorized": 1, "faults": 0, "max_window": 0, "webhooks_sent": 0, "webhook_errors": 0,
    }  # fmt: skip
    async with http.get(f"{emu.graph_url}/__emulator/accepted") as resp:
        [record] = await resp.json()
    assert record["wamid"] == emu.accepted[0].wamid and record["payload"]["biz_opaque_callback_data"] == "cb"
    async with http.post(f"{emu.graph_url}/__emulator/reset") as resp:
        assert resp.status == 200
    assert emu.accepted == [] and emu.stats.requests == 0 and emu.max_window == 0


async def test_serve_runs_until_cancelled(http: aiohttp.ClientSession) -> None:
    started: asyncio.Future[Emulator] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(serve(port=0, ready=started.set_result))
    emu = await started
    assert emu.gateway_url.endswith("/whatsapp-business")
    assert (await send(http, emu, text()))[0] == 200
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def test_module_entry_point_prints_urls_and_stops_on_sigint() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "wa_async.emulator", "--port", "0"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("gateway_url      http://127.0.0.1:") and first.rstrip().endswith("/whatsapp-business")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


async def test_the_client_posts_a_marketing_template_to_marketing_messages(clock: FakeClock) -> None:
    import wa_async as wa

    async with Emulator(rate_limit=None, clock=clock) as emu:
        emu.templates.add("spring_sale", "en_US", "MARKETING", [{"type": "BODY", "text": "Hi {{1}}, use {{2}}"}])
        async with wa.Client.maton(emu.phone_number_id, api_key="k", base_url=emu.gateway_url) as client:
            promo = [wa.BodyParams(["Jamie", "SPRING20"])]
            await client.send(wa.Template("+1 650 555 1234", "spring_sale", components=promo, marketing=True))
            # A utility template sent as marketing is refused by /marketing_messages only (134100): proof of the path.
            utility = [wa.BodyParams(["a", "b"])]
            with pytest.raises(wa.ApiError) as e:
                await client.send(wa.Template(TO, "order_update", components=utility, marketing=True))
            assert e.value.code == 134100
            await client.send(wa.Template(TO, "order_update", components=utility))
        assert [a.payload["template"]["name"] for a in emu.accepted] == ["spring_sale", "order_update"]
