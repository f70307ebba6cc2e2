"""Several ``wa-async broadcast`` processes sharing one account's limit through Redis, end to end in real time.

    python -m benchmarks.bench_shared_limit                  # 2 processes x 30 rows, --rate 10, 3 runs
    python -m benchmarks.bench_shared_limit --processes 3 --rows 50 --runs 5

The emulator runs in a process of its own at the gateway's 10 requests/second (a strict sliding 1-second window:
a request over it gets a 429); a redis-server is started on a free loopback port. Each run starts the broadcasts
together, cold, each with ``--rate 10 --redis-url``: without the shared limit they would make N x 10/s. Reported
per run: rows sent, 429s the server answered, its busiest 1-second window, and the rate while sending. The test
suite proves the same property on a fake clock (``tests/test_broadcast.py``); this is the figure on a real,
possibly busy, machine, where a late first request can still crowd one window (see docs/scaling.md).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.emulator_process import emulator_process  # noqa: E402
from tests.redis_server import RedisServer  # noqa: E402


def _stats(url: str) -> dict[str, int]:
    with urllib.request.urlopen(url, timeout=10) as resp:  # loopback only
        data: dict[str, int] = json.load(resp)
        return data


def one_run(redis_url: str, processes: int, rows: int, folder: Path, run: int) -> dict[str, float]:
    """Start ``processes`` broadcasts of ``rows`` rows each against a fresh emulator; their figures."""
    with emulator_process("--rate", "10") as emu:
        env = {**os.environ, "WA_BASE_URL": emu["gateway_url"], "MATON_API_KEY": "k",
               "WA_PHONE_NUMBER_ID": emu["phone_number_id"]}  # fmt: skip
        env.pop("WA_ACCESS_TOKEN", None)
        procs = []
        started = time.monotonic()
        for n in range(processes):
            src = folder / f"r{run}-{n}.csv"
            with src.open("w", newline="") as f:
                w = csv.writer(f)
                w.writerow(["phone", "name", "order"])
                w.writerows([f"1555{n * 100_000 + i:07d}", f"Customer {i}", f"#{i}"] for i in range(rows))
            command = [sys.executable, "-m", "wa_async.cli", "broadcast", str(src), "--template", "order_update",
                       "--param", "name", "--param", "order", "--journal", str(folder / f"j{run}-{n}.sqlite"),
                       "--rate", "10", "--redis-url", redis_url, "--redis-key", f"bench:{run}",
                       "--no-preflight"]  # fmt: skip
            procs.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.PIPE, text=True))  # fmt: skip
        codes = [p.wait(timeout=120) for p in procs]
        elapsed = time.monotonic() - started
        stats = _stats(emu["stats"])
    for p in procs:
        if p.stderr is not None:
            p.stderr.close()
    return {"exit_codes_ok": float(all(c == 0 for c in codes)), "accepted": stats["accepted"],
            "rate_limited": stats["rate_limited"], "max_window": stats["max_window"],
            "rate": stats["accepted"] / elapsed}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--rows", type=int, default=30, help="rows per process")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{args.processes} broadcast processes x {args.rows} rows, --rate 10 shared through Redis, "
          f"emulator at 10/s; {args.runs} runs")  # fmt: skip
    print("| run | all exited 0 | accepted | 429s | busiest 1-s window | rate (process start to end) |")
    print("|---|---|---|---|---|---|")
    with RedisServer() as server, tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            r = one_run(server.url, args.processes, args.rows, Path(tmp), run)
            print(f"| {run + 1} | {'yes' if r['exit_codes_ok'] else 'NO'} | {r['accepted']:.0f} | "
                  f"{r['rate_limited']:.0f} | {r['max_window']:.0f} | {r['rate']:.2f}/s |", flush=True)


if __name__ == "__main__":
    main()
