"""The emulator's Groups API: create, get, list, update, delete, invite link, join requests, participants."""

from __future__ import annotations

import io
import struct
from typing import Any

import aiohttp
import pytest

from tests._data import payload
from tests._http import call, code
from tests._shapes import assert_shape
from wa_async._options import DEFAULT_API_VERSION as V
from wa_async.emulator import Emulator
from wa_async.emulator._groups import MAX_GROUPS, MAX_PARTICIPANTS


def url(emu: Emulator, path: str) -> str:
    return f"{emu.graph_url}/{V}/{path}"


async def create(http: aiohttp.ClientSession, emu: Emulator, **changes: Any) -> str:
    status, body = await call(
        http,
        "POST",
        url(emu, f"{emu.phone_number_id}/groups"),
        json={**payload("request-group-create.json"), **changes},
    )
    assert status == 200 and set(body) == {"messaging_product", "request_id"}, body
    return emu.groups.by_request(body["request_id"]).id


def jpeg(width: int, height: int) -> bytes:
    """The smallest byte string with a JPEG start-of-frame giving the size."""
    frame = struct.pack(">HBHHB", 17, 8, height, width, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    return b"\xff\xd8\xff\xc0" + frame + b"\xff\xd9"


async def test_create_get_update_delete(http: aiohttp.ClientSession, emu: Emulator) -> None:
    events: list[tuple[str, dict[str, Any], str | None]] = []
    emu.groups.emit = lambda field, value, pnid: events.append((field, value, pnid))
    group_id = await create(http, emu)
    assert await call(http, "GET", url(emu, group_id)) == (200, {"messaging_product": "whatsapp", "id": group_id})
    first = emu.groups.join(group_id, "15551234567", username="jamie.example")
    assert first is not None and emu.groups.join(group_id, "15559876543") is not None  # approval_required
    approve = {"messaging_product": "whatsapp", "join_requests": [first]}
    assert (await call(http, "POST", url(emu, f"{group_id}/join_requests"), json=approve))[0] == 200
    fields = "subject,description,participants,join_approval_mode,suspended,creation_timestamp,total_participant_count"
    status, body = await call(http, "GET", url(emu, group_id), params={"fields": fields})
    assert_shape(body, payload("response-group-info.json"))
    assert body["participants"][0]["wa_id"] == "15551234567" and body["total_participant_count"] == 1

    assert await call(
        http, "POST", url(emu, group_id), json={"messaging_product": "whatsapp", "subject": "  VIP  "}
    ) == (200, {"success": True})
    assert emu.groups[group_id].subject == "VIP"  # whitespace is trimmed
    assert await call(http, "DELETE", url(emu, group_id)) == (200, {"success": True})
    status, body = await call(http, "GET", url(emu, group_id))
    assert status == 400 and body["error"]["error_subcode"] == 33
    kinds = [(field, value["groups"][0]["type"]) for field, value, _ in events]
    assert kinds == [
        ("group_lifecycle_update", "group_create"),
        ("group_participants_update", "group_join_request_created"),
        ("group_participants_update", "group_join_request_created"),
        ("group_participants_update", "group_participants_add"),
        ("group_settings_update", "group_settings_update"),
        ("group_lifecycle_update", "group_delete"),
    ]
    assert events[3][1]["groups"][0]["added_participants"] == [{"input": "15551234567", "wa_id": "15551234567"}]
    created = events[0][1]["groups"][0]
    assert created["group_id"] == group_id and created["invite_link"].startswith("https://chat.whatsapp.com/")


@pytest.mark.parametrize(
    ("changes", "needle"),
    [
        ({"subject": "x" * 129}, "128"),
        ({"subject": "   "}, "subject"),
        ({"description": "x" * 2049}, "2048"),
        ({"join_approval_mode": "invite_only"}, "join_approval_mode"),
        ({"messaging_product": "sms"}, "messaging_product"),
    ],
)
async def test_create_checks(http: aiohttp.ClientSession, emu: Emulator, changes: dict[str, Any], needle: str) -> None:
    body = {**payload("request-group-create.json"), **changes}
    status, answer = await call(http, "POST", url(emu, f"{emu.phone_number_id}/groups"), json=body)
    assert status == 400 and code(answer) == 100 and needle in answer["error"]["error_data"]["details"]


async def test_group_limits_per_number_and_eligibility(http: aiohttp.ClientSession, emu: Emulator) -> None:
    assert emu.groups.max_groups == MAX_GROUPS == 10_000 and MAX_PARTICIPANTS == 8
    emu.groups.max_groups = 1
    await create(http, emu)
    status, body = await call(
        http, "POST", url(emu, f"{emu.phone_number_id}/groups"), json=payload("request-group-create.json")
    )
    assert status == 400 and code(body) == 131211
    emu.groups.eligible = False
    status, body = await call(
        http, "POST", url(emu, "106540352242923/groups"), json=payload("request-group-create.json")
    )
    assert status == 400 and code(body) == 131215


async def test_list_groups_with_paging(http: aiohttp.ClientSession, emu: Emulator) -> None:
    ids = [await create(http, emu, subject=f"group {i}") for i in range(3)]
    groups = url(emu, f"{emu.phone_number_id}/groups")
    status, body = await call(http, "GET", groups, params={"limit": "2"})
    assert status == 200 and [g["id"] for g in body["data"]["groups"]] == ids[:2]
    assert set(body["data"]["groups"][0]) == {"id", "subject", "created_at"}
    _, rest = await call(http, "GET", body["paging"]["next"])
    assert [g["id"] for g in rest["data"]["groups"]] == ids[2:]
    status, body = await call(http, "GET", groups, params={"after": "garbage"})
    assert status == 400 and code(body) == 131059
    status, body = await call(http, "GET", groups, params={"limit": "1025"})
    assert status == 400 and code(body) == 100


async def test_join_requests_approve_reject(http: aiohttp.ClientSession, emu: Emulator) -> None:
    group_id = await create(http, emu)
    first = emu.groups.join(group_id, "15551234567")
    second = emu.groups.join(group_id, "15559876543")
    status, body = await call(http, "GET", url(emu, f"{group_id}/join_requests"))
    assert [r["join_request_id"] for r in body["data"]] == [first, second]
    assert {"join_request_id", "wa_id", "user_id", "creation_timestamp"} == set(body["data"][0])

    approve = payload("request-group-join-requests-approve.json")
    approve["join_requests"] = [first, "MTU1NTk4NzY1NDM6MTIzNDU2Nzg5MDEyMzQ1Njc5"]
    status, body = await call(http, "POST", url(emu, f"{group_id}/join_requests"), json=approve)
    assert status == 200
    assert_shape(body, payload("response-group-join-requests-approve.json"))
    assert body["approved_join_requests"] == [first]
    assert body["failed_join_requests"][0]["errors"][0]["code"] == 131213
    assert "15551234567" in emu.groups[group_id].participants

    reject = {"messaging_product": "whatsapp", "join_requests": [second]}
    status, body = await call(http, "DELETE", url(emu, f"{group_id}/join_requests"), json=reject)
    assert body == {"messaging_product": "whatsapp", "rejected_join_requests": [second]}
    assert await call(http, "GET", url(emu, f"{group_id}/join_requests")) == (200, {"data": []})


async def test_participant_limit_and_removal(http: aiohttp.ClientSession, emu: Emulator) -> None:
    group_id = await create(http, emu, join_approval_mode="auto_approve")
    for i in range(MAX_PARTICIPANTS):
        emu.groups.join(group_id, f"1555000000{i}")
    with pytest.raises(ValueError, match="full"):
        emu.groups.join(group_id, "15550000009")
    status, body = await call(
        http,
        "POST",
        url(emu, f"{group_id}/participants"),
        json={"messaging_product": "whatsapp", "participants": [{"user": "15550000009"}]},
    )
    assert status == 400 and code(body) == 131204

    remove = payload("request-group-participants-remove.json")
    remove["participants"][0]["user"] = "+1 555 000 0000"  # a member; the BSUID of the second item is not one
    status, body = await call(http, "DELETE", url(emu, f"{group_id}/participants"), json=remove)
    assert status == 206  # Meta's 131201, request partially succeeded
    assert body["removed_participants"] == [{"input": "+1 555 000 0000"}]
    assert body["failed_participants"][0]["errors"][0]["code"] == 131212 and body["errors"][0]["code"] == 131201
    with pytest.raises(ValueError, match="removed"):
        emu.groups.join(group_id, "15550000000")  # a removed user cannot come back by the link
    status, body = await call(
        http,
        "DELETE",
        url(emu, f"{group_id}/participants"),
        json={"messaging_product": "whatsapp", "participants": [{"user": "15550000001"}]},
    )
    assert status == 200 and body == {
        "messaging_product": "whatsapp",
        "removed_participants": [{"input": "15550000001"}],
    }
    status, body = await call(
        http,
        "DELETE",
        url(emu, f"{group_id}/participants"),
        json={"messaging_product": "whatsapp", "participants": [{"user": "15550000001"}]},
    )
    assert status == 400 and code(body) == 131212
    status, body = await call(
        http,
        "POST",
        url(emu, f"{group_id}/participants"),
        json={"messaging_product": "whatsapp", "participants": [{"user": "15550000009"}]},
    )
    assert status == 200 and body["added_participants"] == [{"input": "15550000009"}]


@pytest.mark.parametrize(
    ("participants", "expected"),
    [
        ([{"user": "15550000001"}, {"user": "+1 555 000 0001"}], 131202),
        ([{"user": f"1555000000{i}"} for i in range(9)], 100),
        ([], 100),
        ([{"user": "15550000001", "user_id": "US.1"}], 100),
    ],
)
async def test_participant_requests_are_checked(
    http: aiohttp.ClientSession, emu: Emulator, participants: list[dict[str, str]], expected: int
) -> None:
    group_id = await create(http, emu)
    body = {"messaging_product": "whatsapp", "participants": participants}
    status, answer = await call(http, "DELETE", url(emu, f"{group_id}/participants"), json=body)
    assert status == 400 and code(answer) == expected


async def test_invite_link_reset_and_revoke(http: aiohttp.ClientSession, emu: Emulator) -> None:
    group_id = await create(http, emu)
    status, body = await call(http, "GET", url(emu, f"{group_id}/invite_link"))
    old = body["invite_link"]
    assert set(body) == {"messaging_product", "invite_link"} and old.startswith("https://chat.whatsapp.com/")
    status, body = await call(http, "POST", url(emu, f"{group_id}/invite_link"), json={"messaging_product": "whatsapp"})
    assert status == 200 and body["invite_link"] != old
    assert (await call(http, "DELETE", url(emu, f"{group_id}/invite_link")))[0] == 200
    assert await call(http, "GET", url(emu, f"{group_id}/invite_link")) == (200, {"messaging_product": "whatsapp"})
    with pytest.raises(ValueError, match="invite link"):
        emu.groups.join(group_id, "15551234567")
    status, body = await call(http, "GET", url(emu, "Z3JvdXA6dW5rbm93bg/invite_link"))
    assert status == 400 and code(body) == 131041


async def test_group_picture_rules(http: aiohttp.ClientSession, emu: Emulator) -> None:
    group_id = await create(http, emu)

    def picture(data: bytes) -> aiohttp.FormData:
        form = aiohttp.FormData()
        form.add_field("messaging_product", "whatsapp")
        form.add_field("file", io.BytesIO(data), filename="p.jpg", content_type="image/jpeg")
        return form

    for data, expected in ((jpeg(300, 200), 131209), (jpeg(192, 192), 131210), (b"\x89PNG\r\n\x1a\n", 100)):
        status, body = await call(http, "POST", url(emu, group_id), data=picture(data))
        assert status == 400 and code(body) == expected
    assert await call(http, "POST", url(emu, group_id), data=picture(jpeg(640, 640))) == (200, {"success": True})
    assert emu.groups[group_id].profile_picture == jpeg(640, 640)


async def test_suspended_group(http: aiohttp.ClientSession, emu: Emulator) -> None:
    group_id = await create(http, emu)
    emu.groups.suspend(group_id)
    status, body = await call(http, "POST", url(emu, f"{group_id}/invite_link"), json={"messaging_product": "whatsapp"})
    assert status == 403 and code(body) == 131207
    _, body = await call(http, "GET", url(emu, group_id), params={"fields": "suspended"})
    assert body["suspended"] is True
    emu.groups.suspend(group_id, False)
    assert (await call(http, "GET", url(emu, f"{group_id}/invite_link")))[0] == 200
