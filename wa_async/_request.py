"""Requests as values: each knows its method, path, body, whether it is safe to retry, and how to decode its answer.

Every call the client makes is a [`Request`][wa_async.Request] handed to one dispatch
([`Client.execute`][wa_async.Client.execute]): the limiter, the transport, the decoding and the retry policy are the
same for a message, a media upload or a Maton control-plane call. A new endpoint is one small class:

```python
class GetBusinessProfile(wa.Request[dict]):
    def __init__(self, phone_number_id: str) -> None:
        super().__init__("GET", f"{phone_number_id}/whatsapp_business_profile")
```
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Generic, TypeVar

import aiohttp
import msgspec

from ._errors import ApiError, DeliveryUnknown, ValidationError, error_class
from ._retry import parse_retry_after, usage_wait
from ._transport import Multipart, Response

__all__ = [
    "ApiCall",
    "MarkMessageRead",
    "Request",
    "SendMessage",
    "SendMessageResult",
    "SendResult",
    "Success",
    "decode_error",
    "node_id",
]

T = TypeVar("T")
Body = bytes | Multipart | None


class Request(Generic[T]):
    """One API call. ``path`` is relative to ``{base_url}/{api_version}/``, or an absolute ``http(s)://`` URL.

    Subclasses set ``result`` (a msgspec type the answer decodes into) or override `decode()`.
    GET, HEAD and DELETE are idempotent: they are retried even when the outcome of a try is unknown.
    """

    __slots__ = ("body", "method", "params", "path", "recipient")

    result: ClassVar[Any] = dict

    def __init__(self, method: str, path: str, *, body: Body = None, params: Mapping[str, str] | None = None) -> None:
        self.method = method
        self.path = path
        self.body = body
        self.params = params
        self.recipient: str | None = None
        """The recipient a message goes to (its pair limit delays only it); None for other calls."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.method} {self.path}>"

    @property
    def idempotent(self) -> bool:
        """True when repeating the call cannot do anything twice."""
        return self.method in ("GET", "HEAD", "DELETE")

    def decode(self, response: Response) -> T:
        """The result of a successful (2xx) answer."""
        return decode_json(response, self.result, self)  # type: ignore[no-any-return]

    def error(self, response: Response) -> ApiError | DeliveryUnknown:
        """The exception for an error answer (status 300 or more)."""
        return decode_error(response.status, response.headers, response.body, request=self)


