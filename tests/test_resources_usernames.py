"""client.usernames: Meta's documented bodies and answers, and the emulator end to end."""

from __future__ import annotations

import pytest

import wa_async as wa
from tests._account import OK, PNID, Scripted, answer, emulated
from tests._data import payload


async def test_the_documented_calls() -> None:
    documented = payload("request-username-set.json")
    mock = Scripted([answer(payload("response-username-set.json")), answer(payload("response-username-get.json")),
                     answer(payload("response-username-suggestions.json")), answer({}), OK])  # fmt: skip
    async with mock.client as client:
        assert await client.usernames.set(documented["username"], force_transfer=True) == "reserved"
        assert await client.usernames.get() == wa.Username("examplecoffee", "approved")
        assert await client.usernames.suggestions() == ["examplecoffee", "example.coffee", "examplecoffee_shop"]
        assert await client.usernames.get() == wa.Username()  # none set: Meta omits the username
        assert await client.usernames.delete()
    assert mock.sent(0) == documented and mock.path(0) == f"{PNID}/username"
    assert [(r.method, mock.path(i)) for i, r in enumerate(mock.requests)][1:] == [
        ("GET", f"{PNID}/username"), ("GET", f"{PNID}/username_suggestions"), ("GET", f"{PNID}/username"),
        ("DELETE", f"{PNID}/username")]  # fmt: skip


async def test_a_plain_set_does_not_transfer() -> None:
    mock = Scripted([answer({"status": "approved"})])
    async with mock.client as client:
        await client.usernames.set(" examplecoffee ")
    assert mock.sent() == {"username": "examplecoffee", "transfer_action": "none"}


async def test_against_the_emulator() -> None:
    async with emulated() as (emu, client):
        suggestions = await client.usernames.suggestions()
        assert suggestions and all(name.startswith("emulated") for name in suggestions)
        assert await client.usernames.set(suggestions[0]) == "approved"
        assert await client.usernames.get() == wa.Username(suggestions[0], "approved")
        other = wa.Client.maton("222222222222222", api_key="test", base_url=emu.gateway_url, rate_limit=None)
        async with other:
            with pytest.raises(wa.ApiError) as caught:
                await other.usernames.set(suggestions[0])  # held by another number of the portfolio
            assert caught.value.code == 147005
            assert await other.usernames.set(suggestions[0], force_transfer=True) == "approved"
        assert await client.usernames.get() == wa.Username()
        assert not await client.usernames.delete()  # it had none left
        with pytest.raises(wa.ApiError, match="not a valid username"):
            await client.usernames.set("www.example.com")  # Meta checks the format
        await client.phone_numbers.deregister()
        with pytest.raises(wa.ApiError) as caught:
            await client.usernames.set("emulated_shop")
        assert caught.value.code == 133010
