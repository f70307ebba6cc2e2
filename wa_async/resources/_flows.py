"""``client.flows``: manage WhatsApp Flows (``/{waba_id}/flows``, ``/{flow_id}`` and its assets) and the phone
number's business encryption key (``/{phone_number_id}/whatsapp_business_encryption``).

From Meta's Flows API reference and its OpenAPI file: a Flow is created as a ``DRAFT``; its Flow JSON is uploaded
as an asset and checked by Meta, whose ``validation_errors`` come back typed; a valid draft can be published
(139002 otherwise), a published Flow can no longer change (139001) but can be deprecated (139003 otherwise), and
only a draft can be deleted (139004). A Flow with a data endpoint needs a business public key on the number.
"""

from __future__ import annotations

import asyncio
import builtins
import json
import os
import re
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import msgspec

from .._errors import ApiError, ValidationError
from .._pipeline import Pipeline
from .._request import Request, decode_json, node_id
from .._transport import FilePart, FileSource, Multipart, Response
from ._common import Confirmed, text_field
from ._paging import Page, follow_pages, waba_of

__all__ = [
    "BusinessPublicKey",
    "CreateFlow",
    "DeleteFlow",
    "DeprecateFlow",
    "FlowAsset",
    "FlowCreated",
    "FlowInfo",
    "FlowJsonUpload",
    "FlowPreview",
    "FlowValidationError",
    "Flows",
    "GetFlow",
    "GetFlowPreview",
    "GetPublicKey",
    "ListFlowAssets",
    "ListFlows",
    "PublishFlow",
    "SetPublicKey",
    "UpdateFlow",
    "UpdateFlowJson",
]

FlowJson = str | bytes | Mapping[str, Any] | os.PathLike[str]
"""A Flow JSON: its text (``str`` or ``bytes``), the object itself, or the path of a ``.json`` file."""

_FIELDS = ("id", "name", "status", "categories", "validation_errors", "json_version", "data_api_version",
           "endpoint_uri", "preview", "health_status", "whatsapp_business_account", "application", "updated_at")
_CATEGORY = re.compile(r"[A-Z][A-Z_]*", re.ASCII)
_PEM = re.compile(r"-----BEGIN (RSA )?PUBLIC KEY-----\s+[A-Za-z0-9+/=\s]+-----END (RSA )?PUBLIC KEY-----", re.ASCII)


class FlowValidationError(msgspec.Struct, frozen=True):
    """One problem Meta found in a Flow JSON, with where it is (1-based lines and columns)."""

    error: str = ""
    error_type: str = ""
    message: str = ""
    line_start: int | None = None
    line_end: int | None = None
    column_start: int | None = None
    column_end: int | None = None
    pointers: list[dict[str, Any]] = []


class FlowPreview(msgspec.Struct, frozen=True):
    """A link that previews the Flow in a browser, and when it expires."""

    preview_url: str
    expires_at: str | None = None


class FlowInfo(msgspec.Struct, frozen=True):
    """A Flow as Meta describes it; fields not asked for (see ``fields=``) are None or empty."""

    id: str
    name: str | None = None
    status: str | None = None  # DRAFT, PUBLISHED, DEPRECATED, BLOCKED, THROTTLED
    categories: list[str] = []
    validation_errors: list[FlowValidationError] = []
    json_version: str | None = None
    data_api_version: str | None = None
    endpoint_uri: str | None = None
    data_channel_uri: str | None = None
    preview: FlowPreview | None = None
    health_status: dict[str, Any] | None = None
    whatsapp_business_account: dict[str, Any] | None = None
    application: dict[str, Any] | None = None
    updated_at: str | None = None


class FlowCreated(msgspec.Struct, frozen=True):
    """A new Flow's id; when it was created with a Flow JSON, Meta's findings on it."""

    id: str
    success: bool | None = None
    validation_errors: list[FlowValidationError] = []


class FlowJsonUpload(msgspec.Struct, frozen=True):
    """The answer to a Flow JSON upload: it is stored either way; ``validation_errors`` must be empty to publish."""

    success: bool = False
    validation_errors: list[FlowValidationError] = []

    @property
    def ok(self) -> bool:
        """True when Meta stored it and found nothing wrong."""
        return self.success and not self.validation_errors


class FlowAsset(msgspec.Struct, frozen=True):
    """A file attached to a Flow (today only its ``FLOW_JSON``), with a URL to download it."""

    name: str
    asset_type: str
    download_url: str | None = None


