"""The ``cryptography`` calls of the Flows data endpoint, imported on first use (the ``flows`` extra).

Meta's "Implementing your Flow endpoint" guide: the request's ``encrypted_aes_key`` is unwrapped with the business
RSA private key (OAEP, MGF1 with SHA-256, SHA-256, no label) into an AES-128 key; ``encrypted_flow_data`` is
AES-GCM with ``initial_vector`` as the nonce and the 16-byte tag at the end. The answer is AES-GCM with the same
key and the nonce with every bit inverted.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

from .._errors import ValidationError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

__all__ = ["KeyPair", "aes_gcm_decrypt", "aes_gcm_encrypt", "generate_key_pair", "load_private_key",
           "load_public_key", "oaep", "require_cryptography"]  # fmt: skip

_MISSING = "wa_async.flows needs the 'cryptography' package: pip install 'wa-async[flows]'"


def require_cryptography() -> ModuleType:
    """The ``cryptography`` package, or an ImportError that names the extra to install."""
    try:
        return importlib.import_module("cryptography")
    except ImportError as exc:
        raise ImportError(_MISSING) from exc


def _modules() -> tuple[Any, Any, Any, Any]:
    require_cryptography()
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    return hashes, serialization, padding, rsa


def oaep() -> Any:
    """Meta's OAEP padding: MGF1 with SHA-256, SHA-256, no label."""
    hashes, _, padding, _ = _modules()
    return padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def load_private_key(pem: str | bytes, passphrase: str | bytes | None = None) -> RSAPrivateKey:
    """An RSA private key from PEM (PKCS#1 or PKCS#8, encrypted with ``passphrase`` or not)."""
    _, serialization, _, rsa = _modules()
    data = pem.encode() if isinstance(pem, str) else pem
    password = passphrase.encode() if isinstance(passphrase, str) else passphrase
    try:
        key = serialization.load_pem_private_key(data, password=password)
    except (ValueError, TypeError) as exc:
        raise ValidationError("private_key", f"is not a PEM private key this passphrase opens ({exc})") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValidationError("private_key", "must be an RSA key (Meta encrypts the AES key with RSA-OAEP)")
    return cast("RSAPrivateKey", key)


def load_public_key(pem: str | bytes) -> RSAPublicKey:
    """An RSA public key from PEM."""
    _, serialization, _, rsa = _modules()
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise ValidationError("public_key", f"is not a PEM public key ({exc})") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValidationError("public_key", "must be an RSA key")
    return cast("RSAPublicKey", key)


def aes_gcm_decrypt(key: bytes, nonce: bytes, data: bytes) -> bytes:
    """AES-GCM decryption of ``data`` (ciphertext then the 16-byte tag); raises on a wrong key or tag."""
    require_cryptography()
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(key).decrypt(nonce, data, None)


def aes_gcm_encrypt(key: bytes, nonce: bytes, plaintext: bytes) -> bytes:
    """AES-GCM encryption, the 16-byte tag appended, no associated data."""
    require_cryptography()
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(key).encrypt(nonce, plaintext, None)


@dataclass(frozen=True, slots=True)
class KeyPair:
    """An RSA key pair in PEM: keep ``private_pem`` secret, upload ``public_pem`` to Meta."""

    private_pem: str
    public_pem: str

    def __repr__(self) -> str:
        return "KeyPair(private_pem=<hidden>, public_pem=...)"


def generate_key_pair(*, passphrase: str | bytes | None = None, bits: int = 2048) -> KeyPair:
    """A new RSA key pair for a Flows endpoint.

    The private key is PKCS#8 PEM, encrypted with ``passphrase`` when given; the public key is the
    SubjectPublicKeyInfo PEM (``-----BEGIN PUBLIC KEY-----``) that ``/{phone-number-id}/whatsapp_business_encryption``
    takes.

    Args:
        passphrase: Encrypts the private key PEM (recommended when it is stored on disk).
        bits: The RSA modulus size; Meta's guide uses 2048.

    Returns:
        The `KeyPair`.

    Raises:
        ValidationError: ``bits`` below 2048.
        ImportError: ``cryptography`` is not installed (the ``flows`` extra).

    Example:
        ```python
        import wa_async as wa

        pair = wa.flows.generate_key_pair(passphrase="change me")
        assert pair.public_pem.startswith("-----BEGIN PUBLIC KEY-----")
        ```
    """
    if bits < 2048:
        raise ValidationError("bits", "must be at least 2048", limit=2048)
    _, serialization, _, rsa = _modules()
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    password = passphrase.encode() if isinstance(passphrase, str) else passphrase
    encryption = (
        serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    )
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return KeyPair(private_pem.decode(), public_pem.decode())
