"""Where the tests' copies of Meta's documented payloads and OpenAPI file live (see tests/data/cloud-api/README.md)."""

from __future__ import annotations

import json
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import aiohttp

CLOUD_API = Path(__file__).resolve().parent / "data" / "cloud-api"
PAYLOADS = CLOUD_API / "payloads"
SPEC = CLOUD_API / "openapi" / "business-messaging-api_v23.0.yaml"

# Request payloads that are not message sends, left to the tests of their endpoints: template creation and edits,
# block users, groups, calls and call settings, phone registration and verification, QR codes, webhook
# subscriptions and overrides, the flows data endpoint, business usernames.
NOT_MESSAGE_SENDS = (
    "request-block-users*.json",
    "request-call-settings*.json",
    "request-calls-*.json",
    "request-flow-endpoint-*.json",
    "request-group-*.json",
    "request-phone-webhook-override*.json",
    "request-qr-code-*.json",
    "request-register-phone*.json",
    "request-request-code*.json",
    "request-subscribed-apps-*.json",
    "request-template-create-*.json",
    "request-template-edit-*.json",
    "request-username-*.json",
    "request-verify-code*.json",
)


def message_send_payloads() -> list[Path]:
    """Every ``request-*.json`` that is the body of a message send (``/messages`` or ``/marketing_messages``)."""
    return sorted(
        p for p in PAYLOADS.glob("request-*.json") if not any(fnmatch(p.name, pattern) for pattern in NOT_MESSAGE_SENDS)
    )


def payload(name: str) -> Any:
    """A copy of Meta's documented payload ``name`` (tests/data/cloud-api/payloads), decoded."""
    return json.loads((PAYLOADS / name).read_text(encoding="utf-8"))


def sent_json(data: Any) -> Any:
    """The JSON a mocked aiohttp request carried: the client sends a JSON body as a payload with its type."""
    if isinstance(data, aiohttp.payload.BytesPayload):
        assert data.content_type == "application/json"
        data = data._value
    return json.loads(data)
