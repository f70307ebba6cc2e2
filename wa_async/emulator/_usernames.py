"""Business usernames: ``/{pnid}/username`` and ``/{pnid}/username_suggestions`` (Meta's BSUID page).

``POST {"username", "transfer_action"?: "none"|"force_transfer"}`` -> ``{"status": "approved"|"reserved"}``;
``GET`` -> ``{"username", "status"}``; ``DELETE`` -> ``{"success": true|false}``. A username is 3 to 35 of
``a-z 0-9 . _`` with at least one letter, no leading or trailing ``.``, no ``..``, not starting with ``www`` nor
ending with a domain; compared case-insensitively. A name held by another number of the portfolio answers 147005
unless ``force_transfer``; a number that is not registered answers 133010. Changes go out as
``business_username_updates`` webhooks (through `Area.emit`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from aiohttp import web

from ._area import Area, Route, error, read_body, str_field
from ._graph import json_response, param
from ._registration import Registration

__all__ = ["Usernames", "valid_username"]

_CHARS = re.compile(r"^[a-z0-9._]{3,35}$")
_DOMAIN_END = re.compile(r"\.(com|net|org|in|io|co|info|biz|app|dev|me|us|uk|de|br)$")


def valid_username(name: str) -> bool:
    """Meta's username rules (the BSUID page, "Business usernames")."""
    lower = name.lower()
    return bool(
        _CHARS.match(lower)
        and any(c.isalpha() for c in lower)
        and not lower.startswith((".", "www"))
        and not lower.endswith(".")
        and ".." not in lower
        and not _DOMAIN_END.search(lower)
    )


class Usernames(Area):
    """The username of each phone number id; ``status`` is what a new one gets (Meta: approved or reserved)."""

    __slots__ = ("_names", "_registration", "display_name", "status")

    def __init__(self, registration: Registration, *, display_name: str = "Emulated Shop") -> None:
        super().__init__()
        self._registration = registration
        self._names: dict[str, tuple[str, str]] = {}  # pnid -> (username, status)
        self.display_name = display_name
        self.status = "approved"

    def __repr__(self) -> str:
        return f"<Usernames names={len(self._names)} status={self.status!r}>"

    def routes(self) -> Iterable[Route]:
        """``GET``/``POST``/``DELETE /{pnid}/username`` and ``GET /{pnid}/username_suggestions``."""
        path = "/{pnid}/username"
        return (
            ("GET", path, self.get),
            ("POST", path, self.set),
            ("DELETE", path, self.delete),
            ("GET", "/{pnid}/username_suggestions", self.suggestions),
        )

    async def set(self, request: web.Request) -> web.Response:
        """``POST /{pnid}/username``."""
        body = await read_body(request)
        name = str_field(body, "username")
        assert name is not None
        transfer = body.get("transfer_action", "none")
        if transfer not in ("none", "force_transfer"):
            raise param(f'Param transfer_action must be one of {{none, force_transfer}} - got "{transfer}".')
        if not valid_username(name):
            raise param(f"Param username {name!r} is not a valid username: 3 to 35 of a-z, 0-9, '.' and '_', "
                        "with a letter, no leading or trailing '.', no '..', not starting with www or ending "
                        "with a domain.")  # fmt: skip
        pnid = request.match_info["pnid"]
        if not self._registration.is_registered(pnid):
            raise error(133010, "Phone number Not Registered", "The phone number is not registered.")
        holder = next((n for n, (u, _) in self._names.items() if u.lower() == name.lower() and n != pnid), None)
        if holder is not None:
            if transfer != "force_transfer":
                raise error(147005, "Username used by another number", "The username is used by another "
                            "phone number of this business portfolio: resend with transfer_action "
                            "force_transfer.")  # fmt: skip
            del self._names[holder]
            self.notify("business_username_updates", {"status": "deleted"}, holder)
        self._names[pnid] = (name.lower(), self.status)
        self.notify("business_username_updates", {"username": name.lower(), "status": self.status}, pnid)
        return json_response({"status": self.status})

    async def get(self, request: web.Request) -> web.Response:
        """``GET /{pnid}/username`` (``{}`` when the number has none)."""
        entry = self._names.get(request.match_info["pnid"])
        return json_response({} if entry is None else {"username": entry[0], "status": entry[1]})

    async def delete(self, request: web.Request) -> web.Response:
        """``DELETE /{pnid}/username``."""
        pnid = request.match_info["pnid"]
        removed = self._names.pop(pnid, None) is not None
        if removed:
            self.notify("business_username_updates", {"status": "deleted"}, pnid)
        return json_response({"success": removed})

    async def suggestions(self, request: web.Request) -> web.Response:
        """``GET /{pnid}/username_suggestions``: names made from the display name."""
        words = re.findall(r"[a-z0-9]+", self.display_name.lower()) or ["business"]
        names = ["".join(words), ".".join(words), "_".join(words)]
        unique = [n for i, n in enumerate(names) if n not in names[:i] and valid_username(n)]
        return json_response({"data": [{"username_suggestions": unique}]})