class ApiCall(Request[T]):
    """A call described in place: method, path and the type its answer decodes into.

    ```python
    info = await client.execute(wa.ApiCall("GET", "1234567890", dict))
    ```
    """

    __slots__ = ("_result",)

    def __init__(
        self,
        method: str,
        path: str,
        result: type[T],
        *,
        body: Body = None,
        params: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(method.upper(), path, body=body, params=params)
        self._result = result

    def decode(self, response: Response) -> T:
        """The answer as ``result`` (``bytes``: the raw body)."""
        if self._result is bytes:
            return response.body  # type: ignore[return-value]
        return decode_json(response, self._result, self)  # type: ignore[no-any-return]


class Success(msgspec.Struct):
    """Graph's ``{"success": true}`` answer."""

    success: bool = False


def decode_json(response: Response, result: Any, request: object) -> Any:
    """Decode a 2xx answer into ``result``; an answer that does not fit is an [`ApiError`][wa_async.ApiError]."""
    try:
        return msgspec.json.decode(response.body, type=result)
    except (msgspec.DecodeError, msgspec.ValidationError) as e:
        raise ApiError(
            f"unexpected answer: {e}: {response.body[:200]!r}", http_status=response.status, request=request
        ) from e


def node_id(value: object, field: str = "id") -> str:
    """A Graph node id for a path segment; ``ValidationError`` for an empty one or one that would change the path."""
    text = str(value).strip()
    if not text or any(c in text for c in "/?#%\\") or text in (".", ".."):
        raise ValidationError(field, f"{value!r} is not an id")
    return text


# -- sending a message ---------------------------------------------------------------------------------------------


class _Contact(msgspec.Struct):
    input: str | None = None
    wa_id: str | None = None
    user_id: str | None = None
    parent_user_id: str | None = None


class _MessageId(msgspec.Struct):
    id: str
    message_status: str | None = None


class _SendAnswer(msgspec.Struct):
    messages: list[_MessageId]
    contacts: list[_Contact] = []


class SendResult(msgspec.Struct, frozen=True):
    """Meta's answer to a send: it means *accepted*, not delivered.

    ``message_status`` is set for template pacing (``accepted``, ``held_for_quality_assessment``, ``paused``);
    ``wa_id`` (the phone) or ``user_id`` (the BSUID) say whom Meta resolved the recipient to.
    """

    wamid: str
    message_status: str | None = None
    input: str | None = None
    wa_id: str | None = None
    user_id: str | None = None
    parent_user_id: str | None = None


_send_decoder = msgspec.json.Decoder(_SendAnswer)


_PATHS: dict[tuple[str, str], str] = {}


class _WamidAnswer(msgspec.Struct):
    messages: list[_MessageId]


_wamid_decoder = msgspec.json.Decoder(_WamidAnswer)


class _Send(Request[T]):
    # The message itself is not kept: its encoded body says everything (and errors carry it), and a queue of
    # 100,000 messages would hold every struct and its strings a second time.
    __slots__ = ()

    def __init__(self, message: Any, phone_number_id: str) -> None:
        # The hot path of every send: the base initialiser's work, done in place, and one path string per
        # number and endpoint rather than one per message (a queue of 100,000 holds them all).
        self.method = "POST"
        endpoint = message.endpoint
        path = _PATHS.get((phone_number_id, endpoint))
        if path is None:
            path = _PATHS[(phone_number_id, endpoint)] = f"{phone_number_id}/{endpoint}"
        self.path = path
        self.body = message.to_json()
        self.params = None
        self.recipient = message.to

    def _unreadable(self, response: Response) -> DeliveryUnknown:
        return DeliveryUnknown(
            f"HTTP {response.status} with an unreadable answer: {response.body[:200]!r}", request=self
        )

    def _answer(self, response: Response) -> _SendAnswer:
        try:
            answer = _send_decoder.decode(response.body)
            answer.messages[0]  # an answer without a wamid is unreadable
        except (msgspec.DecodeError, msgspec.ValidationError, IndexError) as e:
            raise self._unreadable(response) from e
        return answer


class SendMessage(_Send[str]):
    """``POST /{phone_number_id}/messages`` (or ``/marketing_messages``): the result is the wamid."""

    __slots__ = ()

    def decode(self, response: Response) -> str:
        """The wamid; an unreadable 2xx answer is [`DeliveryUnknown`][wa_async.DeliveryUnknown]."""
        try:
            return _wamid_decoder.decode(response.body).messages[0].id
        except (msgspec.DecodeError, msgspec.ValidationError, IndexError) as e:
            raise self._unreadable(response) from e


class SendMessageResult(_Send[SendResult]):
    """As [`SendMessage`][wa_async.SendMessage], with Meta's whole answer as a [`SendResult`][wa_async.SendResult]."""

    __slots__ = ()

    def decode(self, response: Response) -> SendResult:
        """The answer in full."""
        answer = self._answer(response)
        first = answer.messages[0]
        contact = answer.contacts[0] if answer.contacts else _Contact()
        return SendResult(
            wamid=first.id,
            message_status=first.message_status,
            input=contact.input,
            wa_id=contact.wa_id,
            user_id=contact.user_id,
            parent_user_id=contact.parent_user_id,
        )


class MarkMessageRead(Request[bool]):
    """``POST /{phone_number_id}/messages`` with a read receipt (and optionally a typing indicator)."""

    __slots__ = ()

    def __init__(self, receipt: Any, phone_number_id: str) -> None:
        super().__init__("POST", f"{phone_number_id}/messages", body=receipt.to_json())

    def decode(self, response: Response) -> bool:
        """True when Meta confirms."""
        return bool(decode_json(response, Success, self).success)


# -- error answers -------------------------------------------------------------------------------------------------


class _GraphError(msgspec.Struct):
    message: str = ""
    type: str | None = None
    code: int | None = None
    error_subcode: int | None = None
    error_data: dict[str, Any] | None = None
    fbtrace_id: str | None = None
    is_transient: bool | None = None
    error_user_msg: str | None = None


class _GraphErrorBody(msgspec.Struct):
    error: _GraphError


_error_decoder = msgspec.json.Decoder(_GraphErrorBody)

# Without a Graph body these statuses leave the outcome unknown: a proxy or load balancer failed after the
# request may already have been handed on.
_AMBIGUOUS_STATUSES = frozenset({500, 502, 504})


def decode_error(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    request: object = None,
    graph_codes: bool = True,
) -> ApiError | DeliveryUnknown:
    """The exception for a non-2xx answer: the [`ApiError`][wa_async.ApiError] subclass its Graph code names, or
    [`DeliveryUnknown`][wa_async.DeliveryUnknown] for a body-less 500/502/504.

    With ``graph_codes=False`` (Maton's control plane, whose codes are HTTP statuses) the status picks the class.
    """
    retry_after = parse_retry_after(headers.get("Retry-After"))
    usage = usage_wait(headers)
    if usage is not None:
        retry_after = max(retry_after or 0.0, usage)
    try:
        err = _error_decoder.decode(body).error
    except (msgspec.DecodeError, msgspec.ValidationError):
        if status in _AMBIGUOUS_STATUSES:
            return DeliveryUnknown(
                f"HTTP {status} with no Graph error body: the request may have been delivered", request=request
            )
        text = body[:200].decode("utf-8", "replace").strip() or aiohttp.http.RESPONSES.get(status, ("",))[0]
        cls = error_class(None, status)
        return cls(text or f"HTTP {status}", http_status=status, retry_after=retry_after, request=request)
    details = None
    if err.error_data is not None:
        raw = err.error_data.get("details")
        details = raw if isinstance(raw, str) else None
    cls = error_class(err.code if graph_codes else None, status, err.error_subcode)
    return cls(
        err.message or err.error_user_msg or f"HTTP {status}",
        http_status=status,
        code=err.code,
        subcode=err.error_subcode,
        type=err.type,
        details=details,
        fbtrace_id=err.fbtrace_id,
        is_transient=err.is_transient,
        retry_after=retry_after,
        request=request,
    )
