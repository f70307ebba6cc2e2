"""OpenTelemetry for wa_async: a span per request and the client's counts as metrics (`pip install 'wa-async[otel]'`).

```python
import wa_async as wa
import wa_async.otel

client = wa.Client.from_env()
wa_async.otel.instrument(client)   # the global tracer and meter providers, or pass your own
```

`instrument` installs a `Telemetry` as the client's pipeline observer. The pipeline calls it only when one is
installed, so a client that is not instrumented pays nothing and this module (and OpenTelemetry) is never
imported. While no tracer provider that records is set (the API alone, or `NoOpTracerProvider`), no span is
started at all: that is checked at most once a second, so a global provider set later takes effect within a
second. Metrics always go to the meter provider (a no-op one costs well under a microsecond per request).

Spans (kind CLIENT): `whatsapp.send` for a message, `whatsapp.<RequestClass>` (`whatsapp.MarkMessageRead`,
`whatsapp.UploadMedia`...) for any other call. A span starts when the request asks the limiter for its first
try and ends with its outcome. Attributes: `whatsapp.phone_number_id`, `http.request.method`,
`whatsapp.message.type`; at the end `whatsapp.message.id` (the wamid), `whatsapp.retries`,
`whatsapp.limiter.wait` (seconds), `http.response.status_code`, and on failure `error.type`,
`whatsapp.error.code`, `whatsapp.error.subcode`, `whatsapp.error.fbtrace_id`, with an error status and the
exception recorded. Each retry is an event `whatsapp.retry` with its delay. Requests a worker sends have no
parent span (they leave from the client's own tasks); requests awaited in place (`client.execute`, resources)
are children of the caller's current span.

Metrics, per `whatsapp.phone_number_id`: the counters of `client.stats()` as observable counters
(`whatsapp.requests.sent`, `.failed`, `.unknown`, `.retried`, `whatsapp.rate_limited`,
`whatsapp.limiter.wait_time` in seconds), the queue as gauges (`whatsapp.queue.queued`,
`whatsapp.queue.in_flight`), and two histograms: `whatsapp.request.duration` (seconds per try, by
`whatsapp.request` and `http.response.status_code`) and `whatsapp.limiter.wait` (seconds per request).
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, cast

from opentelemetry import metrics, trace
from opentelemetry.metrics import CallbackOptions, Observation
from opentelemetry.trace import NoOpTracerProvider, ProxyTracerProvider, Span, SpanKind, StatusCode

from ._errors import ApiError
from ._pipeline import Tries
from ._request import Request, _Send

if TYPE_CHECKING:
    from opentelemetry.metrics import MeterProvider
    from opentelemetry.trace import TracerProvider

    from ._client import Client
    from ._stats import ClientStats

__all__ = ["Telemetry", "instrument"]

SCOPE = "wa_async"


class Telemetry:
    """Spans and metrics for the clients it instruments (one `Telemetry` may serve several).

    ```python
    telemetry = wa_async.otel.Telemetry(tracer_provider=tp, meter_provider=mp)
    telemetry.instrument(client)
    ```

    Args:
        tracer_provider: where spans go; the global one (`opentelemetry.trace.set_tracer_provider`) by default.
        meter_provider: where metrics go; the global one by default.
    """

    __slots__ = ("_clients", "_duration", "_live", "_tracer", "_wait")

    def __init__(
        self, *, tracer_provider: TracerProvider | None = None, meter_provider: MeterProvider | None = None
    ) -> None:
        from . import __version__

        self._tracer = trace.get_tracer(SCOPE, __version__, tracer_provider)
        self._live: Callable[[], bool] = (
            _global_tracing if tracer_provider is None else lambda: not isinstance(tracer_provider, NoOpTracerProvider)
        )
        meter = metrics.get_meter(SCOPE, __version__, meter_provider)
        self._clients: weakref.WeakSet[Client] = weakref.WeakSet()
        self._duration = meter.create_histogram(
            "whatsapp.request.duration", unit="s", description="Time Meta took to answer one try"
        )
        self._wait = meter.create_histogram(
            "whatsapp.limiter.wait", unit="s", description="Time one request waited for the rate limiter"
        )
        counters = {
            "whatsapp.requests.sent": ("sent", "{request}", "Requests that succeeded"),
            "whatsapp.requests.failed": ("failed", "{request}", "Requests that ended with an error"),
            "whatsapp.requests.unknown": ("unknown", "{request}", "Requests that may or may not have arrived"),
            "whatsapp.requests.retried": ("retried", "{try}", "Tries repeated after a failure"),
            "whatsapp.rate_limited": ("rate_limited", "{answer}", "Answers that said to slow down"),
            "whatsapp.limiter.wait_time": ("limiter_wait", "s", "Time requests waited for the limiter, added up"),
        }
        for name, (field, unit, description) in counters.items():
            meter.create_observable_counter(name, [self._reader(field)], unit=unit, description=description)
        meter.create_observable_up_down_counter(
            "whatsapp.queue.queued", [self._reader("queued")], unit="{request}", description="Requests queued"
        )
        meter.create_observable_up_down_counter(
            "whatsapp.queue.in_flight", [self._reader("in_flight")], unit="{request}", description="Requests held"
        )

    def __repr__(self) -> str:
        return f"<Telemetry clients={len(self._clients)}>"

    def instrument(self, client: Client) -> None:
        """Record `client`'s requests from now on (replacing any other observer it had)."""
        client._pipeline.observer = _Observer(self, client.phone_number_id)
        self._clients.add(client)

    def uninstrument(self, client: Client) -> None:
        """Stop recording `client`."""
        if isinstance(client._pipeline.observer, _Observer):
            client._pipeline.observer = None
        self._clients.discard(client)

    def _reader(self, field: str) -> Any:
        def observe(options: CallbackOptions) -> Iterable[Observation]:
            for client in list(self._clients):
                stats: ClientStats = client.stats()
                yield Observation(getattr(stats, field), {"whatsapp.phone_number_id": client.phone_number_id})

        return observe


