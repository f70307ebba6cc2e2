"""Client over aioresponses: headers, targets, decoding, the error model, lifecycle."""

import asyncio
import json
import re

import aiohttp
import pytest
from aioresponses import aioresponses

import wa_async as wa
from tests._data import PAYLOADS

MATON = "https://gateway.maton.ai/whatsapp-business/v25.0/123/messages"
GRAPH = "https://graph.facebook.com/v25.0/123/messages"
OK = json.loads((PAYLOADS / "send-message-response-text.json").read_text())
FAST = wa.RetryPolicy(base=0.0, random=lambda: 0.0)


def sent_body(mock: aioresponses, url: str, n: int = 0) -> dict[str, object]:
    calls = [c for (method, u), cs in mock.requests.items() for c in cs if str(u) == url]
    data = calls[n].kwargs["data"]
    if isinstance(data, aiohttp.payload.BytesPayload):  # a JSON body goes out as a payload with its content type
        assert data.content_type == "application/json"
        data = data._value
    return json.loads(data)  # type: ignore[no-any-return]


async def test_maton_send_returns_wamid_with_gateway_headers() -> None:
    from aiohttp import web
    from aiohttp.test_utils import TestServer

    seen: list[tuple[dict[str, str], bytes]] = []

    async def messages(request: web.Request) -> web.Response:
        seen.append((dict(request.headers), await request.read()))
        return web.json_response(OK)

    app = web.Application()
    app.router.add_post("/whatsapp-business/v25.0/123/messages", messages)
    async with TestServer(app, host="127.0.0.1") as server:
        base = str(server.make_url("/whatsapp-business"))
        async with wa.Client.maton("123", api_key="k", connection_id="conn-1", base_url=base) as client:
            wamid = await client.send(wa.Text("+15551234567", "hello"))
    assert wamid == OK["messages"][0]["id"]
    ((headers, raw),) = seen
    assert headers["Authorization"] == "Bearer k"
    assert headers["Maton-Connection"] == "conn-1"
    assert headers["Content-Type"] == "application/json"
    body = json.loads(raw)
    assert body["to"] == "15551234567" and body["text"] == {"body": "hello", "preview_url": False}


def answer(request: wa.HttpRequest) -> wa.Response:
    return wa.Response(200, {}, json.dumps(OK).encode())


async def test_maton_key_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MATON_API_KEY", "from-env")
    mock = wa.MockTransport(answer)
    async with wa.Client.maton("123", transport=mock) as client:
        await client.send(wa.Text("15551234567", "hi"))
    assert mock.requests[0].headers["Authorization"] == "Bearer from-env"
    assert not hasattr(client, "auth_headers")  # the bearer is not kept in clear on a public attribute
    monkeypatch.delenv("MATON_API_KEY")
    with pytest.raises(wa.ValidationError, match="MATON_API_KEY"):
        wa.Client.maton("123")


async def test_graph_target_and_defaults() -> None:
    client = wa.Client.graph("123", access_token="t", api_version="v23.0")
    assert client.rate_limit == 80.0 and client.base_url == "https://graph.facebook.com"
    assert wa.Client.maton("1", api_key="k").rate_limit == 10.0
    with aioresponses() as mock:
        mock.post(GRAPH, payload=OK)
        async with wa.Client.graph("123", access_token="t") as client:
            assert await client.send_text("15551234567", "hi") == OK["messages"][0]["id"]


@pytest.mark.parametrize(
    ("name", "status", "cls"),
    [
        ("error-131009-captured.json", 400, wa.ApiError),
        ("error-190-expired-token-openapi.json", 401, wa.AuthError),
    ],
)
async def test_error_answers_raise_typed_errors(name: str, status: int, cls: type) -> None:
    with aioresponses() as mock:
        mock.post(MATON, status=status, body=(PAYLOADS / name).read_bytes())
        async with wa.Client.maton("123", api_key="k", retry=FAST) as client:
            with pytest.raises(cls) as info:
                await client.send(wa.Text("15551234567", "hello"))
    err = info.value
    assert type(err) is cls and err.http_status == status and err.fbtrace_id
    assert isinstance(err.request, wa.SendMessage)  # the error carries what was sent
    assert json.loads(err.request.body)["to"] == "15551234567"


