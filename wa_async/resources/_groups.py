"""``client.groups``: WhatsApp groups the business number owns (``/{phone_number_id}/groups``, ``/{group_id}``).

Meta's Groups pages: a group has at most 8 participants besides the business; a number creates at most 10,000
groups (131211). The subject is at most 128 characters (trimmed), the description 2,048; the picture a square JPEG
larger than 192 px (at most 5 MB). Participants are removed (and, where Meta allows it, added) 1 to 8 per request;
when only some go through, Meta answers HTTP 206 with the failures, returned here as
[`ParticipantsResult.failed`][wa_async.resources.ParticipantsResult]. A new group's id and invite link arrive by
the ``group_lifecycle_update`` webhook (``create`` returns the request id that webhook names), or by ``list()``.
"""

from __future__ import annotations

import asyncio
import os
import struct
from collections.abc import AsyncIterator, Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

import msgspec

from .._errors import ApiError, ValidationError
from .._pipeline import Pipeline
from .._request import Request, node_id
from .._transport import FilePart, FileSource, Multipart, Response
from ._common import Confirmed, ErrorDetail, json_body, text_field, users_list
from ._paging import Page, follow_pages

__all__ = [
    "MAX_PARTICIPANTS",
    "CreateGroup",
    "DoneParticipant",
    "FailedJoinRequest",
    "FailedParticipant",
    "GetGroup",
    "GetInviteLink",
    "GroupInfo",
    "GroupParticipant",
    "GroupSummary",
    "Groups",
    "JoinRequest",
    "JoinRequestsResult",
    "ListGroups",
    "ListJoinRequests",
    "ParticipantsResult",
    "ResetInviteLink",
]

MAX_PARTICIPANTS = 8  # per group, besides the business, and per add/remove request (Meta's Groups overview)
SUBJECT_LIMIT, DESCRIPTION_LIMIT = 128, 2048
PICTURE_LIMIT, PICTURE_MIN_SIDE = 5 * 1024 * 1024, 192
_PAGE_LIMIT = 1024  # GET /{phone_number_id}/groups?limit: 1 to 1024
_MODES = ("approval_required", "auto_approve")
_INFO_FIELDS = ",".join(("subject", "description", "participants", "join_approval_mode", "suspended",
                         "creation_timestamp", "total_participant_count"))  # fmt: skip
JoinApprovalMode = Literal["approval_required", "auto_approve"]


class GroupSummary(msgspec.Struct, frozen=True):
    """A group in the number's list: id, subject and when it was created (Unix seconds)."""

    id: str
    subject: str | None = None
    created_at: int | None = None


class GroupParticipant(msgspec.Struct, frozen=True):
    """A member: the phone (``wa_id``, when Meta shows it), the BSUID and its parent, the username if any."""

    wa_id: str | None = None
    user_id: str | None = None
    parent_user_id: str | None = None
    username: str | None = None


class GroupInfo(msgspec.Struct, frozen=True):
    """A group's details (those asked for; by default all)."""

    id: str
    subject: str | None = None
    description: str | None = None
    participants: list[GroupParticipant] = []
    join_approval_mode: str | None = None
    suspended: bool | None = None
    creation_timestamp: int | None = None
    total_participant_count: int | None = None


class JoinRequest(msgspec.Struct, frozen=True):
    """A user asking to join a group that needs approval."""

    join_request_id: str
    wa_id: str | None = None
    user_id: str | None = None
    parent_user_id: str | None = None
    username: str | None = None
    creation_timestamp: int | None = None


class FailedJoinRequest(msgspec.Struct, frozen=True):
    """A join request that could not be approved or rejected, and why (131213: no such request)."""

    join_request_id: str
    errors: list[ErrorDetail] = []


class JoinRequestsResult(msgspec.Struct, frozen=True):
    """The join requests approved or rejected (``done``) and those that failed."""

    done: list[str] = []
    failed: list[FailedJoinRequest] = []

    @property
    def ok(self) -> bool:
        """True when every request went through."""
        return not self.failed


