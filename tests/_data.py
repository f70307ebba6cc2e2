"""Where the tests' copies of Meta's documented payloads and OpenAPI file live (see tests/data/cloud-api/README.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aiohttp

CLOUD_API = Path(__file__).resolve().parent / "data" / "cloud-api"
PAYLOADS = CLOUD_API / "payloads"
SPEC = CLOUD_API / "openapi" / "business-messaging-api_v23.0.yaml"


def sent_json(data: Any) -> Any:
    """The JSON a mocked aiohttp request carried: the client sends a JSON body as a payload with its type."""
    if isinstance(data, aiohttp.payload.BytesPayload):
        assert data.content_type == "application/json"
        data = data._value
    return json.loads(data)
