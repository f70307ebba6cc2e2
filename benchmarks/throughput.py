"""Throughput and client CPU per message against the fast loopback server, as ratios to the floor.

Every run is a fresh child process (:mod:`benchmarks.contenders`); repetitions alternate between contenders (the
order rotating each time) so that a noisy neighbour slows them alike, and each figure is the median over them.
The server's own CPU is read from /proc over each run, to show it was never the bottleneck.
"""

from __future__ import annotations

import importlib.util
import statistics
from collections.abc import Sequence
from typing import Any

from benchmarks._proc import Server, cpu_seconds, run_json
from benchmarks.contenders import CONTENDERS

__all__ = ["FLOOR", "PEERS", "run_throughput"]

FLOOR = next(iter(CONTENDERS))
PEERS = ("pywa (async)", "whatsapp-python (async)", "heyoo (threads)")
"""The other libraries: fewer messages each (some are slow), and no uvloop variant (it would not be theirs)."""


def _variants(uvloop: bool) -> list[tuple[str, bool]]:
    out = [(name, False) for name in CONTENDERS]
    if uvloop:
        out += [(name, True) for name in CONTENDERS if name not in PEERS]
    return out


def run_throughput(
    *, n: int, n_peers: int, concurrency: int, reps: int, uvloop: bool | None = None, only: Sequence[str] = ()
) -> dict[str, Any]:
    """Run every contender ``reps`` times, alternating; return per-contender medians and ratios to the floor.

    ``uvloop=None`` means: also with uvloop when it is installed. ``only`` restricts the contenders (the floor is
    always run).
    """
    if uvloop is None:
        uvloop = importlib.util.find_spec("uvloop") is not None
    variants = [v for v in _variants(uvloop) if not only or v[0] == FLOOR or v[0] in only]
    runs: dict[tuple[str, bool], list[dict[str, Any]]] = {v: [] for v in variants}
    server_load: list[float] = []
    with Server("benchmarks.fast_server") as server:
        for rep in range(reps):
            shift = rep % len(variants)
            for name, loop in variants[shift:] + variants[:shift]:
                count = n_peers if name in PEERS else n
                payload = {"contender": name, "url": server.url, "n": count, "concurrency": concurrency}
                payload["uvloop"] = loop
                cpu0 = cpu_seconds(server.pid)
                result = run_json("benchmarks.contenders", payload)
                cpu1 = cpu_seconds(server.pid)
                if "wall_s" in result and cpu0 is not None and cpu1 is not None:
                    result["server_core_fraction"] = (cpu1 - cpu0) / result["wall_s"]
                    server_load.append(result["server_core_fraction"])
                result["n"] = count
                runs[(name, loop)].append(result)
    rows = [_summarise(name, loop, results) for (name, loop), results in runs.items()]
    for loop in (False, True):
        floor = next((r for r in rows if r["contender"] == FLOOR and r["uvloop"] == loop and "error" not in r), None)
        for row in rows:
            if row["uvloop"] == loop and floor is not None and "error" not in row:
                row["throughput_ratio"] = row["msgs_per_s"] / floor["msgs_per_s"]
                row["cpu_ratio"] = row["cpu_us_per_msg"] / floor["cpu_us_per_msg"]
                row["rss_ratio"] = row["peak_rss_mb"] / floor["peak_rss_mb"]
    return {
        "concurrency": concurrency,
        "messages": n,
        "messages_peers": n_peers,
        "repetitions": reps,
        "server_core_fraction_max": max(server_load, default=None),
        "rows": rows,
    }


def _summarise(name: str, loop: bool, results: list[dict[str, Any]]) -> dict[str, Any]:
    row: dict[str, Any] = {"contender": name, "uvloop": loop, "runs": len(results)}
    good = [r for r in results if "error" not in r]
    if not good:
        row["error"] = results[0].get("error", "no result") if results else "not run"
        return row
    if len(good) < len(results):
        row["failed_runs"] = len(results) - len(good)
        row["first_error"] = next(r["error"] for r in results if "error" in r)
    for key in ("msgs_per_s", "cpu_us_per_msg", "peak_rss_mb"):
        row[key] = statistics.median(r[key] for r in good)
    row["msgs_per_s_all"] = [round(r["msgs_per_s"], 1) for r in good]
    row["n"] = good[0]["n"]
    return row
