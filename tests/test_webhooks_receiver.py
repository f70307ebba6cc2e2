"""Receiver: the framework-free core (`handle`) and its ASGI 3 application (`receiver.asgi`)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.test_webhooks_app import SECRET, TEXT_BODY, TOKEN, FakeClient, Recorder, body_of, status, text
from wa_async._errors import ValidationError
from wa_async.webhooks import Event, Receiver, Reply, sign

HANDSHAKE = {"hub.mode": "subscribe", "hub.verify_token": TOKEN, "hub.challenge": "1158201444"}


def signed(body: bytes) -> dict[str, str]:
    return {"X-Hub-Signature-256": sign(body, SECRET)}


# -- handle() -------------------------------------------------------------------------------------------------


async def test_handshake() -> None:
    receiver = Receiver(verify_token=TOKEN)
    assert await receiver.handle("GET", HANDSHAKE, {}, b"") == (200, "text/plain; charset=utf-8", b"1158201444")
    status_, _, body = await receiver.handle("GET", {**HANDSHAKE, "hub.verify_token": "wrong"}, {}, b"")
    assert status_ == 403 and b"1158201444" not in body
    assert (await receiver.handle("get", HANDSHAKE, {}, b"")).status == 200  # any case of method


async def test_a_delivery_is_verified_answered_and_handled_once() -> None:
    rec = Recorder()
    receiver = Receiver(rec, verify_token=TOKEN, app_secret=SECRET)
    reply = await receiver.handle("POST", {}, signed(TEXT_BODY), TEXT_BODY)
    assert isinstance(reply, Reply) and reply == (200, "text/plain; charset=utf-8", b"OK")
    assert (await receiver.handle("POST", {}, signed(TEXT_BODY), TEXT_BODY)).status == 200  # a redelivery
    await receiver.aclose()
    assert [type(e).__name__ for e in rec.events] == ["TextMessage"]


async def test_a_missing_signature_is_401_never_a_skipped_check() -> None:
    rec = Recorder()
    receiver = Receiver(rec, verify_token=TOKEN, app_secret=SECRET)
    reply = await receiver.handle("POST", {}, {"Content-Type": "application/json"}, TEXT_BODY)
    assert reply.status == 401 and b"X-Hub-Signature-256" in reply.body
    assert (await receiver.handle("POST", {}, {"X-Hub-Signature-256": ""}, TEXT_BODY)).status == 403
    assert (await receiver.handle("POST", {}, {"X-Hub-Signature-256": "sha256=00"}, TEXT_BODY)).status == 403
    await receiver.aclose()
    assert rec.events == []


@pytest.mark.parametrize("name", ["x-hub-signature-256", "X-HUB-SIGNATURE-256", "X-Hub-Signature-256"])
async def test_the_signature_header_is_found_in_any_case(name: str) -> None:
    receiver = Receiver(verify_token=TOKEN, app_secret=SECRET)
    assert (await receiver.handle("POST", {}, {name: sign(TEXT_BODY, SECRET)}, TEXT_BODY)).status == 200


async def test_the_signature_is_checked_on_the_raw_bytes() -> None:
    # Meta signs its own serialisation (escaped unicode); the same JSON re-encoded by a framework differs.
    raw = b'{"object":"whatsapp_business_account","entry":[],"x":"caf\\u00e9"}'
    reencoded = json.dumps(json.loads(raw), ensure_ascii=False).encode()
    receiver = Receiver(verify_token=TOKEN, app_secret=SECRET)
    assert (await receiver.handle("POST", {}, signed(raw), raw)).status == 200
    assert (await receiver.handle("POST", {}, signed(raw), reencoded)).status == 403


async def test_other_methods_size_and_bad_bodies() -> None:
    receiver = Receiver(verify_token=TOKEN, max_body=100)
    reply = await receiver.handle("PUT", {}, {}, b"")
    assert reply.status == 405 and reply.headers == {"Allow": "GET, POST"}
    assert (await receiver.handle("POST", {}, {}, b"x" * 101)).status == 413
    assert (await receiver.handle("POST", {}, {}, b"not json")).status == 400
    with pytest.raises(ValidationError, match="max_body"):
        Receiver(verify_token=TOKEN, max_body=0)


async def test_when_full_503_with_retry_after_before_anything_is_marked_seen() -> None:
    gate = asyncio.Event()

    async def slow(event: Event) -> None:
        await gate.wait()

    receiver = Receiver(slow, verify_token=TOKEN, concurrency=1, backlog=0)
    assert (await receiver.handle("POST", {}, {}, body_of([text("m1")]))).status == 200
    busy = await receiver.handle("POST", {}, {}, body_of([text("m2")]))
    assert busy.status == 503 and busy.headers == {"Retry-After": "5"}
    gate.set()
    await receiver.drain()
    assert (await receiver.handle("POST", {}, {}, body_of([text("m2")]))).status == 200
    assert len(receiver.tasks) == 1  # m2 was not marked seen by the 503: its redelivery is handled
    await receiver.aclose()


class FlakyFilter:
    """An asynchronous duplicate filter whose store fails while `down`."""

    def __init__(self) -> None:
        self.down = True
        self.seen: set[str] = set()

    async def fresh(self, events: list[Event]) -> list[Event]:
        if self.down:
            raise ConnectionError("store unreachable")
        out = [e for e in events if getattr(e, "id", None) not in self.seen]
        self.seen.update(str(getattr(e, "id", "")) for e in out)
        return out


async def test_a_failing_duplicate_filter_is_503_and_the_redelivery_is_handled(
    caplog: pytest.LogCaptureFixture,
) -> None:
    rec = Recorder()
    dedupe = FlakyFilter()
    client = FakeClient()
    receiver = Receiver(rec, verify_token=TOKEN, dedupe=dedupe, client=client)
    body = body_of([text("m1")], [status("wamid.1", "delivered")])
    with caplog.at_level(logging.ERROR, logger="wa_async.webhooks"):
        reply = await receiver.handle("POST", {}, {}, body)
    assert reply.status == 503 and "duplicate filter failed" in caplog.text
    assert client.conversations.last_status("wamid.1") is None  # nothing observed either
    dedupe.down = False
    assert (await receiver.handle("POST", {}, {}, body)).status == 200
    assert (await receiver.handle("POST", {}, {}, body)).status == 200
    await receiver.aclose()
    assert [getattr(e, "id", None) for e in rec.events] == ["m1", "wamid.1"]


async def test_aclose_refuses_new_deliveries_and_awaits_handlers() -> None:
    done: list[str] = []

    async def handler(event: Event) -> None:
        await asyncio.sleep(0)
        done.append(str(getattr(event, "id", "")))

    async with Receiver(handler, verify_token=TOKEN) as receiver:
        assert (await receiver.handle("POST", {}, {}, body_of([text("m1")]))).status == 200
    assert done == ["m1"] and receiver.closed
    assert (await receiver.handle("POST", {}, {}, body_of([text("m2")]))).status == 503
    assert done == ["m1"]


async def test_start_attaches_the_clients_conversations_on_the_first_delivery() -> None:
    client = FakeClient()
    receiver = Receiver(verify_token=TOKEN, client=client)
    assert not client.conversations.attached
    await receiver.handle("GET", HANDSHAKE, {}, b"")
    assert not client.conversations.attached
    await receiver.handle("POST", {}, {}, body_of([text("m1")]))
    assert client.conversations.attached


# -- the ASGI application --------------------------------------------------------------------------------------

Send = Callable[[dict[str, Any]], Awaitable[None]]


async def call_asgi(
    receiver: Receiver,
    method: str,
    *,
    body_chunks: list[bytes] = (),  # type: ignore[assignment]
    headers: dict[str, str] | None = None,
    query: bytes = b"",
    disconnect: bool = False,
) -> list[dict[str, Any]]:
    incoming: list[dict[str, Any]] = [
        {"type": "http.request", "body": chunk, "more_body": i < len(body_chunks) - 1}
        for i, chunk in enumerate(body_chunks)
    ] or [{"type": "http.request", "body": b"", "more_body": False}]
    if disconnect:
        incoming = [{**incoming[0], "more_body": True}, {"type": "http.disconnect"}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "method": method,
        "path": "/",
        "query_string": query,
        "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
    }
    await receiver.asgi(scope, receive, send)
    return sent


async def test_asgi_handshake_and_a_body_in_chunks() -> None:
    rec = Recorder()
    receiver = Receiver(rec, verify_token=TOKEN, app_secret=SECRET)
    query = f"hub.mode=subscribe&hub.verify_token={TOKEN}&hub.challenge=42".encode()
    start, body = await call_asgi(receiver, "GET", query=query)
    assert start["status"] == 200 and body["body"] == b"42"
    chunks = [TEXT_BODY[:10], TEXT_BODY[10:100], TEXT_BODY[100:]]
    start, body = await call_asgi(receiver, "POST", body_chunks=chunks, headers=signed(TEXT_BODY))
    assert start["status"] == 200 and body["body"] == b"OK"
    assert (b"content-type", b"text/plain; charset=utf-8") in start["headers"]
    await receiver.aclose()
    assert len(rec.events) == 1
    assert receiver.asgi is receiver.asgi


async def test_asgi_refuses_a_large_body_as_it_arrives() -> None:
    receiver = Receiver(verify_token=TOKEN, max_body=100)
    start, _ = await call_asgi(receiver, "POST", headers={"Content-Length": "101"}, body_chunks=[b"x"])
    assert start["status"] == 413
    start, _ = await call_asgi(receiver, "POST", body_chunks=[b"x" * 60, b"x" * 60])
    assert start["status"] == 413


async def test_asgi_503_carries_retry_after_and_a_disconnect_answers_nothing() -> None:
    receiver = Receiver(verify_token=TOKEN)
    await receiver.aclose()
    start, _ = await call_asgi(receiver, "POST", body_chunks=[body_of([text("m1")])])
    assert start["status"] == 503 and (b"retry-after", b"5") in start["headers"]
    assert await call_asgi(receiver, "POST", body_chunks=[b"{"], disconnect=True) == []


async def test_asgi_lifespan_starts_and_closes_the_receiver() -> None:
    client = FakeClient()
    gate = asyncio.Event()
    done: list[str] = []

    async def handler(event: Event) -> None:
        await gate.wait()
        done.append("handled")

    receiver = Receiver(handler, verify_token=TOKEN, client=client)
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    lifespan = asyncio.create_task(receiver.asgi({"type": "lifespan"}, inbox.get, send))
    await inbox.put({"type": "lifespan.startup"})
    while not sent:
        await asyncio.sleep(0)
    assert sent == [{"type": "lifespan.startup.complete"}] and client.conversations.attached
    await call_asgi(receiver, "POST", body_chunks=[body_of([text("m1")])])
    await inbox.put({"type": "lifespan.shutdown"})
    for _ in range(10):
        await asyncio.sleep(0)
    assert not lifespan.done()  # shutdown waits for the handler
    gate.set()
    await lifespan
    assert done == ["handled"] and sent[-1] == {"type": "lifespan.shutdown.complete"}


async def test_asgi_refuses_websockets() -> None:
    async def nothing() -> dict[str, Any]:
        return {}

    async def ignore(message: dict[str, Any]) -> None:
        pass

    with pytest.raises(ValueError, match="HTTP only"):
        await Receiver(verify_token=TOKEN).asgi({"type": "websocket"}, nothing, ignore)
