"""The business encryption key of a phone number: ``/{pnid}/whatsapp_business_encryption`` (Flows endpoints).

Meta's business-encryption reference: ``POST`` a form field ``business_public_key`` (an RSA public key in PEM)
-> ``{"success": true}``; one key per number, replaced on upload. ``GET`` ->
``{"data": [{"business_public_key", "business_public_key_signature_status": "VALID"|"MISMATCH"}]}``.
The emulator checks the PEM's structure (armour, base64, a DER sequence); it does not parse the key.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable

from aiohttp import web

from ._area import Area, Route, error, read_body
from ._graph import json_response, param

__all__ = ["BusinessEncryption"]

_PEM = re.compile(
    r"^-----BEGIN (RSA )?PUBLIC KEY-----\s*(?P<body>[A-Za-z0-9+/=\s]+?)\s*-----END (RSA )?PUBLIC KEY-----\s*$"
)


class BusinessEncryption(Area):
    """The public key uploaded for each phone number id."""

    __slots__ = ("_keys",)

    def __init__(self) -> None:
        super().__init__()
        self._keys: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"<BusinessEncryption keys={len(self._keys)}>"

    def routes(self) -> Iterable[Route]:
        """``GET``/``POST /{pnid}/whatsapp_business_encryption``."""
        path = "/{pnid}/whatsapp_business_encryption"
        return (("GET", path, self.get), ("POST", path, self.upload))

    def key(self, phone_number_id: str) -> str | None:
        """The PEM uploaded for the number, if any."""
        return self._keys.get(phone_number_id)

    def has_any_key(self) -> bool:
        """Whether any number has a key (a Flow with an endpoint cannot be published without one)."""
        return bool(self._keys)

    async def upload(self, request: web.Request) -> web.Response:
        """``POST /{pnid}/whatsapp_business_encryption`` with ``business_public_key``."""
        body = await read_body(request)
        key = body.get("business_public_key")
        if key is None or key == "":
            raise param("Missing required parameter: business_public_key")
        if not isinstance(key, str) or not _valid_pem(key):
            raise error(100, "Invalid parameter", "Business public key is invalid")
        self._keys[request.match_info["pnid"]] = key.strip()
        return json_response({"success": True})

    async def get(self, request: web.Request) -> web.Response:
        """``GET /{pnid}/whatsapp_business_encryption`` (``{"data": []}`` before any upload)."""
        key = self._keys.get(request.match_info["pnid"])
        if key is None:
            return json_response({"data": []})
        return json_response({"data": [{"business_public_key": key, "business_public_key_signature_status": "VALID"}]})


def _valid_pem(text: str) -> bool:
    match = _PEM.match(text.strip())
    if match is None:
        return False
    try:
        der = base64.b64decode("".join(match.group("body").split()), validate=True)
    except (binascii.Error, ValueError):
        return False
    return len(der) > 64 and der[0] == 0x30  # a DER SEQUENCE of a plausible size
