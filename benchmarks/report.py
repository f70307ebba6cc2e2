"""Results: the goals check, the markdown tables and the charts, from the JSON document a run produced."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import textwrap
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = ["GOALS", "charts", "check_goals", "machine", "markdown"]

GOALS = {
    "throughput": "wa_async send() and submit() reach ≥ 0.95× the floor's msgs/s at ≤ 1.05× its CPU per message, "
    "on each loop",
    "rate": "wa_async: zero 429s and ≥ 99% of the allowed rate, at every limit",
    "latency": "wa_async adds < 1 ms at p99 over a direct aiohttp call",
    "memory": "< 550 bytes per queued message",
}

_PACKAGES = ("wa-async", "aiohttp", "msgspec", "aiolimiter", "uvloop", "pywa", "whatsapp-python", "heyoo", "httpx")


def machine() -> dict[str, Any]:
    """Where the figures came from."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions: dict[str, str | None] = {}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        commit = ""
    return {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu_model": model,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": versions,
        "git_commit": commit or None,
    }


def _wa_rows(results: dict[str, Any], loop: bool = False) -> list[dict[str, Any]]:
    rows = results.get("throughput", {}).get("rows", [])
    return [r for r in rows if r["contender"].startswith("wa_async") and r["uvloop"] == loop]


