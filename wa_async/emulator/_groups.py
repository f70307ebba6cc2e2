"""Groups: ``/{pnid}/groups`` and ``/{group_id}`` with its invite link, join requests and participants.

From Meta's Groups pages (overview, reference, error codes) and the OpenAPI file: a group has at most 8
participants besides the business (131204) and a number creates at most 10,000 groups (131211). Create
``{"messaging_product", "subject" (at most 128, trimmed), "description"? (2048), "join_approval_mode"?}`` ->
``{"messaging_product", "request_id"}`` (the group id and invite link follow in a ``group_lifecycle_update``
webhook). ``GET /{group_id}`` answers only ``id`` without ``fields``. Remove participants takes 1 to 8
``{"user"}``/``{"user_id"}`` items (duplicates: 131202; not a member: 131212); a removed user cannot rejoin by
the invite link. Join requests are listed, approved (``POST``) and rejected (``DELETE``) by id (unknown: 131213).
A suspended group answers 131207 (HTTP 403); a bad paging cursor 131059.

Users join from the test: `Groups.join` (by the invite link: a member, or a join request when approval is
required). Webhooks for each change go out through `Area.emit`.
"""

from __future__ import annotations

import base64
import secrets
import struct
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from ._area import Area, Handler, Route, error, read_body, require_product, str_field
from ._blocked import bsuid
from ._graph import GraphError, json_response, param
from ._paging import page
from ._validate import normalize_to

__all__ = ["MAX_GROUPS", "MAX_PARTICIPANTS", "Group", "Groups"]

MAX_PARTICIPANTS = 8  # Meta's Groups overview: "Max group participants: 8"
MAX_GROUPS = 10_000  # "Max groups you can create: 10,000 per business number"
_MAX_PER_REQUEST = 8
_MODES = frozenset({"approval_required", "auto_approve"})
_FIELDS = frozenset({"subject", "description", "participants", "join_approval_mode", "suspended",
                     "creation_timestamp", "total_participant_count"})  # fmt: skip
_MIN_PICTURE = 192


@dataclass(slots=True)
class Group:
    """One group of a business number."""

    id: str
    phone_number_id: str
    subject: str
    description: str | None
    join_approval_mode: str
    creation_timestamp: int
    invite_link: str | None
    participants: dict[str, dict[str, Any]] = field(default_factory=dict)  # key (wa_id or BSUID) -> participant
    removed: set[str] = field(default_factory=set)
    join_requests: dict[str, dict[str, Any]] = field(default_factory=dict)
    suspended: bool = False
    profile_picture: bytes | None = None


