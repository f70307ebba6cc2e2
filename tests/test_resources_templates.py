"""client.templates: Meta's example pages over aioresponses, FACTS §4 checks, paging and create against the emulator."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aioresponses import aioresponses
from yarl import URL

import wa_async as wa
from tests._data import payload, sent_json
from wa_async.resources import (
    BodyText,
    FooterText,
    HeaderMedia,
    HeaderText,
    PhoneNumberButton,
    QuickReplyButton,
    TemplateInfo,
    Templates,
    UrlButton,
)

BASE = "https://gw.test/whatsapp-business"
WABA = "102290129340398"
LIST = re.compile(rf"^{re.escape(BASE)}/v25\.0/{WABA}/message_templates(\?.*)?$")


@pytest.fixture
async def client() -> AsyncIterator[wa.Client]:
    async with wa.Client.maton("1", api_key="k", base_url=BASE, waba_id=WABA, rate_limit=None) as c:
        yield c


def queries(mock: aioresponses, method: str = "GET") -> list[dict[str, str]]:
    return [dict(URL(str(url)).query) for (m, url), cs in mock.requests.items() for _ in cs if m == method]


def sent(mock: aioresponses) -> dict[str, Any]:
    (call,) = [c for (m, _), cs in mock.requests.items() for c in cs if m == "POST"]
    return sent_json(call.kwargs["data"])  # type: ignore[no-any-return]


async def collect(it: AsyncIterator[TemplateInfo]) -> list[TemplateInfo]:
    return [t async for t in it]


# --- over aioresponses -------------------------------------------------------------------------------------


async def test_list_decodes_the_default_fields_page_and_follows_the_cursor(client: wa.Client) -> None:
    first = payload("templates-list-default-fields-response.json")
    last = {"data": payload("templates-list-fields-limit-response.json")["data"][2:], "paging": {"cursors": {}}}
    with aioresponses() as mock:
        mock.get(LIST, payload=first)
        mock.get(LIST, payload=last)
        items = await collect(Templates(client).list(status="approved", limit=2))
    assert [t.name for t in items] == ["reservation_confirmation", "coupon_expiration_reminder_number_vars",
                                       "coupon_expiration_reminder_named_vars", "address_update",
                                       "reservation_confirmation_short_banner"]  # fmt: skip
    first_item = items[0]
    assert first_item.parameter_format == "NAMED" and first_item.language == "en_US"
    assert first_item.components[0] == {
        "type": "HEADER",
        "format": "IMAGE",
        "example": {"header_handle": ["https://scontent.whatsapp.net/v/t61..."]},
    }
    assert items[1].sub_category == "CUSTOM" and items[3].status == "PENDING"
    q1, q2 = queries(mock)
    assert q1 == {"status": "APPROVED", "limit": "2"}
    # The next page is asked of our own base URL (paging.next names graph.facebook.com even through Maton).
    assert q2 == {"status": "APPROVED", "limit": "2", "after": "QVFIU..."}


async def test_list_fields_and_filters_are_sent(client: wa.Client) -> None:
    page = payload("templates-list-fields-limit-response.json")
    del page["paging"]["next"]
    with aioresponses() as mock:
        mock.get(LIST, payload=page)
        items = await collect(Templates(client).list(name="coupon", category="marketing", language="en",
                                                     fields=["name", "category", "status"], limit=5))  # fmt: skip
    assert len(items) == 5 and items[4] == TemplateInfo(
        id="1166414785519855", status="REJECTED", category="UTILITY", name="reservation_confirmation_short_banner"
    )
    assert queries(mock) == [{"name": "coupon", "category": "MARKETING", "language": "en",
                              "fields": "name,category,status", "limit": "5"}]  # fmt: skip


async def test_list_stops_when_the_cursor_repeats(client: wa.Client) -> None:
    page = payload("templates-list-fields-limit-response.json")
    with aioresponses() as mock:
        mock.get(LIST, payload=page, repeat=True)
        items = await collect(Templates(client).list())
    # The second page repeats the first (and its cursor): the walk stops there, and yields no item twice.
    assert len(items) == 5 and len({t.id for t in items}) == 5 and len(queries(mock)) == 2


async def test_create_sends_typed_components_and_decodes_the_answer(client: wa.Client) -> None:
    with aioresponses() as mock:
        mock.post(LIST, payload=payload("template-create-response.json"))
        info = await Templates(client).create("order_shipped", "en_US", "utility", [
            HeaderText("Hi {{1}}", example="Ana"),
            BodyText("Order {{1}} ships {{2}}.", examples=["#12", "today"]),
            FooterText("Thanks"),
            QuickReplyButton("Stop"),
            UrlButton("Track", "https://shop.test/t/{{1}}", example="https://shop.test/t/12"),
            PhoneNumberButton("Call", "+15550783881"),
        ])  # fmt: skip
        body = sent(mock)
    assert info == TemplateInfo(id="594425479261596", status="PENDING", category="AUTHENTICATION",
                                name="order_shipped", language="en_US")  # fmt: skip
    assert body == {
        "name": "order_shipped", "language": "en_US", "category": "UTILITY",
        "components": [
            {"type": "HEADER", "format": "TEXT", "text": "Hi {{1}}", "example": {"header_text": ["Ana"]}},
            {"type": "BODY", "text": "Order {{1}} ships {{2}}.", "example": {"body_text": [["#12", "today"]]}},
            {"type": "FOOTER", "text": "Thanks"},
            {"type": "BUTTONS", "buttons": [
                {"type": "QUICK_REPLY", "text": "Stop"},
                {"type": "URL", "text": "Track", "url": "https://shop.test/t/{{1}}",
                 "example": ["https://shop.test/t/12"]},
                {"type": "PHONE_NUMBER", "text": "Call", "phone_number": "+15550783881"},
            ]},
        ],
    }  # fmt: skip


async def test_create_named_body_and_media_header(client: wa.Client) -> None:
    with aioresponses() as mock:
        mock.post(LIST, payload={"id": "1", "status": "PENDING", "category": "MARKETING"})
        await Templates(client).create("promo", "en", "MARKETING", [
            HeaderMedia("IMAGE", example_handle="4::aW1h"),
            BodyText("Hi {{first_name}}", examples={"first_name": "Ana"}),
        ], parameter_format="named")  # fmt: skip
        body = sent(mock)
    assert body["parameter_format"] == "NAMED"
    assert body["components"] == [
        {"type": "HEADER", "format": "IMAGE", "example": {"header_handle": ["4::aW1h"]}},
        {"type": "BODY", "text": "Hi {{first_name}}",
         "example": {"body_text_named_params": [{"param_name": "first_name", "example": "Ana"}]}},
    ]  # fmt: skip


def body(text: str = "Hello") -> dict[str, Any]:
    return {"type": "BODY", "text": text}


@pytest.mark.parametrize(
    ("name", "category", "components", "field"),
    [
        ("Bad-Name", "UTILITY", [body()], "name"),
        ("a" * 513, "UTILITY", [body()], "name"),
        ("ok", "PROMOTION", [body()], "category"),
        ("ok", "UTILITY", [FooterText("only a footer")], "components"),
        ("ok", "UTILITY", [HeaderText("h" * 61), body()], "components[0].text"),
        ("ok", "UTILITY", [HeaderText("{{1}} and {{2}}"), body()], "components[0].text"),
        ("ok", "UTILITY", [body("b" * 1025)], "components[0].text"),
        ("ok", "UTILITY", [body(), FooterText("f" * 61)], "components[1].text"),
        ("ok", "UTILITY", [body(), *[QuickReplyButton(f"b{i}") for i in range(11)]], "components[1].buttons"),
        ("ok", "UTILITY", [body(), QuickReplyButton("x" * 26)], "components[1].buttons[0].text"),
        ("ok", "UTILITY", [body(), UrlButton("Go", "ftp://x")], "components[1].buttons[0].url"),
        ("ok", "UTILITY", [BodyText("{{1}} {{2}}", examples=["only one"])], "components[0].example"),
        ("ok", "UTILITY", [body(), body()], "components[1]"),
        ("ok", "UTILITY", [{"type": "HEADER", "format": "AUDIO"}, body()], "components[0].format"),
    ],
)
async def test_create_checks_facts_limits_before_sending(
    client: wa.Client, name: str, category: str, components: list[Any], field: str
) -> None:
    with aioresponses() as mock:
        with pytest.raises(wa.ValidationError) as caught:
            await Templates(client).create(name, "en_US", category, components)
        assert mock.requests == {}
    assert caught.value.field == field


async def test_limits_are_inclusive(client: wa.Client) -> None:
    with aioresponses() as mock:
        mock.post(LIST, payload={"id": "1", "status": "PENDING", "category": "UTILITY"})
        await Templates(client).create("a" * 512, "en_US", "UTILITY", [
            HeaderText("h" * 60), body("b" * 1024), FooterText("f" * 60),
            *[QuickReplyButton(str(i) * 25) for i in range(10)],
        ])  # fmt: skip


async def test_authentication_template_body_may_have_no_text(client: wa.Client) -> None:
    with aioresponses() as mock:
        mock.post(LIST, payload=payload("template-create-response.json"))
        info = await Templates(client).create("otp", "en_US", "AUTHENTICATION", [
            {"type": "BODY", "add_security_recommendation": True},
            {"type": "BUTTONS", "buttons": [{"type": "OTP", "otp_type": "COPY_CODE", "text": "Copy code"}]},
        ])  # fmt: skip
    assert info.status == "PENDING" and info.category == "AUTHENTICATION"


async def test_get_and_delete(client: wa.Client) -> None:
    item = payload("templates-list-default-fields-response.json")["data"][1]
    with aioresponses() as mock:
        mock.get(re.compile(rf"^{re.escape(BASE)}/v25\.0/1304694804498707\?"), payload=item)
        mock.delete(LIST, payload={"success": True}, repeat=True)
        got = await Templates(client).get("1304694804498707")
        assert await Templates(client).delete("coupon_expiration_reminder_number_vars") is True
        assert await Templates(client).delete("x", hsm_id="1304694804498707") is True
    assert got.name == "coupon_expiration_reminder_number_vars" and got.components[0]["format"] == "TEXT"
    assert queries(mock, "DELETE") == [{"name": "coupon_expiration_reminder_number_vars"},
                                       {"name": "x", "hsm_id": "1304694804498707"}]  # fmt: skip


async def test_missing_waba_id_is_a_clear_error() -> None:
    async with wa.Client.maton("1", api_key="k", base_url=BASE) as c:
        with pytest.raises(wa.ValidationError, match="WhatsApp Business Account id"):
            await collect(Templates(c).list())
        with pytest.raises(wa.ValidationError, match="waba_id"):
            await Templates(c).create("x", "en", "UTILITY", [body()])
        with pytest.raises(wa.ValidationError, match="waba_id"):
            await Templates(c).delete("x")


# --- against the emulator ----------------------------------------------------------------------------------


@pytest.fixture
async def live() -> AsyncIterator[tuple[wa.Emulator, wa.Client]]:
    async with wa.Emulator(rate_limit=None) as emu:
        client = wa.Client.maton(emu.phone_number_id, api_key="k", base_url=emu.gateway_url, waba_id=emu.waba_id,
                                 rate_limit=None)  # fmt: skip
        async with client:
            yield emu, client


async def test_paging_across_pages_against_the_emulator(live: tuple[wa.Emulator, wa.Client]) -> None:
    emu, client = live
    for i in range(9):
        emu.templates.add(f"extra_{i}", "en_US", "MARKETING", [body()], status="APPROVED" if i % 3 else "PAUSED")
    before = emu.stats.requests
    everything = await collect(Templates(client).list(limit=3))
    assert len(everything) == len(emu.templates) == 13
    assert emu.stats.requests - before == 5  # 13 templates, 3 a page
    assert len({t.id for t in everything}) == 13
    approved = await collect(Templates(client).list(status="APPROVED", limit=2))
    assert [t.name for t in approved][-6:] == ["extra_1", "extra_2", "extra_4", "extra_5", "extra_7", "extra_8"]
    assert all(t.status == "APPROVED" for t in approved)


async def test_create_list_and_delete_against_the_emulator(live: tuple[wa.Emulator, wa.Client]) -> None:
    _, client = live
    templates = Templates(client)
    info = await templates.create(
        "shipping_note",
        "en_US",
        "UTILITY",
        [BodyText("Order {{1}} shipped", examples=["#1"]), QuickReplyButton("Thanks")],
    )
    assert info.status == "APPROVED" and info.category == "UTILITY" and info.id
    (found,) = await collect(templates.list(name="shipping_note"))
    assert found.id == info.id and found.components[1]["buttons"] == [{"type": "QUICK_REPLY", "text": "Thanks"}]
    with pytest.raises(wa.ApiError) as dup:
        await templates.create("shipping_note", "en_US", "UTILITY", [body()])
    assert dup.value.subcode == 2388024
    assert await templates.delete("shipping_note", hsm_id=info.id) is True
    assert await collect(templates.list(name="shipping_note")) == []
    with pytest.raises(wa.ApiError):
        await templates.delete("shipping_note")


async def test_get_by_id_against_the_emulator(live: tuple[wa.Emulator, wa.Client]) -> None:
    emu, client = live
    templates = Templates(client)
    seeded = emu.templates.find("order_update", "en_US")
    assert seeded is not None
    info = await templates.get(seeded["id"])
    assert info == TemplateInfo(id=seeded["id"], status="APPROVED", category="UTILITY", name="order_update",
                                language="en_US", components=seeded["components"], parameter_format="POSITIONAL")
    created = await templates.create("fleeting", "en_US", "MARKETING", [body()])
    assert (await templates.get(created.id)).name == "fleeting"
    assert await templates.delete("fleeting") is True
    with pytest.raises(wa.NotFound) as gone:
        await templates.get(created.id)
    assert (gone.value.code, gone.value.subcode) == (100, 33) and created.id in gone.value.message


async def test_cli_templates_get_against_the_emulator(
    live: tuple[wa.Emulator, wa.Client], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from wa_async.cli import main as cli_main

    emu, _ = live
    for name, value in (("WA_BASE_URL", emu.gateway_url), ("MATON_API_KEY", "k"), ("WA_WABA_ID", emu.waba_id),
                        ("WA_PHONE_NUMBER_ID", emu.phone_number_id)):  # fmt: skip
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("WA_ACCESS_TOKEN", raising=False)
    seeded = emu.templates.find("hello_world", "en_US")
    assert seeded is not None
    # The command runs its own event loop, so in a thread; the emulator keeps serving on this one.
    assert await asyncio.to_thread(cli_main, ["templates", "get", seeded["id"]]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["id"] == seeded["id"] and printed["name"] == "hello_world" and printed["status"] == "APPROVED"
    assert await asyncio.to_thread(cli_main, ["templates", "get", "4242"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Object with ID '4242' does not exist" in err[0]


async def test_a_stale_paging_cursor_starts_the_walk_again_without_repeating_items() -> None:
    """Since v24.0 a stale cursor answers 131059, to be retried without it."""
    calls: list[dict[str, str]] = []

    def page(ids: list[str], after: str | None) -> wa.Response:
        paging = {"cursors": {"after": after}, "next": "https://graph.facebook.com/next"} if after else {}
        data = [{"id": i, "name": f"t{i}", "status": "APPROVED"} for i in ids]
        return wa.Response(200, {}, json.dumps({"data": data, "paging": paging}).encode())

    def answer(request: wa.HttpRequest) -> wa.Response:
        params = dict(request.params or {})
        calls.append(params)
        if params.get("after") == "B" and len(calls) == 2:
            return wa.Response(400, {}, b'{"error": {"message": "Invalid cursor", "code": 131059}}')
        return page(["1", "2"], "B") if "after" not in params else page(["3"], None)

    async with wa.Client.graph("1", access_token="t", waba_id="9", transport=wa.MockTransport(answer)) as client:
        names = [t.id async for t in client.templates.list()]
    assert names == ["1", "2", "3"]  # each once
    assert [c.get("after") for c in calls] == [None, "B", None, "B"]
