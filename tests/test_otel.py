"""wa_async.otel: a span per request and the client's counts as metrics, seen through the SDK's in-memory exporters."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

import wa_async as wa
import wa_async.otel
from tests._data import PAYLOADS

FAST = wa.RetryPolicy(base=0.0, random=lambda: 0.0)
THROTTLED = b'{"error": {"message": "(#130429) Rate limit hit", "code": 130429}}'
UNDELIVERABLE = (
    b'{"error": {"message": "Message undeliverable", "code": 131026, "error_subcode": 2494010, "fbtrace_id": "AbCdEf"}}'
)


class Sdk:
    """An SDK tracer and meter provider whose output stays in memory."""

    def __init__(self) -> None:
        self.spans = InMemorySpanExporter()
        self.tracer_provider = TracerProvider()
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.spans))
        self.metrics = InMemoryMetricReader()
        self.meter_provider = MeterProvider(metric_readers=[self.metrics])

    def finished(self) -> list[ReadableSpan]:
        return list(self.spans.get_finished_spans())

    def points(self) -> dict[str, list[Any]]:
        """Each metric's data points."""
        data = self.metrics.get_metrics_data()
        assert data is not None
        out: dict[str, list[Any]] = {}
        for resource in data.resource_metrics:
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    out[metric.name] = list(metric.data.data_points)
        return out

    def close(self) -> None:
        self.tracer_provider.shutdown()
        self.meter_provider.shutdown()


@pytest.fixture
def sdk() -> Iterator[Sdk]:
    s = Sdk()
    yield s
    s.close()


def answer_by_recipient(request: wa.HttpRequest) -> wa.Response:
    """Every recipient is accepted, except 15550000009 (undeliverable) and a first try to 15550000007 (429)."""
    assert isinstance(request.body, bytes)
    to = json.loads(request.body)["to"]
    if to == "15550000009":
        return wa.Response(400, {}, UNDELIVERABLE)
    if to == "15550000007" and not answer_by_recipient.throttled:  # type: ignore[attr-defined]
        answer_by_recipient.throttled = True  # type: ignore[attr-defined]
        return wa.Response(429, {}, THROTTLED)
    return wa.Response(200, {}, json.dumps({"messages": [{"id": f"wamid.{to}"}]}).encode())


async def test_a_broadcast_shows_in_the_in_memory_exporters(sdk: Sdk) -> None:
    answer_by_recipient.throttled = False  # type: ignore[attr-defined]
    client = wa.Client.graph("123", access_token="t", transport=wa.MockTransport(answer_by_recipient), retry=FAST)
    telemetry = wa_async.otel.instrument(client, tracer_provider=sdk.tracer_provider, meter_provider=sdk.meter_provider)
    messages = [wa.Template(f"1555000000{i}", "hello_world") for i in range(10)]
    async with client:
        report = await client.broadcast(messages)
    assert (report.sent, report.failed) == (9, 1)

    spans = sdk.finished()
    assert [s.name for s in spans] == ["whatsapp.send"] * 10
    by_to = {s.attributes["whatsapp.message.id"] if s.attributes and "whatsapp.message.id" in s.attributes
             else "failed": s for s in spans}  # fmt: skip
    ok = by_to["wamid.15550000001"]
    assert ok.attributes is not None and ok.kind is trace.SpanKind.CLIENT
    assert ok.attributes["whatsapp.message.type"] == "template"
    assert ok.attributes["whatsapp.phone_number_id"] == "123"
    assert ok.attributes["whatsapp.retries"] == 0 and ok.attributes["http.response.status_code"] == 200
    retried = by_to["wamid.15550000007"]
    assert retried.attributes is not None and retried.attributes["whatsapp.retries"] == 1
    assert [e.name for e in retried.events] == ["whatsapp.retry"]
    failed = by_to["failed"]
    assert failed.attributes is not None and failed.status.status_code is StatusCode.ERROR
    assert failed.attributes["whatsapp.error.code"] == 131026
    assert failed.attributes["whatsapp.error.subcode"] == 2494010
    assert failed.attributes["whatsapp.error.fbtrace_id"] == "AbCdEf"
    assert failed.attributes["error.type"] == "RecipientError"
    assert [e.name for e in failed.events] == ["exception"]

    points = sdk.points()
    names = ("whatsapp.requests.sent", "whatsapp.requests.failed", "whatsapp.requests.unknown",
             "whatsapp.requests.retried", "whatsapp.rate_limited", "whatsapp.queue.queued",
             "whatsapp.queue.in_flight")  # fmt: skip
    counts = {name: [(p.attributes["whatsapp.phone_number_id"], p.value) for p in points[name]] for name in names}
    assert counts == {
        "whatsapp.requests.sent": [("123", 9)], "whatsapp.requests.failed": [("123", 1)],
        "whatsapp.requests.unknown": [("123", 0)], "whatsapp.requests.retried": [("123", 1)],
        "whatsapp.rate_limited": [("123", 1)], "whatsapp.queue.queued": [("123", 0)],
        "whatsapp.queue.in_flight": [("123", 0)],
    }  # fmt: skip
    durations = {p.attributes["http.response.status_code"]: p.count for p in points["whatsapp.request.duration"]}
    assert durations == {200: 9, 400: 1, 429: 1}  # ten requests, one tried twice
    assert {p.attributes["whatsapp.request"] for p in points["whatsapp.request.duration"]} == {"send"}
    (waits,) = points["whatsapp.limiter.wait"]
    assert waits.count == 10
    stats = client.stats()
    assert (stats.sent, stats.failed, stats.retried, stats.latency.count) == (9, 1, 1, 11)
    telemetry.uninstrument(client)


