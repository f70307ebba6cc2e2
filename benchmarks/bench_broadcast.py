"""What the journal costs: broadcast rate and client CPU without a journal, with SQLite, and with PostgreSQL.

    python -m benchmarks.bench_broadcast [--messages 5000] [--repeat 9] [--seconds 5] [--quick]

The emulator runs in its own process and PostgreSQL is a throwaway cluster on loopback (durable settings: fsync
and synchronous commits on), both on this machine. Three phases:

- **unlimited**: no rate limit, ``--messages`` per run, ``--repeat`` runs of each journal, interleaved (the order
  rotates every repetition). A second "no journal" column is an A/A control: how far two identical setups drift
  apart on this machine is the noise floor of every ratio. The journal's cost is ``1 - rate / rate without``,
  from the medians (and from the best runs, which a busy machine disturbs least).
- **80/s** and **1,000/s**: ``rate x --seconds`` messages at that limit; the rate held and the client's CPU per
  message, i.e. what the journal costs a real account's pace.

Needs asyncpg (``pip install -e '.[postgres]'``) and PostgreSQL's server programs (``apt-get install postgresql``);
without them the PostgreSQL column says why it is missing.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from wa_async._broadcast import broadcast
from wa_async._client import Client
from wa_async._messages import Template

EMULATOR = textwrap.dedent("""
    import asyncio
    from wa_async.emulator import serve
    from wa_async.emulator._serve import describe
    asyncio.run(serve(port=0, rate_limit=None, ready=lambda emu: print(describe(emu), flush=True)))