async def test_rate_limited_then_sent_once() -> None:
    with aioresponses() as mock:
        mock.post(MATON, status=400, body=(PAYLOADS / "error-130429.json").read_bytes())
        mock.post(MATON, payload=OK)
        async with wa.Client.maton("123", api_key="k", retry=FAST) as client:
            assert await client.send(wa.Text("15551234567", "hello")) == OK["messages"][0]["id"]
        calls = [c for cs in mock.requests.values() for c in cs]
        assert len(calls) == 2


async def test_bodyless_502_is_delivery_unknown_and_not_resent() -> None:
    with aioresponses() as mock:
        mock.post(MATON, status=502, body=b"<html>bad gateway</html>")
        mock.post(MATON, payload=OK)
        async with wa.Client.maton("123", api_key="k", retry=FAST) as client:
            with pytest.raises(wa.DeliveryUnknown):
                await client.send(wa.Text("15551234567", "hello"))
        assert len([c for cs in mock.requests.values() for c in cs]) == 1


async def test_dropped_connection_is_delivery_unknown() -> None:
    with aioresponses() as mock:
        mock.post(MATON, exception=aiohttp.ServerDisconnectedError())
        async with wa.Client.maton("123", api_key="k", retry=FAST) as client:
            with pytest.raises(wa.DeliveryUnknown):
                await client.send(wa.Text("15551234567", "hello"))


async def test_read_timeout_is_delivery_unknown() -> None:
    with aioresponses() as mock:
        mock.post(MATON, exception=TimeoutError())
        async with wa.Client.maton("123", api_key="k", retry=FAST) as client:
            with pytest.raises(wa.DeliveryUnknown):
                await client.send(wa.Text("15551234567", "hello"))


async def test_connect_failure_is_retried() -> None:
    from aiohttp.client_reqrep import ConnectionKey

    key = ConnectionKey("gateway.maton.ai", 443, True, True, None, None, None)
    refused = aiohttp.ClientConnectorError(key, OSError(111, "Connection refused"))
    with aioresponses() as mock:
        mock.post(MATON, exception=refused)
        mock.post(MATON, payload=OK)
        async with wa.Client.maton("123", api_key="k", retry=FAST) as client:
            assert await client.send(wa.Text("15551234567", "hello")) == OK["messages"][0]["id"]


async def test_unreadable_success_is_delivery_unknown() -> None:
    with aioresponses() as mock:
        mock.post(MATON, status=200, body=b"{}")
        async with wa.Client.maton("123", api_key="k") as client:
            with pytest.raises(wa.DeliveryUnknown):
                await client.send(wa.Text("15551234567", "hello"))


async def test_mark_read_with_typing_indicator() -> None:
    with aioresponses() as mock:
        mock.post(MATON, payload={"success": True})
        async with wa.Client.maton("123", api_key="k") as client:
            assert await client.mark_read("wamid.X", typing=True) is True
        body = sent_body(mock, MATON)
        assert body == {
            "messaging_product": "whatsapp",
            "status": "read",
            "message_id": "wamid.X",
            "typing_indicator": {"type": "text"},
        }


async def test_every_request_passes_the_limiter() -> None:
    class Counting(wa.UnlimitedLimiter):
        count = 0

        async def acquire(self) -> None:
            Counting.count += 1

    with aioresponses() as mock:
        mock.post(MATON, payload=OK)
        mock.post(MATON, payload={"success": True})
        mock.get(re.compile(r".*/v25.0/123\?.*|.*/v25.0/123$"), payload={"id": "123"})
        async with wa.Client.maton("123", api_key="k", limiter=Counting()) as client:
            await client.send_text("15551234567", "x")
            await client.mark_read("wamid.X")
            assert (await client.request("GET", "123"))["id"] == "123"
    assert Counting.count == 3


async def test_submit_nowait_and_closed_client() -> None:
    with aioresponses() as mock:
        mock.post(MATON, payload=OK, repeat=True)
        client = wa.Client.maton("123", api_key="k", queue_size=1, workers=1)
        await client.start()
        fut = client.submit_nowait(wa.Text("15551234567", "a"))
        with pytest.raises(wa.QueueFull):
            client.submit_nowait(wa.Text("15551234567", "b"))
        assert client.pending == 1
        await client.close()
        assert fut.result() == OK["messages"][0]["id"]
    with pytest.raises(wa.ClientClosed):
        await client.send(wa.Text("15551234567", "c"))
    with pytest.raises(wa.ClientClosed):
        client.submit_nowait(wa.Text("15551234567", "c"))
    with pytest.raises(wa.ClientClosed):
        await client.start()


