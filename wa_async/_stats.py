"""What the pipeline counts (`Counters`, read as a `ClientStats` snapshot) and who may watch it (`Observer`).

Counting is on the hot path, so it is plain attribute arithmetic: no locks (one event loop), no allocation
beyond Python's own numbers, latency in a fixed histogram of 146 buckets an eighth of an octave wide (about 9%
apart, 0.5 ms to 2 minutes) whose percentiles are read only when a snapshot is taken.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING, Any, Protocol

import msgspec

if TYPE_CHECKING:
    from ._pipeline import Tries
    from ._request import Request

__all__ = ["BOUNDS", "ClientStats", "Counters", "LatencySummary", "Observer"]

BOUNDS: tuple[float, ...] = tuple(0.0005 * 2 ** (i / 8) for i in range(145))
"""Upper bounds of the latency buckets, in seconds (the last bucket holds everything slower)."""


class LatencySummary(msgspec.Struct, frozen=True):
    """Request latency: the time from handing a request to the transport to its answer, per try.

    Percentiles are read from a histogram whose buckets are about 9% wide (each is the bucket's upper bound,
    never above `max`); `mean` and `max` are exact. All in seconds; 0.0 when nothing was measured.
    """

    count: int = 0
    mean: float = 0.0
    p50: float = 0.0
    p90: float = 0.0
    p99: float = 0.0
    max: float = 0.0


class ClientStats(msgspec.Struct, frozen=True):
    """A snapshot of what a client did since it was made (`client.stats()`).

    Every request counts, messages and other calls (media, templates...) alike; each one that ends ends as
    exactly one of `sent`, `failed` or `unknown`. Requests failed with `ClientClosed` by `close(cancel=True)`
    before their first try are not counted.

    Attributes:
        queued: requests waiting in the outbound queue.
        in_flight: requests a worker holds: on the wire, waiting for the limiter, or waiting to retry.
        sent: requests that succeeded (a message: Meta accepted it and gave its wamid).
        failed: requests that ended with an error: Meta's answer, or a failure before the request left.
        unknown: requests that ended without knowing whether Meta got them (`DeliveryUnknown`).
        retried: tries repeated after a failure.
        rate_limited: answers that said to slow down (HTTP 429 or a rate-limit code: `RateLimited`).
        limiter_wait: seconds requests spent waiting for the rate limiter, added up.
        latency: the time Meta took to answer each try.
    """

    queued: int = 0
    in_flight: int = 0
    sent: int = 0
    failed: int = 0
    unknown: int = 0
    retried: int = 0
    rate_limited: int = 0
    limiter_wait: float = 0.0
    latency: LatencySummary = msgspec.field(default_factory=LatencySummary)

    def __str__(self) -> str:
        lat = self.latency
        return (
            f"sent {self.sent}, failed {self.failed}, unknown {self.unknown}; retried {self.retried}, "
            f"rate-limited {self.rate_limited}; limiter wait {self.limiter_wait:.1f} s; latency p50 "
            f"{lat.p50 * 1000:.0f} ms, p99 {lat.p99 * 1000:.0f} ms, max {lat.max * 1000:.0f} ms"
        )


class Counters:
    """The live counts of one pipeline; `snapshot()` reads them into a `ClientStats`.

    The pipeline updates the fields in place (`buckets[bisect_right(BOUNDS, seconds)] += 1` and the latency's
    total and maximum per answered try): a method call per request would cost more than the counting.
    """

    __slots__ = (
        "buckets",
        "failed",
        "latency_max",
        "latency_total",
        "limiter_wait",
        "rate_limited",
        "retried",
        "sent",
        "unknown",
    )

    def __init__(self) -> None:
        self.sent = 0
        self.failed = 0
        self.unknown = 0
        self.retried = 0
        self.rate_limited = 0
        self.limiter_wait = 0.0
        self.buckets = [0] * (len(BOUNDS) + 1)
        self.latency_total = 0.0
        self.latency_max = 0.0

    def __repr__(self) -> str:
        return f"<Counters {self.snapshot()}>"

    def add_latency(self, seconds: float) -> None:
        """Count one answered try that took `seconds` (what the pipeline does inline)."""
        self.buckets[bisect_right(BOUNDS, seconds)] += 1
        self.latency_total += seconds
        if seconds > self.latency_max:
            self.latency_max = seconds

    def percentile(self, q: float, count: int | None = None) -> float:
        """The `q` (0 to 1) percentile: the upper bound of the bucket that holds it, at most the maximum."""
        count = sum(self.buckets) if count is None else count
        if not count:
            return 0.0
        rank = q * count
        seen = 0
        for i, n in enumerate(self.buckets):
            seen += n
            if n and seen >= rank:
                return min(BOUNDS[i], self.latency_max) if i < len(BOUNDS) else self.latency_max
        return self.latency_max

    def latency(self) -> LatencySummary:
        """The latency histogram's summary."""
        count = sum(self.buckets)
        if not count:
            return LatencySummary()
        return LatencySummary(
            count=count,
            mean=self.latency_total / count,
            p50=self.percentile(0.5, count),
            p90=self.percentile(0.9, count),
            p99=self.percentile(0.99, count),
            max=self.latency_max,
        )

    def snapshot(self, *, queued: int = 0, in_flight: int = 0) -> ClientStats:
        """The counts now, with the queue's own two."""
        return ClientStats(
            queued=queued,
            in_flight=in_flight,
            sent=self.sent,
            failed=self.failed,
            unknown=self.unknown,
            retried=self.retried,
            rate_limited=self.rate_limited,
            limiter_wait=self.limiter_wait,
            latency=self.latency(),
        )


class Observer(Protocol):
    """Watches each request through the pipeline (OpenTelemetry does, see `wa_async.otel`).

    The pipeline calls it only when one is installed; every call happens in the event loop, on the hot path, so
    it must be quick and must not raise. `tries.observed` is the observer's own per-request state.
    """

    def started(self, request: Request[Any], tries: Tries) -> None:
        """The limiter let the request's first try go (after `tries.waited` seconds)."""

    def answered(self, request: Request[Any], tries: Tries | None, seconds: float, status: int) -> None:
        """A try got an HTTP answer with `status` after `seconds`."""

    def retrying(self, request: Request[Any], tries: Tries, error: BaseException, delay: float) -> None:
        """A try failed with `error`; the next one goes in `delay` seconds."""

    def succeeded(self, request: Request[Any], tries: Tries | None, result: object) -> None:
        """The request succeeded with `result`."""

    def failed(self, request: Request[Any], tries: Tries | None, error: BaseException) -> None:
        """The request ended with `error` (no more tries)."""
