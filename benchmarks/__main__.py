"""``python -m benchmarks [--quick] [--only SECTION ...] [--publish]``: run the benchmark suite, write
``benchmarks/results/<date>.json`` and ``.md`` (``<date>-quick.*`` with ``--quick``) and the charts.

Sections: throughput, rate, latency, memory, encoding; then (not with ``--quick``), when present, the other
benchmark modules (bench_redis_limiter, bench_webhooks, bench_broadcast, bench_shared_limit, bench_otel), their
output kept as they print it.
``--publish`` also copies the charts under docs/img/ and puts the tables into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import report
from benchmarks._proc import Server, run_json
from benchmarks.rate import run_rate
from benchmarks.throughput import run_throughput

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = ("throughput", "rate", "latency", "memory", "encoding")
EXTRA = (
    "bench_redis_limiter",
    "bench_webhooks",
    "bench_broadcast",
    "bench_shared_limit",
    "bench_cold_start",
    "bench_otel",
)
_START, _END = "<!-- results:start -->", "<!-- results:end -->"

# Sizes: the full run takes about 5 minutes on 2 cores, --quick under one.
FULL: dict[str, Any] = {
    "n": 10_000, "n_peers": 3_000, "concurrency": 64, "reps": 5, "uvloop": None,
    "rate": [(10, 60.0), (80, 20.0)], "latency_n": 400, "latency_reps": 6, "memory_n": 100_000,
    "encoding_n": 20_000, "encoding_reps": 5,
}  # fmt: skip
QUICK: dict[str, Any] = {
    "n": 1_000, "n_peers": 300, "concurrency": 64, "reps": 3, "uvloop": False,
    "rate": [(10, 6.0), (80, 3.0)], "latency_n": 100, "latency_reps": 2, "memory_n": 100_000,
    "encoding_n": 2_000, "encoding_reps": 3,
}  # fmt: skip


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run_sections(cfg: dict[str, Any], sections: tuple[str, ...] = SECTIONS) -> dict[str, Any]:
    """Run the chosen sections with ``cfg`` (FULL or QUICK, or smaller); return the results document."""
    out: dict[str, Any] = {}
    steps: dict[str, Callable[[], Any]] = {
        "throughput": lambda: run_throughput(
            n=cfg["n"], n_peers=cfg["n_peers"], concurrency=cfg["concurrency"], reps=cfg["reps"], uvloop=cfg["uvloop"]
        ),
        "rate": lambda: run_rate(cfg["rate"]),
        "latency": lambda: _with_fast_server(
            "benchmarks.latency", {"n": cfg["latency_n"], "reps": cfg["latency_reps"]}
        ),
        "memory": lambda: run_json("benchmarks.memory", {"n": cfg["memory_n"]}),
        "encoding": lambda: run_json("benchmarks.encoding", {"n": cfg["encoding_n"], "reps": cfg["encoding_reps"]}),
    }
    for name in sections:
        t0 = time.perf_counter()
        _log(f"[benchmarks] {name} ...")
        out[name] = steps[name]()
        _log(f"[benchmarks] {name} done in {time.perf_counter() - t0:.1f} s")
    return out


def _with_fast_server(module: str, payload: dict[str, Any]) -> dict[str, Any]:
    with Server("benchmarks.fast_server") as server:
        return run_json(module, {**payload, "url": server.url})


def _run_extra(name: str) -> Any:
    cmd = [sys.executable, "-m", f"benchmarks.{name}"]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=ROOT, check=False)
    except subprocess.TimeoutExpired:
        return {"error": "timed out after 600 s"}
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                break
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]}
    return done.stdout.strip()[-2000:]


def publish(results_md: str, charts: list[Path]) -> None:
    """Copy the charts to docs/img/ and replace the results block of docs/benchmarks.md."""
    img = ROOT / "docs" / "img"
    img.mkdir(parents=True, exist_ok=True)
    for chart in charts:
        shutil.copyfile(chart, img / f"benchmarks-{chart.name.split('-')[-1]}")
    page = ROOT / "docs" / "benchmarks.md"
    text = page.read_text() if page.exists() else f"# Benchmarks\n\n{_START}\n{_END}\n"
    head, rest = text.split(_START, 1)
    tail = rest.split(_END, 1)[1]
    page.write_text(f"{head}{_START}\n{results_md}{_END}{tail}")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run under a minute")
    parser.add_argument("--only", action="append", choices=SECTIONS, help="run only this section (repeatable)")
    parser.add_argument("--no-extra", action="store_true", help="skip the other benchmark modules")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument("--publish", action="store_true", help="update docs/benchmarks.md and docs/img/")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    cfg = QUICK if args.quick else FULL
    date = dt.date.today().isoformat()
    results: dict[str, Any] = {"date": date, "quick": args.quick, "config": cfg, "machine": report.machine()}
    results.update(run_sections(cfg, tuple(args.only or SECTIONS)))
    if not args.no_extra and not args.only and not args.quick:
        extra = {}
        for name in EXTRA:
            if (ROOT / "benchmarks" / f"{name}.py").exists():
                _log(f"[benchmarks] {name} ...")
                extra[name] = _run_extra(name)
        if extra:
            results["extra"] = extra
    results["goals"] = report.check_goals(results)
    results["elapsed_s"] = time.perf_counter() - t0
    args.out.mkdir(parents=True, exist_ok=True)
    stem = f"{date}-quick" if args.quick else date
    charts = report.charts(results, args.out, stem)
    (args.out / f"{stem}.json").write_text(json.dumps(results, indent=1) + "\n")
    md = report.markdown(results, charts_prefix=f"{stem}-" if charts else None)
    (args.out / f"{stem}.md").write_text(f"# Benchmarks {stem}\n\n{md}")
    if args.publish:
        publish(report.markdown(results, charts_prefix="img/benchmarks-" if charts else None), charts)
    print(md)
    _log(f"[benchmarks] wrote {args.out / stem}.json and .md in {results['elapsed_s']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
