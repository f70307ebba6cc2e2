"""The real client against the in-process emulator on loopback: every message type, auth, invalid payloads.

Each send must come back with the wamid the emulator recorded, for exactly the body ``msg.to_json()`` encodes.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import msgspec
import pytest

import wa_async as wa
from wa_async.emulator import Emulator

TO = "+16505551234"
OTHER = "15550001111"
REPLY = "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA"
FAST = wa.RetryPolicy(base=0.0, random=lambda: 0.0)
Factory = Callable[[Emulator], wa.Client]


# No client-side limit here: these tests are about bodies and errors (the rate tests are in test_integration_rate).
def _maton(emu: Emulator) -> wa.Client:
    return wa.Client.maton(emu.phone_number_id, api_key="k", base_url=emu.gateway_url, retry=FAST, rate_limit=None)


def _graph(emu: Emulator) -> wa.Client:
    return wa.Client.graph(emu.phone_number_id, access_token="t", base_url=emu.graph_url, retry=FAST, rate_limit=None)


CLIENTS = pytest.mark.parametrize("make", [_maton, _graph], ids=["maton", "graph"])


@asynccontextmanager
async def running(make: Factory, **options: object) -> AsyncIterator[tuple[Emulator, wa.Client]]:
    async with Emulator(rate_limit=None, **options) as emu, make(emu) as client:  # type: ignore[arg-type]
        yield emu, client


def every_message() -> list[wa.Message]:
    """One of each outbound type, with the optional parts that change the wire shape."""
    return [
        wa.Text(TO, "see https://example.com", preview_url=True, reply_to=REPLY, callback_data="cb-text"),
        wa.Text(OTHER, "plain"),
        wa.Template(
            TO,
            "coupon_expiration_reminder_number_vars",
            "en",
            [
                wa.HeaderParams(["Pablo"]),
                wa.BodyParams(
                    [
                        wa.Currency("$100.99", "USD", 100990),
                        wa.DateTime("February 25, 1977", day_of_week=5, year=1977, month=2, day_of_month=25, hour=15),
                    ]
                ),
                wa.ButtonParams("quick_reply", 0, ["unsubscribe-42"]),
            ],
            callback_data="cb-template",
        ),
        wa.Template(TO, "hello_world"),
        wa.Template(TO, "order_update", components=[wa.BodyParams(["Ann", "#1234"])]),
        wa.Image(TO, id="1479537139650973", caption="an image"),
        wa.Image(TO, link="https://example.com/a.png", reply_to=REPLY),
        wa.Video(TO, id="1166846181421424", caption="a video"),
        wa.Video(TO, link="https://example.com/a.mp4"),
        wa.Audio(TO, id="1003383421387256", voice=True),
        wa.Audio(TO, link="https://example.com/a.ogg"),
        wa.Document(TO, id="1376223850470843", caption="a pdf", filename="order.pdf"),
        wa.Document(TO, link="https://example.com/a.pdf", filename="a.pdf"),
        wa.Sticker(TO, id="798882015472548"),
        wa.Sticker(TO, link="https://example.com/a.webp"),
        wa.Location(TO, 37.44216251868683, -122.16153582049394, name="Philz Coffee", address="101 Forest Ave"),
        wa.Contacts(
            TO,
            [
                wa.Contact("Barbara J. Johnson", phones=["+1 650 555 1234"], emails=["barbara@example.com"]),
                {"name": {"formatted_name": "Raw Card", "first_name": "Raw"}, "phones": [{"phone": "+1 555 0100"}]},
            ],
        ),
        wa.Buttons(
            TO,
            "Keep your booking?",
            [wa.ReplyButton("keep", "Keep"), wa.ReplyButton("cancel", "Cancel")],
            header="Booking",
            footer="Reply by noon",
        ),
        wa.Buttons(TO, "With an image", [wa.ReplyButton("ok", "OK")], header=wa.ImageParam(id="1479537139650973")),
        wa.ListMessage(
            TO,
            "Pick a slot",
            "Slots",
            [
                wa.Section("Morning", [wa.Row("m1", "9:00", "early"), wa.Row("m2", "10:00")]),
                wa.Section("Afternoon", [wa.Row("a1", "14:00")]),
            ],
            header="Appointments",
            footer="Times are local",
        ),
        wa.CtaUrl(TO, "Track your order", "Track", "https://example.com/track/1", header="Order", footer="Thanks"),
        wa.Reaction(TO, REPLY, "\U0001f44d"),
        wa.Reaction(TO, REPLY, ""),
        wa.Flow(
            TO,
            "Book a table",
            "Book",
            flow_id="1234567890",
            flow_token="tok",
            screen="WELCOME",
            data={"party": 2},
        ),
        wa.Flow(TO, "Draft flow", "Open", flow_name="booking", mode="draft", flow_action="data_exchange"),
    ]


@CLIENTS
async def test_every_message_type_is_accepted_with_its_exact_body_in_order(make: Factory) -> None:
    messages = every_message()
    async with running(make) as (emu, client):
        wamids = [await client.send(m) for m in messages]
    assert len(set(wamids)) == len(messages)
    assert [a.wamid for a in emu.accepted] == wamids
    for msg, rec in zip(messages, emu.accepted, strict=True):
        assert rec.payload == json.loads(msg.to_json())
        assert rec.type == msg.type
        assert rec.wa_id == msg.to and rec.phone_number_id == emu.phone_number_id
    assert emu.stats.invalid == 0 and emu.stats.requests == len(messages)


@CLIENTS
async def test_concurrent_submits_each_resolve_to_their_own_message(make: Factory) -> None:
    messages = [wa.Text(f"1555000{i:04d}", f"message {i}") for i in range(40)]
    async with running(make) as (emu, client):
        futures = [await client.submit(m) for m in messages]
        wamids = [await f for f in futures]
    by_wamid = {a.wamid: a.payload for a in emu.accepted}
    assert len(by_wamid) == len(messages) == len(emu.accepted)
    for msg, wamid in zip(messages, wamids, strict=True):
        assert by_wamid[wamid] == json.loads(msg.to_json())


@CLIENTS
async def test_send_helpers_and_mark_read_with_typing(make: Factory) -> None:
    async with running(make) as (emu, client):
        text = await client.send_text(TO, "hi https://x.test", preview_url=True, reply_to=REPLY, callback_data="c")
        image = await client.send_image(TO, link="https://example.com/a.png", caption="c")
        template = await client.send_template(TO, "order_update", "en_US", [wa.BodyParams(["Ann", "#7"])])
        location = await client.send_location(TO, 1.5, 2.5, name="here")
        reaction = await client.send_reaction(TO, text, "\u2764\ufe0f")
        assert await client.mark_read(REPLY, typing=True) is True
        assert await client.mark_read("wamid.second") is True
    assert [a.wamid for a in emu.accepted] == [text, image, template, location, reaction]
    first = emu.accepted[0].payload
    assert first["text"] == {"body": "hi https://x.test", "preview_url": True}
    assert first["context"] == {"message_id": REPLY} and first["biz_opaque_callback_data"] == "c"
    assert emu.accepted[4].payload["reaction"] == {"message_id": text, "emoji": "\u2764\ufe0f"}
    assert emu.read_receipts == [REPLY, "wamid.second"]
    assert emu.stats.read_receipts == 2


@CLIENTS
async def test_wrong_key_is_an_auth_error_and_not_retried(make: Factory) -> None:
    async with running(make, api_keys={"good"}) as (emu, client):
        with pytest.raises(wa.AuthError) as info:
            await client.send(wa.Text(TO, "hello"))
    err = info.value
    assert err.code == 190 and err.http_status == 401 and err.type == "OAuthException"
    assert emu.stats.requests == 1 and emu.stats.unauthorized == 1
    assert emu.accepted == []


async def test_the_right_key_is_accepted() -> None:
    async with (
        Emulator(rate_limit=None, api_keys={"good"}) as emu,
        wa.Client.maton(emu.phone_number_id, api_key="good", base_url=emu.gateway_url) as client,
    ):
        wamid = await client.send(wa.Text(TO, "hello"))
    assert [a.wamid for a in emu.accepted] == [wamid]


@pytest.mark.parametrize(
    "build",
    [
        lambda: wa.Text("123", "too short a number"),
        lambda: wa.Text(TO, "x" * 4097),
        lambda: wa.Image(TO, id="1", link="https://example.com/a.png"),
        lambda: wa.Buttons(TO, "b", [wa.ReplyButton(str(i), str(i)) for i in range(4)]),
        lambda: wa.Template(TO, "Bad-Name"),
        lambda: wa.Text(TO, "x", callback_data="c" * 513),
    ],
    ids=["to", "body", "id-and-link", "buttons", "template-name", "callback"],
)
async def test_local_validation_fails_before_anything_is_sent(build: Callable[[], wa.Message]) -> None:
    async with running(_maton) as (emu, client):
        with pytest.raises(wa.ValidationError):
            await client.send(build())
        with pytest.raises(wa.ValidationError):
            await client.send_text("12", "hi")
        assert client.pending == 0
    assert emu.stats.requests == 0 and emu.accepted == []


def _tamper(msg: wa.Message, **fields: object) -> wa.Message:
    """Set fields past the struct's validation, as a bug elsewhere might."""
    for name, value in fields.items():
        msgspec.structs.force_setattr(msg, name, value)
    return msg