class BusinessPublicKey(msgspec.Struct, frozen=True):
    """The public key WhatsApp encrypts Flow data-exchange requests with; ``signature_status`` is ``VALID`` or
    ``MISMATCH``."""

    business_public_key: str
    business_public_key_signature_status: str | None = None

    @property
    def signature_status(self) -> str | None:
        """``VALID`` or ``MISMATCH``."""
        return self.business_public_key_signature_status


class _Keys(msgspec.Struct):
    data: list[BusinessPublicKey] = []


class _Assets(msgspec.Struct):
    data: list[FlowAsset] = []


class CreateFlow(Request[FlowCreated]):
    """``POST /{waba_id}/flows`` (a form, as Meta documents it)."""

    __slots__ = ()
    result = FlowCreated

    def __init__(self, waba_id: str, fields: Sequence[tuple[str, str]]) -> None:
        super().__init__("POST", f"{waba_id}/flows", body=Multipart(fields))


class ListFlows(Request[Page[FlowInfo]]):
    """``GET /{waba_id}/flows``: one page."""

    __slots__ = ()
    result = Page[FlowInfo]

    def __init__(self, waba_id: str, params: Mapping[str, str]) -> None:
        super().__init__("GET", f"{waba_id}/flows", params=params)


class GetFlow(Request[FlowInfo]):
    """``GET /{flow_id}?fields=...``."""

    __slots__ = ()
    result = FlowInfo

    def __init__(self, flow_id: str, fields: str) -> None:
        super().__init__("GET", node_id(flow_id, "flow_id"), params={"fields": fields})


class GetFlowPreview(Request[FlowPreview]):
    """``GET /{flow_id}?fields=preview`` (``preview.invalidate(true)``: a new URL)."""

    __slots__ = ()

    def __init__(self, flow_id: str, invalidate: bool = False) -> None:
        field = "preview.invalidate(true)" if invalidate else "preview"
        super().__init__("GET", node_id(flow_id, "flow_id"), params={"fields": field})

    def decode(self, response: Response) -> FlowPreview:
        """The preview URL and its expiry."""
        info: FlowInfo = decode_json(response, FlowInfo, self)
        if info.preview is None:
            raise ApiError("the answer holds no preview", http_status=response.status, request=self)
        return info.preview


class UpdateFlow(Confirmed):
    """``POST /{flow_id}`` (a form): name, categories, endpoint_uri."""

    __slots__ = ()

    def __init__(self, flow_id: str, fields: Sequence[tuple[str, str]]) -> None:
        super().__init__("POST", node_id(flow_id, "flow_id"), body=Multipart(fields))


class PublishFlow(Confirmed):
    """``POST /{flow_id}/publish``."""

    __slots__ = ()

    def __init__(self, flow_id: str) -> None:
        super().__init__("POST", f"{node_id(flow_id, 'flow_id')}/publish")


class DeprecateFlow(Confirmed):
    """``POST /{flow_id}/deprecate``."""

    __slots__ = ()

    def __init__(self, flow_id: str) -> None:
        super().__init__("POST", f"{node_id(flow_id, 'flow_id')}/deprecate")


class DeleteFlow(Confirmed):
    """``DELETE /{flow_id}``."""

    __slots__ = ()

    def __init__(self, flow_id: str) -> None:
        super().__init__("DELETE", node_id(flow_id, "flow_id"))


class ListFlowAssets(Request[list[FlowAsset]]):
    """``GET /{flow_id}/assets``."""

    __slots__ = ()

    def __init__(self, flow_id: str) -> None:
        super().__init__("GET", f"{node_id(flow_id, 'flow_id')}/assets")

    def decode(self, response: Response) -> list[FlowAsset]:
        """The assets."""
        assets: _Assets = decode_json(response, _Assets, self)
        return assets.data


class UpdateFlowJson(Request[FlowJsonUpload]):
    """``POST /{flow_id}/assets``: the Flow JSON as the multipart file ``flow.json``."""

    __slots__ = ()
    result = FlowJsonUpload

    def __init__(self, flow_id: str, data: bytes) -> None:
        source = FileSource(size=len(data), head=data[:32], filename="flow.json", data=data)
        body = Multipart([("name", "flow.json"), ("asset_type", "FLOW_JSON")],
                         [FilePart("file", source, "application/json")])  # fmt: skip
        super().__init__("POST", f"{node_id(flow_id, 'flow_id')}/assets", body=body)


