"""The Flows data endpoint: decrypt what WhatsApp posts, answer it encrypted (Meta's "Implementing your Flow
endpoint" guide and the Flows error-code page)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import msgspec

from .._errors import WhatsAppError
from ._crypto import aes_gcm_decrypt, aes_gcm_encrypt, load_private_key, oaep

if TYPE_CHECKING:
    from aiohttp import web

__all__ = [
    "DataEndpoint",
    "DecryptionError",
    "EndpointResponse",
    "FlowRequest",
    "FlowTokenExpired",
    "SignatureError",
]

Answer = Mapping[str, Any] | None
Handler = Callable[["FlowRequest"], Answer | Awaitable[Answer]]

PING_ANSWER: dict[str, Any] = {"data": {"status": "active"}}
ACKNOWLEDGED: dict[str, Any] = {"data": {"acknowledged": True}}


class DecryptionError(WhatsAppError):
    """The request cannot be decrypted with this private key; the endpoint answers HTTP 421, after which WhatsApp
    fetches the public key again and retries."""


class SignatureError(WhatsAppError):
    """``X-Hub-Signature-256`` does not match the body and the app secret; the endpoint answers HTTP 432."""


class FlowTokenExpired(WhatsAppError):
    """Raise it from a handler when the flow token is no longer valid: the endpoint answers HTTP 427 and WhatsApp
    disables the Flow's button. ``message`` (optional) is shown to the user."""

    def __init__(self, message: str | None = None) -> None:
        self.message = message
        super().__init__(message or "the flow token is no longer valid")


@dataclass(frozen=True, slots=True)
class EndpointResponse:
    """What the HTTP endpoint sends back: status, content type and body text."""

    status: int
    body: str = ""
    content_type: str = "text/plain"


@dataclass(frozen=True, slots=True)
class FlowRequest:
    """One decrypted request: ``action`` is ``INIT``, ``BACK``, ``data_exchange`` or ``ping`` (or an error
    notification, `is_error_notification`). ``plaintext`` holds the decrypted bytes as sent."""

    action: str
    version: str
    screen: str | None
    data: dict[str, Any]
    flow_token: str | None
    flow_token_signature: str | None
    payload: dict[str, Any]
    plaintext: bytes
    _key: bytes = field(repr=False)
    _iv: bytes = field(repr=False)

    @property
    def is_ping(self) -> bool:
        """A health check: answered ``{"data": {"status": "active"}}``."""
        return self.action == "ping"

    @property
    def is_error_notification(self) -> bool:
        """WhatsApp reports that a previous answer failed on the device (``data.error``): acknowledge it."""
        return "error" in self.data and self.action != "ping"

    def encrypt(self, answer: Mapping[str, Any]) -> str:
        """``answer`` as the endpoint's body: compact JSON in UTF-8, AES-GCM with this request's key and the
        inverted nonce, the tag appended, base64."""
        plaintext = msgspec.json.encode(answer)
        flipped = bytes(b ^ 0xFF for b in self._iv)
        return base64.b64encode(aes_gcm_encrypt(self._key, flipped, plaintext)).decode()


