"""A bot tested from outside: ``wa-async emulator inbound`` and the emulator's control API post signed webhooks to
a bot served on 127.0.0.1, which parses them and answers through the emulator. Also the command's usage errors."""

from __future__ import annotations

import asyncio
import json
import socket
import sys
import urllib.request
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from aiohttp import web

import wa_async as wa
from tests.emulator_process import emulator_process
from wa_async.cli import main
from wa_async.emulator import Emulator
from wa_async.webhooks import Event, make_app

SECRET = "control-secret"


@dataclass
class Bot:
    url: str
    events: asyncio.Queue[Event]


def _bound_socket() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock


@pytest.fixture
async def bot() -> AsyncIterator[Bot]:
    """A webhook receiver that queues every event it gets (it signs nothing and answers nothing)."""
    events: asyncio.Queue[Event] = asyncio.Queue()

    async def handler(event: Event) -> None:
        await events.put(event)

    sock = _bound_socket()
    runner = web.AppRunner(make_app(handler, verify_token="t", app_secret=SECRET), access_log=None)
    await runner.setup()
    try:
        await web.SockSite(runner, sock).start()
        yield Bot(f"http://127.0.0.1:{sock.getsockname()[1]}/webhook", events)
    finally:
        await runner.cleanup()
        sock.close()