""")

NONE, CONTROL, SQLITE, POSTGRES = "no journal", "no journal (A/A)", "SQLite", "PostgreSQL"


def start_emulator() -> tuple[subprocess.Popen[str], dict[str, str]]:
    proc = subprocess.Popen([sys.executable, "-c", EMULATOR], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    info: dict[str, str] = {}
    while "stats" not in info:
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("the emulator did not start")
        name, value = line.split(None, 1)
        info[name] = value.strip()
    return proc, info


def reset(info: dict[str, str]) -> None:
    request = urllib.request.Request(info["graph_url"] + "/__emulator/reset", method="POST")
    urllib.request.urlopen(request, timeout=10).close()


class Journals:
    """Makes a fresh journal of each kind for every run."""

    def __init__(self, tmp: Path, postgres_url: str | None) -> None:
        self.tmp = tmp
        self.postgres_url = postgres_url
        self.count = 0

    def make(self, kind: str) -> Any:
        self.count += 1
        if kind == SQLITE:
            return self.tmp / f"job{self.count}.sqlite"
        if kind == POSTGRES:
            from wa_async import PostgresJournal

            assert self.postgres_url is not None
            return PostgresJournal(self.postgres_url, job=f"bench-{self.count}-{time.time_ns()}")
        return None


async def one_run(info: dict[str, str], journals: Journals, kind: str, n: int, start: int,
                  rate: float | None) -> tuple[float, float]:  # fmt: skip
    """``(messages per second, client CPU µs per message)`` of one broadcast."""
    await asyncio.to_thread(reset, info)
    msgs = (Template(str(4915100000000 + start + i), "hello_world") for i in range(n))
    journal = journals.make(kind)
    async with Client.maton(info["phone_number_id"], api_key="bench", base_url=info["gateway_url"],
                            rate_limit=rate) as client:  # fmt: skip
        cpu = time.process_time()
        report = await broadcast(client, msgs, journal=journal)
        cpu = time.process_time() - cpu
    assert report.sent == n, report
    return report.rate, cpu / n * 1e6


async def phase(info: dict[str, str], journals: Journals, kinds: list[str], n: int, repeat: int,
                rate: float | None, base: list[int]) -> dict[str, list[tuple[float, float]]]:  # fmt: skip
    runs: dict[str, list[tuple[float, float]]] = {k: [] for k in kinds}
    for i in range(repeat):
        order = kinds[i % len(kinds):] + kinds[:i % len(kinds)]  # rotate, so drift hits every kind alike
        for kind in order:
            base[0] += n
            runs[kind].append(await one_run(info, journals, kind, n, base[0], rate))
    return runs


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def table(title: str, runs: dict[str, list[tuple[float, float]]], *, limited: float | None) -> str:
    none = runs[NONE]
    base_rate, best_rate = _median([r for r, _ in none]), max(r for r, _ in none)
    base_cpu = _median([c for _, c in none])
    lines = [title, ""]
    if limited is None:
        lines += ["| journal | median msg/s | cost (medians) | best msg/s | cost (best) | CPU µs/msg | × no journal |",
                  "|---|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    else:
        lines += ["| journal | rate held (median) | × limit | CPU µs/msg | client CPU at this rate | × no journal |",
                  "|---|---:|---:|---:|---:|---:|"]  # fmt: skip
    for kind, values in runs.items():
        rate, best, cpu = _median([r for r, _ in values]), max(r for r, _ in values), _median([c for _, c in values])
        if limited is None:
            lines.append(f"| {kind} | {rate:,.0f} | {1 - rate / base_rate:+.1%} | {best:,.0f} | "
                         f"{1 - best / best_rate:+.1%} | {cpu:.0f} | {cpu / base_cpu:.2f}× |")  # fmt: skip
        else:
            lines.append(f"| {kind} | {rate:,.1f} | {rate / limited:.1%} | {cpu:.0f} | "
                         f"{cpu * limited / 1e6:.1%} of a core | {cpu / base_cpu:.2f}× |")  # fmt: skip
    lines.append("")
    lines.append("runs (msg/s): " + "; ".join(f"{k}: {', '.join(f'{r:,.0f}' for r, _ in v)}" for k, v in runs.items()))
    return "\n".join(lines)


def _postgres(stack: list[Callable[[], None]]) -> tuple[str | None, str | None]:
    """``(url, None)`` of a throwaway cluster, or ``(None, why not)``."""
    try:
        import asyncpg  # noqa: F401

        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from tests.postgres_server import PostgresServer
    except ImportError as e:
        return None, f"{e} (pip install -e '.[postgres]')"
    server = PostgresServer(fsync=True)
    try:
        server.start()
    except Exception as e:
        return None, str(e)
    stack.append(server.close)
    return server.url, None


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each rate-limited run")
    parser.add_argument("--quick", action="store_true", help="small sizes, a smoke run")
    args = parser.parse_args()
    if args.quick:
        args.messages, args.repeat, args.seconds = 500, 2, 1.0
    cleanup: list[Callable[[], None]] = []
    proc, info = start_emulator()
    try:
        url, missing = _postgres(cleanup)
        kinds = [NONE, CONTROL, SQLITE] + ([POSTGRES] if url else [])
        with tempfile.TemporaryDirectory() as tmp:
            journals = Journals(Path(tmp), url)
            base = [0]
            await one_run(info, journals, NONE, 200, 0, None)  # warm up
            runs = await phase(info, journals, kinds, args.messages, args.repeat, None, base)
            print(table(f"Unlimited rate: {args.messages:,} messages per run, {args.repeat} runs each, interleaved",
                        runs, limited=None))  # fmt: skip
            for rate in (80.0, 1000.0):
                n = int(rate * args.seconds)
                limited = await phase(info, journals, [NONE, SQLITE] + ([POSTGRES] if url else []), n,
                                      max(1, min(3, args.repeat)), rate, base)  # fmt: skip
                print()
                print(table(f"At {rate:,.0f} messages/s: {n:,} messages per run", limited, limited=rate))
        if missing:
            print(f"\nPostgreSQL not measured: {missing}")
    finally:
        proc.terminate()
        proc.wait(10)
        for close in reversed(cleanup):
            close()


if __name__ == "__main__":
    asyncio.run(main())