class DataEndpoint:
    """Decrypts Flows data-exchange requests and encrypts the answers.

    Args:
        private_key: The RSA private key in PEM whose public half was uploaded to the phone number
            (``/{phone-number-id}/whatsapp_business_encryption``).
        passphrase: The private key's passphrase, if it is encrypted.
        app_secret: The Meta app secret; when given, ``X-Hub-Signature-256`` is checked (HTTP 432 if wrong).

    Raises:
        ValidationError: ``private_key`` is not an RSA private key this passphrase opens.
        ImportError: ``cryptography`` is not installed (``pip install 'wa-async[flows]'``).

    Example:
        ```python
        import wa_async as wa

        pair = wa.flows.generate_key_pair()
        endpoint = wa.flows.DataEndpoint(pair.private_pem)
        sent = wa.flows.encrypt_request(pair.public_pem, {"version": "3.0", "action": "ping"})
        request = endpoint.decrypt(sent.body)
        assert request.is_ping
        answer = {"data": {"status": "active"}}
        assert sent.decrypt_response(request.encrypt(answer)) == answer
        ```
    """

    __slots__ = ("_app_secret", "_key")

    def __init__(
        self, private_key: str | bytes, *, passphrase: str | bytes | None = None, app_secret: str | None = None
    ) -> None:
        self._key = load_private_key(private_key, passphrase)
        self._app_secret = app_secret

    def __repr__(self) -> str:
        return f"<DataEndpoint rsa-{self._key.key_size} signature_check={self._app_secret is not None}>"

    def verify_signature(self, body: bytes, signature: str | None) -> None:
        """Check ``X-Hub-Signature-256`` (``sha256=<hex HMAC-SHA256 of the raw body>``) against the app secret.

        Raises:
            SignatureError: The header is missing or does not match (nothing is checked without ``app_secret``).
        """
        if self._app_secret is None:
            return
        expected = "sha256=" + hmac.new(self._app_secret.encode(), body, hashlib.sha256).hexdigest()
        if not signature or not hmac.compare_digest(expected, signature.strip()):
            raise SignatureError("X-Hub-Signature-256 does not match the body")

    def decrypt(self, body: bytes | str | Mapping[str, Any]) -> FlowRequest:
        """Decrypt a request body (``encrypted_flow_data``, ``encrypted_aes_key``, ``initial_vector``).

        Raises:
            DecryptionError: The body is not such a request, or this key cannot decrypt it (answer HTTP 421).
        """
        try:
            fields = body if isinstance(body, Mapping) else msgspec.json.decode(body)
            data = base64.b64decode(fields["encrypted_flow_data"], validate=True)
            wrapped = base64.b64decode(fields["encrypted_aes_key"], validate=True)
            iv = base64.b64decode(fields["initial_vector"], validate=True)
        except (msgspec.DecodeError, KeyError, TypeError, binascii.Error, ValueError) as exc:
            raise DecryptionError(f"not an encrypted Flows request: {exc}") from None
        try:
            key = self._key.decrypt(wrapped, oaep())
            plaintext = aes_gcm_decrypt(key, iv, data)
        except Exception as exc:  # cryptography raises ValueError or InvalidTag; both mean "not for this key"
            raise DecryptionError(f"cannot decrypt the request with this private key ({type(exc).__name__})") from None
        try:
            payload = msgspec.json.decode(plaintext)
        except msgspec.DecodeError:
            raise DecryptionError("the decrypted request is not JSON") from None
        if not isinstance(payload, dict):
            raise DecryptionError("the decrypted request is not a JSON object")
        data_field = payload.get("data")
        return FlowRequest(
            action=str(payload.get("action", "")),
            version=str(payload.get("version", "")),
            screen=payload.get("screen"),
            data=data_field if isinstance(data_field, dict) else {},
            flow_token=payload.get("flow_token"),
            flow_token_signature=payload.get("flow_token_signature"),
            payload=payload,
            plaintext=plaintext,
            _key=key,
            _iv=iv,
        )

    async def handle(self, body: bytes, handler: Handler, *, signature: str | None = None) -> EndpointResponse:
        """Answer one HTTP request of WhatsApp: check the signature, decrypt, answer a ``ping`` by itself, call
        ``handler`` for the rest, encrypt its answer.

        ``handler`` (sync or async) gets the `FlowRequest` and returns the answer object, e.g.
        ``{"screen": "CONFIRM", "data": {...}}``; for an error notification it may return None (the endpoint then
        acknowledges it). It raises `FlowTokenExpired` to answer 427.

        Returns:
            200 with the encrypted answer as plain text; 421 (cannot decrypt), 432 (bad signature) or 427
                (flow token no longer valid, with ``{"error_msg"}`` when a message was given).
        """
        try:
            self.verify_signature(body, signature)
        except SignatureError:
            return EndpointResponse(432)
        try:
            request = self.decrypt(body)
        except DecryptionError:
            return EndpointResponse(421)
        if request.is_ping:
            return EndpointResponse(200, request.encrypt(PING_ANSWER))
        try:
            answer = handler(request)
            if inspect.isawaitable(answer):
                answer = await answer
        except FlowTokenExpired as exc:
            text = msgspec.json.encode({"error_msg": exc.message}).decode() if exc.message else ""
            return EndpointResponse(427, text, "application/json")
        if answer is None:
            if not request.is_error_notification:
                raise TypeError(f"the Flows handler returned None for action {request.action!r}")
            answer = ACKNOWLEDGED
        return EndpointResponse(200, request.encrypt(answer))

    def aiohttp_handler(self, handler: Handler) -> Callable[[web.Request], Awaitable[web.Response]]:
        """An aiohttp request handler serving this endpoint with ``handler`` (see `handle`).

        Example:
            ```python
            from aiohttp import web
            import wa_async as wa

            async def answer(request: wa.flows.FlowRequest) -> dict:
                return {"screen": "SUCCESS", "data": {}}

            endpoint = wa.flows.DataEndpoint(wa.flows.generate_key_pair().private_pem)
            app = web.Application()
            app.router.add_post("/flows", endpoint.aiohttp_handler(answer))
            ```
        """
        from aiohttp import web

        async def serve(request: web.Request) -> web.Response:
            result = await self.handle(
                await request.read(), handler, signature=request.headers.get("X-Hub-Signature-256")
            )
            return web.Response(status=result.status, text=result.body, content_type=result.content_type)

        return serve
