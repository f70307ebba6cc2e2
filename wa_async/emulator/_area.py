"""What every management area of the emulator shares: the route protocol, body parsing and error helpers.

An area (webhook subscriptions, registration, the block list, QR codes, Flows, Calling, Groups, ...) owns its
state and answers its own routes. The server mounts each with one line: `Area.routes` are added under both
the Graph and the gateway prefix, `Area.raw_routes` once at the root, and `Area.node` claims
``GET``/``POST``/``DELETE /{v}/{id}`` for the ids the area knows (a group, a Flow, a template, a phone number).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

import msgspec
from aiohttp import web

from ._graph import GraphError, param

__all__ = [
    "Area",
    "Emit",
    "Handler",
    "Route",
    "error",
    "https_url",
    "json_object",
    "not_found",
    "read_body",
    "require_product",
    "str_field",
]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Route = tuple[str, str, Handler]  # (method, path under /{version}, handler)
# The webhook seam: (webhook field, change value, phone number id or None for a WABA-level field such as
# message_template_components_update). Set by whoever posts webhooks; None = silent.
Emit = Callable[[str, dict[str, Any], "str | None"], None]

_URL = re.compile(r"^https?://[^\s/?#]+[^\s]*$")


class Area:
    """Base of an emulated API area; subclasses override what they serve."""

    __slots__ = ("emit",)

    def __init__(self) -> None:
        self.emit: Emit | None = None

    def routes(self) -> Iterable[Route]:
        """Routes under ``/{version}`` (and the gateway prefix), e.g. ``("GET", "/{pnid}/groups", handler)``."""
        return ()

    def raw_routes(self) -> Iterable[Route]:
        """Routes at the root, outside the versioned API (e.g. image downloads under ``/__emulator/``)."""
        return ()

    def node(self, method: str, node: str) -> Handler | None:
        """The handler for ``method /{version}/{node}`` when this area owns ``node``, else None."""
        return None

    def notify(self, field: str, value: dict[str, Any], phone_number_id: str | None = None) -> None:
        """Hand a webhook change to `emit` (the generic webhook emitter), if one is attached."""
        if self.emit is not None:
            self.emit(field, value, phone_number_id)


def error(code: int, title: str, details: str, *, status: int = 400, type: str = "OAuthException") -> GraphError:
    """A Graph error whose message is ``(#code) title``, as Meta's error bodies read."""
    return GraphError(code, details, status=status, message=f"(#{code}) {title}", type=type)


def not_found(what: str) -> GraphError:
    """Meta's 404 for a missing sub-resource (code 803, as the OpenAPI file documents for QR codes)."""
    return GraphError(803, f"{what} not found", status=404, message=f"{what} not found", type="GraphMethodException")


async def read_body(request: web.Request) -> dict[str, Any]:
    """The request body as a dict: a JSON object, a form (urlencoded or multipart, files kept as
    `aiohttp.web.FileField`), or ``{}`` when there is no body. Graph accepts all three."""
    content_type = request.content_type
    if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        form = await request.post()
        return {key: form[key] for key in form}
    raw = await request.read()
    return json_object(raw) if raw.strip() else {}


def json_object(raw: bytes) -> dict[str, Any]:
    """``raw`` decoded as a JSON object (Graph's 100 when it is not valid JSON or not an object)."""
    try:
        body = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        raise param("Request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise param("Request body must be a JSON object")
    return body


def require_product(body: Mapping[str, Any]) -> None:
    """``messaging_product`` must be present and ``whatsapp`` (100 otherwise)."""
    product = body.get("messaging_product")
    if product is None:
        raise param("The parameter messaging_product is required.")
    if product != "whatsapp":
        raise param(f'Param messaging_product must be one of {{WHATSAPP}} - got "{product}".')


def str_field(body: Mapping[str, Any], key: str, *, max_len: int | None = None, required: bool = True) -> str | None:
    """``body[key]`` as a non-empty string of at most ``max_len`` characters (100 naming the field otherwise)."""
    value = body.get(key)
    if value is None or value == "":
        if required:
            raise param(f"The parameter {key} is required.")
        return None
    if not isinstance(value, str):
        raise param(f"Param {key} must be a string.")
    if max_len is not None and len(value) > max_len:
        raise param(f"Param {key} must be at most {max_len} characters long, got {len(value)}.")
    return value


def https_url(value: str, key: str, *, max_len: int | None = None) -> str:
    """A callback or endpoint URL: ``https://`` (``http://`` to a loopback host is allowed, for local tests)."""
    if max_len is not None and len(value) > max_len:
        raise param(f"Param {key} must be at most {max_len} characters long, got {len(value)}.")
    if not _URL.match(value):
        raise param(f"Param {key} must be a URL, got {value!r}.")
    if not value.startswith("https://") and not value.startswith(("http://127.0.0.1", "http://localhost")):
        raise param(f"Param {key} must be an https URL, got {value!r}.")
    return value
