"""The exception hierarchy and the one table that maps Graph error codes to classes.

```text
WhatsAppError
    ├── ValidationError            bad input, caught locally; nothing was sent
    ├── QueueFull
    ├── ClientClosed
    ├── WindowClosed               free-form message outside the 24-hour customer-service window
    ├── WebhookError               a body that is not a webhook
    ├── TransportError             no HTTP response; the request provably never left: safe to retry
    │   └── DeliveryUnknown        no usable response after the request was sent: it may have been delivered
    └── ApiError                   Meta (or the gateway) answered with an error
        ├── AuthError
        ├── RateLimited
        ├── TemplateError
        ├── RecipientError
        ├── MediaError
        ├── NotFound
        └── ServerError
```

Meta says to build error handling "around error codes instead of subcodes or HTTP response status codes"
(docs/limits.md), so `error_class` keys on ``code`` and falls back to the HTTP status only when no Graph
error body came back.
"""

from __future__ import annotations

from typing import Literal

__all__ = [
    "ApiError",
    "AuthError",
    "ClientClosed",
    "DeliveryUnknown",
    "MediaError",
    "NotFound",
    "QueueFull",
    "RateLimited",
    "RecipientError",
    "RetryScope",
    "ServerError",
    "TemplateError",
    "TransportError",
    "ValidationError",
    "WebhookError",
    "WhatsAppError",
    "WindowClosed",
    "describe_code",
    "error_class",
    "retry_scope",
    "status_error",
]


class WhatsAppError(Exception):
    """Base class of every error wa_async raises."""


class ValidationError(WhatsAppError, ValueError):
    """Bad input caught locally, before anything was queued or sent.

    ``field`` names the offending field (dotted for nested ones, e.g. ``buttons[1].title``),
    ``limit`` the documented limit when there is one.
    """

    def __init__(self, field: str, message: str, *, limit: object = None) -> None:
        self.field = field
        self.limit = limit
        super().__init__(f"{field}: {message}")


class QueueFull(WhatsAppError):
    """The outbound queue is full and the caller asked not to wait."""


class ClientClosed(WhatsAppError):
    """The client is closed, or was closed with ``cancel=True`` before this message went on the wire."""


class WindowClosed(WhatsAppError):
    """A free-form message to a contact whose 24-hour customer-service window is closed (Meta code 131047)."""

    def __init__(self, to: str) -> None:
        self.to = to
        super().__init__(f"the 24-hour customer-service window with {to} is closed: only template messages may be sent")


class WebhookError(WhatsAppError, ValueError):
    """A request body that is not a WhatsApp webhook."""


class TransportError(WhatsAppError):
    """No HTTP response came back, and the request provably never left (the connection was never made).

    Safe to retry: Meta cannot have seen the request. ``request`` is the request that failed.
    """

    def __init__(self, message: str, *, request: object = None) -> None:
        self.request = request
        super().__init__(message)


class DeliveryUnknown(TransportError):
    """No usable response came back after the request was sent (read timeout, dropped connection,
    body-less 500/502/504).

    The message may have been delivered. WhatsApp has no idempotency key, so it is never retried unless
    ``RetryPolicy(retry_unknown=True)``.
    """


class ApiError(WhatsAppError):
    """Meta or the gateway answered with an error.

    Attributes mirror Graph's error JSON (docs/limits.md): ``code``, ``subcode``, ``message``, ``type``,
    ``details`` (``error_data.details``), ``fbtrace_id``, ``is_transient``; plus ``http_status``,
    ``retry_after`` (seconds, from ``Retry-After`` or the usage header) and ``request`` (what was sent).
    """

    def __init__(
        self,
        message: str,
        *,
        http_status: int,
        code: int | None = None,
        subcode: int | None = None,
        type: str | None = None,
        details: str | None = None,
        fbtrace_id: str | None = None,
        is_transient: bool | None = None,
        retry_after: float | None = None,
        request: object = None,
    ) -> None:
        self.message = message
        self.http_status = http_status
        self.code = code
        self.subcode = subcode
        self.type = type
        self.details = details
        self.fbtrace_id = fbtrace_id
        self.is_transient = is_transient
        self.retry_after = retry_after
        self.request = request
        super().__init__(message)

    def __str__(self) -> str:
        parts = [f"HTTP {self.http_status}"]
        if self.code is not None:
            parts.append(f"code {self.code}")
        text = f"({', '.join(parts)}) {self.message}"
        if self.details and self.details not in self.message:
            text += f": {self.details}"
        if self.fbtrace_id:
            text += f" [fbtrace_id {self.fbtrace_id}]"
        return text

    @property
    def retry_scope(self) -> RetryScope:
        """Whether retrying can help, and what must wait: ``never``, ``request``, ``account`` or ``recipient``."""
        return retry_scope(self.code, self.http_status, self.is_transient)


class AuthError(ApiError):
    """The token is missing, invalid, expired or lacks a permission (0, 190, 10, 200-299, 131005, 401)."""


