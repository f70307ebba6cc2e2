"""End to end on 127.0.0.1: emulator inbound → signed webhook → receiver → handler replies through the real
client → emulator → signed status webhooks → wait_status."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web

import wa_async as wa
from wa_async.emulator import Emulator
from wa_async.webhooks import RECEIVER, Event, InteractiveMessage, Message, TextMessage, make_app

SECRET = "e2e-secret"
USER = "16505551234"


@dataclass
class Rig:
    emu: Emulator
    client: wa.Client
    app: web.Application
    replies: asyncio.Queue[str]
    seen: list[Event]


@pytest.fixture
async def rig() -> AsyncIterator[Rig]:
    # Bind the receiver's socket first: the emulator needs its URL, the client the emulator's, the app the client.
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    replies: asyncio.Queue[str] = asyncio.Queue()
    seen: list[Event] = []
    router = wa.webhooks.Router()

    @router.message(text="hi")
    async def greet(msg: TextMessage) -> None:
        buttons = [wa.ReplyButton("yes", "Yes please"), wa.ReplyButton("no", "No thanks")]
        await replies.put(await msg.reply(wa.Buttons(to=msg.sender, body="Want the menu?", buttons=buttons)))

    @router.button(id="yes")
    async def yes(msg: InteractiveMessage) -> None:
        await replies.put(await msg.reply("Here it is: soup, bread, cake."))

    @router.fallback()
    def other(event: Event) -> None:
        seen.append(event)

    emu = Emulator(webhook_url=f"http://127.0.0.1:{port}/webhook", app_secret=SECRET, rate_limit=None)
    await emu.start()
    client = wa.Client.maton(emu.phone_number_id, api_key="test", base_url=emu.gateway_url)
    app = make_app(router, verify_token="tok", app_secret=SECRET, client=client)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    try:
        await web.SockSite(runner, sock).start()
        async with client:
            yield Rig(emu, client, app, replies, seen)
            await emu.drain_webhooks()
    finally:
        await runner.cleanup()
        await emu.close()
        sock.close()


async def test_conversation_with_buttons_and_read_receipts(rig: Rig) -> None:
    await rig.emu.inbound(USER, text="hi", name="Ann")
    first = await asyncio.wait_for(rig.replies.get(), 10)
    read = await rig.client.wait_status(first, "read", timeout=10)
    assert read.id == first and read.status == "read" and read.recipient_id == USER

    tap = await rig.emu.inbound(USER, button_reply=("yes", "Yes please"), context=first)
    second = await asyncio.wait_for(rig.replies.get(), 10)
    assert (await rig.client.wait_status(second, "read", timeout=10)).id == second

    buttons, answer = rig.emu.accepted
    assert (buttons.wamid, buttons.type, buttons.wa_id) == (first, "interactive", USER)
    assert "context" not in buttons.payload  # a message struct is sent as built
    assert [b["reply"]["id"] for b in buttons.payload["interactive"]["action"]["buttons"]] == ["yes", "no"]
    assert (answer.wamid, answer.type) == (second, "text")
    assert answer.payload["text"]["body"] == "Here it is: soup, bread, cake."
    assert answer.payload["context"] == {"message_id": tap}  # a string reply quotes the message

    # The statuses went through the router too (no route for them: the fallback), each once and in order.
    await rig.emu.drain_webhooks()
    await rig.app[RECEIVER].drain()
    statuses = [(e.id, e.status) for e in rig.seen if isinstance(e, wa.webhooks.Status)]
    assert statuses == [(first, "sent"), (first, "delivered"), (first, "read"),
                        (second, "sent"), (second, "delivered"), (second, "read")]  # fmt: skip
    assert not [e for e in rig.seen if isinstance(e, Message)]


async def test_inbound_kinds_from_the_emulator_parse_and_open_the_window(rig: Rig) -> None:
    conv = rig.client.conversations
    assert conv is not None and conv.attached
    with pytest.raises(wa.WindowClosed):
        await rig.client.send(wa.Text("15550001111", "hello stranger"))
    await rig.emu.inbound("15550001111", list_reply=("r1", "Row one", "first row"))
    await rig.emu.inbound("15550001111", reaction=("wamid.X", "🎉"))
    await rig.emu.inbound("15550001111", image={"id": "77", "mime_type": "image/jpeg", "sha256": "abc"})
    await rig.app[RECEIVER].drain()
    kinds = [type(e).__name__ for e in rig.seen]
    assert kinds == ["InteractiveMessage", "ReactionMessage", "ImageMessage"]
    row, reaction, image = rig.seen
    assert isinstance(row, InteractiveMessage) and isinstance(row.choice, wa.webhooks.ListReply)
    assert row.choice.description == "first row" and row.contact_name == "Test User"
    assert isinstance(reaction, wa.webhooks.ReactionMessage) and reaction.emoji == "🎉"
    assert isinstance(image, wa.webhooks.ImageMessage) and image.media_id == "77"
    # Every user has a BSUID beside the phone; the phone is the key to answer to.
    assert image.user_id is not None and image.user_id.startswith("US.") and image.sender == "15550001111"
    # Now the window is open: a free-form send goes through.
    wamid = await rig.client.send(wa.Text("15550001111", "thanks!"))
    assert (await rig.client.wait_status(wamid, "delivered", timeout=10)).id == wamid


async def test_a_username_only_user_is_answered_and_tracked_on_their_bsuid(rig: Rig) -> None:
    bsuid = "US.13491208655302741918"
    await rig.emu.inbound(None, user_id=bsuid, username="jamie.example", name="Jamie", text="hi")
    first = await asyncio.wait_for(rig.replies.get(), 10)
    read = await rig.client.wait_status(first, "read", timeout=10)
    assert (read.recipient_id, read.recipient_user_id, read.sender) == (None, bsuid, bsuid)
    assert read.contact is not None and read.contact.username == "jamie.example"
    (buttons,) = rig.emu.accepted
    assert buttons.payload["recipient"] == bsuid and "to" not in buttons.payload  # Meta's rule for a BSUID
    # The window was opened under the BSUID: a free-form follow-up goes through, on the emulator's check too.
    rig.emu.messages.enforce_window = True
    follow = await rig.client.send(wa.Text(bsuid, "Anything else?"))
    assert (await rig.client.wait_status(follow, "delivered", timeout=10)).sender == bsuid
    with pytest.raises(wa.WindowClosed):
        await rig.client.send(wa.Text("US.5550000", "never wrote to us"))


async def test_a_changed_bsuid_keeps_the_conversation(rig: Rig) -> None:
    await rig.emu.inbound(None, user_id="US.111", username="sam", text="hi")
    await asyncio.wait_for(rig.replies.get(), 10)  # answered: the window is open under US.111
    new = await rig.emu.user_id_update(from_=None, user_id="US.111", new_user_id="US.222")
    await rig.app[RECEIVER].drain()
    (update,) = [e for e in rig.seen if isinstance(e, wa.webhooks.UserIdUpdate)]
    assert (update.previous_user_id, update.user_id) == ("US.111", new) == ("US.111", "US.222")
    rig.emu.messages.enforce_window = True  # the emulator checks the window too
    wamid = await rig.client.send(wa.Text("US.222", "Still here"))  # the client's window moved with the user
    assert (await rig.client.wait_status(wamid, "delivered", timeout=10)).recipient_user_id == "US.222"


async def test_a_username_only_user_is_broadcast_to_and_the_journal_follows_a_new_bsuid(
    rig: Rig, tmp_path: Path
) -> None:
    """Issue 14's whole path for a user who hides their number: written to by them, broadcast to on their BSUID,
    tracked through statuses, and still one contact in the journal after their BSUID changes."""
    await rig.emu.inbound(None, user_id="US.700", username="robin", text="hi")
    await asyncio.wait_for(rig.replies.get(), 10)
    rig.emu.templates.add("promo", "en_US")
    path = tmp_path / "job.sqlite"
    report = await rig.client.broadcast([wa.Template("US.700", "promo")], journal=path)
    assert report.sent == 1
    (outcome,) = report.outcomes.values()
    assert outcome.to == "US.700" and outcome.wamid is not None
    status = await rig.client.wait_status(outcome.wamid, "delivered", timeout=10)
    assert status.recipient_user_id == "US.700" and status.sender == "US.700"
    sent = [a for a in rig.emu.accepted if a.type == "template"]
    assert len(sent) == 1 and sent[0].payload["recipient"] == "US.700"

    await rig.emu.user_id_update(from_=None, user_id="US.700", new_user_id="US.701")
    await rig.app[RECEIVER].drain()
    (update,) = [e for e in rig.seen if isinstance(e, wa.webhooks.UserIdUpdate)]
    async with wa.Journal(path) as journal:
        assert await journal.move_user(update.previous_user_id, update.user_id) == 1
    # The job run again, naming the user by the new id: the journal knows it was sent; nothing goes out twice.
    again = await rig.client.broadcast([wa.Template("US.701", "promo")], journal=path)
    assert (again.sent, again.skipped + sum(o.earlier for o in again.outcomes.values())) == (1, 1)
    assert len([a for a in rig.emu.accepted if a.type == "template"]) == 1
