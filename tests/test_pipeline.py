"""The one dispatch and its seam: requests as values, MockTransport, what never left vs what may have arrived,
configuration refused at construction, and the queue's guards."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from aioresponses import aioresponses

import wa_async as wa
from tests._data import PAYLOADS
from wa_async._request import Success, decode_json

FAST = wa.RetryPolicy(base=0.0, random=lambda: 0.0)
OK = (PAYLOADS / "send-message-response-text.json").read_bytes()
MATON = "https://gateway.maton.ai/whatsapp-business/v25.0/123/messages"


def ok(request: wa.HttpRequest) -> wa.Response:
    return wa.Response(200, {}, OK)


# -- requests as values, one dispatch, a pluggable seam -------------------------------------------------------


class GetSomething(wa.Request[bool]):
    """A new endpoint: one small class."""

    def __init__(self, node: str) -> None:
        super().__init__("GET", f"{node}/something", params={"fields": "a,b"})

    def decode(self, response: wa.Response) -> bool:
        return bool(decode_json(response, Success, self).success)


async def test_a_new_endpoint_is_one_request_class_through_execute() -> None:
    seen: list[wa.HttpRequest] = []

    async def handler(request: wa.HttpRequest) -> wa.Response:  # a coroutine handler works too
        seen.append(request)
        return wa.Response(200, {}, b'{"success": true}')

    async with wa.Client.graph("123", access_token="t", transport=wa.MockTransport(handler)) as client:
        assert await client.execute(GetSomething("42")) is True
    (request,) = seen
    assert request.method == "GET" and request.url == "https://graph.facebook.com/v25.0/42/something"
    assert request.params == {"fields": "a,b"} and request.body is None
    assert request.headers["Authorization"] == "Bearer t" and "Content-Type" not in request.headers


async def test_messages_and_resources_share_the_limiter_and_the_retry_policy() -> None:
    answers = iter([
        wa.Response(503, {}, b'{"error": {"message": "busy", "code": 2, "is_transient": true}}'),
        wa.Response(200, {}, OK),
        wa.Response(503, {}, b'{"error": {"message": "busy", "code": 2, "is_transient": true}}'),
        wa.Response(200, {}, b'{"id": "m1", "url": "https://x/y", "mime_type": "image/png", "sha256": "ab"}'),
    ])

    class Counting(wa.UnlimitedLimiter):
        acquired = 0

        async def acquire(self) -> None:
            Counting.acquired += 1

    mock = wa.MockTransport(lambda request: next(answers))
    async with wa.Client.graph("123", access_token="t", transport=mock, retry=FAST, limiter=Counting()) as client:
        assert await client.send(wa.Text("15551234567", "hi")) == json.loads(OK)["messages"][0]["id"]
        info = await client.media.get("m1")
    assert info.mime_type == "image/png" and Counting.acquired == 4 and len(mock.requests) == 4
    assert isinstance(mock.requests[0].body, bytes)  # a JSON body (its content type is implied)


async def test_every_error_carries_its_request() -> None:
    def refuse(request: wa.HttpRequest) -> wa.Response:
        return wa.Response(400, {}, (PAYLOADS / "error-131009-captured.json").read_bytes())

    async with wa.Client.graph("123", access_token="t", transport=wa.MockTransport(refuse)) as client:
        for call in (client.media.get("9"), client.media.delete("9"), client.profile.get(),
                     client.media.upload(b"%PDF-1.4 x", "application/pdf")):  # fmt: skip
            with pytest.raises(wa.ApiError) as info:
                await call
            assert isinstance(info.value.request, wa.Request), info.value


async def test_mock_transport_reads_a_multipart_upload_into_memory(tmp_path: Path) -> None:
    path = tmp_path / "a.pdf"
    path.write_bytes(b"%PDF-1.4 from disk")

    def handler(request: wa.HttpRequest) -> wa.Response:
        return wa.Response(200, {}, b'{"id": "media-1"}')

    mock = wa.MockTransport(handler)
    async with wa.Client.graph("123", access_token="t", transport=mock) as client:
        assert await client.media.upload(path, "application/pdf") == "media-1"
    (request,) = mock.requests
    body = request.body
    assert isinstance(body, wa.Multipart)
    assert dict(body.fields) == {"messaging_product": "whatsapp", "type": "application/pdf"}
    (part,) = body.files
    assert part.name == "file" and part.source.data == b"%PDF-1.4 from disk" and part.source.filename == "a.pdf"


async def test_send_result_carries_the_pacing_status_and_the_recipient() -> None:
    marketing = (PAYLOADS / "response-marketing-message.json")
    body = marketing.read_bytes() if marketing.exists() else json.dumps({
        "messaging_product": "whatsapp",
        "contacts": [{"input": "+15551234567", "wa_id": "15551234567"}],
        "messages": [{"id": "wamid.A", "message_status": "accepted"}]}).encode()  # fmt: skip
    mock = wa.MockTransport(lambda request: wa.Response(200, {}, body))
    async with wa.Client.graph("123", access_token="t", transport=mock) as client:
        result = await client.send_result(wa.Template("15551234567", "promo"))
    assert isinstance(result, wa.SendResult)
    assert result.message_status == "accepted" and result.wa_id == "15551234567" and result.wamid.startswith("wamid.")


async def test_maton_calls_are_retried_and_classed_by_status() -> None:
    answers = iter([
        wa.Response(503, {}, b""),
        wa.Response(200, {}, b'{"connections": [{"connection_id": "c1", "status": "ACTIVE"}]}'),
        wa.Response(404, {}, b'{"error": {"code": 404, "message": "no such connection"}}'),
    ])
    mock = wa.MockTransport(lambda request: next(answers))
    async with wa.maton.Connections(api_key="k", transport=mock, retry=FAST) as conns:
        assert [c.id for c in await conns.list()] == ["c1"]
        with pytest.raises(wa.NotFound) as info:
            await conns.get("c9")
    assert isinstance(info.value.request, wa.maton.GetConnection)
    assert [r.url for r in mock.requests][:2] == ["https://ctrl.maton.ai/connections"] * 2


# -- what never left is a TransportError (retried), what may have arrived is DeliveryUnknown -------------------


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port whose listener never accepts and whose backlog is full: a connect to it never completes, as with a
    firewall that drops SYNs."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(4):  # fill the accept queue (Linux keeps backlog + 1), so later SYNs are dropped
        s = socket.socket()
        s.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            s.connect(("127.0.0.1", port))
        fillers.append(s)
    try:
        yield port
    finally:
        for s in fillers:
            s.close()
        listener.close()


async def test_a_connect_that_never_completes_never_left_and_is_retried(silent_port: int) -> None:
    retry = wa.RetryPolicy(attempts=2, base=0.0, random=lambda: 0.0)
    client = wa.Client.graph("123", access_token="t", base_url=f"http://127.0.0.1:{silent_port}", timeout=0.3,
                             retry=retry, rate_limit=None)  # fmt: skip
    async with client:
        with pytest.raises(wa.TransportError) as info:
            await client.send(wa.Text("15551234567", "hi"))
    assert not isinstance(info.value, wa.DeliveryUnknown), info.value
    assert "could not connect" in str(info.value)


async def test_a_connect_timeout_from_aiohttp_is_a_transport_error() -> None:
    with aioresponses() as mock:
        mock.post(MATON, exception=aiohttp.ConnectionTimeoutError("connect timed out"))
        mock.post(MATON, body=OK)
        async with wa.Client.maton("123", api_key="k", retry=FAST) as client:
            assert await client.send(wa.Text("15551234567", "hi"))  # retried: it never left


@pytest.mark.parametrize("base_url", ["not-a-url", "ftp://example.com", "https://", ""])
def test_a_malformed_base_url_is_refused_at_construction(base_url: str) -> None:
    with pytest.raises(wa.ValidationError, match="base_url"):
        wa.Client.graph("123", access_token="t", base_url=base_url)


@pytest.mark.parametrize("credential", ["token\r", "tok\nen", "token\x00"])
def test_a_credential_with_a_control_character_is_refused_at_construction(credential: str) -> None:
    with pytest.raises(wa.ValidationError, match="control character"):
        wa.Client.graph("123", access_token=credential)
    with pytest.raises(wa.ValidationError, match="control character"):
        wa.Client.maton("123", api_key=credential)
    with pytest.raises(wa.ValidationError, match="control character"):
        wa.Client.maton("123", api_key="k", connection_id=credential)


# -- the environment, typed options ------------------------------------------------------------------------------


def test_from_env_reads_the_cli_variables() -> None:
    env = {"WA_PHONE_NUMBER_ID": "555", "WA_WABA_ID": "777", "WA_BASE_URL": "http://127.0.0.1:9/x",
           "MATON_API_KEY": "k", "MATON_CONNECTION_ID": "conn", "WA_API_VERSION": "v24.0"}  # fmt: skip
    client = wa.Client.from_env(environ=env)
    assert (client.phone_number_id, client.waba_id, client.base_url, client.api_version) == (
        "555", "777", "http://127.0.0.1:9/x", "v24.0")  # fmt: skip
    assert client.rate_limit == 10.0  # Maton's
    graph = wa.Client.from_env(environ={"WA_PHONE_NUMBER_ID": "1", "WA_ACCESS_TOKEN": "t"}, rate_limit=None)
    assert graph.base_url == "https://graph.facebook.com" and graph.rate_limit is None
    with pytest.raises(wa.ValidationError, match="WA_PHONE_NUMBER_ID"):
        wa.Client.from_env(environ={"MATON_API_KEY": "k"})
    with pytest.raises(wa.ValidationError, match="MATON_API_KEY"):
        wa.Client.from_env(environ={"WA_PHONE_NUMBER_ID": "1"})


async def test_from_env_sends_through_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    async with wa.Emulator() as emu:
        monkeypatch.setenv("WA_PHONE_NUMBER_ID", emu.phone_number_id)
        monkeypatch.setenv("WA_BASE_URL", emu.gateway_url)
        monkeypatch.setenv("MATON_API_KEY", "test")
        async with wa.Client.from_env() as client:
            assert (await client.send(wa.Text("15551234567", "hi"))).startswith("wamid.")
        assert len(emu.accepted) == 1


def test_a_misspelt_option_fails_at_run_time_and_under_mypy(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="rate_limt"):
        wa.Client.maton("1", api_key="k", rate_limt=5.0)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="captoin"):
        asyncio.run(wa.Client.graph("1", access_token="t").send_image("15551234567", captoin="x"))  # type: ignore[call-arg]
    sample = tmp_path / "sample.py"
    sample.write_text(textwrap.dedent("""
        import wa_async as wa

        async def main() -> None:
            client = wa.Client.maton("1", api_key="k", rate_limt=5.0)
            await client.send_image("15551234567", captoin="x")
    """))
    out = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(sample)],
                         capture_output=True, text=True, timeout=300)  # fmt: skip
    assert out.returncode == 1, out.stdout
    assert '"rate_limt"' in out.stdout and '"captoin"' in out.stdout, out.stdout


# -- the queue's guards ------------------------------------------------------------------------------------------


async def test_a_limiter_whose_pause_raises_fails_the_message_instead_of_hanging() -> None:
    class BrokenPause(wa.UnlimitedLimiter):
        async def pause(self, seconds: float) -> None:
            raise RuntimeError("the limiter's store is gone")

    throttled = b'{"error": {"message": "(#130429) Rate limit hit", "code": 130429}}'
    mock = wa.MockTransport(lambda request: wa.Response(400, {}, throttled))
    async with wa.Client.graph("123", access_token="t", transport=mock, limiter=BrokenPause(), retry=FAST) as client:
        future = await client.submit(wa.Text("15551234567", "hi"))
        with pytest.raises(RuntimeError, match="store is gone"):
            await asyncio.wait_for(future, timeout=30)  # a bound for a broken build; it fails at once
    assert len(mock.requests) == 1


async def test_fail_queued_fails_what_is_queued_without_sending_it() -> None:
    release = asyncio.Event()
    arrived = asyncio.Event()

    async def slow(request: wa.HttpRequest) -> wa.Response:
        arrived.set()
        await release.wait()
        return wa.Response(200, {}, OK)

    mock = wa.MockTransport(slow)
    async with wa.Client.graph("123", access_token="t", transport=mock, workers=1) as client:
        first = await client.submit(wa.Text("15551234567", "on the wire"))
        await arrived.wait()
        queued = [await client.submit(wa.Text("15551234567", f"queued {i}")) for i in range(3)]
        assert client._queue.fail_queued(wa.AuthError("stop", http_status=401)) == 3
        release.set()
        assert await first
    for future in queued:
        assert isinstance(future.exception(), wa.AuthError)
    assert len(mock.requests) == 1


async def test_a_rate_limited_client_opens_its_connections_before_the_first_slot() -> None:
    async with wa.Emulator() as emu:
        client = wa.Client.maton(emu.phone_number_id, api_key="test", base_url=emu.gateway_url)
        async with client:
            session = client.transport._session  # type: ignore[attr-defined]
            pooled = sum(len(conns) for conns in session.connector._conns.values())
            assert pooled >= 2  # opened at start, before any request took a slot
            assert emu.stats.requests == 0  # and no request was spent on it
            await client.send(wa.Text("15551234567", "hi"))
        unlimited = wa.Client.maton(emu.phone_number_id, api_key="test", base_url=emu.gateway_url, rate_limit=None)
        async with unlimited:
            assert not unlimited.transport._session.connector._conns  # type: ignore[attr-defined]


async def test_submit_result_resolves_to_the_whole_answer() -> None:
    body = b'{"contacts": [{"input": "+15551234567", "wa_id": "15551234567"}], ' \
           b'"messages": [{"id": "wamid.A", "message_status": "held_for_quality_assessment"}]}'
    mock = wa.MockTransport(lambda request: wa.Response(200, {}, body))
    async with wa.Client.graph("123", access_token="t", transport=mock) as client:
        future = await client.submit_result(wa.Template("15551234567", "promo"))
        result = await future
    assert (result.wamid, result.message_status, result.wa_id) == ("wamid.A", "held_for_quality_assessment",
                                                                   "15551234567")  # fmt: skip
