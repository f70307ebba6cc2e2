"""WhatsApp's side of a Flows data exchange, to test an endpoint without Meta: encrypt a request as WhatsApp does
and decrypt the endpoint's answer."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec

from ._crypto import aes_gcm_decrypt, aes_gcm_encrypt, load_public_key, oaep

__all__ = ["EncryptedRequest", "encrypt_request"]


@dataclass(frozen=True, slots=True)
class EncryptedRequest:
    """A request encrypted as WhatsApp sends it: post `data` (the JSON of `body`)."""

    body: dict[str, str]
    _key: bytes = field(repr=False)
    _iv: bytes = field(repr=False)

    @property
    def data(self) -> bytes:
        """The HTTP body: `body` as JSON."""
        return msgspec.json.encode(self.body)

    def signature(self, app_secret: str) -> str:
        """The ``X-Hub-Signature-256`` header WhatsApp would send with `data`."""
        return "sha256=" + hmac.new(app_secret.encode(), self.data, hashlib.sha256).hexdigest()

    def decrypt_response(self, text: str | bytes) -> Any:
        """The endpoint's answer (base64 AES-GCM with the inverted nonce), decoded from JSON."""
        raw = base64.b64decode(text, validate=True)
        flipped = bytes(b ^ 0xFF for b in self._iv)
        return msgspec.json.decode(aes_gcm_decrypt(self._key, flipped, raw))


def encrypt_request(
    public_key: str | bytes, payload: Mapping[str, Any], *, aes_key: bytes | None = None, iv: bytes | None = None
) -> EncryptedRequest:
    """Encrypt ``payload`` for the endpoint holding ``public_key``'s private half, as WhatsApp does: a random
    AES-128 key wrapped with RSA-OAEP (SHA-256), the JSON in AES-GCM under a random 16-byte nonce.

    ``aes_key`` and ``iv`` fix the random parts (for reproducible tests only).
    """
    key = aes_key if aes_key is not None else os.urandom(16)
    nonce = iv if iv is not None else os.urandom(16)
    wrapped = load_public_key(public_key).encrypt(key, oaep())
    data = aes_gcm_encrypt(key, nonce, msgspec.json.encode(payload))
    body = {
        "encrypted_flow_data": base64.b64encode(data).decode(),
        "encrypted_aes_key": base64.b64encode(wrapped).decode(),
        "initial_vector": base64.b64encode(nonce).decode(),
    }
    return EncryptedRequest(body, key, nonce)
