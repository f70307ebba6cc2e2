"""client.groups: Meta's documented bodies and answers (partial failures typed), and the emulator end to end."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

import wa_async as wa
from tests._account import OK, PNID, Scripted, answer, emulated
from tests._data import payload

GROUP = payload("response-group-info.json")["id"]


def jpeg(width: int, height: int) -> bytes:
    """The smallest JPEG header that names its size (start of image, a start-of-frame segment, end of image)."""
    frame = struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + b"\xff\xc0" + struct.pack(">H", len(frame) + 2) + frame + b"\xff\xd9"


async def test_create_sends_the_documented_body() -> None:
    documented = payload("request-group-create.json")
    mock = Scripted([answer({"messaging_product": "whatsapp", "request_id": "106540352242922"})])
    async with mock.client as client:
        request_id = await client.groups.create(f"  {documented['subject']} ", description=documented["description"],
                                                join_approval_mode=documented["join_approval_mode"])  # fmt: skip
    assert request_id == "106540352242922" and mock.sent() == documented and mock.path() == f"{PNID}/groups"


async def test_get_reads_the_documented_group_and_lenient_values() -> None:
    documented = payload("response-group-info.json")
    as_strings = {**documented, "creation_timestamp": "1767261600", "total_participant_count": "2"}
    mock = Scripted([answer(documented), answer(as_strings)])
    async with mock.client as client:
        info = await client.groups.get(GROUP)
        again = await client.groups.get(GROUP)
    assert info == again
    assert info.subject == "Example Store VIP customers" and info.suspended is False
    assert info.creation_timestamp == 1767261600 and info.total_participant_count == 2
    assert info.participants[0] == wa.resources.GroupParticipant(wa_id="15551234567", user_id="US.1234567890123456789",
                                                                 username="jamie.example")  # fmt: skip
    assert info.participants[1].parent_user_id == "US.ENT.1234567890987654321"
    assert mock.requests[0].params is not None and "participants" in mock.requests[0].params["fields"]


async def test_list_brings_the_nested_groups_up_and_follows_pages() -> None:
    first = {"data": {"groups": [{"id": "g1", "subject": "One", "created_at": "1767261600"}]},
             "paging": {"cursors": {"after": "A1"}, "next": "https://graph.facebook.com/next"}}
    last = {"data": {"groups": [{"id": "g2", "subject": "Two", "created_at": 1767261601}]}, "paging": {}}
    mock = Scripted([answer(first), answer(last)])
    async with mock.client as client:
        groups = [g async for g in client.groups.list(limit=1)]
    assert groups == [wa.GroupSummary("g1", "One", 1767261600), wa.GroupSummary("g2", "Two", 1767261601)]
    assert mock.requests[1].params == {"limit": "1", "after": "A1"}


async def test_join_requests_are_the_documented_calls_and_failures_come_back_typed() -> None:
    documented = payload("request-group-join-requests-approve.json")
    mock = Scripted([answer(payload("response-group-join-requests-approve.json")),
                     answer({"messaging_product": "whatsapp", "rejected_join_requests": ["R1"]})])
    async with mock.client as client:
        approved = await client.groups.approve_join_requests(GROUP, documented["join_requests"])
        rejected = await client.groups.reject_join_requests(GROUP, "R1")
    assert mock.sent(0) == documented and mock.path(0) == f"{GROUP}/join_requests"
    assert approved.done == [documented["join_requests"][0]] and not approved.ok
    (failed,) = approved.failed
    assert failed.join_request_id == documented["join_requests"][1] and failed.errors[0].code == 131203
    assert rejected.ok and rejected.done == ["R1"] and mock.requests[1].method == "DELETE"


async def test_remove_participants_sends_the_documented_body_and_reads_a_206() -> None:
    documented = payload("request-group-participants-remove.json")
    partial = {"messaging_product": "whatsapp", "removed_participants": [{"input": "15559876543"}],
               "failed_participants": [{"input": "US.1234567890123456780", "errors": [
                   {"code": 131212, "message": "(#131212) Participant is not a part of the group.",
                    "title": "Participant is not a part of the group."}]}],
               "errors": [{"code": 131201, "message": "(#131201) Request partially succeeded"}]}  # fmt: skip
    mock = Scripted([answer(partial, status=206)])
    async with mock.client as client:
        result = await client.groups.remove_participants(GROUP, ["+15559876543", "US.1234567890123456780"])
    expected = {**documented, "participants": [{"user": "15559876543"}, {"user_id": "US.1234567890123456780"}]}
    assert mock.sent() == expected and mock.requests[0].method == "DELETE"
    assert [p.input for p in result.done] == ["15559876543"] and result.failed[0].code == 131212


async def test_the_picture_is_checked_and_sent_as_a_jpeg_file(tmp_path: Path) -> None:
    picture = tmp_path / "logo.jpg"
    picture.write_bytes(jpeg(640, 640))
    mock = Scripted([OK, OK])
    async with mock.client as client:
        assert await client.groups.update(GROUP, subject="New name", picture=picture)
        for bad, why in ((jpeg(640, 480), "square"), (jpeg(192, 192), "larger than 192"),
                         (b"\x89PNG\r\n", "JPEG")):  # fmt: skip
            with pytest.raises(wa.ValidationError, match=why):
                await client.groups.update(GROUP, picture=bad)
        with pytest.raises(wa.ValidationError, match=r"(?i)no such file"):
            await client.groups.update(GROUP, picture=tmp_path / "missing.jpg")
    assert mock.sent(0) == {"messaging_product": "whatsapp", "subject": "New name"}
    form = mock.requests[1].body
    assert isinstance(form, wa.Multipart) and dict(form.fields) == {"messaging_product": "whatsapp"}
    (part,) = form.files
    assert part.name == "file" and part.content_type == "image/jpeg" and part.source.read_all() == jpeg(640, 640)
    assert len(mock.requests) == 2


async def test_against_the_emulator() -> None:
    async with emulated() as (emu, client):
        groups = client.groups
        request_id = await groups.create("Open club", description="Anyone may join")
        (summary,) = [g async for g in groups.list()]
        group_id = summary.id
        assert emu.groups.by_request(request_id).id == group_id and summary.subject == "Open club"
        link = await groups.invite_link(group_id)
        assert link is not None and link.startswith("https://chat.whatsapp.com/")
        for user in ("15551110001", "15551110002", "15551110003"):
            assert emu.groups.join(group_id, user) is None  # auto approve: they are in
        info = await groups.get(group_id)
        assert info.total_participant_count == 3 and info.join_approval_mode == "auto_approve"
        result = await groups.remove_participants(group_id, ["15551110001", "15559999999"])
        assert [p.input for p in result.done] == ["15551110001"] and result.failed[0].code == 131212
        with pytest.raises(wa.ApiError) as caught:
            await groups.remove_participants(group_id, "15559999999")  # nobody removed: the error itself
        assert caught.value.code == 131212
        added = await groups.add_participants(group_id, "US.1234567890123456780")
        assert added.ok and (await groups.get(group_id)).total_participant_count == 3

        new_link = await groups.reset_invite_link(group_id)
        assert new_link != link and await groups.invite_link(group_id) == new_link
        assert await groups.revoke_invite_link(group_id)
        assert await groups.invite_link(group_id) is None

        assert await groups.update(group_id, subject="VIP club", description="Members only",
                                   picture=jpeg(256, 256))  # fmt: skip
        info = await groups.get(group_id)
        assert (info.subject, info.description) == ("VIP club", "Members only")
        assert emu.groups[group_id].profile_picture == jpeg(256, 256)

        closed_id = await groups.create("Closed", join_approval_mode="approval_required")
        closed = emu.groups.by_request(closed_id).id
        first = emu.groups.join(closed, "15552220001", username="ana.example")
        second = emu.groups.join(closed, "15552220002")
        assert first is not None and second is not None  # approval required: join requests
        pending = [r async for r in groups.join_requests(closed)]
        assert [r.join_request_id for r in pending] == [first, second] and pending[0].username == "ana.example"
        assert (await groups.approve_join_requests(closed, [first])).done == [first]
        rejected = await groups.reject_join_requests(closed, [second, "unknown"])
        assert rejected.done == [second] and rejected.failed[0].errors[0].code == 131213
        assert [p.wa_id for p in (await groups.get(closed)).participants] == ["15552220001"]

        emu.groups.suspend(closed)
        with pytest.raises(wa.ApiError) as caught:
            await groups.update(closed, subject="x")
        assert caught.value.code == 131207 and caught.value.http_status == 403
        assert await groups.delete(group_id)
        assert [g.id async for g in groups.list()] == [closed]
        with pytest.raises(wa.NotFound):  # the node is gone: Graph's 100/33
            await groups.get(group_id)