class RateLimited(ApiError):
    """A rate limit was hit: account-wide (4, 17, 80007, 130429, ...) or per recipient (131056)."""


class TemplateError(ApiError):
    """The template does not exist, is not approved, is paused, or its parameters do not match (132xxx)."""


class RecipientError(ApiError):
    """The recipient cannot get this message (131026, 131030, 131047, 131049, 131050, 130403, ...)."""


class MediaError(ApiError):
    """Media could not be sent, fetched or uploaded (131051 to 131053)."""


class NotFound(ApiError):
    """The object does not exist (HTTP 404, or Graph code 100 with subcode 33)."""


class ServerError(ApiError):
    """A transient fault on Meta's side (2, 131000, 131016, 131057, 133004, 2494100, 5xx with a Graph body)."""


RetryScope = Literal["never", "request", "account", "recipient"]
"""``never``: retrying cannot fix it. ``request``: retry this request after a backoff.
``account``: an account-wide limit; pause every request. ``recipient``: the pair limit; delay only this recipient."""


# One table: code -> (class, retry scope, short meaning). Retry guidance is derived from Meta's
# "possible solutions" text on its error-codes page (docs/limits.md, "Errors").
_CODES: dict[int, tuple[type[ApiError], RetryScope, str]] = {
    0: (AuthError, "never", "could not authenticate the app user"),
    1: (ServerError, "never", "invalid request or possible server error"),
    2: (ServerError, "request", "temporary downtime or overload"),
    3: (AuthError, "never", "capability or permission issue"),
    4: (RateLimited, "account", "app reached its API call rate limit"),
    10: (AuthError, "never", "permission denied"),
    17: (RateLimited, "account", "user request limit reached"),
    32: (RateLimited, "account", "page request limit reached"),
    33: (RecipientError, "never", "the business phone number has been deleted"),
    100: (ApiError, "never", "invalid parameter"),
    190: (AuthError, "never", "access token has expired or is invalid"),
    200: (AuthError, "never", "permission not granted or removed"),
    368: (AuthError, "never", "temporarily blocked for policy violations"),
    803: (NotFound, "never", "the object does not exist"),
    613: (RateLimited, "account", "calls to this API exceed its rate limit"),
    80007: (RateLimited, "account", "the WhatsApp Business Account reached its rate limit"),
    130403: (RecipientError, "never", "the business has blocked this user"),
    130429: (RateLimited, "account", "Cloud API message throughput reached"),
    130472: (RecipientError, "never", "not sent as part of a marketing experiment"),
    130497: (RecipientError, "never", "business restricted from messaging users in this country"),
    131000: (ServerError, "request", "something went wrong"),
    131005: (AuthError, "never", "access denied"),
    131008: (ApiError, "never", "required parameter is missing"),
    131009: (ApiError, "never", "parameter value is not valid"),
    131016: (ServerError, "request", "a service is temporarily unavailable"),
    131020: (ApiError, "never", "a group needs more than one member"),
    131021: (RecipientError, "never", "recipient cannot be sender"),
    131026: (RecipientError, "never", "message undeliverable"),
    131030: (RecipientError, "never", "recipient phone number not in allowed list"),
    131031: (AuthError, "never", "business account locked"),
    131037: (ApiError, "never", "display name not approved"),
    131041: (NotFound, "never", "the group does not exist"),
    131042: (ApiError, "never", "business eligibility: payment issue"),
    131045: (ApiError, "never", "phone number registration error"),
    131047: (RecipientError, "never", "more than 24 hours since the recipient last replied: send a template"),
    131048: (RateLimited, "never", "spam rate limit hit: the number is restricted"),
    # docs/limits.md: 131049 "Doing so will only result in another error" (wait at least 24 h); 131050 "Do not retry".
    131049: (RecipientError, "never", "not delivered to maintain healthy ecosystem engagement"),
    131050: (RecipientError, "never", "user stopped marketing messages"),
    131051: (MediaError, "never", "unsupported message type"),
    131052: (MediaError, "never", "media download error"),
    131053: (MediaError, "never", "media upload error"),
    131055: (ApiError, "never", "method not allowed"),
    131056: (RateLimited, "recipient", "pair rate limit: too many messages to this recipient"),
    131057: (ServerError, "request", "account in maintenance mode"),
    131059: (ApiError, "never", "the paging cursor is no longer valid: list again without it"),
    # docs/limits.md: send it through the Marketing Messages API (Template(..., marketing=True)) instead.
    131063: (TemplateError, "never", "marketing templates disabled for Cloud API"),
    131064: (RateLimited, "never", "messaging limit reached after template classification violations"),
    131201: (ApiError, "never", "some participants could not be added or removed"),
    131202: (ApiError, "never", "already a participant"),
    131203: (RecipientError, "never", "this user cannot be added to a group"),
    131204: (ApiError, "never", "too many participants"),
    131207: (AuthError, "never", "the group is suspended"),
    131208: (RateLimited, "request", "too many requests for this group"),
    131209: (MediaError, "never", "the group picture must be square"),
    131210: (MediaError, "never", "the group picture is too small"),
    131211: (RateLimited, "never", "the number reached its group-creation limit"),
    131212: (RecipientError, "never", "not a participant of the group"),
    131213: (NotFound, "never", "no such join request"),
    131214: (AuthError, "never", "group creation is disabled for this number"),
    131215: (AuthError, "never", "this number is not eligible for groups"),
    133004: (ServerError, "request", "server temporarily unavailable"),
    133005: (AuthError, "never", "the two-step verification PIN does not match"),
    133010: (ApiError, "never", "phone number not registered"),
    133016: (RateLimited, "never", "too many register/deregister requests: blocked for 72 hours"),
    # The Marketing Messages API (docs/limits.md). 134101 clears by itself in about 10 minutes: a broadcast stops
    # on it (rows left pending for the next run) rather than retrying within seconds or failing every row for good.
    134100: (TemplateError, "never", "the Marketing Messages API sends marketing templates only"),
    134101: (TemplateError, "never", "template still syncing with the Marketing Messages API: wait about 10 minutes"),
    134102: (TemplateError, "never", "template unavailable on the Marketing Messages API: check the account's "
                                     "onboarding (marketing_messages_lite_api_status)"),
    138000: (AuthError, "never", "calling is not enabled for this number"),
    138003: (RecipientError, "never", "a call with this user is already ongoing"),
    138006: (RecipientError, "never", "no approved call permission from this user"),
    138012: (RateLimited, "never", "the number reached its business-initiated calls limit"),
    139100: (ApiError, "never", "some users could not be blocked or unblocked"),
    139101: (ApiError, "never", "the block list is full (64,000 users)"),
    139102: (ApiError, "never", "the block list changed while it was being listed: list it again"),
    139103: (ServerError, "request", "internal error while blocking or unblocking"),
    147001: (ApiError, "never", "the username is not available"),
    147002: (AuthError, "never", "the account is not eligible for a username"),
    147003: (ApiError, "never", "no Facebook Page is linked"),
    147004: (ApiError, "never", "no Instagram account is linked"),
    147005: (ApiError, "never", "the username is used by another number: send again with force_transfer"),
    2494100: (ServerError, "request", "account in maintenance mode"),
}


