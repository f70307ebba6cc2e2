"""Graph-shaped error bodies, written from Meta's documented shape (docs/limits.md), independent of the client."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

import msgspec
from aiohttp import web

__all__ = ["TITLES", "GraphError", "invalid", "json_response", "missing", "param"]

# Meta's titles for the codes the emulator answers with (docs/limits.md). The message is "(#code) title".
TITLES: dict[int, str] = {
    2: "Service temporarily unavailable",
    100: "Invalid parameter",
    190: "Invalid OAuth access token - Cannot parse access token",
    130429: "Rate limit hit",
    131000: "Something went wrong",
    131008: "Required parameter is missing",
    131009: "Parameter value is not valid",
    131026: "Message undeliverable",
    131047: "Re-engagement message",
    131053: "Media upload error",
    131056: "(Business Account, Consumer Account) pair rate limit hit",
    132000: "Number of parameters does not match the expected number of params",
    132001: "Template name does not exist in the translation",
}

_ENCODE = msgspec.json.Encoder().encode


def json_response(data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> web.Response:
    """An ``application/json`` response encoded with msgspec."""
    return web.Response(body=_ENCODE(data), status=status, content_type="application/json", headers=headers)


class GraphError(Exception):
    """An error the emulator answers as a Graph error body; raise it anywhere inside a handler."""

    __slots__ = ("code", "details", "headers", "message", "status", "subcode", "type")

    def __init__(
        self,
        code: int,
        details: str,
        *,
        status: int = 400,
        subcode: int | None = None,
        message: str | None = None,
        headers: Mapping[str, str] | None = None,
        type: str = "OAuthException",
    ) -> None:
        super().__init__(f"({code}) {details}")
        self.code = code
        self.details = details
        self.status = status
        self.subcode = subcode
        self.message = message or f"(#{code}) {TITLES.get(code, 'Error')}"
        self.headers = headers
        self.type = type

    def body(self) -> dict[str, Any]:
        """The ``{"error": {...}}`` body."""
        error: dict[str, Any] = {
            "message": self.message,
            "type": self.type,
            "code": self.code,
            "error_data": {"messaging_product": "whatsapp", "details": self.details},
            "fbtrace_id": secrets.token_urlsafe(17)[:23],
        }
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        return {"error": error}

    def response(self) -> web.Response:
        """This error as an aiohttp response."""
        return json_response(self.body(), self.status, self.headers)


def invalid(details: str) -> GraphError:
    """131009: Parameter value is not valid."""
    return GraphError(131009, details)


def missing(details: str) -> GraphError:
    """131008: Required parameter is missing."""
    return GraphError(131008, details)


def param(details: str) -> GraphError:
    """100: Invalid parameter (Graph's own parameter checks)."""
    return GraphError(100, details)
