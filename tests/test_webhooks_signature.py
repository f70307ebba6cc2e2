"""verify_signature: HMAC-SHA256 of the raw bytes, constant-time, only ``sha256=<hex>`` (FACTS §5.2)."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from wa_async.webhooks import sign, verify_signature

SECRET = "app-secret"
BODY = b'{"object":"whatsapp_business_account","entry":[]}'


def reference(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_correct_signature() -> None:
    assert sign(BODY, SECRET) == reference(BODY)
    assert verify_signature(BODY, reference(BODY), SECRET)
    assert verify_signature(BODY, reference(BODY), SECRET.encode())


def test_uppercase_hex_accepted() -> None:
    header = reference(BODY)
    assert verify_signature(BODY, "sha256=" + header[7:].upper(), SECRET)


def test_wrong_secret() -> None:
    assert not verify_signature(BODY, reference(BODY, "other"), SECRET)


def test_missing_header() -> None:
    assert not verify_signature(BODY, None, SECRET)
    assert not verify_signature(BODY, "", SECRET)


@pytest.mark.parametrize("prefix", ["sha1=", "SHA256=", "sha256:", "", "sha512="])
def test_wrong_prefix(prefix: str) -> None:
    digest = reference(BODY)[len("sha256=") :]
    assert not verify_signature(BODY, prefix + digest, SECRET)


@pytest.mark.parametrize("cut", [1, 10, 63])
def test_wrong_length(cut: int) -> None:
    assert not verify_signature(BODY, reference(BODY)[:-cut], SECRET)
    assert not verify_signature(BODY, reference(BODY) + "0", SECRET)


def test_body_altered_by_one_byte() -> None:
    header = reference(BODY)
    for i in range(len(BODY)):
        altered = BODY[:i] + bytes([BODY[i] ^ 1]) + BODY[i + 1 :]
        assert not verify_signature(altered, header, SECRET)
    assert not verify_signature(BODY + b" ", header, SECRET)


def test_non_ascii_body_signed_as_raw_bytes() -> None:
    # Meta signs its own bytes (escaped unicode); we HMAC exactly what arrived, never a re-encoding.
    escaped = b'{"name":"\\u00e4\\u00f6\\u00e5"}'
    raw_utf8 = '{"name":"äöå"}'.encode()
    assert verify_signature(escaped, reference(escaped), SECRET)
    assert verify_signature(raw_utf8, reference(raw_utf8), SECRET)
    assert not verify_signature(raw_utf8, reference(escaped), SECRET)


def test_non_ascii_header_is_false_not_an_error() -> None:
    assert not verify_signature(BODY, "sha256=" + "é" * 64, SECRET)
