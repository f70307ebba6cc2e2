"""RetryPolicy: the decision table and exact backoff schedules (random injected)."""

import pytest

from wa_async._errors import (
    ApiError,
    AuthError,
    DeliveryUnknown,
    RateLimited,
    RecipientError,
    ServerError,
    TransportError,
)
from wa_async._retry import RetryPolicy, parse_retry_after, usage_wait


def api(cls: type[ApiError], code: int | None, status: int = 400, retry_after: float | None = None) -> ApiError:
    return cls("x", http_status=status, code=code, retry_after=retry_after)


def test_backoff_is_capped_exponential_full_jitter() -> None:
    p = RetryPolicy(base=0.5, cap=4.0, random=lambda: 1.0)
    assert [p.backoff(n) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    half = RetryPolicy(base=0.5, cap=4.0, random=lambda: 0.5)
    assert [half.backoff(n) for n in range(3)] == [0.25, 0.5, 1.0]


def test_schedule_until_attempts_exhausted() -> None:
    p = RetryPolicy(attempts=4, base=1.0, cap=100, deadline=1000, random=lambda: 1.0)
    err = api(ServerError, 131000, 500)
    delays = []
    for attempt in range(1, 10):
        d = p.decide(err, attempt=attempt, elapsed=0)
        if d is None:
            break
        delays.append(d.delay)
        assert d.scope == "request"
    assert delays == [1.0, 2.0, 4.0]


def test_deadline_stops_retries() -> None:
    p = RetryPolicy(base=10, cap=10, deadline=15, random=lambda: 1.0)
    err = api(ServerError, 2, 503)
    assert p.decide(err, attempt=1, elapsed=0) is not None
    assert p.decide(err, attempt=2, elapsed=6) is None


@pytest.mark.parametrize(
    "error",
    [
        api(AuthError, 190, 401),
        api(RecipientError, 131026),
        api(RecipientError, 131047),
        api(ApiError, 100),
        api(ApiError, 131009),
        DeliveryUnknown("dropped"),
    ],
)
def test_never_retried(error: Exception) -> None:
    assert RetryPolicy().decide(error, attempt=1, elapsed=0) is None


def test_delivery_unknown_only_when_asked_or_idempotent() -> None:
    err = DeliveryUnknown("timeout")
    assert RetryPolicy(retry_unknown=True).decide(err, attempt=1, elapsed=0) is not None
    assert RetryPolicy().decide(err, attempt=1, elapsed=0, idempotent=True) is not None


def test_connect_failure_is_retried() -> None:
    d = RetryPolicy(random=lambda: 1.0).decide(TransportError("refused"), attempt=1, elapsed=0)
    assert d is not None and d.scope == "request" and d.delay == 0.5


def test_account_limit_honours_retry_after_clamped() -> None:
    p = RetryPolicy(random=lambda: 0.0, max_retry_after=60, deadline=1000)
    d = p.decide(api(RateLimited, 130429, retry_after=7), attempt=1, elapsed=0)
    assert d is not None and d.scope == "account" and d.delay == 7
    d = p.decide(api(RateLimited, 4, 429, retry_after=3600), attempt=1, elapsed=0)
    assert d is not None and d.delay == 60


def test_pair_limit_waits_four_to_the_x() -> None:
    p = RetryPolicy(attempts=10, deadline=1000, random=lambda: 0.0)
    err = api(RateLimited, 131056)
    delays = []
    for x in range(4):
        d = p.decide(err, attempt=x + 1, elapsed=0, pair_failures=x)
        assert d is not None and d.scope == "recipient"
        delays.append(d.delay)
    assert delays == [1, 4, 16, 64]


def test_parse_retry_after() -> None:
    assert parse_retry_after("5") == 5.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=lambda: 1445412480.0) == 10.0


def test_usage_wait_reads_minutes() -> None:
    header = '{"1":[{"type":"whatsapp","call_count":100,"estimated_time_to_regain_access":3}]}'
    assert usage_wait({"X-Business-Use-Case-Usage": header}) == 180.0
    assert usage_wait({"X-Business-Use-Case-Usage": "not json"}) is None
    zero = '{"1":[{"estimated_time_to_regain_access":0}]}'
    assert usage_wait({"X-Business-Use-Case-Usage": zero}) is None


def test_account_limit_without_a_hint_pauses_at_least_a_window() -> None:
    p = RetryPolicy(random=lambda: 0.0)
    d = p.decide(api(RateLimited, 130429), attempt=1, elapsed=0)
    assert d is not None and d.scope == "account" and d.delay == 1.0
    d = RetryPolicy(random=lambda: 0.0, min_account_pause=0.0).decide(api(RateLimited, 4, 429), attempt=1, elapsed=0)
    assert d is not None and d.delay == 0.0