class Groups(Area):
    """The groups of every business number; ``eligible=False`` makes the number ineligible (131215)."""

    __slots__ = ("_groups", "_requests", "eligible", "max_groups", "wall")

    def __init__(self) -> None:
        super().__init__()
        self._groups: dict[str, Group] = {}
        self._requests: dict[str, str] = {}  # create request id -> group id
        self.eligible = True
        self.max_groups = MAX_GROUPS
        self.wall: Callable[[], float] = time.time

    def __repr__(self) -> str:
        return f"<Groups groups={len(self._groups)}>"

    def __contains__(self, group_id: object) -> bool:
        return group_id in self._groups

    def __getitem__(self, group_id: str) -> Group:
        return self._groups[group_id]

    def routes(self) -> Iterable[Route]:
        """``/{pnid}/groups`` and ``/{group_id}/invite_link|join_requests|participants``."""
        return (
            ("POST", "/{pnid}/groups", self.create),
            ("GET", "/{pnid}/groups", self.list_groups),
            ("GET", "/{group_id}/invite_link", self.get_invite_link),
            ("POST", "/{group_id}/invite_link", self.reset_invite_link),
            ("DELETE", "/{group_id}/invite_link", self.delete_invite_link),
            ("GET", "/{group_id}/join_requests", self.list_join_requests),
            ("POST", "/{group_id}/join_requests", self.approve_join_requests),
            ("DELETE", "/{group_id}/join_requests", self.reject_join_requests),
            ("POST", "/{group_id}/participants", self.add_participants),
            ("DELETE", "/{group_id}/participants", self.remove_participants),
        )

    def node(self, method: str, node: str) -> Handler | None:
        """``GET``/``POST``/``DELETE /{group_id}``."""
        if node not in self._groups:
            return None
        return {"GET": self.get, "POST": self.update, "DELETE": self.delete}.get(method)

    def by_request(self, request_id: str) -> Group:
        """The group a create request made (Meta tells its id by webhook)."""
        return self._groups[self._requests[request_id]]

    # --- the users' side, driven by tests ---------------------------------------------------------------------
    def join(self, group_id: str, user: str, *, username: str | None = None) -> str | None:
        """``user`` taps the invite link: joins, or (approval required) files a join request whose id is returned."""
        group = self._groups[group_id]
        if group.invite_link is None:
            raise ValueError("the group has no invite link")
        key = normalize_to(user) or user
        if key in group.removed:
            raise ValueError(f"{user} was removed from the group and cannot rejoin by the invite link")
        if group.join_approval_mode == "approval_required":
            request_id = base64.b64encode(f"{key}:{secrets.randbelow(10**18)}".encode()).decode()
            group.join_requests[request_id] = {"join_request_id": request_id, **_person(key, username),
                                               "creation_timestamp": int(self.wall())}  # fmt: skip
            self._event(group, "group_participants_update", "group_join_request_created",
                        join_request_id=request_id, **_person(key, username))  # fmt: skip
            return request_id
        self._admit(group, key, username)
        self._event(group, "group_participants_update", "group_participants_add", reason="invite_link",
                    added_participants=[_person(key, username)])  # fmt: skip
        return None

    def suspend(self, group_id: str, suspended: bool = True) -> None:
        """WhatsApp suspends (or clears the suspension of) a group."""
        group = self._groups[group_id]
        group.suspended = suspended
        self._event(group, "group_status_update", "group_suspend" if suspended else "group_suspend_cleared")

    # --- the API ----------------------------------------------------------------------------------------------
    async def create(self, request: web.Request) -> web.Response:
        """``POST /{pnid}/groups``."""
        body = await read_body(request)
        require_product(body)
        pnid = request.match_info["pnid"]
        subject, description, mode = _settings(body, creating=True)
        if not self.eligible:
            raise error(131215, "This phone number is not eligible to access Groups APIs", "Groups APIs are only "
                        "available for eligible phone numbers.")  # fmt: skip
        if sum(1 for g in self._groups.values() if g.phone_number_id == pnid) >= self.max_groups:
            raise error(131211, "Group create limit reached", "Reached the limit for the maximum number of groups "
                        f"that can be created for this number ({self.max_groups}).")  # fmt: skip
        group_id = base64.urlsafe_b64encode(f"capi_group:{pnid}:{secrets.randbelow(10**18)}".encode()).decode()
        group = Group(group_id.rstrip("="), pnid, str(subject), description, mode or "auto_approve",
                      int(self.wall()), _link())  # fmt: skip
        self._groups[group.id] = group
        request_id = str(secrets.randbelow(9 * 10**14) + 10**14)
        self._requests[request_id] = group.id
        created: dict[str, Any] = {"request_id": request_id, "subject": group.subject,
                                   "invite_link": group.invite_link, "join_approval_mode": group.join_approval_mode}
        if description is not None:
            created["description"] = description
        self._event(group, "group_lifecycle_update", "group_create", **created)
        return json_response({"messaging_product": "whatsapp", "request_id": request_id})

    async def list_groups(self, request: web.Request) -> web.Response:
        """``GET /{pnid}/groups?limit (1-1024)&after&before`` -> ``{"data": {"groups": [...]}, "paging"}``."""
        pnid = request.match_info["pnid"]
        groups = [g for g in self._groups.values() if g.phone_number_id == pnid]
        chunk, paging = page(groups, request, prefix="grp", maximum=1024, invalid=_bad_cursor())
        body: dict[str, Any] = {"data": {"groups": [
            {"id": g.id, "subject": g.subject, "created_at": str(g.creation_timestamp)} for g in chunk]}}  # fmt: skip
        if paging is not None:
            body["paging"] = paging
        return json_response(body)

    async def get(self, request: web.Request) -> web.Response:
        """``GET /{group_id}?fields=...``."""
        group = self._group(request.match_info["node"])
        names = [f.strip() for f in request.query.get("fields", "").split(",") if f.strip()]
        for name in names:
            if name not in _FIELDS:
                text = f"Tried accessing nonexisting field ({name}) on node type (WhatsAppGroup)"
                raise GraphError(100, text, message=f"(#100) {text}")
        values: dict[str, Any] = {
            "subject": group.subject,
            "description": group.description,
            "participants": list(group.participants.values()),
            "join_approval_mode": group.join_approval_mode,
            "suspended": group.suspended,
            "creation_timestamp": group.creation_timestamp,
            "total_participant_count": len(group.participants),
        }
        body = {"messaging_product": "whatsapp", "id": group.id}
        body.update({name: values[name] for name in names if values[name] is not None})
        return json_response(body)

    async def update(self, request: web.Request) -> web.Response:
        """``POST /{group_id}``: ``subject``, ``description`` (JSON) or a profile picture (multipart ``file``)."""
        group = self._group(request.match_info["node"], active=True)
        body = await read_body(request)
        require_product(body)
        picture = body.pop("file", None) or body.pop("profile_picture_file", None)
        if picture is None and not {"subject", "description"} & set(body):
            raise param("Give subject, description or a profile picture file to update.")
        subject, description, _ = _settings(body, creating=False)
        changes: dict[str, Any] = {"request_id": str(secrets.randbelow(9 * 10**14) + 10**14)}
        if picture is not None:
            data = _picture(picture)
            group.profile_picture = data
            changes["profile_picture"] = {"mime_type": "image/jpeg", "update_successful": True}
        if subject is not None:
            group.subject = subject
            changes["group_subject"] = {"text": subject, "update_successful": True}
        if description is not None:
            group.description = description
            changes["group_description"] = {"text": description, "update_successful": True}
        self._event(group, "group_settings_update", "group_settings_update", **changes)
        return json_response({"success": True})

    async def delete(self, request: web.Request) -> web.Response:
        """``DELETE /{group_id}``: the group ends for everyone."""
        group = self._group(request.match_info["node"])
        del self._groups[group.id]
        self._event(group, "group_lifecycle_update", "group_delete",
                    request_id=str(secrets.randbelow(9 * 10**14) + 10**14))  # fmt: skip
        return json_response({"success": True})

    async def get_invite_link(self, request: web.Request) -> web.Response:
        """``GET /{group_id}/invite_link``."""
        group = self._group(request.match_info["group_id"], active=True)
        body: dict[str, Any] = {"messaging_product": "whatsapp"}
        if group.invite_link is not None:
            body["invite_link"] = group.invite_link
        return json_response(body)

    async def reset_invite_link(self, request: web.Request) -> web.Response:
        """``POST /{group_id}/invite_link``: a new link; the old one stops working."""
        group = self._group(request.match_info["group_id"], active=True)
        require_product(await read_body(request))
        group.invite_link = _link()
        return json_response({"messaging_product": "whatsapp", "invite_link": group.invite_link})

    async def delete_invite_link(self, request: web.Request) -> web.Response:
        """``DELETE /{group_id}/invite_link`` (OpenAPI): the link is revoked until reset."""
        group = self._group(request.match_info["group_id"], active=True)
        group.invite_link = None
        return json_response({"messaging_product": "whatsapp", "success": True})

    async def list_join_requests(self, request: web.Request) -> web.Response:
        """``GET /{group_id}/join_requests``."""
        group = self._group(request.match_info["group_id"])
        chunk, paging = page(list(group.join_requests.values()), request, prefix="jrq", invalid=_bad_cursor())
        body: dict[str, Any] = {"data": chunk}
        if paging is not None:
            body["paging"] = paging
        return json_response(body)

    async def approve_join_requests(self, request: web.Request) -> web.Response:
        """``POST /{group_id}/join_requests`` ``{"messaging_product", "join_requests": [ids]}``."""
        return await self._decide(request, approve=True)

    async def reject_join_requests(self, request: web.Request) -> web.Response:
        """``DELETE /{group_id}/join_requests``."""
        return await self._decide(request, approve=False)

    async def add_participants(self, request: web.Request) -> web.Response:
        """``POST /{group_id}/participants`` (in the OpenAPI file; Meta's guide says users join by link only)."""
        group, users = await self._participants(request)
        done, failed = [], []
        for given, key in users:
            if key not in group.participants and len(group.participants) >= MAX_PARTICIPANTS:
                failed.append(_failure(given, 131204, "Participant overlimit", "Group participant size exceeds "
                                       f"the limit of {MAX_PARTICIPANTS}."))  # fmt: skip
                continue
            self._admit(group, key, None)
            done.append({"input": given})
        if done:
            self._event(group, "group_participants_update", "group_participants_add", reason="api",
                        added_participants=[_person(normalize_to(d["input"]) or d["input"], None) for d in done])
        return _partial("added_participants", done, failed)

    async def remove_participants(self, request: web.Request) -> web.Response:
        """``DELETE /{group_id}/participants`` ``{"messaging_product", "participants": [{"user"}|{"user_id"}]}``."""
        group, users = await self._participants(request)
        done, failed = [], []
        for given, key in users:
            if key not in group.participants:
                failed.append(_failure(given, 131212, "Participant is not a part of the group.",
                                       "Participant is not a part of the group."))  # fmt: skip
                continue
            del group.participants[key]
            group.removed.add(key)
            done.append({"input": given})
        self._event(group, "group_participants_update", "group_participants_remove", initiated_by="business",
                    removed_participants=done, **({"failed_participants": failed} if failed else {}))  # fmt: skip
        return _partial("removed_participants", done, failed)

    # --- internals --------------------------------------------------------------------------------------------
    async def _decide(self, request: web.Request, *, approve: bool) -> web.Response:
        group = self._group(request.match_info["group_id"], active=True)
        body = await read_body(request)
        require_product(body)
        ids = body.get("join_requests")
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            raise param("The parameter join_requests is required: an array of join request ids.")
        done: list[str] = []
        admitted: list[str] = []
        failed: list[dict[str, Any]] = []
        for request_id in ids:
            pending = group.join_requests.get(request_id)
            if pending is None:
                failed.append({"join_request_id": request_id, "errors": [_item(131213, "Group join request does "
                               "not exist.", "Group join request does not exist.")]})  # fmt: skip
                continue
            key = pending.get("wa_id") or pending["user_id"]
            if approve and len(group.participants) >= MAX_PARTICIPANTS:
                failed.append({"join_request_id": request_id, "errors": [_item(131204, "Participant overlimit",
                               "Group participant size exceeds limit.")]})  # fmt: skip
                continue
            del group.join_requests[request_id]
            if approve:
                self._admit(group, key, pending.get("username"))
                admitted.append(key)
            done.append(request_id)
        if approve and done:  # Meta's webhook lists approved join requests as {input, wa_id}
            added = [{"input": p, "wa_id": p} if p.isdigit() else {"input": p, "user_id": p} for p in admitted]
            self._event(group, "group_participants_update", "group_participants_add", added_participants=added)
        answer: dict[str, Any] = {"messaging_product": "whatsapp",
                                  ("approved_join_requests" if approve else "rejected_join_requests"): done}
        if failed:
            answer["failed_join_requests"] = failed
        return json_response(answer)

    async def _participants(self, request: web.Request) -> tuple[Group, list[tuple[str, str]]]:
        group = self._group(request.match_info["group_id"], active=True)
        body = await read_body(request)
        require_product(body)
        items = body.get("participants")
        if not isinstance(items, list) or not 1 <= len(items) <= _MAX_PER_REQUEST:
            raise param(f"Param participants must be an array of 1 to {_MAX_PER_REQUEST} items.")
        users: list[tuple[str, str]] = []
        for i, item in enumerate(items):
            if not isinstance(item, dict) or bool(item.get("user")) == bool(item.get("user_id")):
                raise param(f"Param participants[{i}] must have exactly one of user or user_id.")
            given = str(item.get("user") or item.get("user_id"))
            key = normalize_to(given) or given
            if any(key == k for _, k in users):
                raise error(131202, "Duplicate participant", f"{given} appears more than once in participants.")
            users.append((given, key))
        return group, users

    def _group(self, group_id: str, *, active: bool = False) -> Group:
        group = self._groups.get(group_id)
        if group is None:
            raise error(131041, "Group unknown", "The group was not found, either because it doesn't exist or "
                        "you are not a member.")  # fmt: skip
        if active and group.suspended:
            raise error(131207, "Group suspended", "The group violates platform policies.", status=403)
        return group

    def _admit(self, group: Group, key: str, username: str | None) -> None:
        if key not in group.participants and len(group.participants) >= MAX_PARTICIPANTS:
            raise ValueError(f"the group is full ({MAX_PARTICIPANTS} participants)")
        group.participants[key] = _person(key, username)

    def _event(self, group: Group, field: str, kind: str, **extra: Any) -> None:
        item = {"timestamp": int(self.wall()), "group_id": group.id, "type": kind, **extra}
        self.notify(field, {"groups": [item]}, group.phone_number_id)