def instrument(
    client: Client, *, tracer_provider: TracerProvider | None = None, meter_provider: MeterProvider | None = None
) -> Telemetry:
    """Record `client`'s requests as spans and metrics; return the `Telemetry` doing it.

    Args:
        client: the client to instrument.
        tracer_provider: where spans go (default: the global provider).
        meter_provider: where metrics go (default: the global provider).
    """
    telemetry = Telemetry(tracer_provider=tracer_provider, meter_provider=meter_provider)
    telemetry.instrument(client)
    return telemetry


def _global_tracing() -> bool:
    """Whether a tracer provider that records was set globally (until then the API's proxy makes no-op spans)."""
    return not isinstance(trace.get_tracer_provider(), ProxyTracerProvider | NoOpTracerProvider)


class _Observer:
    """The pipeline's observer for one client (see `wa_async._stats.Observer`)."""

    __slots__ = ("_attrs", "_base", "_duration", "_live", "_names", "_recheck_at", "_tracer", "_tracing", "_wait")

    def __init__(self, telemetry: Telemetry, phone_number_id: str) -> None:
        self._tracer = telemetry._tracer
        self._live = telemetry._live
        self._duration = telemetry._duration
        self._wait = telemetry._wait
        self._base = {"whatsapp.phone_number_id": phone_number_id}
        # Made once per kind of request: recording allocates no dict per request.
        self._attrs: dict[tuple[type[Any], int], dict[str, Any]] = {}
        self._names: dict[tuple[type[Any], str | None], tuple[str, dict[str, Any]]] = {}
        self._tracing = False
        self._recheck_at = float("-inf")

    def _start(self, request: Request[Any], waited: float) -> Span:
        kind = _message_type(request.body) if isinstance(request, _Send) else None
        key = (type(request), kind)
        named = self._names.get(key)
        if named is None:
            attributes: dict[str, Any] = {**self._base, "http.request.method": request.method}
            if kind is not None:
                attributes["whatsapp.message.type"] = kind
            name = "whatsapp.send" if isinstance(request, _Send) else f"whatsapp.{type(request).__name__}"
            named = self._names[key] = (name, attributes)
        start = time.time_ns() - int(waited * 1e9) if waited else None
        return self._tracer.start_span(named[0], kind=SpanKind.CLIENT, attributes=named[1], start_time=start)

    def started(self, request: Request[Any], tries: Tries) -> None:
        if tries.first >= self._recheck_at:
            # Whether spans go anywhere, asked at most once a second: asking costs more than a no-op span.
            self._tracing = self._live()
            self._recheck_at = tries.first + 1.0
        if self._tracing:
            tries.observed = self._start(request, tries.waited)

    def answered(self, request: Request[Any], tries: Tries | None, seconds: float, status: int) -> None:
        key = (type(request), status)
        attrs = self._attrs.get(key)
        if attrs is None:
            kind = "send" if isinstance(request, _Send) else type(request).__name__
            attrs = self._attrs[key] = {**self._base, "whatsapp.request": kind, "http.response.status_code": status}
        self._duration.record(seconds, attrs)
        if tries is not None and tries.observed is not None:
            cast(Span, tries.observed).set_attribute("http.response.status_code", status)

    def retrying(self, request: Request[Any], tries: Tries, error: BaseException, delay: float) -> None:
        if tries.observed is not None:
            event: dict[str, str | float] = {"error.type": type(error).__name__, "whatsapp.retry.delay": delay}
            cast(Span, tries.observed).add_event("whatsapp.retry", event)

    def succeeded(self, request: Request[Any], tries: Tries | None, result: object) -> None:
        if tries is None:
            return
        self._wait.record(tries.waited, self._base)
        if tries.observed is None:
            return
        span, tries.observed = cast(Span, tries.observed), None
        wamid = getattr(result, "wamid", result) if isinstance(request, _Send) else None
        if isinstance(wamid, str):
            span.set_attribute("whatsapp.message.id", wamid)
        _end(span, tries)

    def failed(self, request: Request[Any], tries: Tries | None, error: BaseException) -> None:
        if tries is not None:
            self._wait.record(tries.waited, self._base)
        if tries is not None and tries.observed is not None:
            span, tries.observed = cast(Span, tries.observed), None
        elif tries is None and self._live():  # it failed before its first try: still one span for the request
            span = self._start(request, 0.0)
        else:
            return
        span.set_attribute("error.type", type(error).__name__)
        if isinstance(error, ApiError):
            span.set_attribute("http.response.status_code", error.http_status)
            if error.code is not None:
                span.set_attribute("whatsapp.error.code", error.code)
            if error.subcode is not None:
                span.set_attribute("whatsapp.error.subcode", error.subcode)
            if error.fbtrace_id:
                span.set_attribute("whatsapp.error.fbtrace_id", error.fbtrace_id)
        span.record_exception(error)
        span.set_status(StatusCode.ERROR, f"{type(error).__name__}: {error}"[:500])
        _end(span, tries)


def _message_type(body: object) -> str | None:
    """The `type` of a message send's JSON body: the first top-level key after `to` (the struct writes it so)."""
    if not isinstance(body, bytes):
        return None
    start = body.find(b',"type":"')
    if start < 0:
        return None
    start += 9
    end = body.find(b'"', start)
    return body[start:end].decode() if end > start else None


def _end(span: Span, tries: Tries | None) -> None:
    span.set_attribute("whatsapp.retries", tries.attempt - 1 if tries is not None else 0)
    span.set_attribute("whatsapp.limiter.wait", tries.waited if tries is not None else 0.0)
    span.end()
