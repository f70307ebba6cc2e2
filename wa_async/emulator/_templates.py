"""The template store: list with cursor paging, create, delete, and the send-time check (docs/limits.md)."""

from __future__ import annotations

import re
import secrets
from typing import Any

import msgspec
from aiohttp import web

from ._area import json_object
from ._graph import GraphError, json_response, param
from ._paging import page
from ._template_msg import body_param_count
from ._ttl import check_ttl

__all__ = ["TemplateStore"]

_NAME = re.compile(r"^[a-z0-9_]+$")  # docs/limits.md: lowercase, digits, underscore; at most 512
_CATEGORIES = frozenset({"MARKETING", "UTILITY", "AUTHENTICATION"})
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
_MAX_TEMPLATES = 250  # docs/limits.md (error 2388019)
_DEFAULT_FIELDS = ("name", "parameter_format", "components", "language", "status", "category", "id")

_SEED: list[dict[str, Any]] = [
    {"name": "hello_world", "language": "en_US", "category": "UTILITY", "components": [
        {"type": "HEADER", "format": "TEXT", "text": "Hello World"},
        {"type": "BODY", "text": "Welcome and congratulations!! This message demonstrates your ability to send a "
                                 "WhatsApp message notification from the Cloud API, hosted by Meta."},
        {"type": "FOOTER", "text": "WhatsApp Business Platform sample message"},
    ]},
    {"name": "order_update", "language": "en_US", "category": "UTILITY", "components": [
        {"type": "BODY", "text": "Hi {{1}}, your order {{2}} has shipped.",
         "example": {"body_text": [["Pablo", "#1234"]]}},
    ]},
    {"name": "coupon_expiration_reminder_number_vars", "language": "en", "category": "MARKETING", "components": [
        {"type": "HEADER", "format": "TEXT", "text": "Act fast, {{1}}!", "example": {"header_text": ["Pablo"]}},
        {"type": "BODY", "text": "Just a quick reminder—your exclusive coupon code, {{1}}, *expires in only {{2}} "
                                 "days!*", "example": {"body_text": [["SUMMER20", "10"]]}},
        {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Unsubscribe"}]},
    ]},
    {"name": "reservation_confirmation", "language": "en_US", "category": "UTILITY",
     "parameter_format": "NAMED", "components": [
        {"type": "BODY", "text": "Your reservation for {{number_of_guests}} on {{day}}, {{date}}, at {{time}} is "
                                 "confirmed."},
    ]},
]  # fmt: skip


class TemplateStore:
    """Message templates of the emulated WABA (any WABA id in a path shares this one store)."""

    __slots__ = ("_pacing", "_templates", "auto_approve")

    def __init__(self, *, auto_approve: bool = True, seed: bool = True) -> None:
        self.auto_approve = auto_approve
        self._templates: list[dict[str, Any]] = []
        self._pacing: dict[tuple[str, str], str] = {}
        if seed:
            for spec in _SEED:
                self.add(**spec)

    def __repr__(self) -> str:
        return f"<TemplateStore templates={len(self._templates)} auto_approve={self.auto_approve}>"

    def __len__(self) -> int:
        return len(self._templates)

    def __contains__(self, template_id: object) -> bool:
        return any(t["id"] == template_id for t in self._templates)

    def add(
        self,
        name: str,
        language: str,
        category: str = "UTILITY",
        components: list[dict[str, Any]] | None = None,
        *,
        status: str = "APPROVED",
        parameter_format: str = "POSITIONAL",
    ) -> dict[str, Any]:
        """Add a template as is, without the create checks (to seed the store in tests)."""
        template = {
            "name": name,
            "parameter_format": parameter_format,
            "components": components or [],
            "language": language,
            "status": status,
            "category": category,
            "id": str(secrets.randbelow(9 * 10**15) + 10**15),
        }
        self._templates.append(template)
        return template

    def by_id(self, template_id: str) -> dict[str, Any]:
        """The template with this id (KeyError when there is none)."""
        for template in self._templates:
            if template["id"] == template_id:
                return template
        raise KeyError(template_id)

    def find(self, name: str, language: str) -> dict[str, Any] | None:
        """The template with this name and language, if any."""
        for template in self._templates:
            if template["name"] == name and template["language"] == language:
                return template
        return None

    def pace(self, name: str, language: str = "en_US", status: str | None = "held_for_quality_assessment") -> None:
        """Have Meta pace a template (docs/limits.md): its sends answer ``message_status`` ``status``
        (``"held_for_quality_assessment"`` or ``"paused"``); ``None`` ends the pacing."""
        if status is None:
            self._pacing.pop((name, language), None)
        elif status not in ("held_for_quality_assessment", "paused", "accepted"):
            raise ValueError(f"{status!r} is not a message_status Meta paces with")
        else:
            self._pacing[(name, language)] = status

    def pacing(self, obj: dict[str, Any]) -> str | None:
        """The ``message_status`` a send of this ``template`` object answers while Meta paces it, else None."""
        return self._pacing.get((obj["name"], obj["language"]["code"])) if self._pacing else None

    def check_send(self, obj: dict[str, Any]) -> str:
        """Check a ``template`` message object against the store; return the template's category.

        132001 when the name does not exist in that language or is not approved; 132000 when the body
        parameter count differs from the template's placeholders (docs/limits.md).
        """
        name, language = obj["name"], obj["language"]["code"]
        template = self.find(name, language)
        if template is None or template["status"] != "APPROVED":
            raise GraphError(132001, f"template name ({name}) does not exist in {language}")
        expected = _placeholders(template)
        given = body_param_count(obj)
        if given != expected:
            raise GraphError(132000, f"body: number of localizable_params ({given}) does not match the "
                                     f"expected number of params ({expected})")  # fmt: skip
        return str(template["category"]).lower()

    def list(self, request: web.Request) -> web.Response:
        """``GET /{v}/{waba}/message_templates``: ``status``, ``name``, ``fields``, ``limit``, ``after``/``before``."""
        query = request.query
        items = self._templates
        if "status" in query:
            wanted = {s.strip().upper() for s in query["status"].split(",")}
            items = [t for t in items if t["status"] in wanted]
        if "name" in query:
            items = [t for t in items if query["name"].lower() in t["name"]]
        chunk, paging = page(items, request, prefix="tpl")
        fields = tuple(f for f in query.get("fields", "").split(",") if f) or _DEFAULT_FIELDS
        body: dict[str, Any] = {"data": [{k: t[k] for k in (*fields, "id") if k in t} for t in chunk]}
        if paging is not None:
            body["paging"] = paging
        return json_response(body)

    def get(self, request: web.Request, template_id: str) -> web.Response:
        """``GET /{v}/{template_id}`` with optional ``fields=``: one template, as Graph answers a node by id."""
        template = next(t for t in self._templates if t["id"] == template_id)
        fields = tuple(f for f in request.query.get("fields", "").split(",") if f) or _DEFAULT_FIELDS
        return json_response({k: template[k] for k in (*fields, "id") if k in template})

    async def create(self, request: web.Request) -> web.Response:
        """``POST /{v}/{waba}/message_templates`` (JSON body) -> ``{"id", "status", "category"}``."""
        body = json_object(await request.read())
        for key in ("name", "language", "category", "components"):
            if body.get(key) is None:
                raise param(f"The parameter {key} is required.")
        name, language, category = body["name"], body["language"], body["category"]
        if not isinstance(name, str) or not _NAME.match(name) or len(name) > 512:
            raise param("Param name must contain only lowercase letters, digits and underscores (at most 512)")
        if not isinstance(category, str) or category.upper() not in _CATEGORIES:
            raise param(f"Param category must be one of {{AUTHENTICATION, MARKETING, UTILITY}} - got {category!r}")
        if not isinstance(body["components"], list):
            raise param("Param components must be an array")
        ttl = body.get("message_send_ttl_seconds")
        if ttl is not None:
            ttl = check_ttl(category, ttl)
        if self.find(name, language) is not None:
            raise GraphError(100, f"Content in this language already exists: {name} ({language})", subcode=2388024)
        if len(self._templates) >= _MAX_TEMPLATES:
            raise GraphError(100, "You can have up to 250 message templates", subcode=2388019)
        template = self.add(
            name,
            language,
            category.upper(),
            body["components"],
            status="APPROVED" if self.auto_approve else "PENDING",
            parameter_format=str(body.get("parameter_format", "POSITIONAL")),
        )
        if ttl is not None:
            template["message_send_ttl_seconds"] = ttl
        return json_response({k: template[k] for k in ("id", "status", "category")})

    def delete(self, request: web.Request) -> web.Response:
        """``DELETE /{v}/{waba}/message_templates?name=`` (all languages) or ``&hsm_id=`` (one), or
        ``?hsm_ids=["id", ...]`` (several at once; not in the OpenAPI file, so UNCERTAIN)."""
        if "hsm_ids" in request.query:
            return self._delete_ids(request.query["hsm_ids"])
        name = request.query.get("name")
        if not name:
            raise param("The parameter name is required.")
        hsm_id = request.query.get("hsm_id")
        doomed = [t for t in self._templates if t["name"] == name and hsm_id in (None, t["id"])]
        if not doomed:
            raise GraphError(100, f"Message template {name!r} not found", subcode=2593002)
        self._templates = [t for t in self._templates if t not in doomed]
        return json_response({"success": True})


    def _delete_ids(self, raw: str) -> web.Response:
        try:
            ids = msgspec.json.decode(raw)
        except msgspec.DecodeError:
            ids = [part.strip() for part in raw.split(",") if part.strip()]
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            raise param("Param hsm_ids must be a non-empty array of template ids")
        missing = [i for i in ids if i not in self]
        if missing:
            raise GraphError(100, f"Message template {missing[0]!r} not found", subcode=2593002)
        self._templates = [t for t in self._templates if t["id"] not in ids]
        return json_response({"success": True})


def _placeholders(template: dict[str, Any]) -> int:
    if template["category"] == "AUTHENTICATION":
        return 1  # Meta writes the body, "*{{1}}* is your verification code.": the code is its one parameter
    for component in template["components"]:
        if component.get("type", "").upper() == "BODY":
            return len(set(_PLACEHOLDER.findall(component.get("text", ""))))
    return 0
