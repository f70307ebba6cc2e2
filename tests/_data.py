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


# Request bodies of the management endpoints (groups, calls, block list, registration, QR codes, subscriptions,
# usernames, template create/edit, the Flows data endpoint): not POST /messages bodies.
MANAGEMENT_REQUESTS = frozenset({
    "request-block-users.json", "request-call-settings.json", "request-calls-accept.json",
    "request-calls-connect.json", "request-calls-terminate.json", "request-flow-endpoint-data-exchange.json",
    "request-flow-endpoint-encrypted.json", "request-flow-endpoint-ping.json", "request-group-create.json",
    "request-group-join-requests-approve.json", "request-group-participants-remove.json",
    "request-phone-webhook-override.json", "request-qr-code-create.json", "request-register-phone.json",
    "request-request-code.json", "request-subscribed-apps-override.json", "request-template-create-marketing-ttl.json",
    "request-template-create-named-params.json", "request-template-create-request-contact-info.json",
    "request-template-edit-components.json", "request-username-set.json", "request-verify-code.json",
})  # fmt: skip


def message_requests() -> list[Path]:
    """The documented ``POST /messages`` request bodies (every ``request-*.json`` but the management ones)."""
    return sorted(p for p in PAYLOADS.glob("request-*.json") if p.name not in MANAGEMENT_REQUESTS)