def _lookup(code: int | None) -> tuple[type[ApiError], RetryScope, str] | None:
    if code is None:
        return None
    if code in _CODES:
        return _CODES[code]
    if 200 <= code <= 299:
        return (AuthError, "never", "API permission not granted or removed")
    if 132000 <= code <= 132999:
        return (TemplateError, "never", "template error")
    return None


def error_class(code: int | None, http_status: int, subcode: int | None = None) -> type[ApiError]:
    """The exception class for a Graph error ``code``; the HTTP status decides only when there is no code."""
    if code == 100 and subcode == 33:
        return NotFound
    found = _lookup(code)
    if found is not None:
        return found[0]
    if code is None or http_status >= 500:
        if http_status in (401, 403):
            return AuthError
        if http_status == 404:
            return NotFound
        if http_status == 429:
            return RateLimited
        if http_status >= 500:
            return ServerError
    return ApiError


def retry_scope(code: int | None, http_status: int, is_transient: bool | None = None) -> RetryScope:
    """Whether an error answer is worth retrying, and what waits (a ``RetryScope``).

    The request was answered, so Meta did not accept the message: retrying cannot send it twice.
    """
    found = _lookup(code)
    if found is not None:
        scope = found[1]
        if scope == "never" and is_transient:
            return "request"
        return scope
    if is_transient:
        return "request"
    if code is None:
        # No Graph body: only the statuses that say "not processed, come back later" are retried.
        if http_status == 429:
            return "account"
        if http_status == 503:
            return "request"
        return "never"
    return "request" if http_status >= 500 else "never"


def status_error(status: object) -> ApiError:
    """The error a ``failed`` status webhook stands for, typed by its code through the one code table.

    ``status`` is a [`Status`][wa_async.webhooks.Status] (anything with ``id`` and ``errors``, each error with
    ``code``, ``title``, ``message``, ``details``). The send itself was answered 200; the failure came later.
    """
    errors = getattr(status, "errors", None) or ()
    first = errors[0] if errors else None
    code = getattr(first, "code", None)
    message = getattr(first, "title", None) or getattr(first, "message", None) or getattr(first, "details", None)
    return error_class(code, 200)(
        message or f"message {getattr(status, 'id', '?')} failed (status webhook)",
        http_status=200,
        code=code,
        details=getattr(first, "details", None),
        request=status,
    )


def describe_code(code: int | None) -> str | None:
    """A short meaning of a Graph error code, for one-line error messages."""
    found = _lookup(code)
    return found[2] if found is not None else None