class DoneParticipant(msgspec.Struct, frozen=True):
    """A participant added or removed: ``input`` as sent."""

    input: str
    wa_id: str | None = None
    user_id: str | None = None


class FailedParticipant(msgspec.Struct, frozen=True):
    """A participant that could not be added or removed, and why (131212: not a member; 131204: group full)."""

    input: str
    errors: list[ErrorDetail] = []

    @property
    def code(self) -> int | None:
        """The first error's code."""
        return self.errors[0].code if self.errors else None


class ParticipantsResult(msgspec.Struct, frozen=True):
    """Who was added or removed (``done``) and who not (``failed``, with Meta's errors)."""

    done: list[DoneParticipant] = []
    failed: list[FailedParticipant] = []

    @property
    def ok(self) -> bool:
        """True when every participant went through."""
        return not self.failed


class _Created(msgspec.Struct):
    request_id: str


class _Link(msgspec.Struct):
    invite_link: str | None = None


class _Decided(msgspec.Struct):
    approved_join_requests: list[str] = []
    rejected_join_requests: list[str] = []
    failed_join_requests: list[FailedJoinRequest] = []


class _Participants(msgspec.Struct):
    added_participants: list[DoneParticipant] = []
    removed_participants: list[DoneParticipant] = []
    failed_participants: list[FailedParticipant] = []


def _lenient(response: Response, result: Any, request: object) -> Any:
    # Meta's group samples write numbers and booleans as strings; its field tables type them: read both.
    try:
        return msgspec.json.decode(response.body, type=result, strict=False)
    except (msgspec.DecodeError, msgspec.ValidationError) as e:
        raise ApiError(f"unexpected answer: {e}: {response.body[:200]!r}", http_status=response.status,
                       request=request) from e  # fmt: skip


class CreateGroup(Request[str]):
    """``POST /{phone_number_id}/groups``: the result is the request id the lifecycle webhook names."""

    __slots__ = ()

    def __init__(self, phone_number_id: str, body: Mapping[str, Any]) -> None:
        super().__init__("POST", f"{phone_number_id}/groups", body=json_body(body))

    def decode(self, response: Response) -> str:
        """The request id."""
        return str(_lenient(response, _Created, self).request_id)


class ListGroups(Request[Page[GroupSummary]]):
    """``GET /{phone_number_id}/groups``: one page (Meta nests the list in ``data.groups``)."""

    __slots__ = ()

    def __init__(self, phone_number_id: str, params: Mapping[str, str]) -> None:
        super().__init__("GET", f"{phone_number_id}/groups", params=params)

    def decode(self, response: Response) -> Page[GroupSummary]:
        """The page, its groups brought up to ``data`` (a flat ``data`` list is read too)."""
        raw = _lenient(response, dict[str, Any], self)
        data = raw.get("data")
        groups = data.get("groups") if isinstance(data, dict) else data
        try:
            return msgspec.convert({"data": groups or [], "paging": raw.get("paging")}, Page[GroupSummary],
                                   strict=False)  # fmt: skip
        except msgspec.ValidationError as e:
            raise ApiError(f"unexpected answer: {e}", http_status=response.status, request=self) from e


class GetGroup(Request[GroupInfo]):
    """``GET /{group_id}?fields=...``."""

    __slots__ = ()

    def __init__(self, group_id: str, fields: str = _INFO_FIELDS) -> None:
        super().__init__("GET", node_id(group_id, "group_id"), params={"fields": fields})

    def decode(self, response: Response) -> GroupInfo:
        """The group's details."""
        return _lenient(response, GroupInfo, self)  # type: ignore[no-any-return]


class GetInviteLink(Request[str | None]):
    """``GET /{group_id}/invite_link``."""

    __slots__ = ()

    def __init__(self, group_id: str) -> None:
        super().__init__("GET", f"{node_id(group_id, 'group_id')}/invite_link")

    def decode(self, response: Response) -> str | None:
        """The link (None when revoked)."""
        return _lenient(response, _Link, self).invite_link  # type: ignore[no-any-return]