async def test_validation_happens_before_queueing() -> None:
    async with wa.Client.maton("123", api_key="k") as client:
        with pytest.raises(wa.ValidationError, match="to"):
            await client.send_text("12", "hi")
        assert client.pending == 0


async def test_borrowed_session_is_left_open() -> None:
    async with aiohttp.ClientSession() as session:
        with aioresponses() as mock:
            mock.post(MATON, payload=OK)
            async with wa.Client.maton("123", api_key="k", session=session) as client:
                await client.send_text("15551234567", "x")
        assert not session.closed


async def test_client_repr_shows_state() -> None:
    client = wa.Client.maton("123", api_key="k")
    assert "unopened" in repr(client)
    await client.close()
    assert "closed" in repr(client)


async def test_send_helpers_build_each_type() -> None:
    with aioresponses() as mock:
        mock.post(MATON, payload=OK, repeat=True)
        async with wa.Client.maton("123", api_key="k") as client:
            await client.send_buttons("15551234567", "Pick", [wa.ReplyButton("y", "Yes")])
            await client.send_list("15551234567", "Menu", "Open", [wa.Section("S", [wa.Row("r1", "One")])])
            await client.send_cta_url("15551234567", "Shop", "Visit", "https://example.com")
            await client.send_contacts("15551234567", [wa.Contact("Ann", phones=["+15550001111"])])
            await client.send_location("15551234567", 52.5, 13.4, name="Office")
        types = [sent_body(mock, MATON, i)["type"] for i in range(5)]
        assert types == ["interactive", "interactive", "interactive", "contacts", "location"]
        assert sent_body(mock, MATON, 1)["interactive"]["type"] == "list"  # type: ignore[index]


async def test_mark_read_object_is_refused_by_send() -> None:
    async with wa.Client.maton("123", api_key="k") as client:
        with pytest.raises(TypeError, match="mark_read"):
            await client.send(wa.MarkRead("wamid.X"))  # type: ignore[arg-type]


async def test_unlimited_send_posts_from_the_callers_task_and_close_awaits_it() -> None:
    from aiohttp import web
    from aiohttp.test_utils import TestServer

    arrived = asyncio.Event()
    release = asyncio.Event()
    async def messages(request: web.Request) -> web.Response:
        arrived.set()
        await release.wait()
        return web.json_response(OK)

    app = web.Application()
    app.router.add_post("/v25.0/123/messages", messages)
    async with TestServer(app, host="127.0.0.1") as server:
        client = wa.Client.graph("123", access_token="t", base_url=str(server.make_url("")), rate_limit=None)
        await client.start()
        assert client._queue.can_inline()
        caller = asyncio.create_task(client.send(wa.Text("15551234567", "x")), name="the-caller")
        await arrived.wait()
        assert client.pending == 1  # counted while on the wire
        closing = asyncio.create_task(client.close(cancel=True))
        while client._queue._inline_done is None:  # close() went as far as it can: it waits for the request
            await asyncio.sleep(0)
        assert not closing.done()  # a request on the wire is awaited, not cancelled
        release.set()
        await closing
        assert await caller == OK["messages"][0]["id"]
        assert client.pending == 0


async def test_limited_client_never_posts_inline() -> None:
    client = wa.Client.maton("123", api_key="k")  # 10/s: every message goes through the queue and its limiter
    await client.start()
    assert not client._queue.can_inline()
    await client.close()


async def test_inline_send_retries_like_a_queued_one() -> None:
    with aioresponses() as mock:
        mock.post(GRAPH, status=500, body=json.dumps({"error": {"message": "x", "code": 131000}}))
        mock.post(GRAPH, payload=OK)
        async with wa.Client.graph("123", access_token="t", rate_limit=None, retry=FAST) as client:
            assert client._queue.can_inline()
            assert await client.send(wa.Text("15551234567", "x")) == OK["messages"][0]["id"]
        assert len([c for cs in mock.requests.values() for c in cs]) == 2


async def test_submit_nowait_starts_the_client_on_first_use() -> None:
    with aioresponses() as mock:
        mock.post(MATON, payload=OK)
        client = wa.Client.maton("123", api_key="k")
        fut = client.submit_nowait(wa.Text("15551234567", "x"))
        assert not client.closed and client.pending == 1
        await client.close()
    assert fut.result() == OK["messages"][0]["id"]