async def test_resource_calls_are_named_by_their_request_and_nest_in_the_callers_span(sdk: Sdk) -> None:
    answers = iter([wa.Response(200, {}, b'{"success": true}'), wa.Response(200, {}, b'{"success": true}')])
    client = wa.Client.graph("123", access_token="t", transport=wa.MockTransport(lambda r: next(answers)))
    wa_async.otel.instrument(client, tracer_provider=sdk.tracer_provider, meter_provider=sdk.meter_provider)
    tracer = sdk.tracer_provider.get_tracer("test")
    async with client:
        with tracer.start_as_current_span("handle order") as parent:
            assert await client.media.delete("m1") is True
            assert await client.mark_read("wamid.IN")
    deleted, read, handled = sdk.finished()
    assert (deleted.name, read.name) == ("whatsapp.DeleteMedia", "whatsapp.MarkMessageRead")
    assert deleted.parent is not None and deleted.parent.span_id == parent.get_span_context().span_id
    assert deleted.attributes is not None and deleted.attributes["http.request.method"] == "DELETE"
    assert handled.name == "handle order"


async def test_a_request_that_fails_before_its_first_try_still_has_a_span(sdk: Sdk) -> None:
    class Broken(wa.UnlimitedLimiter):
        async def acquire(self) -> None:
            raise wa.LimiterUnavailable("redis is gone")

    client = wa.Client.graph("123", access_token="t", transport=wa.MockTransport(lambda r: 1 / 0), limiter=Broken())
    wa_async.otel.instrument(client, tracer_provider=sdk.tracer_provider, meter_provider=sdk.meter_provider)
    async with client:
        with pytest.raises(wa.LimiterUnavailable):
            await client.send(wa.Text("15551234567", "hi"))
    (span,) = sdk.finished()
    assert span.name == "whatsapp.send" and span.status.status_code is StatusCode.ERROR
    assert span.attributes is not None and span.attributes["error.type"] == "LimiterUnavailable"


async def test_an_uninstrumented_client_has_no_observer() -> None:
    client = wa.Client.graph("123", access_token="t", transport=wa.MockTransport(lambda r: 1 / 0))
    assert client._pipeline.observer is None
    telemetry = wa_async.otel.Telemetry()
    telemetry.instrument(client)
    assert client._pipeline.observer is not None
    telemetry.uninstrument(client)
    assert client._pipeline.observer is None


async def test_nothing_of_opentelemetry_is_imported_without_it() -> None:
    code = textwrap.dedent(
        f"""
        import asyncio, sys
        import wa_async as wa

        OK = {(PAYLOADS / "send-message-response-text.json").read_bytes()!r}

        async def main():
            mock = wa.MockTransport(lambda request: wa.Response(200, {{}}, OK))
            async with wa.Client.graph("123", access_token="t", transport=mock) as client:
                await client.send(wa.Text("15551234567", "hi"))
                await client.broadcast([wa.Text("15551234567", "hi")])
                client.stats()
            receiver = wa.webhooks.Receiver(print, verify_token="t")
            await receiver.handle("GET", {{}}, {{}}, b"")
            await receiver.aclose()

        asyncio.run(main())
        print(sorted(m for m in sys.modules if m.split(".")[0] == "opentelemetry"))
        """
    )
    done = await asyncio.to_thread(subprocess.run, [sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


async def test_spans_are_started_only_when_a_provider_records() -> None:
    from opentelemetry.trace import NoOpTracerProvider

    from wa_async.otel import _global_tracing

    assert not _global_tracing()  # nothing set globally in the tests: the API's proxy, whose spans are no-ops
    assert not wa_async.otel.Telemetry(tracer_provider=NoOpTracerProvider())._live()
    assert wa_async.otel.Telemetry(tracer_provider=TracerProvider())._live()