class ResetInviteLink(Request[str]):
    """``POST /{group_id}/invite_link``: a new link; the old one stops working."""

    __slots__ = ()

    def __init__(self, group_id: str) -> None:
        super().__init__("POST", f"{node_id(group_id, 'group_id')}/invite_link",
                         body=json_body({"messaging_product": "whatsapp"}))  # fmt: skip

    def decode(self, response: Response) -> str:
        """The new link."""
        link = _lenient(response, _Link, self).invite_link
        if not link:
            raise ApiError("the answer holds no invite link", http_status=response.status, request=self)
        return str(link)


class ListJoinRequests(Request[Page[JoinRequest]]):
    """``GET /{group_id}/join_requests``: one page."""

    __slots__ = ()

    def __init__(self, group_id: str, params: Mapping[str, str]) -> None:
        super().__init__("GET", f"{node_id(group_id, 'group_id')}/join_requests", params=params)

    def decode(self, response: Response) -> Page[JoinRequest]:
        """The page."""
        return _lenient(response, Page[JoinRequest], self)  # type: ignore[no-any-return]


class DecideJoinRequests(Request[JoinRequestsResult]):
    """``POST`` (approve) or ``DELETE`` (reject) ``/{group_id}/join_requests``."""

    __slots__ = ()

    def __init__(self, group_id: str, ids: list[str], *, approve: bool) -> None:
        body = json_body({"messaging_product": "whatsapp", "join_requests": ids})
        super().__init__("POST" if approve else "DELETE", f"{node_id(group_id, 'group_id')}/join_requests",
                         body=body)  # fmt: skip

    def decode(self, response: Response) -> JoinRequestsResult:
        """Which requests went through and which failed."""
        answer: _Decided = _lenient(response, _Decided, self)
        return JoinRequestsResult([*answer.approved_join_requests, *answer.rejected_join_requests],
                                  answer.failed_join_requests)  # fmt: skip


class ChangeParticipants(Request[ParticipantsResult]):
    """``POST`` (add) or ``DELETE`` (remove) ``/{group_id}/participants``; a 206 answer carries the failures."""

    __slots__ = ()

    def __init__(self, group_id: str, users: list[dict[str, str]], *, add: bool) -> None:
        body = json_body({"messaging_product": "whatsapp", "participants": users})
        super().__init__("POST" if add else "DELETE", f"{node_id(group_id, 'group_id')}/participants", body=body)

    def decode(self, response: Response) -> ParticipantsResult:
        """Who went through and who did not."""
        answer: _Participants = _lenient(response, _Participants, self)
        return ParticipantsResult([*answer.added_participants, *answer.removed_participants],
                                  answer.failed_participants)  # fmt: skip


class UpdateGroup(Confirmed):
    """``POST /{group_id}``: subject and description (JSON), or the picture (multipart ``file``)."""

    __slots__ = ()

    def __init__(self, group_id: str, body: bytes | Multipart) -> None:
        super().__init__("POST", node_id(group_id, "group_id"), body=body)


class DeleteGroup(Confirmed):
    """``DELETE /{group_id}``: the group ends for everyone."""

    __slots__ = ()

    def __init__(self, group_id: str) -> None:
        super().__init__("DELETE", node_id(group_id, "group_id"))


class RevokeInviteLink(Confirmed):
    """``DELETE /{group_id}/invite_link``: no link works until one is reset."""

    __slots__ = ()

    def __init__(self, group_id: str) -> None:
        super().__init__("DELETE", f"{node_id(group_id, 'group_id')}/invite_link",
                         body=json_body({"messaging_product": "whatsapp"}))  # fmt: skip