@pytest.mark.parametrize(
    ("tampered", "code", "detail"),
    [
        (lambda: _tamper(wa.Text(TO, "x"), body=""), 131008, "text.body"),
        (lambda: _tamper(wa.Text(TO, "x"), to="123"), 131009, "123"),
        (lambda: _tamper(wa.Image(TO, id="1"), caption="c" * 1025), 131009, "image.caption"),
        (lambda: _tamper(wa.Buttons(TO, "b", [wa.ReplyButton("a", "A")]), footer="f" * 61), 131009, "footer"),
        (lambda: _tamper(wa.Text(TO, "x"), callback_data="c" * 513), 100, "biz_opaque_callback_data"),
        (lambda: _tamper(wa.Location(TO, 1, 2), latitude=91.0), 131009, "location.latitude"),
    ],
    ids=["missing-body", "bad-to", "caption", "footer", "callback", "latitude"],
)
async def test_emulator_refusals_of_bypassed_structs_are_typed_api_errors(
    tampered: Callable[[], wa.Message], code: int, detail: str
) -> None:
    async with running(_maton) as (emu, client):
        with pytest.raises(wa.ApiError) as info:
            await client.send(tampered())
    err = info.value
    assert type(err) is wa.ApiError  # 100, 131008 and 131009 are plain ApiErrors: nothing to retry
    assert err.code == code and err.http_status == 400
    assert err.details is not None and detail in err.details
    assert err.fbtrace_id and err.message.startswith(f"(#{code})")
    assert emu.stats.requests == 1 and emu.stats.invalid == 1 and emu.accepted == []


