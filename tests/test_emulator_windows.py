"""``Emulator(enforce_window=True)``: free-form messages need a user message in the last 24 hours (FACTS §10),
else 131047 (FACTS §2.3); templates always go. Time is the emulator's (fake) clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

import wa_async as wa
from tests.conftest import FakeClock
from wa_async.emulator import Emulator

AUTH = {"Authorization": "Bearer test-key"}
DAY = 24 * 3600
USER = "16505551234"




@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(headers=AUTH) as session:
        yield session


@pytest.fixture
async def emu(clock: FakeClock) -> AsyncIterator[Emulator]:
    async with Emulator(rate_limit=None, pair_limit=False, enforce_window=True, clock=clock) as emulator:
        yield emulator


def text(to: str = USER) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "to": to, "type": "text", "text": {"body": "hi"}}


def template(to: str = USER) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "to": to, "type": "template",
            "template": {"name": "hello_world", "language": {"code": "en_US"}}}  # fmt: skip


async def send(http: aiohttp.ClientSession, emu: Emulator, body: dict[str, Any], pnid: str | None = None) -> int | str:
    """The Graph error code, or "ok"."""
    url = f"{emu.graph_url}/v21.0/{pnid or emu.phone_number_id}/messages"
    async with http.post(url, json=body) as resp:
        answer = await resp.json()
    if resp.status == 200:
        return "ok"
    assert resp.status == 400
    return int(answer["error"]["code"])


async def test_free_form_needs_an_open_window_templates_do_not(http: aiohttp.ClientSession, emu: Emulator) -> None:
    assert await send(http, emu, text()) == 131047
    assert await send(http, emu, template()) == "ok"
    await emu.inbound(USER, text="hello?")  # no webhook_url: it only opens the window
    assert await send(http, emu, text()) == "ok"
    assert await send(http, emu, text("+1 650-555-1234")) == "ok"  # the same user, written for humans
    assert await send(http, emu, text("16505550000")) == 131047  # someone else
    assert [a.type for a in emu.accepted] == ["template", "text", "text"]


async def test_the_window_closes_24_hours_after_the_last_user_message(
    http: aiohttp.ClientSession, emu: Emulator, clock: FakeClock
) -> None:
    await emu.inbound("+1 (650) 555-1234", text="hi")
    clock.now += DAY - 1
    assert await send(http, emu, text()) == "ok"
    clock.now += 1
    assert await send(http, emu, text()) == 131047
    await emu.inbound(USER, text="still there?")  # each user message opens 24 hours again
    clock.now += DAY - 1
    assert await send(http, emu, text()) == "ok"


async def test_a_window_belongs_to_one_business_number(http: aiohttp.ClientSession, emu: Emulator) -> None:
    await emu.inbound(USER, text="hi", phone_number_id="555000111")
    assert await send(http, emu, text(), pnid="555000111") == "ok"
    assert await send(http, emu, text()) == 131047  # the default number never heard from this user


async def test_the_error_body_and_reset(http: aiohttp.ClientSession, emu: Emulator) -> None:
    async with http.post(f"{emu.graph_url}/v21.0/{emu.phone_number_id}/messages", json=text()) as resp:
        error = (await resp.json())["error"]
    assert error["message"] == "(#131047) Re-engagement message"
    assert "24 hours" in error["error_data"]["details"] and emu.stats.invalid == 1
    await emu.inbound(USER, text="hi")
    emu.reset()  # forgets the windows too
    assert await send(http, emu, text()) == 131047


async def test_off_by_default(http: aiohttp.ClientSession, clock: FakeClock) -> None:
    async with Emulator(rate_limit=None, clock=clock) as emu:
        assert await send(http, emu, text()) == "ok"
        with pytest.raises(RuntimeError, match="webhook_url"):
            await emu.inbound(USER, text="hi")  # nothing to post to, and no window to open


async def test_the_client_sees_a_recipient_error(emu: Emulator) -> None:
    async with wa.Client.maton(emu.phone_number_id, api_key="k", base_url=emu.gateway_url, rate_limit=None,
                               windows=False) as client:  # fmt: skip
        with pytest.raises(wa.RecipientError) as caught:
            await client.send(wa.Text(USER, "hello"))
        assert caught.value.code == 131047 and caught.value.retry_scope == "never"
        await emu.inbound(USER, text="hi")
        assert (await client.send(wa.Text(USER, "hello"))).startswith("wamid.")
