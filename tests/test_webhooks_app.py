"""make_app: the handshake, signatures, 200-at-once dispatch, duplicates, owned tasks, client binding."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from tests._data import PAYLOADS
from wa_async._conversations import Conversations
from wa_async._errors import ValidationError
from wa_async._messages import Reaction, Text
from wa_async.webhooks import (
    MAX_BODY,
    RECEIVER,
    Event,
    Message,
    NotBound,
    Status,
    TextMessage,
    Unknown,
    make_app,
    sign,
)

SECRET = "s3cret"
TOKEN = "verify-me"
TEXT_BODY = (PAYLOADS / "webhook-text-message.json").read_bytes()


class FakeClient:
    """The parts of wa.Client the receiver uses; the shortcuts build the same structs the real ones do."""

    def __init__(self, phone_number_id: str = "106540352242922") -> None:
        self.phone_number_id = phone_number_id
        self.conversations = Conversations(phone_number_id=phone_number_id)
        self.sent: list[Any] = []
        self.read: list[tuple[str, bool]] = []

    async def send(self, msg: Any, /) -> str:
        self.sent.append(msg)
        return f"wamid.out{len(self.sent)}"

    async def send_text(self, to: str, body: str, *, reply_to: str | None = None) -> str:
        return await self.send(Text(to, body, reply_to=reply_to))

    async def send_reaction(self, to: str, message_id: str, emoji: str) -> str:
        return await self.send(Reaction(to, message_id, emoji))

    async def mark_read(self, message_id: str, *, typing: bool = False) -> None:
        self.read.append((message_id, typing))


Serve = Callable[..., Any]


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    clients: list[TestClient[web.Request, web.Application]] = []

    async def start(app: web.Application) -> TestClient[web.Request, web.Application]:
        tc = TestClient(TestServer(app, host="127.0.0.1"))
        await tc.start_server()
        clients.append(tc)
        return tc

    yield start
    for tc in clients:
        await tc.close()


def signed(body: bytes, secret: str = SECRET) -> dict[str, str]:
    return {"X-Hub-Signature-256": sign(body, secret), "Content-Type": "application/json"}


def body_of(messages: list[dict[str, Any]] | None = None, statuses: list[dict[str, Any]] | None = None) -> bytes:
    value: dict[str, Any] = {"metadata": {"phone_number_id": "106540352242922", "display_phone_number": "1555"}}
    if messages:
        value["messages"] = messages
    if statuses:
        value["statuses"] = statuses
    change = {"field": "messages", "value": value}
    return json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [change]}]}).encode()


def text(id: str, body: str = "hi") -> dict[str, Any]:
    return {"from": "16505551234", "id": id, "timestamp": "1750000000", "type": "text", "text": {"body": body}}


def status(id: str, st: str) -> dict[str, Any]:
    return {"id": id, "status": st, "timestamp": "1750000001", "recipient_id": "16505551234"}


class Recorder:
    def __init__(self) -> None:
        self.events: list[Event] = []

    async def __call__(self, event: Event) -> None:
        self.events.append(event)


# -- handshake ------------------------------------------------------------------------------------------------


async def test_handshake_echoes_challenge(serve: Serve) -> None:
    tc = await serve(make_app(verify_token=TOKEN, app_secret=SECRET))
    params = {"hub.mode": "subscribe", "hub.verify_token": TOKEN, "hub.challenge": "1158201444"}
    resp = await tc.get("/webhook", params=params)
    assert resp.status == 200
    assert await resp.text() == "1158201444"


@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": TOKEN, "hub.challenge": "1"},
        {"hub.challenge": "1"},
        {},
    ],
)
async def test_handshake_refused(serve: Serve, params: dict[str, str]) -> None:
    tc = await serve(make_app(verify_token=TOKEN, app_secret=SECRET))
    resp = await tc.get("/webhook", params=params)
    assert resp.status == 403
    assert "1" not in await resp.text()


async def test_custom_path(serve: Serve) -> None:
    tc = await serve(make_app(verify_token=TOKEN, path="/hooks/wa"))
    params = {"hub.mode": "subscribe", "hub.verify_token": TOKEN, "hub.challenge": "7"}
    assert (await tc.get("/hooks/wa", params=params)).status == 200
    assert (await tc.get("/webhook", params=params)).status == 404


def test_empty_verify_token_refused() -> None:
    with pytest.raises(ValueError, match="verify_token"):
        make_app(verify_token="")


# -- signatures and bodies ------------------------------------------------------------------------------------


async def test_missing_signature_is_401_and_handler_never_sees_it(serve: Serve) -> None:
    rec = Recorder()
    app = make_app(rec, verify_token=TOKEN, app_secret=SECRET)
    tc = await serve(app)
    resp = await tc.post("/webhook", data=TEXT_BODY)
    assert resp.status == 401
    await app[RECEIVER].drain()
    assert rec.events == []


async def test_wrong_signature_is_403_and_handler_never_sees_it(serve: Serve) -> None:
    rec = Recorder()
    app = make_app(rec, verify_token=TOKEN, app_secret=SECRET)
    tc = await serve(app)
    for headers in (signed(TEXT_BODY, "other"), {"X-Hub-Signature-256": "sha1=abc"}, signed(TEXT_BODY + b" ")):
        resp = await tc.post("/webhook", data=TEXT_BODY, headers=headers)
        assert resp.status == 403
    await app[RECEIVER].drain()
    assert rec.events == []


async def test_malformed_body_is_400(serve: Serve) -> None:
    rec = Recorder()
    app = make_app(rec, verify_token=TOKEN, app_secret=SECRET)
    tc = await serve(app)
    for body in (b"not json", b'{"hello": 1}'):
        resp = await tc.post("/webhook", data=body, headers=signed(body))
        assert resp.status == 400
        assert "webhook" in await resp.text()
    assert rec.events == []


async def test_signed_body_dispatched(serve: Serve) -> None:
    rec = Recorder()
    app = make_app(rec, verify_token=TOKEN, app_secret=SECRET)
    tc = await serve(app)
    resp = await tc.post("/webhook", data=TEXT_BODY, headers=signed(TEXT_BODY))
    assert resp.status == 200
    await app[RECEIVER].drain()
    (ev,) = rec.events
    assert isinstance(ev, TextMessage) and ev.body == "Does it come in another color?"
    assert not ev.bound  # no client given


async def test_without_app_secret_unsigned_bodies_pass(serve: Serve) -> None:
    rec = Recorder()
    app = make_app(rec, verify_token=TOKEN)
    tc = await serve(app)
    assert (await tc.post("/webhook", data=TEXT_BODY)).status == 200
    await app[RECEIVER].drain()
    assert len(rec.events) == 1


async def test_sync_handler(serve: Serve) -> None:
    seen: list[Event] = []
    app = make_app(seen.append, verify_token=TOKEN)
    tc = await serve(app)
    assert (await tc.post("/webhook", data=body_of([text("m1"), text("m2")]))).status == 200
    await app[RECEIVER].drain()
    assert [e.id for e in seen if isinstance(e, Message)] == ["m1", "m2"]


# -- 200 at once, owned tasks, errors ---------------------------------------------------------------------------


async def test_answers_200_before_the_handler_finishes_and_cleanup_awaits_it() -> None:
    gate = asyncio.Event()
    started = asyncio.Event()
    done: list[str] = []

    async def slow(event: Event) -> None:
        started.set()
        await gate.wait()
        done.append(event.id)  # type: ignore[attr-defined]

    app = make_app(slow, verify_token=TOKEN)
    tc = TestClient(TestServer(app, host="127.0.0.1"))
    await tc.start_server()
    try:
        resp = await tc.post("/webhook", data=body_of([text("m1")]))
        assert resp.status == 200
        await started.wait()
        assert done == [] and len(app[RECEIVER].tasks) == 1
        closer = asyncio.create_task(tc.close())
        for _ in range(20):
            await asyncio.sleep(0)
        assert not closer.done()  # cleanup is waiting for the handler task, not cancelling it
        gate.set()
        await closer
        assert done == ["m1"]
        assert app[RECEIVER].tasks == frozenset()
    finally:
        gate.set()
        await tc.close()


async def test_handler_errors_are_logged_and_later_events_still_handled(
    serve: Serve, caplog: pytest.LogCaptureFixture
) -> None:
    handled: list[str] = []

    async def flaky(event: Event) -> None:
        assert isinstance(event, Message)
        if event.id == "boom":
            raise RuntimeError("handler bug")
        handled.append(event.id)

    app = make_app(flaky, verify_token=TOKEN)
    tc = await serve(app)
    with caplog.at_level(logging.ERROR, logger="wa_async.webhooks"):
        assert (await tc.post("/webhook", data=body_of([text("boom"), text("ok")]))).status == 200
        await app[RECEIVER].drain()
    assert handled == ["ok"]
    (record,) = [r for r in caplog.records if r.name == "wa_async.webhooks"]
    assert record.exc_info is not None and isinstance(record.exc_info[1], RuntimeError)
    assert "boom" in record.getMessage()


# -- duplicates -------------------------------------------------------------------------------------------------


async def test_redelivered_messages_and_statuses_dropped(serve: Serve) -> None:
    rec = Recorder()
    app = make_app(rec, verify_token=TOKEN, app_secret=SECRET)
    tc = await serve(app)
    first = body_of([text("m1")], [status("w1", "sent")])
    again = body_of([text("m1"), text("m2")], [status("w1", "sent"), status("w1", "delivered")])
    for body in (first, first, again):
        assert (await tc.post("/webhook", data=body, headers=signed(body))).status == 200
    await app[RECEIVER].drain()
    got = [(type(e).__name__, e.id, getattr(e, "status", None)) for e in rec.events]  # type: ignore[attr-defined]
    assert got == [
        ("TextMessage", "m1", None),
        ("Status", "w1", "sent"),
        ("TextMessage", "m2", None),
        ("Status", "w1", "delivered"),
    ]


async def test_dedupe_window_is_bounded(serve: Serve) -> None:
    rec = Recorder()
    app = make_app(rec, verify_token=TOKEN, dedupe_size=2)
    tc = await serve(app)
    for ids in (["a", "b", "c"], ["a"]):  # "a" fell out of a 2-key window, so it passes again
        await tc.post("/webhook", data=body_of([text(i) for i in ids]))
    await app[RECEIVER].drain()
    assert [e.id for e in rec.events] == ["a", "b", "c", "a"]  # type: ignore[attr-defined]
    assert len(app[RECEIVER].dedupe) == 2


# -- with a client ---------------------------------------------------------------------------------------------


async def test_client_observes_attaches_and_events_can_answer(serve: Serve) -> None:
    client = FakeClient()
    answers: list[str] = []

    async def bot(event: Event) -> None:
        if isinstance(event, TextMessage):
            answers.append(await event.reply("Yes, in blue"))
            answers.append(await event.react("👍"))
            await event.mark_read(typing=True)

    app = make_app(bot, verify_token=TOKEN, app_secret=SECRET, client=client)
    assert not client.conversations.attached
    tc = await serve(app)
    assert client.conversations.attached  # on startup
    wamid = "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="
    sent_status = status("wamid.out1", "delivered")
    body = body_of(statuses=[sent_status])
    assert (await tc.post("/webhook", data=TEXT_BODY, headers=signed(TEXT_BODY))).status == 200
    await app[RECEIVER].drain()
    assert answers == ["wamid.out1", "wamid.out2"]
    text_msg, reaction = client.sent
    assert isinstance(text_msg, Text)
    assert (text_msg.to, text_msg.body, text_msg.reply_to) == ("16505551234", "Yes, in blue", wamid)
    assert isinstance(reaction, Reaction)
    assert (reaction.to, reaction.message_id, reaction.emoji) == ("16505551234", wamid, "👍")
    assert client.read == [(wamid, True)]
    # observe() ran: the window with the sender is known, and a status resolves a waiter
    assert await client.conversations.window_expires("16505551234") is not None
    waiter = asyncio.create_task(client.conversations.wait_status("wamid.out1", "delivered"))
    await asyncio.sleep(0)
    assert (await tc.post("/webhook", data=body, headers=signed(body))).status == 200
    got = await asyncio.wait_for(waiter, 5)
    assert isinstance(got, Status) and got.status == "delivered"


async def test_reply_with_a_message_struct(serve: Serve) -> None:
    client = FakeClient()

    async def bot(event: Event) -> None:
        if isinstance(event, TextMessage):
            await event.reply(Text(to=event.from_, body="custom"))

    app = make_app(bot, verify_token=TOKEN, client=client)
    tc = await serve(app)
    await tc.post("/webhook", data=body_of([text("m1")]))
    await app[RECEIVER].drain()
    (msg,) = client.sent
    assert isinstance(msg, Text) and msg.body == "custom" and msg.reply_to is None


async def test_client_without_conversation_tracking_still_binds(serve: Serve) -> None:
    client = FakeClient()
    client.conversations = None  # type: ignore[assignment]  # a client built with windows=False
    rec = Recorder()
    app = make_app(rec, verify_token=TOKEN, client=client)
    tc = await serve(app)
    assert (await tc.post("/webhook", data=body_of([text("m1")]))).status == 200
    await app[RECEIVER].drain()
    (ev,) = rec.events
    assert isinstance(ev, Message) and ev.bound
    await ev.reply("ok")
    assert isinstance(client.sent[0], Text) and client.sent[0].reply_to == "m1"


# -- issue 12 #5: an empty app secret would let anyone sign ------------------------------------------------------


@pytest.mark.parametrize("secret", ["", b""])
def test_empty_app_secret_refused(secret: str | bytes) -> None:
    with pytest.raises(ValidationError, match="app_secret"):
        make_app(verify_token=TOKEN, app_secret=secret)


async def test_with_an_empty_secret_a_forged_signature_would_have_passed() -> None:
    # Why #5 matters: HMAC with an empty key is computable by anyone.
    assert sign(TEXT_BODY, "") == sign(TEXT_BODY, b"")


# -- issue 12 #6: bodies up to Meta's documented 3 MB ------------------------------------------------------------


def big_body(size: int) -> bytes:
    body = body_of([text("big", "x")])
    pad = b"y" * (size - len(body) - len(b',"pad":""'))
    big = body[:-1] + b',"pad":"' + pad + b'"}'
    assert len(big) == size
    return big


async def test_a_3_mb_body_is_accepted_by_default(serve: Serve) -> None:
    rec = Recorder()
    app = make_app(rec, verify_token=TOKEN, app_secret=SECRET)
    tc = await serve(app)
    body = big_body(3 * 1024 * 1024)  # Meta: "up to 3 MB"; the binary reading is the larger one
    resp = await tc.post("/webhook", data=io.BytesIO(body), headers=signed(body))
    assert resp.status == 200
    await app[RECEIVER].drain()
    assert [e.id for e in rec.events] == ["big"]  # type: ignore[attr-defined]
    assert MAX_BODY > 3 * 1024 * 1024


async def test_max_body_is_an_option(serve: Serve) -> None:
    tc = await serve(make_app(verify_token=TOKEN, max_body=1000))
    assert (await tc.post("/webhook", data=body_of([text("m1")]))).status == 200
    assert (await tc.post("/webhook", data=big_body(1001))).status == 413


# -- issue 12 #11: bodies that break the decoder are 400, never 500 ----------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b'{"object":"x","entry":[{"changes":[{"field":"messages","value":{"messages":[{"text":{"body":"\xff"}}]}}]}]}',
        b"[" * 100_000 + b"]" * 100_000,
    ],
)
async def test_undecodable_bodies_are_400(serve: Serve, body: bytes) -> None:
    tc = await serve(make_app(verify_token=TOKEN, app_secret=SECRET))
    resp = await tc.post("/webhook", data=body, headers=signed(body))
    assert resp.status == 400


# -- issue 12 #8: a message for another number of the WABA ------------------------------------------------------


def body_for(number: str, messages: list[dict[str, Any]] | None = None, statuses: Any = None) -> bytes:
    value: dict[str, Any] = {"metadata": {"phone_number_id": number, "display_phone_number": "1555"}}
    if messages:
        value["messages"] = messages
    if statuses:
        value["statuses"] = statuses
    change = {"field": "messages", "value": value}
    return json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [change]}]}).encode()


async def test_message_for_another_number_is_not_bound_to_this_client(serve: Serve) -> None:
    client = FakeClient("PN-A")
    rec = Recorder()
    app = make_app(rec, verify_token=TOKEN, client=client)
    tc = await serve(app)
    assert (await tc.post("/webhook", data=body_for("PN-B", [text("m-b")]))).status == 200
    await app[RECEIVER].drain()
    (ev,) = rec.events
    assert isinstance(ev, Message) and not ev.bound
    with pytest.raises(NotBound, match="PN-B"):
        await ev.reply("hello from the wrong number")
    assert client.sent == []
    # Nor did it open a window on this client's number.
    assert await client.conversations.window_expires("16505551234") is None


async def test_each_message_is_bound_to_the_client_of_its_number(serve: Serve) -> None:
    a, b = FakeClient("PN-A"), FakeClient("PN-B")
    app = make_app(Recorder(), verify_token=TOKEN, client=[a, b])
    tc = await serve(app)
    assert a.conversations.attached and b.conversations.attached
    replies: list[str] = []

    async def bot(event: Event) -> None:
        if isinstance(event, Message):
            replies.append(await event.reply(f"from {event.phone_number_id}"))

    app[RECEIVER].handler = bot
    await tc.post("/webhook", data=body_for("PN-B", [text("m-b")]))
    await tc.post("/webhook", data=body_for("PN-A", [text("m-a")]))
    await app[RECEIVER].drain()
    assert [m.body for m in a.sent] == ["from PN-A"] and [m.body for m in b.sent] == ["from PN-B"]
    assert await b.conversations.window_expires("16505551234") is not None
    assert await a.conversations.window_expires("16505551234") is not None
    # A status goes to the client of its number only.
    waiter = asyncio.create_task(b.conversations.wait_status("w-b", "delivered"))
    await asyncio.sleep(0)
    await tc.post("/webhook", data=body_for("PN-B", statuses=[status("w-b", "delivered")]))
    assert (await asyncio.wait_for(waiter, 5)).id == "w-b"
    assert a.conversations.last_status("w-b") is None


def test_two_clients_of_one_number_refused() -> None:
    with pytest.raises(ValidationError, match="phone_number_id"):
        make_app(verify_token=TOKEN, client=[FakeClient("PN"), FakeClient("PN")])


# -- issue 12 #13: shutdown waits a bounded time, then cancels --------------------------------------------------


async def test_shutdown_cancels_handlers_still_running_after_the_timeout(caplog: pytest.LogCaptureFixture) -> None:
    started = asyncio.Event()
    cancelled = asyncio.Event()

    async def stuck(event: Event) -> None:
        started.set()
        try:
            await asyncio.Event().wait()  # never finishes
        except asyncio.CancelledError:
            cancelled.set()
            raise

    app = make_app(stuck, verify_token=TOKEN, shutdown_timeout=0)
    tc = TestClient(TestServer(app, host="127.0.0.1"))
    await tc.start_server()
    assert (await tc.post("/webhook", data=body_of([text("m1")]))).status == 200
    await started.wait()
    with caplog.at_level(logging.WARNING, logger="wa_async.webhooks"):
        await tc.close()  # returns although the handler would never finish
    assert cancelled.is_set() and app[RECEIVER].tasks == frozenset()
    assert "cancelling 1 webhook handler" in caplog.text


async def test_shutdown_lets_handlers_finish_within_the_timeout() -> None:
    gate = asyncio.Event()
    done: list[str] = []

    async def slow(event: Event) -> None:
        await gate.wait()
        done.append(event.id)  # type: ignore[attr-defined]

    app = make_app(slow, verify_token=TOKEN, shutdown_timeout=60)
    tc = TestClient(TestServer(app, host="127.0.0.1"))
    await tc.start_server()
    await tc.post("/webhook", data=body_of([text("m1")]))
    closer = asyncio.create_task(tc.close())
    for _ in range(20):
        await asyncio.sleep(0)
    assert not closer.done()
    gate.set()
    await closer
    assert done == ["m1"]


# -- issue 12 #14: handler tasks are bounded; beyond the bound Meta is asked to come back --------------------------


async def test_handlers_bounded_then_503_and_the_redelivery_is_handled(serve: Serve) -> None:
    gate = asyncio.Event()
    running: list[str] = []
    most = 0
    handled: list[str] = []

    async def slow(event: Event) -> None:
        nonlocal most
        running.append(event.id)  # type: ignore[attr-defined]
        most = max(most, len(running))
        await gate.wait()
        running.remove(event.id)  # type: ignore[attr-defined]
        handled.append(event.id)  # type: ignore[attr-defined]

    app = make_app(slow, verify_token=TOKEN, app_secret=SECRET, concurrency=2, backlog=1)
    tc = await serve(app)
    bodies = [body_of([text(f"m{i}")]) for i in range(5)]
    answers = [(await tc.post("/webhook", data=b, headers=signed(b))).status for b in bodies[:4]]
    assert answers == [200, 200, 200, 503]  # two running, one waiting, then full
    refused = await tc.post("/webhook", data=bodies[4], headers=signed(bodies[4]))
    assert refused.status == 503 and refused.headers["Retry-After"].isdigit()
    assert len(app[RECEIVER].tasks) == 3
    gate.set()
    await app[RECEIVER].drain()
    # Meta redelivers what got 503: it was not marked seen, so it is handled now, once.
    for b in (bodies[3], bodies[4], bodies[4]):
        assert (await tc.post("/webhook", data=b, headers=signed(b))).status == 200
    await app[RECEIVER].drain()
    assert sorted(handled) == ["m0", "m1", "m2", "m3", "m4"] and most == 2


@pytest.mark.parametrize(("option", "value"), [("concurrency", 0), ("backlog", -1), ("max_body", 0)])
def test_bounds_are_checked(option: str, value: int) -> None:
    with pytest.raises(ValidationError, match=option):
        make_app(verify_token=TOKEN, **{option: value})


async def test_without_a_handler_nothing_is_refused(serve: Serve) -> None:
    app = make_app(verify_token=TOKEN, concurrency=1, backlog=0)
    tc = await serve(app)
    for i in range(3):
        assert (await tc.post("/webhook", data=body_of([text(f"m{i}")]))).status == 200


# -- issue 12 #15: any message is deduplicated by its id ---------------------------------------------------------


async def test_unknown_message_types_are_deduplicated_by_id(serve: Serve) -> None:
    rec = Recorder()
    app = make_app(rec, verify_token=TOKEN)
    tc = await serve(app)
    odd = {"from": "16505551234", "id": "m-odd", "timestamp": "1750000000", "type": "hologram", "hologram": {}}
    for _ in range(3):
        assert (await tc.post("/webhook", data=body_of([odd]))).status == 200
    await app[RECEIVER].drain()
    (ev,) = rec.events
    assert isinstance(ev, Unknown) and ev.id == "m-odd"


# -- identity: a user who hides their number is answered on their BSUID ----------------------------------------


class RecordingClient(FakeClient):
    """Records what the shortcuts were called with, without building the structs (any `to` passes)."""

    def __init__(self, phone_number_id: str = "1234567890123457") -> None:
        super().__init__(phone_number_id)
        self.calls: list[tuple[Any, ...]] = []

    async def send_text(self, to: str, body: str, *, reply_to: str | None = None) -> str:
        self.calls.append(("text", to, body, reply_to))
        return "wamid.r"

    async def send_reaction(self, to: str, message_id: str, emoji: str) -> str:
        self.calls.append(("reaction", to, message_id, emoji))
        return "wamid.e"


@pytest.mark.parametrize(
    ("payload", "sender"),
    [
        ("webhook-text-message-bsuid-username-no-phone.json", "US.1234567890123456789"),
        ("webhook-text-message-bsuid-with-phone.json", "15551234567"),
    ],
)
async def test_reply_and_window_key_on_the_sender(serve: Serve, payload: str, sender: str) -> None:
    client = RecordingClient()
    wamid = "wamid.HBgLMTU1NTEyMzQ1NjcVAgASGBQxMjM0NTY3ODkwQUJDREVGMDIzNAA="

    async def bot(event: Event) -> None:
        assert isinstance(event, TextMessage)
        await event.reply("hi")
        await event.react("👍")

    app = make_app(bot, verify_token=TOKEN, client=client)
    tc = await serve(app)
    body = (PAYLOADS / payload).read_bytes()
    assert (await tc.post("/webhook", data=body)).status == 200
    await app[RECEIVER].drain()
    assert client.calls == [("text", sender, "hi", wamid), ("reaction", sender, wamid, "👍")]
    # The window is known under the sender and under the BSUID, whichever the business answers.
    opened = datetime.fromtimestamp(1767261600, UTC)
    for key in (sender, "US.1234567890123456789"):
        assert await client.conversations.window_expires(key) == opened + timedelta(hours=24)