@pytest.mark.parametrize(
    ("body", "code", "detail"),
    [
        (b"{not json", 100, "JSON"),
        (b'{"to": "16505551234", "type": "text", "text": {"body": "x"}}', 100, "messaging_product"),
        (b'{"messaging_product": "whatsapp", "type": "text", "text": {"body": "x"}}', 100, "to"),
        (b'{"messaging_product": "whatsapp", "to": "16505551234", "type": "carrier_pigeon"}', 100, "type"),
        (b'{"messaging_product": "whatsapp", "to": "16505551234", "type": "image", "image": {}}', 131008, "image"),
        (
            b'{"messaging_product": "whatsapp", "to": "16505551234", "type": "template",'
            b' "template": {"name": "hello_world", "language": {"code": "en_US"}, "components": [{"type": "body",'
            b' "parameters": [{"type": "currency", "currency": {"fallback_value": "$1", "code": "USDX",'
            b' "amount_1000": 1000}}]}]}}',
            131009,
            "currency.code",
        ),
        (
            b'{"messaging_product": "whatsapp", "to": "16505551234", "type": "reaction",'
            b' "reaction": {"message_id": "wamid.x"}}',
            131008,
            "reaction.emoji",
        ),
    ],
    ids=["json", "product", "to", "type", "media", "currency", "emoji"],
)
async def test_hand_built_invalid_bodies_decode_to_the_graph_code(body: bytes, code: int, detail: str) -> None:
    async with running(_graph) as (emu, client):
        with pytest.raises(wa.ApiError) as info:
            await client.request("POST", f"{emu.phone_number_id}/messages", body=body)
    err = info.value
    assert err.code == code and err.http_status == 400
    assert err.details is not None and detail in err.details
    assert isinstance(err.request, wa.ApiCall) and err.request.body == body
    assert emu.stats.requests == 1 and emu.accepted == []


@pytest.mark.parametrize(
    ("msg", "code"),
    [
        (wa.Template(TO, "no_such_template"), 132001),
        (wa.Template(TO, "hello_world", "fr_FR"), 132001),
        (wa.Template(TO, "order_update", components=[wa.BodyParams(["only one"])]), 132000),
    ],
    ids=["unknown", "language", "param-count"],
)
async def test_template_store_refusals_are_template_errors_not_retried(msg: wa.Template, code: int) -> None:
    async with running(_maton) as (emu, client):
        with pytest.raises(wa.TemplateError) as info:
            await client.send(msg)
    assert info.value.code == code
    assert emu.stats.requests == 1 and emu.accepted == []
