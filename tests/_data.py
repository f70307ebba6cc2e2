"""Where the tests' copies of Meta's documented payloads and OpenAPI file live (see tests/data/cloud-api/README.md)."""

from __future__ import annotations

from pathlib import Path

CLOUD_API = Path(__file__).resolve().parent / "data" / "cloud-api"
PAYLOADS = CLOUD_API / "payloads"
SPEC = CLOUD_API / "openapi" / "business-messaging-api_v23.0.yaml"
