"""Flows management: ``/{waba}/flows``, ``/{flow_id}`` and its ``assets``, ``publish``, ``deprecate``.

From the OpenAPI file and Meta's Flows error-code page:

- create ``POST /{waba}/flows`` (form or JSON): ``name`` (unique in the WABA, else 100), ``categories`` (a JSON
  array of ``SIGN_UP``, ``SIGN_IN``, ``APPOINTMENT_BOOKING``, ``LEAD_GENERATION``, ``SHOPPING``, ``CONTACT_US``,
  ``CUSTOMER_SUPPORT``, ``SURVEY``, ``OTHER``), optional ``clone_flow_id``, ``endpoint_uri``, ``flow_json``,
  ``publish`` -> ``{"id"}`` (with ``success`` and ``validation_errors`` when ``flow_json`` is given);
- list ``GET /{waba}/flows``; get ``GET /{flow_id}?fields=`` (``preview.invalidate(true)`` renews the preview);
- update metadata ``POST /{flow_id}``; upload the Flow JSON ``POST /{flow_id}/assets`` (multipart ``file``,
  ``name``, ``asset_type=FLOW_JSON``) -> ``{"success": true, "validation_errors": [...]}``; list assets;
- publish (139002 unless a valid DRAFT with its endpoint set up), deprecate (139003 unless PUBLISHED), delete
  (139004 unless DRAFT); a Flow that is not a DRAFT cannot change (139001).

The emulator's Flow JSON check is small (JSON object, ``version``, non-empty ``screens`` each with ``id`` and
``layout``); its ``validation_errors`` items have Meta's keys (``error``, ``error_type``, ``message``,
``line_start``, ``line_end``, ``column_start``, ``column_end``).
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from ._area import Area, Handler, Route, error, https_url, read_body, str_field
from ._graph import GraphError, json_response, param
from ._paging import page

__all__ = ["CATEGORIES", "FlowStore"]

CATEGORIES = frozenset({"SIGN_UP", "SIGN_IN", "APPOINTMENT_BOOKING", "LEAD_GENERATION", "SHOPPING", "CONTACT_US",
                        "CUSTOMER_SUPPORT", "SURVEY", "OTHER"})  # fmt: skip
_FIELDS = frozenset({"id", "name", "status", "categories", "validation_errors", "json_version", "data_api_version",
                     "endpoint_uri", "preview", "health_status", "whatsapp_business_account", "application",
                     "updated_at"})  # fmt: skip
_DEFAULT_FIELDS = ("id", "name", "status", "categories", "validation_errors")
_PREVIEW_TTL = 30 * 24 * 3600


@dataclass(slots=True)
class Flow:
    """One Flow of the emulated WABA."""

    id: str
    name: str
    categories: list[str]
    waba_id: str
    status: str = "DRAFT"
    endpoint_uri: str | None = None
    flow_json: str | None = None
    validation_errors: list[dict[str, Any]] = field(default_factory=list)
    preview_token: str = field(default_factory=lambda: secrets.token_hex(8))
    preview_expires: int = 0
    updated_at: int = field(default_factory=lambda: int(time.time()))

    def parsed(self) -> dict[str, Any]:
        """The Flow JSON as an object ({} when none or invalid)."""
        try:
            value = json.loads(self.flow_json or "{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}


class FlowStore(Area):
    """The Flows of the emulated WABA(s). ``has_key()`` says whether a business encryption key is uploaded:
    a Flow with an endpoint cannot be published without one."""

    __slots__ = ("_flows", "has_key")

    def __init__(self, has_key: Callable[[], bool] = lambda: True) -> None:
        super().__init__()
        self._flows: dict[str, Flow] = {}
        self.has_key = has_key

    def __repr__(self) -> str:
        return f"<FlowStore flows={len(self._flows)}>"

    def __contains__(self, flow_id: object) -> bool:
        return flow_id in self._flows

    def __getitem__(self, flow_id: str) -> Flow:
        return self._flows[flow_id]

    def routes(self) -> Iterable[Route]:
        """``/{waba}/flows`` and ``/{flow_id}/assets|publish|deprecate``."""
        return (
            ("GET", "/{waba}/flows", self.list_flows),
            ("POST", "/{waba}/flows", self.create),
            ("GET", "/{flow_id}/assets", self.list_assets),
            ("POST", "/{flow_id}/assets", self.upload),
            ("POST", "/{flow_id}/publish", self.publish),
            ("POST", "/{flow_id}/deprecate", self.deprecate),
        )

    def raw_routes(self) -> Iterable[Route]:
        """The Flow JSON download behind an asset's ``download_url``."""
        return (("GET", "/__emulator/flows/{flow_id}/flow.json", self.download),)

    def node(self, method: str, node: str) -> Handler | None:
        """``GET``/``POST``/``DELETE /{flow_id}``."""
        if node not in self._flows:
            return None
        return {"GET": self.get, "POST": self.update, "DELETE": self.delete}.get(method)

    # --- WABA level -------------------------------------------------------------------------------------------
    async def create(self, request: web.Request) -> web.Response:
        """``POST /{waba}/flows``."""
        body = await read_body(request)
        waba = request.match_info["waba"]
        name = str_field(body, "name", max_len=200)
        assert name is not None
        if any(f.name == name and f.waba_id == waba for f in self._flows.values()):
            raise param("Flow name is not unique")
        categories = _categories(body.get("categories"))
        source = body.get("clone_flow_id")
        if source is not None and source not in self._flows:
            raise param("Flow with specified ID does not exist")
        flow = Flow(_new_id(self._flows), name, categories, waba)
        if source is not None:
            flow.flow_json = self._flows[source].flow_json
            flow.validation_errors = list(self._flows[source].validation_errors)
        if body.get("endpoint_uri"):
            flow.endpoint_uri = https_url(str(body["endpoint_uri"]), "endpoint_uri")
        answer: dict[str, Any] = {"id": flow.id}
        flow_json = body.get("flow_json")
        if flow_json is not None:
            text = flow_json if isinstance(flow_json, str) else json.dumps(flow_json)
            flow.flow_json, flow.validation_errors = text, validate_flow_json(text)
            answer.update(success=True, validation_errors=flow.validation_errors)
        if _truthy(body.get("publish")):
            self._check_publishable(flow)
            flow.status = "PUBLISHED"
        self._flows[flow.id] = flow
        return json_response(answer)

    async def list_flows(self, request: web.Request) -> web.Response:
        """``GET /{waba}/flows``."""
        waba = request.match_info["waba"]
        flows = [f for f in self._flows.values() if f.waba_id == waba]
        chunk, paging = page(flows, request, prefix="flw")
        body: dict[str, Any] = {"data": [_pick(f, _DEFAULT_FIELDS, request) for f in chunk]}
        if paging is not None:
            body["paging"] = paging
        return json_response(body)

    # --- one Flow ---------------------------------------------------------------------------------------------
    async def get(self, request: web.Request) -> web.Response:
        """``GET /{flow_id}?fields=...``."""
        flow = self._flows[request.match_info["node"]]
        raw = [f.strip() for f in request.query.get("fields", "").split(",") if f.strip()]
        names = []
        for name in raw:
            base, _, modifier = name.partition(".")
            if base not in _FIELDS:
                text = f"Tried accessing nonexisting field ({name}) on node type (WhatsAppFlow)"
                raise GraphError(100, text, message=f"(#100) {text}")
            if base == "preview" and modifier.replace(" ", "") == "invalidate(true)":
                flow.preview_token, flow.preview_expires = secrets.token_hex(8), 0
            names.append(base)
        return json_response(_pick(flow, tuple(names) or _DEFAULT_FIELDS, request))

    async def update(self, request: web.Request) -> web.Response:
        """``POST /{flow_id}``: ``name``, ``categories``, ``endpoint_uri``."""
        flow = self._flows[request.match_info["node"]]
        body = await read_body(request)
        unknown = set(body) - {"name", "categories", "endpoint_uri", "application_id"}
        if unknown:
            raise param(f"Unknown parameter {sorted(unknown)[0]!r}")
        _draft_only(flow)
        if "name" in body:
            name = str_field(body, "name", max_len=200)
            if any(f.name == name and f.waba_id == flow.waba_id and f.id != flow.id for f in self._flows.values()):
                raise param("Flow name is not unique")
            flow.name = str(name)
        if "categories" in body:
            flow.categories = _categories(body["categories"])
        if "endpoint_uri" in body:
            flow.endpoint_uri = https_url(str(body["endpoint_uri"]), "endpoint_uri") if body["endpoint_uri"] else None
        flow.updated_at = int(time.time())
        return json_response({"success": True})

    async def delete(self, request: web.Request) -> web.Response:
        """``DELETE /{flow_id}``: a DRAFT only (139004)."""
        flow = self._flows[request.match_info["node"]]
        if flow.status != "DRAFT":
            raise error(139004, "Can't delete published Flow", "After a Flow has been published, it cannot be "
                        "deleted. Please deprecate instead.")  # fmt: skip
        del self._flows[flow.id]
        return json_response({"success": True})

    async def upload(self, request: web.Request) -> web.Response:
        """``POST /{flow_id}/assets``: multipart ``file`` (the Flow JSON), ``name``, ``asset_type``."""
        flow = self._flow(request)
        body = await read_body(request)
        if body.get("asset_type") != "FLOW_JSON":
            raise param(f'Param asset_type must be one of {{FLOW_JSON}} - got "{body.get("asset_type")}".')
        str_field(body, "name")
        file = body.get("file")
        if isinstance(file, web.FileField):
            raw = file.file.read()
        elif isinstance(file, str) and file:
            raw = file.encode()
        else:
            raise param("The parameter file is required.")
        _draft_only(flow)
        text = raw.decode("utf-8", errors="replace")
        flow.flow_json, flow.validation_errors = text, validate_flow_json(text)
        flow.updated_at = int(time.time())
        return json_response({"success": True, "validation_errors": flow.validation_errors})

    async def list_assets(self, request: web.Request) -> web.Response:
        """``GET /{flow_id}/assets``."""
        flow = self._flow(request)
        data = []
        if flow.flow_json is not None:
            url = f"{request.scheme}://{request.host}/__emulator/flows/{flow.id}/flow.json"
            data.append({"name": "flow.json", "asset_type": "FLOW_JSON", "download_url": url})
        return json_response({"data": data})

    async def download(self, request: web.Request) -> web.Response:
        """The Flow JSON of an asset's ``download_url``."""
        flow = self._flows.get(request.match_info["flow_id"])
        if flow is None or flow.flow_json is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(text=flow.flow_json, content_type="application/json")

    async def publish(self, request: web.Request) -> web.Response:
        """``POST /{flow_id}/publish``."""
        flow = self._flow(request)
        self._check_publishable(flow)
        flow.status = "PUBLISHED"
        self.notify("flows", {"event": "FLOW_STATUS_CHANGE", "flow_id": flow.id, "old_status": "DRAFT",
                              "new_status": "PUBLISHED"})  # fmt: skip
        return json_response({"success": True})

    async def deprecate(self, request: web.Request) -> web.Response:
        """``POST /{flow_id}/deprecate``."""
        flow = self._flow(request)
        if flow.status == "DEPRECATED":
            raise error(139003, "Flow is already deprecated", "You tried to deprecate a Flow that is already "
                        "marked as deprecated.")  # fmt: skip
        if flow.status != "PUBLISHED":
            raise error(139003, "Can't deprecate unpublished flow", "Deprecating a Flow is only permitted after "
                        "it's been published.")  # fmt: skip
        flow.status = "DEPRECATED"
        return json_response({"success": True})

    def _flow(self, request: web.Request) -> Flow:
        flow_id = request.match_info["flow_id"]
        flow = self._flows.get(flow_id)
        if flow is None:
            text = (f"Unsupported post request. Object with ID '{flow_id}' does not exist, cannot be loaded due to "
                    "missing permissions, or does not support this operation.")  # fmt: skip
            raise GraphError(100, text, subcode=33, message=text, type="GraphMethodException")
        return flow

    def _check_publishable(self, flow: Flow) -> None:
        def refuse(title: str, details: str) -> GraphError:
            return error(139002, title, details)

        if flow.status != "DRAFT":
            raise refuse("Publishing Flow in invalid state", "Only a DRAFT Flow can be published.")
        if flow.flow_json is None:
            raise refuse("Publishing Flow with validation errors", "Upload a Flow JSON before publishing.")
        if flow.validation_errors:
            raise refuse("Publishing Flow with validation errors", "The Flow JSON has validation errors.")
        parsed = flow.parsed()
        if "data_api_version" in parsed:  # the Flow talks to an endpoint
            if _version(parsed.get("version")) >= (3, 0) and not flow.endpoint_uri:
                raise refuse("Publishing without specifying endpoint_uri is forbidden", "Please set endpoint_uri "
                             "for the Flow before publishing.")  # fmt: skip
            if not self.has_key():
                raise refuse("Missing Flows Signed Public Key", "Upload a business public key to a phone number "
                             "before you publish a Flow with an endpoint.")  # fmt: skip


