"""Smoke tests for the benchmark harness: tiny sizes, shapes only (never timings)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from benchmarks import encoding, latency, memory, report
from benchmarks._proc import run_json
from benchmarks.fast_server import FastProtocol
from benchmarks.rate import analyse, max_window, run_rate
from benchmarks.throughput import FLOOR, run_throughput


@pytest.fixture
async def fast_url() -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    counter = itertools.count()
    server = await loop.create_server(lambda: FastProtocol(counter), "127.0.0.1", 0)
    async with server:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"


async def test_fast_server_gives_unique_wamids_and_404s(fast_url: str) -> None:
    async with aiohttp.ClientSession() as session:
        ids = []
        for _ in range(3):
            async with session.post(f"{fast_url}/v21.0/123/messages", data=b'{"to":"1"}') as resp:
                assert resp.status == 200
                ids.append((await resp.json())["messages"][0]["id"])
        async with session.get(f"{fast_url}/v21.0/123/media") as resp:
            assert resp.status == 404
    assert len(set(ids)) == 3
    assert all(i.startswith("wamid.") for i in ids)


def test_max_window_is_half_open() -> None:
    assert max_window([]) == 0
    assert max_window([0.0, 0.5, 0.999, 1.0, 1.5]) == 3  # [0, 1) holds 3; 1.0 starts a new second
    assert max_window([0.0, 1.0, 2.0]) == 1


def test_analyse_counts_429s_windows_and_rate() -> None:
    t = [0.0, 0.1, 0.2, 0.25, 1.3]
    out = analyse(t, [200, 200, 200, 429, 200], limit=3)
    assert out["http_429"] == 1
    assert out["accepted"] == 4
    assert out["max_window"] == 4
    assert out["max_window_accepted"] == 3
    assert out["per_second"] == [4, 1]
    assert out["achieved_rate"] == pytest.approx(4 / (1.3 + 1 / 3))


async def test_children_in_process(fast_url: str) -> None:
    lat = await latency._run({"url": fast_url, "n": 5, "reps": 2})
    assert lat["samples_each"] == 10
    assert {"direct_p99_us", "wa_async_p99_us", "added_p50_us", "added_p99_us"} <= lat.keys()
    mem = await memory._run({"n": 200})
    assert mem["queued"] == 200
    assert mem["failed_with_client_closed"] == 200
    assert mem["bytes_per_message"] > 0
    enc = await encoding._run({"n": 10, "reps": 1})
    assert set(enc["per_second"]) >= {"dict + json.dumps", "wa_async Template(...).to_json()"}


def test_throughput_rows_and_ratios() -> None:
    out = run_throughput(n=30, n_peers=10, concurrency=4, reps=1, uvloop=False, only=("wa_async submit()",))
    rows = {r["contender"]: r for r in out["rows"]}
    assert set(rows) == {FLOOR, "wa_async submit()"}
    for row in rows.values():
        assert "error" not in row, row
        assert row["msgs_per_s"] > 0 and row["cpu_us_per_msg"] > 0 and row["peak_rss_mb"] > 0
    assert rows[FLOOR]["throughput_ratio"] == 1.0
    assert "throughput_ratio" in rows["wa_async submit()"]


def test_a_broken_contender_is_a_result_not_a_crash() -> None:
    out = run_json(
        "benchmarks.contenders", {"contender": "nope", "url": "http://127.0.0.1:9", "n": 1, "concurrency": 1}
    )
    assert "KeyError" in out["error"]


def test_rate_and_report(tmp_path: Path) -> None:
    rate = run_rate([(20, 0.2)])
    assert [r["contender"] for r in rate] == [
        "wa_async",
        "aiolimiter AsyncLimiter(rate, 1)",
        "naive sleep(1/rate) loop",
    ]
    for r in rate:
        assert r["requests"] >= 4, r
        assert r["client"].get("messages") == 4, r
    results: dict[str, Any] = {
        "date": "2000-01-01",
        "machine": report.machine(),
        "rate": rate,
        "memory": {"error": "not run here"},
    }
    results["goals"] = report.check_goals(results)
    assert results["goals"]["memory"]["met"] is None
    assert results["goals"]["throughput"]["met"] is None
    assert results["goals"]["rate"]["met"] in (True, False)
    md = report.markdown(results, charts_prefix="x-")
    assert "| limiter | limit/s |" in md and "not run here" in md
    for path in report.charts(results, tmp_path, "t"):
        assert path.stat().st_size > 0


def test_bench_otel_compares_plain_and_instrumented_clients() -> None:
    import wa_async as wa
    from benchmarks import bench_otel

    def in_memory() -> wa.Client:
        mock = wa.MockTransport(lambda request: wa.Response(200, {}, bench_otel.OK))
        return wa.Client.graph("123", access_token="t", transport=mock, rate_limit=None, windows=False)

    out = bench_otel.compare(in_memory, n=32, rounds=2, concurrency=4)
    assert out["messages"] == 32 and out["rounds"] == 2
    assert out["plain_us_per_msg"] > 0 and out["otel_us_per_msg"] > 0 and out["ratio_median"] > 0