def _settings(body: dict[str, Any], *, creating: bool) -> tuple[str | None, str | None, str | None]:
    subject = body.get("subject")
    if subject is not None or creating:
        subject = (str_field(body, "subject") or "").strip()
        if not subject:
            raise param("The parameter subject must not be empty.")
        if len(subject) > 128:
            raise param(f"Param subject must be at most 128 characters long, got {len(subject)}.")
    description = str_field(body, "description", max_len=2048, required=False)
    mode = body.get("join_approval_mode")
    if mode is not None and mode not in _MODES:
        raise param(f'Param join_approval_mode must be one of {{approval_required, auto_approve}} - got "{mode}".')
    return subject, description, mode


def _picture(value: Any) -> bytes:
    """A group picture: a square JPEG larger than 192 px (131209 not square, 131210 too small)."""
    if isinstance(value, web.FileField):
        data = value.file.read()
    else:
        raise param("The profile picture must be uploaded as a multipart file.")
    size = _jpeg_size(data)
    if size is None:
        raise param("The profile picture must be a JPEG image (image/jpeg).")
    width, height = size
    if width != height:
        raise error(131209, "Invalid Group Profile Picture Aspect Ratio", "Width and height of the image must be "
                    f"equal, got {width}x{height}.")  # fmt: skip
    if width <= _MIN_PICTURE:
        raise error(131210, "Image is Too Small to Process", f"Image width and height must be greater than "
                    f"{_MIN_PICTURE}px, got {width}px.")  # fmt: skip
    return data


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a JPEG's start-of-frame marker, or None when ``data`` is not a JPEG."""
    if not data.startswith(b"\xff\xd8"):
        return None
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker, length = data[i + 1], struct.unpack(">H", data[i + 2 : i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    return None


def _person(key: str, username: str | None) -> dict[str, Any]:
    person: dict[str, Any] = {"wa_id": key, "user_id": bsuid(key)} if key.isdigit() else {"user_id": key}
    if username:
        person["username"] = username
    return person


def _link() -> str:
    return "https://chat.whatsapp.com/" + secrets.token_urlsafe(16)


def _bad_cursor() -> GraphError:
    return error(131059, "Invalid cursor", "The cursor has either expired or become corrupted. Start pagination "
                 "from the beginning again.")  # fmt: skip


def _item(code: int, message: str, details: str) -> dict[str, Any]:
    return {"code": code, "message": f"(#{code}) {message}", "title": message, "error_data": {"details": details}}


def _failure(given: str, code: int, message: str, details: str) -> dict[str, Any]:
    return {"input": given, "errors": [_item(code, message, details)]}


def _partial(key: str, done: list[dict[str, Any]], failed: list[dict[str, Any]]) -> web.Response:
    """All done: 200; some failed: 206 with ``failed_participants`` and error 131201; none done: the first error."""
    if failed and not done:
        first = failed[0]["errors"][0]
        raise error(first["code"], first["title"], first["error_data"]["details"])
    body: dict[str, Any] = {"messaging_product": "whatsapp", key: done}
    if not failed:
        return json_response(body)
    body["failed_participants"] = failed
    body["errors"] = [_item(131201, "Request partially succeeded", "Not all participant-level operations in the "
                            "request succeeded.")]  # fmt: skip
    return json_response(body, status=206)
