"""client.blocked: Meta's documented bodies (the partial failure comes back typed), and the emulator end to end."""

from __future__ import annotations

import pytest

import wa_async as wa
from tests._account import PNID, Scripted, answer, emulated
from tests._data import payload

PARTIAL = payload("response-block-users-partial-failure.json")


async def test_block_sends_the_documented_body() -> None:
    mock = Scripted([answer({"messaging_product": "whatsapp", "block_users": {"added_users": [
        {"input": "15551234567", "wa_id": "15551234567"},
        {"input": "US.1234567890123456780", "user_id": "US.1234567890123456780"}]}})])  # fmt: skip
    async with mock.client as client:
        result = await client.blocked.block(["+1 555 123 4567", "US.1234567890123456780"])
    documented = payload("request-block-users.json")
    documented["block_users"][0]["user"] = "15551234567"  # we send a phone number's digits, as for messages
    assert mock.sent() == documented and mock.path() == f"{PNID}/block_users" and mock.requests[0].method == "POST"
    assert result.ok and [u.input for u in result.done] == ["15551234567", "US.1234567890123456780"]
    assert result.done[1].user_id == "US.1234567890123456780"


async def test_the_partial_failure_answer_comes_back_typed() -> None:
    mock = Scripted([answer(PARTIAL, status=400)])
    async with mock.client as client:
        result = await client.blocked.block(["+15551234567", "+15559876543"])
    assert len(mock.requests) == 1  # Meta answered: not retried
    assert not result.ok
    assert result.done == [wa.resources.DoneUser(input="+15551234567", wa_id="15551234567")]
    (failed,) = result.failed
    assert failed.input == "+15559876543" and failed.code == 131047
    assert failed.errors[0].message == "Re-engagement message"
    assert failed.errors[0].details == "User must have messaged the business in the last 24 hours to be blocked."


async def test_a_400_without_results_is_an_error_with_its_request() -> None:
    mock = Scripted([answer({"error": {"message": "(#139101) Blocklist limit reached", "code": 139101}}, 400)])
    async with mock.client as client:
        with pytest.raises(wa.ApiError) as caught:
            await client.blocked.block("15551234567")
    assert caught.value.code == 139101 and isinstance(caught.value.request, wa.resources._blocked.ChangeBlockList)


async def test_unblock_accepts_either_result_key() -> None:
    removed = {"block_users": {"removed_users": [{"input": "15551234567", "wa_id": "15551234567"}]}}
    added = {"block_users": {"added_users": [{"input": "15551234567", "wa_id": "15551234567"}]}}
    mock = Scripted([answer(removed), answer(added)])
    async with mock.client as client:
        first = await client.blocked.unblock("15551234567")
        second = await client.blocked.unblock("15551234567")
    assert first == second and first.done[0].wa_id == "15551234567"
    assert {r.method for r in mock.requests} == {"DELETE"}


async def test_an_unknown_outcome_is_retried_as_blocking_twice_changes_nothing() -> None:
    tries = 0

    def handler(request: wa.HttpRequest) -> wa.Response:
        nonlocal tries
        tries += 1
        if tries == 1:
            raise wa.DeliveryUnknown("connection dropped")
        return answer({"block_users": {"added_users": []}})

    transport = wa.MockTransport(handler)
    retry = wa.RetryPolicy(base=0.0, random=lambda: 0.0)
    async with wa.Client.graph(PNID, access_token="t", transport=transport, retry=retry) as client:
        assert (await client.blocked.block("15551234567")).ok
    assert len(transport.requests) == 2


async def test_list_reads_both_documented_shapes_and_follows_pages() -> None:
    first = payload("response-block-users-list.json")
    first["paging"]["next"] = "https://graph.facebook.com/v25.0/next"
    older = {"data": [{"block_users": [{"input": "+15550001111", "wa_id": "15550001111"}]}]}  # October 2025's shape
    mock = Scripted([answer(first), answer(older)])
    async with mock.client as client:
        users = [u async for u in client.blocked.list(limit=2)]
    assert users == [
        wa.BlockedUser(wa_id="15551234567", user_id="US.1234567890123456789"),
        wa.BlockedUser(user_id="US.1234567890123456780", parent_user_id="US.ENT.1234567890987654321"),
        wa.BlockedUser(wa_id="15550001111"),
    ]
    assert mock.requests[0].params == {"limit": "2"}
    assert mock.requests[1].params == {"limit": "2", "after": "QVFIUjEyMzQ1Njc4OTBhZAnRlcgZDZD"}


async def test_against_the_emulator() -> None:
    async with emulated(enforce_window=True) as (emu, client):
        await emu.inbound("15551234567", text="hi")  # only a user who wrote in the last 24 hours can be blocked
        result = await client.blocked.block(["15551234567", "15559876543", emu.display_phone_number])
        assert [u.input for u in result.done] == ["15551234567"]
        assert {u.input: u.code for u in result.failed} == {"15559876543": 131047, emu.display_phone_number: 131021}
        assert emu.blocked.is_blocked(emu.phone_number_id, "15551234567")
        assert (await client.blocked.block("US.1234567890123456780")).ok
        listed = [u async for u in client.blocked.list(limit=1)]
        assert [u.wa_id for u in listed] == ["15551234567", None] and listed[1].user_id == "US.1234567890123456780"
        assert (await client.blocked.unblock(["15551234567", "US.1234567890123456780"])).ok
        assert [u async for u in client.blocked.list()] == []


async def test_a_list_that_changes_while_paging_starts_again_on_139102() -> None:
    async with emulated() as (_, client):
        assert (await client.blocked.block(["US.1111111111111111111", "US.2222222222222222222"])).ok
        pages = client.blocked.list(limit=1)
        assert (await anext(pages)).user_id == "US.1111111111111111111"
        await client.blocked.unblock("US.1111111111111111111")
        # The emulator answers the stale cursor 139102, as Meta does; the walk lists again from the start.
        assert [u.user_id async for u in pages] == ["US.2222222222222222222"]


async def test_a_list_that_changed_while_paging_is_listed_again_without_repeats() -> None:
    """Meta answers 139102 when the block list changed under a cursor: list again from the first page."""
    import json as _json

    calls: list[dict[str, str]] = []

    def page(users: list[str], after: str | None) -> wa.Response:
        paging = {"cursors": {"after": after}, "next": "https://graph.facebook.com/next"} if after else {}
        data = [{"messaging_product": "whatsapp", "wa_id": u, "user_id": f"US.{u}"} for u in users]
        return wa.Response(200, {}, _json.dumps({"data": data, "paging": paging}).encode())

    def answer(request: wa.HttpRequest) -> wa.Response:
        params = dict(request.params or {})
        calls.append(params)
        if params.get("after") == "B" and len(calls) == 2:
            return wa.Response(400, {}, b'{"error": {"message": "(#139102) List changed", "code": 139102}}')
        return page(["1", "2"], "B") if "after" not in params else page(["3"], None)

    async with wa.Client.graph("1", access_token="t", transport=wa.MockTransport(answer)) as client:
        users = [u.wa_id async for u in client.blocked.list()]
    assert users == ["1", "2", "3"]
    assert [c.get("after") for c in calls] == [None, "B", None, "B"]