class Groups:
    """Groups of the client's phone number: ``client.groups``.

    ```python
    request_id = await client.groups.create(
        "VIP customers", description="Early access", join_approval_mode="approval_required"
    )
    async for group in client.groups.list():
        print(group.id, group.subject)
    link = await client.groups.invite_link(group.id)  # share it; users join by it
    async for request in client.groups.join_requests(group.id):
        await client.groups.approve_join_requests(group.id, [request.join_request_id])
    result = await client.groups.remove_participants(group.id, ["15551234567"])
    ```
    """

    __slots__ = ("_api",)

    def __init__(self, api: Pipeline) -> None:
        self._api = api

    def __repr__(self) -> str:
        return f"<Groups phone_number_id={self._api.phone_number_id}>"

    async def create(
        self, subject: str, *, description: str | None = None, join_approval_mode: JoinApprovalMode | None = None
    ) -> str:
        """Create a group; return the request id that the ``group_lifecycle_update`` webhook (with the group id
        and its invite link) names.

        Raises:
            ValidationError: an empty subject or one over 128 characters, a description over 2,048, another
                join approval mode.
        """
        body: dict[str, Any] = {"messaging_product": "whatsapp",
                                "subject": text_field(subject, "subject", SUBJECT_LIMIT, strip=True)}  # fmt: skip
        if description is not None:
            body["description"] = _description(description)
        if join_approval_mode is not None:
            body["join_approval_mode"] = _mode(join_approval_mode)
        return await self._api.execute(CreateGroup(self._api.phone_number_id, body))

    async def get(self, group_id: str) -> GroupInfo:
        """A group's subject, description, participants, approval mode, suspension and creation time."""
        return await self._api.execute(GetGroup(group_id))

    async def list(self, *, limit: int | None = None) -> AsyncIterator[GroupSummary]:
        """Every group of the number, following the cursors (``limit``: the page size, 1 to 1024)."""
        params = {"limit": str(_page_limit(limit))} if limit is not None else {}
        pnid = self._api.phone_number_id
        async for group in follow_pages(self._api, lambda p: ListGroups(pnid, p), params):
            yield group

    async def update(
        self,
        group_id: str,
        *,
        subject: str | None = None,
        description: str | None = None,
        picture: str | os.PathLike[str] | bytes | None = None,
    ) -> bool:
        """Change the subject, the description and/or the picture (a square JPEG over 192 px, at most 5 MB; sent
        in a request of its own).

        Raises:
            ValidationError: nothing to change, or a value out of Meta's limits.
        """
        fields: dict[str, Any] = {}
        if subject is not None:
            fields["subject"] = text_field(subject, "subject", SUBJECT_LIMIT, strip=True)
        if description is not None:
            fields["description"] = _description(description)
        if not fields and picture is None:
            raise ValidationError("group", "nothing to update: give subject, description or picture")
        image = None if picture is None else await _picture(picture)
        ok = True
        if fields:
            body = json_body({"messaging_product": "whatsapp", **fields})
            ok = await self._api.execute(UpdateGroup(group_id, body))
        if image is not None:
            source = FileSource(size=len(image), head=image[:32], filename="picture.jpg", data=image)
            form = Multipart([("messaging_product", "whatsapp")], [FilePart("file", source, "image/jpeg")])
            ok = await self._api.execute(UpdateGroup(group_id, form)) and ok
        return ok

    async def delete(self, group_id: str) -> bool:
        """Delete the group for everyone, the business included."""
        return await self._api.execute(DeleteGroup(group_id))

    async def invite_link(self, group_id: str) -> str | None:
        """The group's invite link (None when it was revoked)."""
        return await self._api.execute(GetInviteLink(group_id))

    async def reset_invite_link(self, group_id: str) -> str:
        """A new invite link; the old one stops working."""
        return await self._api.execute(ResetInviteLink(group_id))

    async def revoke_invite_link(self, group_id: str) -> bool:
        """Revoke the invite link: nobody joins by a link until a new one is made."""
        return await self._api.execute(RevokeInviteLink(group_id))

    async def join_requests(self, group_id: str) -> AsyncIterator[JoinRequest]:
        """The open join requests of a group that needs approval, every page."""
        node_id(group_id, "group_id")
        async for request in follow_pages(self._api, lambda p: ListJoinRequests(group_id, p), {}):
            yield request

    async def approve_join_requests(self, group_id: str, join_request_ids: Iterable[str]) -> JoinRequestsResult:
        """Let users in; the result says which requests went through and which failed."""
        return await self._api.execute(DecideJoinRequests(group_id, _ids(join_request_ids), approve=True))

    async def reject_join_requests(self, group_id: str, join_request_ids: Iterable[str]) -> JoinRequestsResult:
        """Turn join requests down; the result says which went through and which failed."""
        return await self._api.execute(DecideJoinRequests(group_id, _ids(join_request_ids), approve=False))

    async def add_participants(self, group_id: str, users: str | Iterable[str]) -> ParticipantsResult:
        """Add 1 to 8 users (phone numbers or BSUIDs). Meta's guide says users join by the invite link; this call
        is in its OpenAPI file only (UNCERTAIN that every number may use it).

        Raises:
            ValidationError: no user, more than 8, one given twice or not a phone number nor a BSUID.
        """
        items = users_list(users, "users", limit=MAX_PARTICIPANTS)
        return await self._api.execute(ChangeParticipants(group_id, items, add=True))

    async def remove_participants(self, group_id: str, users: str | Iterable[str]) -> ParticipantsResult:
        """Remove 1 to 8 users (phone numbers or BSUIDs); they cannot rejoin by the invite link.

        Raises:
            ValidationError: as for [`add_participants`][wa_async.resources.Groups.add_participants].
        """
        items = users_list(users, "users", limit=MAX_PARTICIPANTS)
        return await self._api.execute(ChangeParticipants(group_id, items, add=False))