class GetPublicKey(Request[BusinessPublicKey | None]):
    """``GET /{phone_number_id}/whatsapp_business_encryption``."""

    __slots__ = ()

    def __init__(self, phone_number_id: str) -> None:
        super().__init__("GET", f"{phone_number_id}/whatsapp_business_encryption")

    def decode(self, response: Response) -> BusinessPublicKey | None:
        """The key, or None before any upload."""
        keys: _Keys = decode_json(response, _Keys, self)
        return keys.data[0] if keys.data else None


class SetPublicKey(Confirmed):
    """``POST /{phone_number_id}/whatsapp_business_encryption`` with the form field ``business_public_key``."""

    __slots__ = ()

    def __init__(self, phone_number_id: str, pem: str) -> None:
        super().__init__("POST", f"{phone_number_id}/whatsapp_business_encryption",
                         body=Multipart([("business_public_key", pem)]))  # fmt: skip


class Flows:
    """WhatsApp Flows of the client's WhatsApp Business Account (needs ``waba_id``): ``client.flows``.

    ```python
    created = await client.flows.create("appointment", ["APPOINTMENT_BOOKING"])
    upload = await client.flows.update_json(created.id, flow_json)  # dict, JSON or path
    if upload.validation_errors:
        print([e.message for e in upload.validation_errors])
    await client.flows.publish(created.id)
    ```

    The data endpoint a Flow calls is served by [`wa.flows.DataEndpoint`][wa_async.flows.DataEndpoint]; upload its
    public key with [`set_public_key`][wa_async.resources.Flows.set_public_key].
    """

    __slots__ = ("_api",)

    def __init__(self, api: Pipeline) -> None:
        self._api = api

    def __repr__(self) -> str:
        return f"<Flows waba_id={self._api.waba_id}>"

    async def create(
        self,
        name: str,
        categories: Sequence[str],
        *,
        endpoint_uri: str | None = None,
        clone_flow_id: str | None = None,
        flow_json: FlowJson | None = None,
        publish: bool = False,
    ) -> FlowCreated:
        """Create a Flow (a ``DRAFT``), optionally a copy of ``clone_flow_id``, with its Flow JSON, or published
        at once (it must then be valid).

        ``categories``: one or more of ``SIGN_UP``, ``SIGN_IN``, ``APPOINTMENT_BOOKING``, ``LEAD_GENERATION``,
        ``CONTACT_US``, ``CUSTOMER_SUPPORT``, ``SURVEY``, ``OTHER`` (Meta's list).

        Raises:
            ValidationError: an empty name, no category, an endpoint that is not an https URL, a Flow JSON that is
                not a JSON object.
        """
        waba = waba_of(self._api)
        fields = [("name", text_field(name, "name").strip()), ("categories", _categories(categories))]
        if endpoint_uri is not None:
            fields.append(("endpoint_uri", _https(endpoint_uri)))
        if clone_flow_id is not None:
            fields.append(("clone_flow_id", node_id(clone_flow_id, "clone_flow_id")))
        if flow_json is not None:
            fields.append(("flow_json", (await _flow_json(flow_json)).decode()))
        if publish:
            fields.append(("publish", "true"))
        return await self._api.execute(CreateFlow(waba, fields))

    async def list(self) -> AsyncIterator[FlowInfo]:
        """Every Flow of the WABA (id, name, status, categories, validation errors), all pages."""
        waba = waba_of(self._api)
        async for flow in follow_pages(self._api, lambda p: ListFlows(waba, p), {}):
            yield flow

    async def get(self, flow_id: str, fields: Sequence[str] | None = None) -> FlowInfo:
        """One Flow with ``fields`` (default: every documented field but ``preview``)."""
        names = [f for f in _FIELDS if f != "preview"] if fields is None else list(fields)
        if not names:
            raise ValidationError("fields", "is empty")
        return await self._api.execute(GetFlow(flow_id, ",".join(names)))

    async def update(
        self,
        flow_id: str,
        *,
        name: str | None = None,
        categories: Sequence[str] | None = None,
        endpoint_uri: str | None = None,
    ) -> bool:
        """Change a draft Flow's name, categories or endpoint (``endpoint_uri=""`` removes it).

        Raises:
            ValidationError: nothing to change, or a value as [`create`][wa_async.resources.Flows.create] refuses.
        """
        fields: list[tuple[str, str]] = []
        if name is not None:
            fields.append(("name", text_field(name, "name").strip()))
        if categories is not None:
            fields.append(("categories", _categories(categories)))
        if endpoint_uri is not None:
            fields.append(("endpoint_uri", endpoint_uri and _https(endpoint_uri)))
        if not fields:
            raise ValidationError("flow", "nothing to update: give name, categories or endpoint_uri")
        return await self._api.execute(UpdateFlow(flow_id, fields))

    async def update_json(self, flow_id: str, flow_json: FlowJson) -> FlowJsonUpload:
        """Upload a draft Flow's Flow JSON. Meta stores it and answers its ``validation_errors``, typed (a Flow
        with errors cannot be published).

        Raises:
            ValidationError: ``flow_json`` is not a JSON object (checked before anything is sent).
        """
        flow = node_id(flow_id, "flow_id")
        return await self._api.execute(UpdateFlowJson(flow, await _flow_json(flow_json)))

    async def assets(self, flow_id: str) -> builtins.list[FlowAsset]:
        """The Flow's assets (its Flow JSON, with a download URL)."""
        return await self._api.execute(ListFlowAssets(flow_id))

    async def publish(self, flow_id: str) -> bool:
        """Publish a valid draft: it can be sent, and no longer changed."""
        return await self._api.execute(PublishFlow(flow_id))

    async def deprecate(self, flow_id: str) -> bool:
        """Deprecate a published Flow: it can no longer be sent."""
        return await self._api.execute(DeprecateFlow(flow_id))

    async def delete(self, flow_id: str) -> bool:
        """Delete a draft Flow (a published one can only be deprecated)."""
        return await self._api.execute(DeleteFlow(flow_id))

    async def preview_url(self, flow_id: str, *, invalidate: bool = False) -> FlowPreview:
        """A URL that previews the Flow in a browser (``invalidate=True``: a new one; the old one stops working)."""
        return await self._api.execute(GetFlowPreview(flow_id, invalidate))

    async def set_public_key(self, public_key_pem: str | bytes) -> bool:
        """Upload the number's business public key (PEM), with which WhatsApp encrypts the requests a Flow's
        data endpoint gets; it replaces the previous one. Upload it again after re-registering the number.

        Raises:
            ValidationError: not a PEM public key (a private key is refused: never upload it).
        """
        return await self._api.execute(SetPublicKey(self._api.phone_number_id, _public_pem(public_key_pem)))

    async def public_key(self) -> BusinessPublicKey | None:
        """The number's business public key and its signature status, or None when none was uploaded."""
        return await self._api.execute(GetPublicKey(self._api.phone_number_id))


