"""The block list: ``POST``/``DELETE``/``GET /{pnid}/block_users``.

Meta's Block Users page: items are ``{"user": <phone>}`` or ``{"user_id": <BSUID>}`` (``user`` wins when both are
given; parent BSUIDs fail); only a user who wrote in the last 24 hours can be blocked (131047, checked when the
emulator enforces customer service windows), not the business itself (131021), at most 64,000 users (139101).
Results are per user: all done is 200 ``{"block_users": {"added_users": [...]}}``; otherwise HTTP 400 carries the
same object with ``failed_users`` and a top-level error 139100. The list pages with cursors; a cursor from before
the list changed answers 139102 (start again from the first page).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import Any

from aiohttp import web

from ._area import Area, Route, error, read_body, require_product
from ._graph import json_response, param
from ._paging import page
from ._validate import normalize_to
from ._windows import Windows

__all__ = ["MAX_BLOCKED", "BlockList", "bsuid"]

MAX_BLOCKED = 64_000


def bsuid(wa_id: str) -> str:
    """The emulator's business-scoped user id for a phone number (stable; Meta's form ``CC.<digits>``)."""
    return "US." + str(int(hashlib.sha256(wa_id.encode()).hexdigest(), 16) % 10**19).zfill(19)


class BlockList(Area):
    """Blocked users per phone number id, in the order they were blocked."""

    __slots__ = ("_blocked", "_clock", "_versions", "_windows", "business_number", "enforce_window", "limit")

    def __init__(
        self, clock: Callable[[], float], windows: Windows, *, business_number: str, enforce_window: bool = False
    ) -> None:
        super().__init__()
        self._clock = clock
        self._windows = windows
        self.business_number = business_number
        self.enforce_window = enforce_window
        self.limit = MAX_BLOCKED
        self._blocked: dict[str, dict[str, dict[str, Any]]] = {}  # pnid -> key -> {"wa_id"?, "user_id"}
        self._versions: dict[str, int] = {}

    def __repr__(self) -> str:
        return f"<BlockList numbers={len(self._blocked)} limit={self.limit}>"

    def routes(self) -> Iterable[Route]:
        """``GET``/``POST``/``DELETE /{pnid}/block_users``."""
        path = "/{pnid}/block_users"
        return (("GET", path, self.list_blocked), ("POST", path, self.block), ("DELETE", path, self.unblock))

    def is_blocked(self, phone_number_id: str, user: str) -> bool:
        """Whether ``user`` (a phone number or a BSUID) is blocked by the number."""
        return _key(user) in self._blocked.get(phone_number_id, {})

    async def block(self, request: web.Request) -> web.Response:
        """``POST /{pnid}/block_users``."""
        return await self._change(request, block=True)

    async def unblock(self, request: web.Request) -> web.Response:
        """``DELETE /{pnid}/block_users`` (Meta's page shows ``added_users`` for the result here too)."""
        return await self._change(request, block=False)

    async def list_blocked(self, request: web.Request) -> web.Response:
        """``GET /{pnid}/block_users?limit&after&before`` -> ``{"data": [...], "paging"}``."""
        pnid = request.match_info["pnid"]
        stale = error(139102, "Blocklist concurrent update", "The block list changed while paging: start again "
                      "from the first page.")  # fmt: skip
        items = list(self._blocked.get(pnid, {}).values())
        chunk, paging = page(items, request, prefix="blk", version=self._versions.get(pnid, 0), stale=stale)
        body: dict[str, Any] = {"data": [{"messaging_product": "whatsapp", **item} for item in chunk]}
        if paging is not None:
            body["paging"] = paging
        return json_response(body)

    async def _change(self, request: web.Request, *, block: bool) -> web.Response:
        body = await read_body(request)
        require_product(body)
        users = body.get("block_users")
        if not isinstance(users, list) or not users:
            raise param("The parameter block_users is required and must be a non-empty array.")
        pnid = request.match_info["pnid"]
        blocked = self._blocked.setdefault(pnid, {})
        done: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        for i, item in enumerate(users):
            if not isinstance(item, dict) or not (item.get("user") or item.get("user_id")):
                raise param(f"Param block_users[{i}] must be an object with user or user_id.")
            given = str(item.get("user") or item.get("user_id"))  # `user` wins when both are there
            result = _result(given, by_phone=bool(item.get("user")))
            problem = self._problem(pnid, result, blocked, block=block)
            if problem is not None:
                failed.append({**result, "errors": [problem]})
                continue
            key = _key(given)
            if block and key not in blocked:
                blocked[key] = {k: v for k, v in result.items() if k != "input"}
                if "user_id" not in blocked[key]:
                    blocked[key]["user_id"] = bsuid(result["wa_id"])
            elif not block:
                blocked.pop(key, None)
            done.append(result)
        if done:
            self._versions[pnid] = self._versions.get(pnid, 0) + 1
        outcome: dict[str, Any] = {"added_users": done}
        if not failed:
            return json_response({"messaging_product": "whatsapp", "block_users": outcome})
        outcome["failed_users"] = failed
        err = error(139100, "Failed to block/unblock users", f"Failed to {'block' if block else 'unblock'} some "
                    "users, see the block_users response list for details").body()["error"]  # fmt: skip
        del err["error_data"]["messaging_product"]  # as in Meta's example of this answer
        return json_response({"messaging_product": "whatsapp", "block_users": outcome, "error": err}, status=400)

    def _problem(
        self, pnid: str, result: dict[str, Any], blocked: dict[str, Any], *, block: bool
    ) -> dict[str, Any] | None:
        """The per-user error of one item, or None when it can be done."""
        wa_id = result.get("wa_id")
        user_id = result.get("user_id")
        if user_id is not None and ".ENT." in user_id:
            return _item_error(131009, "Parameter value is not valid", "Parent BSUIDs cannot be blocked.")
        if wa_id is None and user_id is None:
            return _item_error(131009, "Parameter value is not valid", f"{result['input']!r} is not a phone number "
                               "or a business-scoped user id.")  # fmt: skip
        if not block:
            return None
        if wa_id is not None and wa_id == normalize_to(self.business_number):
            return _item_error(131021, "Recipient cannot be sender", "The business cannot block itself.")
        if self.enforce_window and wa_id is not None and not self._windows.is_open(pnid, wa_id, self._clock()):
            return _item_error(131047, "Re-engagement message", "User must have messaged the business in the last "
                               "24 hours to be blocked.")  # fmt: skip
        if _key(result["input"]) not in blocked and len(blocked) >= self.limit:
            return _item_error(139101, "Blocklist limit reached", f"The block list holds at most {self.limit} users.")
        return None


def _result(given: str, *, by_phone: bool) -> dict[str, Any]:
    """``{"input", "wa_id"}`` for a phone number, ``{"input", "user_id"}`` for a BSUID (Meta's result items)."""
    if by_phone:
        wa_id = normalize_to(given)
        return {"input": given, "wa_id": wa_id} if wa_id else {"input": given}
    return {"input": given, "user_id": given} if "." in given else {"input": given}


def _key(user: str) -> str:
    return normalize_to(user) or user


def _item_error(code: int, message: str, details: str) -> dict[str, Any]:
    return {"message": message, "code": code, "error_data": {"details": details}}