def validate_flow_json(text: str) -> list[dict[str, Any]]:
    """The emulator's ``validation_errors`` for a Flow JSON text (Meta's item shape)."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        return [_problem("INVALID_JSON", f"The Flow JSON is not valid JSON: {exc.msg}.", exc.lineno, exc.colno)]
    if not isinstance(doc, dict):
        return [_problem("INVALID_PROPERTY_TYPE", 'Expected an object at "$root".')]
    problems = []
    if not isinstance(doc.get("version"), str):
        problems.append(_problem("MISSING_REQUIRED_PROPERTY", 'The property "version" is required at "$root".'))
    screens = doc.get("screens")
    if not isinstance(screens, list) or not screens:
        problems.append(_problem("MISSING_REQUIRED_PROPERTY", 'The property "screens" is required at "$root" and '
                                 "must hold at least one screen."))  # fmt: skip
    else:
        for i, screen in enumerate(screens):
            for key in ("id", "layout"):
                if not isinstance(screen, dict) or key not in screen:
                    problems.append(_problem("MISSING_REQUIRED_PROPERTY",
                                             f'The property "{key}" is required at "$root/screens/{i}".'))  # fmt: skip
    return problems


def _problem(kind: str, message: str, line: int = 1, column: int = 1) -> dict[str, Any]:
    return {"error": kind, "error_type": "JSON_SCHEMA_ERROR", "message": message, "line_start": line,
            "line_end": line, "column_start": column, "column_end": column}  # fmt: skip


def _pick(flow: Flow, names: tuple[str, ...], request: web.Request) -> dict[str, Any]:
    parsed = flow.parsed()
    values: dict[str, Any] = {
        "id": flow.id,
        "name": flow.name,
        "status": flow.status,
        "categories": flow.categories,
        "validation_errors": flow.validation_errors,
        "json_version": parsed.get("version"),
        "data_api_version": parsed.get("data_api_version"),
        "endpoint_uri": flow.endpoint_uri,
        "updated_at": time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(flow.updated_at)),
        "health_status": {"can_send_message": "AVAILABLE" if flow.status == "PUBLISHED" else "BLOCKED",
                          "entities": [{"entity_type": "FLOW", "id": flow.id,
                                        "can_send_message": "AVAILABLE" if flow.status == "PUBLISHED"
                                        else "BLOCKED"}]},
        "whatsapp_business_account": {"id": flow.waba_id},
        "application": {"id": "100000000000001", "name": "Emulated WhatsApp App"},
    }  # fmt: skip
    if "preview" in names:
        if flow.preview_expires < time.time():
            flow.preview_expires = int(time.time()) + _PREVIEW_TTL
        values["preview"] = {
            "preview_url": f"https://business.facebook.com/wa/manage/flows/{flow.id}/preview/?token={flow.preview_token}",
            "expires_at": time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(flow.preview_expires)),
        }
    return {name: values[name] for name in (*names, "id") if values.get(name) is not None}


def _categories(value: Any) -> list[str]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, list) or not value:
        raise param("The parameter categories is required and must be a non-empty array.")
    for item in value:
        if item not in CATEGORIES:
            raise param(f"Param categories must hold values of {{{', '.join(sorted(CATEGORIES))}}} - got {item!r}")
    return list(value)


def _draft_only(flow: Flow) -> None:
    if flow.status != "DRAFT":
        raise error(139001, "Flow can't be updated", f"The Flow is {flow.status}: once published, a Flow can no "
                    "longer be updated. Clone it into a new Flow instead.")  # fmt: skip


def _version(value: Any) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in str(value).split("."))
    except ValueError:
        return (0,)


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _new_id(taken: dict[str, Flow]) -> str:
    while True:
        flow_id = str(secrets.randbelow(9 * 10**15) + 10**15)
        if flow_id not in taken:
            return flow_id
