"""The emulator's signed status webhooks and inbound messages, received by a small aiohttp app."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from wa_async.emulator import Emulator, Fault
from wa_async.emulator._inbound import bsuid_for

SECRET = "app-secret"
AUTH = {"Authorization": "Bearer test-key"}


class Receiver:
    """A webhook endpoint that records raw bodies and signatures; answers ``status`` (200 by default)."""

    def __init__(self) -> None:
        self.deliveries: asyncio.Queue[tuple[bytes, str | None]] = asyncio.Queue()
        self.status = 200
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        await self.deliveries.put((await request.read(), request.headers.get("X-Hub-Signature-256")))
        return web.Response(status=self.status)

    async def next(self) -> dict[str, Any]:
        raw, signature = await asyncio.wait_for(self.deliveries.get(), 5)
        expected = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
        assert signature is not None and hmac.compare_digest(signature, expected)
        body: dict[str, Any] = json.loads(raw)
        return body


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    rec = Receiver()
    app = web.Application()
    app.router.add_post("/hook", rec.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    rec.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    yield rec
    await runner.cleanup()


async def send(http: aiohttp.ClientSession, emu: Emulator, body: dict[str, Any]) -> dict[str, Any]:
    url = f"{emu.gateway_url}/v21.0/{emu.phone_number_id}/messages"
    async with http.post(url, json=body, headers=AUTH) as resp:
        assert resp.status == 200
        answer: dict[str, Any] = await resp.json()
        return answer


def text(to: str = "+16505551234", **extra: Any) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "to": to, "type": "text", "text": {"body": "hi"}, **extra}


def statuses(body: dict[str, Any]) -> list[dict[str, Any]]:
    assert body["object"] == "whatsapp_business_account"
    [entry] = body["entry"]
    [change] = entry["changes"]
    assert change["field"] == "messages"
    value = change["value"]
    assert value["messaging_product"] == "whatsapp"
    assert set(value["metadata"]) == {"display_phone_number", "phone_number_id"}
    result: list[dict[str, Any]] = value["statuses"]
    return result


async def test_sent_delivered_read_signed_and_echo_callback_data(
    http: aiohttp.ClientSession, receiver: Receiver
) -> None:
    async with Emulator(webhook_url=receiver.url, app_secret=SECRET, status_delays=(0, 0, 0)) as emu:
        answer = await send(http, emu, text(biz_opaque_callback_data="job-7"))
        wamid = answer["messages"][0]["id"]
        seen = []
        for _ in range(3):
            body = await receiver.next()
            [status] = statuses(body)
            assert body["entry"][0]["id"] == emu.waba_id
            assert body["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] == emu.phone_number_id
            assert status["id"] == wamid and status["recipient_id"] == "16505551234"
            assert status["biz_opaque_callback_data"] == "job-7"
            assert status["timestamp"].isdigit()
            seen.append(status["status"])
        assert seen == ["sent", "delivered", "read"]
        await emu.drain_webhooks()
        assert emu.stats.webhooks_sent == 3 and emu.stats.webhook_errors == 0


async def test_undeliverable_recipient_gets_failed_131026(http: aiohttp.ClientSession, receiver: Receiver) -> None:
    fault = Fault("undeliverable", to="+16505550000")
    async with Emulator(webhook_url=receiver.url, app_secret=SECRET, faults=[fault], status_delays=(0, 0, 0)) as emu:
        answer = await send(http, emu, text(to="+16505550000"))
        [status] = statuses(await receiver.next())
        assert status["id"] == answer["messages"][0]["id"] and status["status"] == "failed"
        [error] = status["errors"]
        assert error["code"] == 131026 and error["title"] == error["message"] and error["error_data"]["details"]
        await emu.drain_webhooks()
        assert receiver.deliveries.empty() and len(emu.accepted) == 1


async def test_reaction_gets_only_sent(http: aiohttp.ClientSession, receiver: Receiver) -> None:
    async with Emulator(webhook_url=receiver.url, app_secret=SECRET, status_delays=(0, 0, 0)) as emu:
        reaction = {"messaging_product": "whatsapp", "to": "+16505551234", "type": "reaction",
                    "reaction": {"message_id": "wamid.x", "emoji": "👍"}}  # fmt: skip
        await send(http, emu, reaction)
        await emu.drain_webhooks()
        assert [statuses(await receiver.next())[0]["status"]] == ["sent"]
        assert receiver.deliveries.empty()


async def test_unsigned_without_app_secret(http: aiohttp.ClientSession, receiver: Receiver) -> None:
    async with Emulator(webhook_url=receiver.url, status_delays=(0,)) as emu:
        await send(http, emu, text())
        _raw, signature = await asyncio.wait_for(receiver.deliveries.get(), 5)
        assert signature is None


async def test_delivery_errors_are_counted_not_raised(http: aiohttp.ClientSession, receiver: Receiver) -> None:
    receiver.status = 500
    async with Emulator(webhook_url=receiver.url, app_secret=SECRET, status_delays=(0, 0, 0)) as emu:
        await send(http, emu, text())
        await emu.drain_webhooks()
        assert emu.stats.webhook_errors == 3 and emu.stats.webhooks_sent == 0
        assert (await send(http, emu, text(to="+16505550009")))["messages"]


async def test_unreachable_webhook_url_is_counted(http: aiohttp.ClientSession) -> None:
    async with Emulator(webhook_url="http://127.0.0.1:9/nothing", status_delays=(0,)) as emu:
        await send(http, emu, text())
        await emu.drain_webhooks()
        assert emu.stats.webhook_errors == 1


async def test_close_cancels_pending_webhooks(http: aiohttp.ClientSession, receiver: Receiver) -> None:
    async with Emulator(webhook_url=receiver.url, app_secret=SECRET, status_delays=(60, 61, 62)) as emu:
        await send(http, emu, text())
        assert emu._webhooks is not None and emu._webhooks.pending == 1
    assert emu._webhooks.pending == 0 and receiver.deliveries.empty()


async def test_inbound_text_and_button_reply(receiver: Receiver) -> None:
    async with Emulator(webhook_url=receiver.url, app_secret=SECRET) as emu:
        wamid = await emu.inbound(from_="15551234567", text="hi", name="Sheena")
        value = (await receiver.next())["entry"][0]["changes"][0]["value"]
        bsuid = bsuid_for("15551234567")  # every user has a BSUID, as in Meta's webhooks since April 2026
        assert value["contacts"] == [{"profile": {"name": "Sheena"}, "wa_id": "15551234567", "user_id": bsuid}]
        [message] = value["messages"]
        assert message["id"] == wamid and wamid.startswith("wamid.")
        assert (message["from"], message["type"], message["text"]) == ("15551234567", "text", {"body": "hi"})
        assert message["from_user_id"] == bsuid and bsuid.startswith("US.") and len(bsuid) == 22
        assert message["timestamp"].isdigit()

        reply = await emu.inbound(from_="15551234567", button_reply=("change-button", "Change"), context="wamid.b")
        [message] = (await receiver.next())["entry"][0]["changes"][0]["value"]["messages"]
        assert message["id"] == reply != wamid
        assert message["interactive"] == {"type": "button_reply",
                                          "button_reply": {"id": "change-button", "title": "Change"}}  # fmt: skip
        assert message["context"] == {"from": emu.display_phone_number, "id": "wamid.b"}


async def test_inbound_list_reply_reaction_image(receiver: Receiver) -> None:
    async with Emulator(webhook_url=receiver.url, app_secret=SECRET) as emu:
        await emu.inbound(list_reply=("row1", "Row", "desc"))
        await emu.inbound(reaction=("wamid.a", "👍"))
        await emu.inbound(image={"id": "1", "mime_type": "image/jpeg", "sha256": "abc"})
        kinds = []
        for _ in range(3):
            [message] = (await receiver.next())["entry"][0]["changes"][0]["value"]["messages"]
            kinds.append((message["type"], message[message["type"]]))
        assert kinds == [
            (
                "interactive",
                {"type": "list_reply", "list_reply": {"id": "row1", "title": "Row", "description": "desc"}},
            ),
            ("reaction", {"message_id": "wamid.a", "emoji": "👍"}),
            ("image", {"id": "1", "mime_type": "image/jpeg", "sha256": "abc"}),
        ]


async def test_inbound_needs_a_webhook_url_and_one_content() -> None:
    async with Emulator() as emu:
        with pytest.raises(RuntimeError):
            await emu.inbound(text="hi")
    async with Emulator(webhook_url="http://127.0.0.1:9/x") as emu:
        with pytest.raises(ValueError):
            await emu.inbound(text="hi", button_reply=("a", "b"))
