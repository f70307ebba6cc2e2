"""client.qr_codes: Meta's documented bodies and answers, and the emulator end to end (the image downloads)."""

from __future__ import annotations

import aiohttp
import pytest

import wa_async as wa
from tests._account import OK, PNID, Scripted, answer, emulated
from tests._data import payload


async def test_create_sends_the_documented_body_and_reads_the_answer() -> None:
    documented = payload("request-qr-code-create.json")
    mock = Scripted([answer(payload("response-qr-code-create.json"))])
    async with mock.client as client:
        qr = await client.qr_codes.create(documented["prefilled_message"], documented["generate_qr_image"].lower())
    assert mock.sent() == documented and mock.path() == f"{PNID}/message_qrdls"
    assert qr == wa.QrCode(code="ABCDEFGHIJ2345", prefilled_message="Hi! I'd like to book a table for tonight.",
                           deep_link_url="https://wa.me/message/ABCDEFGHIJ2345",
                           qr_image_url="https://scontent.example.net/qr/ABCDEFGHIJ2345.svg")  # fmt: skip


async def test_update_get_list_and_delete_are_the_documented_calls() -> None:
    listed = payload("response-qr-code-list.json")
    mock = Scripted([answer(listed["data"][0]), answer({"data": [listed["data"][1]]}), answer(listed), OK])
    async with mock.client as client:
        updated = await client.qr_codes.update("ABCDEFGHIJ2345", "Table for two?")
        one = await client.qr_codes.get("KLMNOPQRST6723", image_format="SVG")
        codes = [q.code async for q in client.qr_codes.list()]
        assert await client.qr_codes.delete("ABCDEFGHIJ2345")
    assert mock.sent(0) == {"prefilled_message": "Table for two?", "code": "ABCDEFGHIJ2345"}
    assert updated.code == "ABCDEFGHIJ2345"
    assert mock.path(1) == f"{PNID}/message_qrdls/KLMNOPQRST6723"
    assert mock.requests[1].params == {"fields": "code,prefilled_message,deep_link_url,qr_image_url.format(SVG)"}
    assert one.code == "KLMNOPQRST6723" and codes == ["ABCDEFGHIJ2345", "KLMNOPQRST6723"]
    assert mock.requests[3].method == "DELETE" and mock.path(3) == f"{PNID}/message_qrdls/ABCDEFGHIJ2345"


async def test_an_empty_answer_to_get_is_an_error() -> None:
    mock = Scripted([answer({"data": []})])
    async with mock.client as client:
        with pytest.raises(wa.ApiError, match="no data"):
            await client.qr_codes.get("ABCDEFGHIJ2345")


async def test_against_the_emulator() -> None:
    async with emulated() as (emu, client):
        qr = await client.qr_codes.create("x" * 140, image_format="SVG")  # the limit is inclusive
        assert qr.qr_image_url is not None and qr.qr_image_url.endswith(".svg")
        async with aiohttp.ClientSession() as http, http.get(qr.qr_image_url) as resp:
            assert resp.status == 200 and (await resp.text()).startswith("<svg")
        plain = await client.qr_codes.create("Hi!", image_format=None)
        assert plain.qr_image_url is None and plain.deep_link_url == f"https://wa.me/message/{plain.code}"
        assert (await client.qr_codes.update(plain.code, "Hello!")).prefilled_message == "Hello!"
        assert (await client.qr_codes.get(plain.code)).prefilled_message == "Hello!"
        png = await client.qr_codes.get(plain.code, image_format="PNG")
        assert png.qr_image_url is not None and png.qr_image_url.endswith(".png")
        assert [q.code async for q in client.qr_codes.list()] == [plain.code, qr.code]  # newest first
        assert await client.qr_codes.delete(plain.code)
        with pytest.raises(wa.ApiError) as caught:
            await client.qr_codes.get(plain.code)
        assert caught.value.http_status == 404 and caught.value.code == 803
        emu.qr_codes.limit = 2
        await client.qr_codes.create("two")
        with pytest.raises(wa.ApiError, match="at most 2"):
            await client.qr_codes.create("three")
