"""When to retry, and how long to wait: [`RetryPolicy`][wa_async.RetryPolicy] and its
[`RetryDecision`][wa_async.RetryDecision].

A request that Meta answered with an error was not accepted, so retrying it cannot send a message twice; only
throttling and transient server errors are worth it (docs/limits.md). A request that may have reached Meta without
a usable answer ([`DeliveryUnknown`][wa_async.DeliveryUnknown]) is never retried unless asked: WhatsApp has no
idempotency key.
"""

from __future__ import annotations

import email.utils
import random as _random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import msgspec

from ._errors import ApiError, DeliveryUnknown, RetryScope, TransportError

__all__ = ["RetryDecision", "RetryPolicy", "parse_retry_after", "usage_wait"]


@dataclass(frozen=True, slots=True)
class RetryDecision:
    """Retry after ``delay`` seconds; ``scope`` says what waits (``account``: pause the whole limiter,
    ``recipient``: only this recipient, ``request``: only this request)."""

    delay: float
    scope: RetryScope


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Capped exponential backoff with full jitter, for what retrying can fix.

    ``attempts`` counts every try, the first included; ``deadline`` bounds the time from the first try to the
    start of the last. ``Retry-After`` and the usage header's ``estimated_time_to_regain_access`` are honoured,
    clamped to ``max_retry_after``; an account-wide limit pauses at least ``min_account_pause``. The pair limit
    (131056) waits ``4**X`` seconds, X counting that message's pair-limit failures from 0 (docs/limits.md).
    ``random`` is injectable so schedules are exact in tests.

    Attributes:
        attempts: Tries in all, the first included (at least 1).
        base: The backoff before the first retry, doubled for each later one.
        cap: The longest backoff, in seconds.
        deadline: No retry starts later than this many seconds after the first try.
        retry_unknown: Resend a request that may have reached Meta (a ``DeliveryUnknown``): it may then be
            delivered twice. GET and DELETE are always retried.
        max_retry_after: The longest wait a ``Retry-After`` or usage header may ask for.
        min_account_pause: The shortest pause of every request after an account-wide limit without a hint.
        random: A ``() -> float`` in [0, 1) for the jitter.

    Example:
        ```python
        policy = RetryPolicy(attempts=3, base=0.5, random=lambda: 1.0)
        policy.backoff(0), policy.backoff(1)    # (0.5, 1.0)
        ```
    """

    attempts: int = 5
    base: float = 0.5
    cap: float = 30.0
    deadline: float = 120.0
    retry_unknown: bool = False
    max_retry_after: float = 300.0
    min_account_pause: float = 1.0
    random: Callable[[], float] = field(default=_random.random, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError(f"attempts must be >= 1, got {self.attempts}")
        if self.base < 0 or self.cap < 0 or self.deadline < 0:
            raise ValueError("base, cap and deadline must be >= 0")

    def backoff(self, retry: int) -> float:
        """Full jitter: ``uniform(0, min(cap, base * 2**retry))`` for the ``retry``-th retry (from 0)."""
        jitter: float = self.random()
        return jitter * min(self.cap, self.base * (2.0**retry))

    def decide(
        self,
        error: BaseException,
        *,
        attempt: int,
        elapsed: float,
        pair_failures: int = 0,
        idempotent: bool = False,
    ) -> RetryDecision | None:
        """What to do after try number ``attempt`` (from 1) failed with ``error``; None means give up.

        ``elapsed`` is the time since the first try; ``pair_failures`` how many earlier tries of this message
        hit the pair limit; ``idempotent`` requests (GET, DELETE) may be retried after an unknown outcome.
        """
        if attempt >= self.attempts:
            return None
        scope: RetryScope
        hinted = 0.0
        if isinstance(error, ApiError):
            scope = error.retry_scope
            if scope == "never":
                return None
            hinted = min(error.retry_after or 0.0, self.max_retry_after)
        elif isinstance(error, DeliveryUnknown):
            if not (self.retry_unknown or idempotent):
                return None
            scope = "request"
        elif isinstance(error, TransportError):
            scope = "request"
        else:
            return None
        if scope == "recipient":
            delay = max(float(4**pair_failures), hinted)
        elif scope == "account":
            # Throughput limits are counted over a sliding second: a shorter pause meets the same full window.
            delay = max(self.backoff(attempt - 1), hinted, self.min_account_pause)
        else:
            delay = max(self.backoff(attempt - 1), hinted)
        if elapsed + delay > self.deadline:
            return None
        return RetryDecision(delay, scope)


def parse_retry_after(value: str | None, *, now: Callable[[], float] = time.time) -> float | None:
    """Seconds from a ``Retry-After`` header: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now())


class _Usage(msgspec.Struct):
    estimated_time_to_regain_access: float = 0.0


_usage_decoder = msgspec.json.Decoder(dict[str, list[_Usage]])


def usage_wait(headers: Mapping[str, str]) -> float | None:
    """Seconds until access is regained, from ``X-Business-Use-Case-Usage`` (docs/limits.md).

    Graph gives ``estimated_time_to_regain_access`` in minutes; the largest across the entries counts.
    """
    raw = headers.get("X-Business-Use-Case-Usage") or headers.get("x-business-use-case-usage")
    if not raw:
        return None
    try:
        usage = _usage_decoder.decode(raw)
    except msgspec.DecodeError:
        return None
    minutes = max((u.estimated_time_to_regain_access for entries in usage.values() for u in entries), default=0)
    return minutes * 60.0 if minutes > 0 else None