def _description(value: object) -> str:
    if not isinstance(value, str):
        raise ValidationError("description", f"expected a string, got {type(value).__name__}")
    if len(value) > DESCRIPTION_LIMIT:
        raise ValidationError("description", f"{len(value)} characters, the limit is {DESCRIPTION_LIMIT}",
                              limit=DESCRIPTION_LIMIT)  # fmt: skip
    return value


def _mode(value: object) -> str:
    if value not in _MODES:
        raise ValidationError("join_approval_mode", f"{value!r} is not one of {', '.join(_MODES)}")
    return str(value)


def _page_limit(limit: object) -> int:
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= _PAGE_LIMIT:
        raise ValidationError("limit", f"{limit!r}: the page size is 1 to {_PAGE_LIMIT}", limit=_PAGE_LIMIT)
    return limit


def _ids(ids: Iterable[str]) -> list[str]:
    given = [ids] if isinstance(ids, str) else list(ids)
    if not given:
        raise ValidationError("join_request_ids", "is empty: give at least one join request id")
    return [text_field(i, f"join_request_ids[{n}]").strip() for n, i in enumerate(given)]


async def _picture(picture: str | os.PathLike[str] | bytes) -> bytes:
    if isinstance(picture, bytes | bytearray):
        data = bytes(picture)
    elif isinstance(picture, str | os.PathLike):
        path = Path(picture)
        try:
            size = (await asyncio.to_thread(path.stat)).st_size
            if size > PICTURE_LIMIT:
                raise ValidationError("picture", f"{size} bytes, the limit is {PICTURE_LIMIT} (5 MB)",
                                      limit=PICTURE_LIMIT)  # fmt: skip
            data = await asyncio.to_thread(path.read_bytes)
        except OSError as e:
            raise ValidationError("picture", f"{path}: {e.strerror or e}") from None
    else:
        raise ValidationError("picture", f"expected a path or bytes, got {type(picture).__name__}")
    if len(data) > PICTURE_LIMIT:
        raise ValidationError("picture", f"{len(data)} bytes, the limit is {PICTURE_LIMIT} (5 MB)", limit=PICTURE_LIMIT)
    dimensions = _jpeg_size(data)
    if dimensions is None:
        raise ValidationError("picture", "is not a JPEG image")
    width, height = dimensions
    if width != height:
        raise ValidationError("picture", f"{width}x{height}: the picture must be square")
    if width <= PICTURE_MIN_SIDE:
        raise ValidationError("picture", f"{width}x{height}: the picture must be larger than {PICTURE_MIN_SIDE} px",
                              limit=PICTURE_MIN_SIDE)  # fmt: skip
    return data


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a JPEG's start-of-frame segment, or None when ``data`` is not a JPEG."""
    if not data.startswith(b"\xff\xd8"):
        return None
    i = 2
    while i + 9 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    return None