def _categories(categories: object) -> str:
    given = [categories] if isinstance(categories, str) else categories
    if not isinstance(given, Sequence) or not given:
        raise ValidationError("categories", "give at least one category, e.g. ['OTHER']")
    names = []
    for i, category in enumerate(given):
        name = category.strip().upper() if isinstance(category, str) else ""
        if not _CATEGORY.fullmatch(name):
            raise ValidationError(f"categories[{i}]", f"{category!r} is not a Flow category such as SIGN_UP")
        names.append(name)
    return json.dumps(names)


def _https(url: object) -> str:
    text = text_field(url, "endpoint_uri").strip()
    parts = urlsplit(text)
    if parts.scheme != "https" or not parts.hostname:
        raise ValidationError("endpoint_uri", f"{text!r} is not an https URL")
    return text


async def _flow_json(value: object) -> bytes:
    """The Flow JSON as UTF-8 bytes, checked to be a JSON object."""
    if isinstance(value, os.PathLike):
        path = Path(value)
        try:
            raw: bytes = await asyncio.to_thread(path.read_bytes)
        except OSError as e:
            raise ValidationError("flow_json", f"{path}: {e.strerror or e}") from None
    elif isinstance(value, Mapping):
        return msgspec.json.encode(value)
    elif isinstance(value, str):
        raw = value.encode()
    elif isinstance(value, bytes | bytearray):
        raw = bytes(value)
    else:
        raise ValidationError("flow_json", f"expected JSON text, a mapping or a path, got {type(value).__name__}")
    try:
        doc = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as e:
        raise ValidationError("flow_json", f"is not JSON: {e}") from None
    if not isinstance(doc, dict):
        raise ValidationError("flow_json", f"must be a JSON object, got {type(doc).__name__}")
    return raw


def _public_pem(value: object) -> str:
    text = value.decode("ascii", "replace") if isinstance(value, bytes) else value
    if not isinstance(text, str):
        raise ValidationError("public_key_pem", f"expected PEM text, got {type(value).__name__}")
    if "PRIVATE KEY" in text:
        raise ValidationError("public_key_pem", "this is a private key: upload only the public one")
    if not _PEM.fullmatch(text.strip()):
        raise ValidationError("public_key_pem", "is not a PEM public key (-----BEGIN PUBLIC KEY----- ...)")
    return text.strip()