async def inbound(bot: Bot, *args: str, secret: str = SECRET) -> tuple[int, str, str]:
    """Run ``wa-async emulator inbound`` as its own process; its exit code, stdout and stderr."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "wa_async.cli", "emulator", "inbound", "--to-url", bot.url, "--app-secret", secret,
        *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await proc.communicate()
    return proc.returncode or 0, out.decode().strip(), err.decode().strip()


async def test_cli_inbound_text_reaches_the_bot_signed(bot: Bot) -> None:
    code, out, err = await inbound(bot, "--from", "+1 650 555 1234", "--text", "hi", "--name", "Ann")
    assert (code, err) == (0, "")
    event = await asyncio.wait_for(bot.events.get(), 10)
    assert isinstance(event, wa.webhooks.TextMessage)
    assert (event.id, event.from_, event.body, event.contact_name) == (out, "16505551234", "hi", "Ann")
    assert event.phone_number_id == "106540352242922"


@pytest.mark.parametrize(
    ("args", "check"),
    [
        (["--button", "yes:Yes please", "--context", "wamid.X"],
         lambda e: (e.choice.id, e.choice.title, e.context.id) == ("yes", "Yes please", "wamid.X")),
        (["--list", "r1:Row one:the first"],
         lambda e: (e.choice.id, e.choice.title, e.choice.description) == ("r1", "Row one", "the first")),
        (["--reaction", "wamid.ABC:👍"], lambda e: (e.message_id, e.emoji) == ("wamid.ABC", "👍")),
        (["--image", "777", "--caption", "look"],
         lambda e: (type(e).__name__, e.media_id, e.mime_type, e.caption) == ("ImageMessage", "777", "image/jpeg",
                                                                                "look")),
        (["--document", "888", "--filename", "r.pdf"],
         lambda e: (type(e).__name__, e.filename, e.mime_type) == ("DocumentMessage", "r.pdf", "application/pdf")),
        (["--audio", "999", "--mime-type", "audio/mpeg"], lambda e: (type(e).__name__, e.mime_type) == (
            "AudioMessage", "audio/mpeg")),
        (["--location", "52.52,13.405"], lambda e: (e.latitude, e.longitude) == (52.52, 13.405)),
        (["--status", "wamid.S:failed", "--code", "131049"],
         lambda e: (e.id, e.status, e.recipient_id, e.errors[0].code) == ("wamid.S", "failed", "16505551234",
                                                                           131049)),
    ],
)  # fmt: skip
async def test_cli_inbound_kinds(bot: Bot, args: list[str], check: Any) -> None:
    argv = ["emulator", "inbound", "--to-url", bot.url, "--app-secret", SECRET, *args]
    assert await asyncio.to_thread(main, argv) == 0
    event = await asyncio.wait_for(bot.events.get(), 10)
    assert check(event), event


async def test_cli_inbound_a_refusing_bot_is_one_line_and_exit_1(bot: Bot) -> None:
    code, out, err = await inbound(bot, "--text", "hi", secret="wrong")
    assert (code, out) == (1, "")
    assert err.startswith("wa-async: error: the bot answered HTTP 403") and "\n" not in err
    assert bot.events.empty()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["emulator", "--port", "99999"], "--port 99999: a port is 0 (any free one) to 65535"),
        (["emulator", "--rate", "-5"], "--rate -5: give requests per second"),
        (["emulator", "inbound", "--to-url", "http://127.0.0.1:9/", "--text", "a", "--button", "b:c"],
         "give exactly one of --text"),
        (["emulator", "inbound", "--to-url", "http://127.0.0.1:9/", "--button", "yes"], "--button: give ID:TITLE"),
        (["emulator", "inbound", "--to-url", "http://127.0.0.1:9/", "--status", "wamid.X:gone"], "--status: give"),
        (["emulator", "inbound", "--to-url", "http://127.0.0.1:9/", "--from", "12", "--text", "a"], "--from: '12'"),
    ],
)  # fmt: skip
def test_usage_errors_are_one_line_and_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"wa-async: error: {message}") and captured.err.count("\n") == 1


# --- the control API of an emulator process ----------------------------------------------------------------------


@pytest.fixture
def bot_socket() -> Iterator[socket.socket]:
    sock = _bound_socket()
    yield sock
    sock.close()


def _control(base: str, path: str, body: Any) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:  # loopback only
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


async def test_control_api_drives_a_bot_that_answers_through_the_emulator(bot_socket: socket.socket) -> None:
    url = f"http://127.0.0.1:{bot_socket.getsockname()[1]}/webhook"
    with emulator_process("--rate", "0", "--webhook-url", url, "--app-secret", SECRET) as info:
        client = wa.Client.maton(info["phone_number_id"], api_key="k", base_url=info["gateway_url"])
        router = wa.webhooks.Router()
        replied: asyncio.Queue[str] = asyncio.Queue()
        statuses: asyncio.Queue[wa.webhooks.Status] = asyncio.Queue()

        @router.message(text="hi")
        async def greet(msg: wa.webhooks.TextMessage) -> None:
            await replied.put(await msg.reply("Hello!"))

        @router.status("failed")
        async def failed(status: wa.webhooks.Status) -> None:
            await statuses.put(status)

        runner = web.AppRunner(make_app(router, verify_token="t", app_secret=SECRET, client=client))
        await runner.setup()
        try:
            await web.SockSite(runner, bot_socket).start()
            async with client:
                base = info["graph_url"]
                status, answer = await asyncio.to_thread(_control, base, "/__emulator/inbound",
                                                         {"from": "15551234567", "text": "hi"})  # fmt: skip
                assert (status, answer["delivered"]) == (200, True)
                wamid = await asyncio.wait_for(replied.get(), 10)

                status, accepted = await asyncio.to_thread(_get_json, base + "/__emulator/accepted")
                [reply] = accepted
                assert reply["wamid"] == wamid and reply["wa_id"] == "15551234567"
                assert reply["payload"]["text"]["body"] == "Hello!"
                assert reply["payload"]["context"] == {"message_id": answer["id"]}

                status, answer = await asyncio.to_thread(_control, base, "/__emulator/status",
                                                         {"id": wamid, "status": "failed", "code": 131049})
                assert (status, answer) == (200, {"id": wamid, "delivered": True})
                failure = await asyncio.wait_for(statuses.get(), 10)
                assert (failure.id, failure.recipient_id, failure.errors[0].code) == (wamid, "15551234567", 131049)
        finally:
            await runner.cleanup()


def _get_json(url: str) -> tuple[int, Any]:
    with urllib.request.urlopen(url, timeout=10) as resp:  # loopback only
        return resp.status, json.loads(resp.read())


@pytest.mark.parametrize(
    ("path", "body", "status", "message"),
    [
        ("/__emulator/inbound", {"text": "a", "reaction": ["w", "x"]}, 400, "give exactly one of"),
        ("/__emulator/inbound", {"txt": "a"}, 400, "unknown field 'txt'"),
        ("/__emulator/status", {"id": "wamid.unknown", "status": "read"}, 400, "give its recipient"),
        ("/__emulator/status", {"id": "w", "status": "lost", "recipient": "15551234567"}, 400, "status must be"),
        ("/__emulator/status", {"status": "read"}, 400, "missing 'id'"),
    ],
)
async def test_control_api_refuses_what_it_cannot_send(
    bot: Bot, path: str, body: dict[str, Any], status: int, message: str
) -> None:
    async with Emulator(webhook_url=bot.url, app_secret=SECRET) as emu, aiohttp.ClientSession() as http:
        resp = await http.post(emu.graph_url + path, json=body)
        assert resp.status == status
        assert message in (await resp.json())["error"]["message"]
    assert bot.events.empty()


async def test_control_api_without_a_webhook_url_is_409() -> None:
    async with Emulator() as emu, aiohttp.ClientSession() as http:
        resp = await http.post(emu.graph_url + "/__emulator/inbound", json={"text": "hi"})
        assert resp.status == 409 and "webhook_url" in (await resp.json())["error"]["message"]


async def test_inbound_media_and_location_from_python(bot: Bot) -> None:
    async with Emulator(webhook_url=bot.url, app_secret=SECRET) as emu:
        await emu.inbound(video={"id": "1", "mime_type": "video/mp4"})
        await emu.inbound(location={"latitude": 1.5, "longitude": 2.5, "name": "Here"})
        video = await asyncio.wait_for(bot.events.get(), 10)
        place = await asyncio.wait_for(bot.events.get(), 10)
    assert isinstance(video, wa.webhooks.VideoMessage) and video.media_id == "1"
    assert isinstance(place, wa.webhooks.LocationMessage) and (place.latitude, place.name) == (1.5, "Here")
