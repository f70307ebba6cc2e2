"""The Maton control plane: connections (``GET/POST /connections``, ``GET/DELETE /connections/{id}``).

Shapes: ``{"connections": [...]}`` for a list, ``{"connection": {...}}`` for one. A new connection is
``PENDING`` with an OAuth ``url``; opening that URL (a GET on the emulator) makes it ``ACTIVE``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import msgspec
from aiohttp import web

from ._graph import json_response

__all__ = ["Connections"]


class Connections:
    """Maton connections, seeded with one ``ACTIVE`` whatsapp-business connection."""

    __slots__ = ("_connections", "wall")

    def __init__(self, *, wall: Callable[[], float] = time.time) -> None:
        self.wall = wall
        self._connections: dict[str, dict[str, Any]] = {}
        self.add("whatsapp-business", status="ACTIVE")

    def __repr__(self) -> str:
        return f"<Connections count={len(self._connections)}>"

    def add(self, app: str, *, status: str = "PENDING", metadata: dict[str, Any] | None = None) -> dict[str, Any]:
        """Create a connection record; its ``url`` is filled in relative to the emulator when served."""
        now = self._now()
        connection_id = str(uuid.uuid4())
        record = {
            "connection_id": connection_id,
            "status": status,
            "creation_time": now,
            "last_updated_time": now,
            "url": f"/ctrl/oauth/{connection_id}",
            "app": app,
            "metadata": metadata or {},
        }
        self._connections[connection_id] = record
        return record

    def list(self, request: web.Request) -> web.Response:
        """``GET /connections?app=&status=``."""
        app, status = request.query.get("app"), request.query.get("status")
        items = [
            self._public(request, c)
            for c in self._connections.values()
            if app in (None, c["app"]) and (status is None or c["status"] == status.upper())
        ]
        return json_response({"connections": items})

    async def create(self, request: web.Request) -> web.Response:
        """``POST /connections`` with ``{"app": ...}``."""
        raw = await request.read()
        try:
            body = msgspec.json.decode(raw) if raw else {}
        except msgspec.DecodeError:
            return _error(400, "Request body is not valid JSON")
        app = body.get("app") if isinstance(body, dict) else None
        if not isinstance(app, str) or not app:
            return _error(400, "The field app is required")
        record = self.add(app, metadata=body.get("metadata"))
        return json_response({"connection": self._public(request, record)})

    def get(self, request: web.Request) -> web.Response:
        """``GET /connections/{id}``."""
        record = self._connections.get(request.match_info["connection_id"])
        if record is None:
            return _error(404, "Connection not found")
        return json_response({"connection": self._public(request, record)})

    def delete(self, request: web.Request) -> web.Response:
        """``DELETE /connections/{id}``."""
        if self._connections.pop(request.match_info["connection_id"], None) is None:
            return _error(404, "Connection not found")
        return json_response({"success": True})

    def authorize(self, request: web.Request) -> web.Response:
        """The OAuth page of a connection: opening it activates the connection."""
        record = self._connections.get(request.match_info["connection_id"])
        if record is None:
            return _error(404, "Connection not found")
        record["status"] = "ACTIVE"
        record["last_updated_time"] = self._now()
        return web.Response(text="Connection authorized. You can close this page.")

    def _public(self, request: web.Request, record: dict[str, Any]) -> dict[str, Any]:
        return {**record, "url": f"{request.scheme}://{request.host}{record['url']}"}

    def _now(self) -> str:
        return datetime.fromtimestamp(self.wall(), UTC).isoformat().replace("+00:00", "Z")


def _error(status: int, message: str) -> web.Response:
    return json_response({"error": {"code": status, "message": message}}, status)
