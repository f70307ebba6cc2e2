"""Editing a template: ``POST /{template_id}``.

Meta's template-management page: the body may hold ``category``, ``components`` (replacing all of them) and
``message_send_ttl_seconds``; only ``APPROVED``, ``REJECTED`` or ``PAUSED`` templates can be edited; an approved
template's category cannot change; an approved template can be edited once in 24 hours and 10 times in 30 days
(rejected and paused ones without limit); an edited approved or paused template goes back to review.

``message_send_ttl_seconds`` follows the category's range (see ``_ttl.py``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from aiohttp import web

from ._area import Area, Handler, read_body
from ._graph import json_response, param
from ._templates import TemplateStore
from ._ttl import TTL_RANGES, check_ttl

__all__ = ["TemplateEdits"]

_EDITABLE = frozenset({"APPROVED", "REJECTED", "PAUSED"})
_DAY = 24 * 3600.0
_MONTH = 30 * _DAY
_MAX_PER_DAY, _MAX_PER_MONTH = 1, 10


class TemplateEdits(Area):
    """Edits of the templates in a `TemplateStore`, with the edit counts per template."""

    __slots__ = ("_clock", "_edits", "_store")

    def __init__(self, store: TemplateStore, clock: Callable[[], float]) -> None:
        super().__init__()
        self._store = store
        self._clock = clock
        self._edits: dict[str, deque[float]] = {}

    def __repr__(self) -> str:
        return f"<TemplateEdits templates_edited={len(self._edits)}>"

    def node(self, method: str, node: str) -> Handler | None:
        """``POST /{template_id}``."""
        return self.edit if method == "POST" and node in self._store else None

    async def edit(self, request: web.Request) -> web.Response:
        """``POST /{template_id}`` with ``category``, ``components`` and/or ``message_send_ttl_seconds``."""
        body = await read_body(request)
        template = self._store.by_id(request.match_info["node"])
        for key in ("name", "language"):  # the OpenAPI example repeats them; they cannot change
            if key in body and body.pop(key) != template[key]:
                raise param(f"Param {key} cannot be changed by an edit.")
        unknown = set(body) - {"category", "components", "message_send_ttl_seconds", "parameter_format"}
        if unknown:
            raise param(f"Unknown parameter {sorted(unknown)[0]!r}: an edit takes category, components and "
                        "message_send_ttl_seconds")  # fmt: skip
        if not body:
            raise param("Nothing to edit: give category, components or message_send_ttl_seconds.")
        status = template["status"]
        if status not in _EDITABLE:
            raise param(f"Only an APPROVED, REJECTED or PAUSED template can be edited; this one is {status}.")
        category = str(body.get("category", template["category"])).upper()
        if category not in TTL_RANGES:
            raise param(f"Param category must be one of {{AUTHENTICATION, MARKETING, UTILITY}} - got {category!r}")
        if status == "APPROVED" and category != template["category"]:
            raise param("The category of an approved template cannot be changed.")
        if "components" in body and (not isinstance(body["components"], list) or not body["components"]):
            raise param("Param components must be a non-empty array (it replaces all components).")
        ttl = body.get("message_send_ttl_seconds")
        if ttl is not None:
            ttl = check_ttl(category, ttl)
        if status == "APPROVED":
            self._count(template["id"])
        template["category"] = category
        if "components" in body:
            template["components"] = body["components"]
        if "parameter_format" in body:
            template["parameter_format"] = str(body["parameter_format"]).upper()
        if ttl is not None:
            template["message_send_ttl_seconds"] = ttl
        if status in ("APPROVED", "PAUSED", "REJECTED"):  # back to review; auto-approved by the emulator
            template["status"] = "APPROVED" if self._store.auto_approve else "PENDING"
        self.notify("message_template_components_update", {
            "message_template_id": int(template["id"]),
            "message_template_name": template["name"],
            "message_template_language": template["language"],
        })  # fmt: skip
        return json_response({"success": True})

    def _count(self, template_id: str) -> None:
        now = self._clock()
        edits = self._edits.setdefault(template_id, deque())
        while edits and edits[0] <= now - _MONTH:
            edits.popleft()
        if sum(1 for t in edits if t > now - _DAY) >= _MAX_PER_DAY:
            raise param("An approved template can be edited once in 24 hours: try again later.")
        if len(edits) >= _MAX_PER_MONTH:
            raise param("An approved template can be edited 10 times in 30 days: try again later.")
        edits.append(now)
