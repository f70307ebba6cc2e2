"""`X-Hub-Signature-256` verification: Meta signs every webhook body with the app secret."""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["sign", "verify_signature"]

_PREFIX = "sha256="
_HEX_LEN = 64


def sign(body: bytes, app_secret: str | bytes) -> str:
    """The `X-Hub-Signature-256` header value Meta sends for `body`."""
    return _PREFIX + hmac.new(_key(app_secret), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, header: str | None, app_secret: str | bytes) -> bool:
    """Whether `header` is `sha256=<hex of HMAC-SHA256(app_secret, body)>`, compared in constant time.

    `body` must be the raw request bytes as received: Meta signs its own serialisation (escaped unicode),
    so re-encoded JSON would not match. None, another prefix or a wrong length is False.
    """
    if header is None or not header.startswith(_PREFIX) or len(header) != len(_PREFIX) + _HEX_LEN:
        return False
    expected = hmac.new(_key(app_secret), body, hashlib.sha256).hexdigest()
    # Meta sends lowercase hex; compare_digest on ASCII str refuses non-ASCII, so encode the candidate.
    return hmac.compare_digest(expected.encode(), header[len(_PREFIX) :].lower().encode("utf-8", "replace"))


def _key(app_secret: str | bytes) -> bytes:
    return app_secret.encode() if isinstance(app_secret, str) else app_secret
