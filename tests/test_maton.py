"""wa_async.maton.Connections: shapes over aioresponses, errors, and the emulator's control plane."""

from __future__ import annotations

import re

import aiohttp
import pytest
from aioresponses import aioresponses
from yarl import URL

import wa_async as wa
from tests._data import sent_json
from wa_async.maton import Connection, Connections

CTRL = "https://ctrl.test"
RECORD = {"connection_id": "21fd90f9-5935-43cd-b6c8-bde9d915ca80", "status": "ACTIVE",
          "creation_time": "2025-12-08T07:20:53.488460Z", "last_updated_time": "2026-01-31T20:03:32.593153Z",
          "url": "https://connect.maton.ai/?session_token=x", "app": "whatsapp-business", "metadata": {}}  # fmt: skip


async def test_list_create_get_delete_shapes() -> None:
    with aioresponses() as mock:
        mock.get(re.compile(rf"^{CTRL}/connections\?"), payload={"connections": [RECORD]})
        mock.post(f"{CTRL}/connections", payload={"connection": {**RECORD, "status": "PENDING"}})
        mock.get(f"{CTRL}/connections/{RECORD['connection_id']}", payload={"connection": RECORD})
        mock.delete(f"{CTRL}/connections/{RECORD['connection_id']}", payload={"success": True})
        async with Connections(api_key="key", base_url=CTRL + "/") as conns:
            (listed,) = await conns.list()
            created = await conns.create()
            got = await conns.get(RECORD["connection_id"])
            assert await conns.delete(RECORD["connection_id"]) is True
        requests = {(m, str(u)): cs for (m, u), cs in mock.requests.items()}
    assert listed == Connection(**RECORD) and listed.id == RECORD["connection_id"]  # type: ignore[arg-type]
    assert created.status == "PENDING" and created.url == RECORD["url"] and got == listed
    ((method, url), calls), *_ = requests.items()
    assert method == "GET" and dict(URL(url).query) == {"app": "whatsapp-business", "status": "ACTIVE"}
    assert calls[0].kwargs["headers"]["Authorization"] == "Bearer key"
    post = requests[("POST", f"{CTRL}/connections")][0]
    assert sent_json(post.kwargs["data"]) == {"app": "whatsapp-business"}


async def test_missing_key_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MATON_API_KEY", raising=False)
    with pytest.raises(wa.ValidationError, match="MATON_API_KEY"):
        Connections()
    monkeypatch.setenv("MATON_API_KEY", "from-env")
    conns = Connections(base_url=CTRL)
    with aioresponses() as mock:
        mock.get(re.compile(rf"^{CTRL}/connections"), payload={"connections": []})
        async with conns:
            assert await conns.list(app=None, status=None) == []
        (call,) = next(iter(mock.requests.values()))
    assert call.kwargs["headers"]["Authorization"] == "Bearer from-env"


@pytest.mark.parametrize(
    ("status", "body", "cls"),
    [
        (404, {"error": {"code": 404, "message": "Connection not found"}}, wa.NotFound),
        (401, {"error": {"code": 401, "message": "Invalid API key"}}, wa.AuthError),
        (401, b"Unauthorized", wa.AuthError),
        (400, {"error": {"code": 400, "message": "The field app is required"}}, wa.ApiError),
    ],
)
async def test_errors_are_typed_by_status(status: int, body: object, cls: type[wa.ApiError]) -> None:
    with aioresponses() as mock:
        kw = {"payload": body} if isinstance(body, dict) else {"body": body}
        mock.get(f"{CTRL}/connections/x", status=status, **kw)  # type: ignore[arg-type]
        async with Connections(api_key="k", base_url=CTRL) as conns:
            with pytest.raises(cls) as caught:
                await conns.get("x")
    assert type(caught.value) is cls and caught.value.http_status == status


async def test_bad_id_refused_locally_and_borrowed_session_left_open() -> None:
    async with aiohttp.ClientSession() as http:
        conns = Connections(api_key="k", base_url=CTRL, session=http)
        with pytest.raises(wa.ValidationError, match="connection_id"):
            await conns.get("../admin")
        await conns.close()
        assert not http.closed


async def test_limiter_is_used() -> None:
    class Counting:
        calls = 0

        async def acquire(self) -> None:
            self.calls += 1

        async def pause(self, seconds: float) -> None:
            pass

    limiter = Counting()
    with aioresponses() as mock:
        mock.get(re.compile(rf"^{CTRL}/connections"), payload={"connections": []}, repeat=True)
        async with Connections(api_key="k", base_url=CTRL, limiter=limiter) as conns:
            await conns.list()
            await conns.list()
    assert limiter.calls == 2


async def test_against_the_emulator_control_plane() -> None:
    async with wa.Emulator() as emu, Connections(api_key="k", base_url=emu.ctrl_url) as conns:
        (seeded,) = await conns.list()
        assert seeded.status == "ACTIVE" and seeded.app == "whatsapp-business"
        new = await conns.create()
        assert new.status == "PENDING" and new.url and new.connection_id != seeded.connection_id
        assert [c.id for c in await conns.list(status="PENDING")] == [new.id]
        async with aiohttp.ClientSession() as browser, browser.get(new.url) as page:  # the user authorizes
            assert page.status == 200
        assert (await conns.get(new.id)).status == "ACTIVE"
        assert await conns.delete(new.id) is True
        with pytest.raises(wa.NotFound, match="Connection not found"):
            await conns.get(new.id)
    async with wa.Emulator(api_keys=["good"]) as emu, Connections(api_key="bad", base_url=emu.ctrl_url) as conns:
        with pytest.raises(wa.AuthError):
            await conns.list()