def check_goals(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each goal: its text, what was measured, and whether it was met (None when not measured)."""
    out: dict[str, dict[str, Any]] = {}
    wa = _wa_rows(results) + _wa_rows(results, loop=True)
    met = None if not wa else all(
        (r.get("throughput_ratio") or 0) >= 0.95 and (r.get("cpu_ratio") or 99) <= 1.05 for r in wa
    )
    out["throughput"] = {
        "measured": ", ".join(
            f"{r['contender']}{' (uvloop)' if r.get('uvloop') else ''}: {_ratio(r.get('throughput_ratio'))} at "
            f"{_ratio(r.get('cpu_ratio'))} CPU"
            for r in wa
        ),
        "met": met,
    }
    rate = [r for r in results.get("rate", []) if r["contender"] == "wa_async"]
    out["rate"] = {
        "measured": ", ".join(
            f"limit {r['limit']}: {r['rate_ratio']:.1%} of the rate, {r['http_429']} × 429" for r in rate
        ),
        "met": None if not rate else all(r["http_429"] == 0 and r["rate_ratio"] >= 0.99 for r in rate),
    }
    lat = results.get("latency", {})
    added = lat.get("added_p99_us")
    out["latency"] = {
        "measured": f"+{added:.0f} µs at p99" if added is not None else lat.get("error", "not run"),
        "met": None if added is None else added < 1000,
    }
    mem = results.get("memory", {})
    per = mem.get("bytes_per_message")
    out["memory"] = {
        "measured": f"{per:.0f} bytes/message" if per is not None else mem.get("error", "not run"),
        "met": None if per is None else per < 550,
    }
    for key, text in GOALS.items():
        out[key]["goal"] = text
    return out


def _ratio(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}×"


def _mark(met: bool | None) -> str:
    return {True: "✅ met", False: "❌ missed", None: "– not measured"}[met]


def markdown(results: dict[str, Any], charts_prefix: str | None = None) -> str:
    """The results as markdown tables (``charts_prefix``: where the PNGs are, relative to the page)."""
    m = results["machine"]
    lines = [
        f"Run {results['date']} ({'quick' if results.get('quick') else 'full'}) on {m['nproc']} cores, "
        f"{m['cpu_model']}, Python {m['python']}, commit {m.get('git_commit') or '?'}; "
        f"{results.get('elapsed_s', 0):.0f} s in all.",
        "",
        "### Goals",
        "",
        "| goal | measured | |",
        "|---|---|---|",
    ]
    for goal in results.get("goals", {}).values():
        lines.append(f"| {goal['goal']} | {goal['measured']} | {_mark(goal['met'])} |")
    tp = results.get("throughput")
    if tp:
        lines += [
            "",
            f"### Throughput (limiter off, {tp['messages']:,} messages, {tp['messages_peers']:,} for the other "
            f"libraries, concurrency {tp['concurrency']}, median of {tp['repetitions']} alternating runs)",
            "",
            "| client | loop | msgs/s | × floor | CPU µs/msg | × floor | peak RSS MB | × floor |",
            "|---|---|---:|---:|---:|---:|---:|---:|",
        ]
        for r in tp["rows"]:
            loop = "uvloop" if r["uvloop"] else "asyncio"
            if "error" in r:
                lines.append(f"| {r['contender']} | {loop} | failed: `{_cell(r['error'])}` | | | | | |")
                continue
            lines.append(
                f"| {r['contender']} | {loop} | {r['msgs_per_s']:,.0f} | {_ratio(r.get('throughput_ratio'))} "
                f"| {r['cpu_us_per_msg']:,.0f} | {_ratio(r.get('cpu_ratio'))} | {r['peak_rss_mb']:.0f} "
                f"| {_ratio(r.get('rss_ratio'))} |"
            )
        frac = tp.get("server_core_fraction_max")
        if frac is not None:
            lines += ["", f"The loopback server used at most {frac:.0%} of one core during any run."]
        if charts_prefix is not None:
            lines += ["", f"![Throughput per client]({charts_prefix}throughput.png)"]
    rate = results.get("rate")
    if rate:
        lines += [
            "",
            "### Rate precision (strict sliding 1-second window on the server; 429 with code 130429 above it)",
            "",
            "| limiter | limit/s | seconds | requests | achieved/s | × limit | max in any 1 s | 429s | failed |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in rate:
            client = r.get("client", {})
            failed = client.get("failed", client.get("error", "?"))
            lines.append(
                f"| {r['contender']} | {r['limit']} | {r['seconds']:g} | {r['requests']} | {r['achieved_rate']:.2f} "
                f"| {r['rate_ratio']:.1%} | {r['max_window']} | {r['http_429']} | {_cell(str(failed))} |"
            )
        if charts_prefix is not None:
            lines += ["", f"![Requests per second at the lowest limit]({charts_prefix}rate.png)"]
    lat = results.get("latency")
    if lat:
        lines += ["", "### Latency (sequential sends, one at a time)", ""]
        if "error" in lat:
            lines.append(f"failed: `{_cell(lat['error'])}`")
        else:
            lines += [
                "| | p50 µs | p99 µs |",
                "|---|---:|---:|",
                f"| direct aiohttp call | {lat['direct_p50_us']:.0f} | {lat['direct_p99_us']:.0f} |",
                f"| wa_async send() | {lat['wa_async_p50_us']:.0f} | {lat['wa_async_p99_us']:.0f} |",
                f"| added (median of per-block differences) | {lat['added_p50_us']:+.0f} "
                f"| {lat['added_p99_us']:+.0f} |",
                "",
                f"{lat['samples_each']:,} samples each way.",
            ]
    mem = results.get("memory")
    if mem:
        lines += ["", "### Memory per queued message", ""]
        if "error" in mem:
            lines.append(f"failed: `{_cell(mem['error'])}`")
        else:
            lines.append(
                f"{mem['messages']:,} Text messages queued behind a limiter that never grants: "
                f"**{mem['bytes_per_message']:.0f} bytes per message** (struct, strings, encoded body, queue item "
                f"and future; tracemalloc), {mem['peak_bytes_per_message']:.0f} at peak."
            )
    enc = results.get("encoding")
    if enc:
        lines += ["", "### Encoding (a template with five body parameters)", ""]
        if "error" in enc:
            lines.append(f"failed: `{_cell(enc['error'])}`")
        else:
            base = enc["per_second"].get("dict + json.dumps")
            lines += ["| way | messages/s | × dict + json.dumps |", "|---|---:|---:|"]
            for name, rate_ in enc["per_second"].items():
                lines.append(f"| {name} | {rate_:,.0f} | {_ratio(rate_ / base if base else None)} |")
    for name, extra in results.get("extra", {}).items():
        text = extra if isinstance(extra, str) else json.dumps(extra, indent=1)
        lines += ["", f"### {name}", "", "```text", _fit(text[:3000]), "```"]
    return "\n".join(lines) + "\n"


def _fit(text: str, width: int = 88) -> str:
    """Wrap lines wider than the docs site's code blocks show (88 characters; tests/test_docs.py checks)."""
    lines: list[str] = []
    for line in text.splitlines():
        lines += textwrap.wrap(line, width, subsequent_indent="    ", break_on_hyphens=False) or [""]
    return "\n".join(lines)


def _cell(text: str, limit: int = 200) -> str:
    return text.replace("|", "\\|").replace("\n", " ")[:limit]


def charts(results: dict[str, Any], out_dir: Path, stem: str) -> list[Path]:
    """Write ``<stem>-throughput.png`` and ``<stem>-rate.png``; return the files written (none without matplotlib)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    written: list[Path] = []
    rows = [r for r in results.get("throughput", {}).get("rows", []) if "error" not in r]
    if rows:
        fig, ax = plt.subplots(figsize=(9, 0.45 * len(rows) + 1.2))
        labels = [f"{r['contender']}{' (uvloop)' if r['uvloop'] else ''}" for r in rows]
        colors = [
            "#2b7a3d" if r["contender"].startswith("wa_async") else "#555555" if "floor" in r["contender"] else "#999"
            for r in rows
        ]
        ax.barh(labels[::-1], [r["msgs_per_s"] for r in rows][::-1], color=colors[::-1])
        for y, r in enumerate(rows[::-1]):
            ax.text(r["msgs_per_s"], y, f" {r['msgs_per_s']:,.0f}", va="center", fontsize=8)
        ax.set_xlabel(
            f"messages per second (median), loopback server, concurrency {results['throughput']['concurrency']}"
        )
        ax.set_title("Throughput per client, limiter off")
        fig.tight_layout()
        path = out_dir / f"{stem}-throughput.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    rate = results.get("rate", [])
    if rate:
        low = min(r["limit"] for r in rate)
        runs = [r for r in rate if r["limit"] == low]
        fig, ax = plt.subplots(figsize=(9, 3.6))
        for r in runs:
            ax.step(range(len(r["per_second"])), r["per_second"], where="post", label=r["contender"])
        ax.axhline(low, color="red", linestyle="--", linewidth=1, label=f"limit {low}/s")
        ax.set_xlabel("second of the run")
        ax.set_ylabel("requests arriving")
        ax.set_title(f"Requests per second at the server, limit {low}/s")
        ax.legend(fontsize=8, loc="lower center")
        fig.tight_layout()
        path = out_dir / f"{stem}-rate.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    return written
