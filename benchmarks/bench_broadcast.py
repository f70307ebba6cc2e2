"""What the journal costs: broadcast rate with and without it, limiter off, emulator in another process.

    python benchmarks/bench_broadcast.py [--messages 5000] [--repeat 5]

Prints the median rate of ``--repeat`` runs each way and the journal's overhead (goal: under 15%).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import textwrap
import urllib.request
from pathlib import Path

from wa_async._broadcast import broadcast
from wa_async._client import Client
from wa_async._messages import Template

EMULATOR = textwrap.dedent("""
    import asyncio
    from wa_async.emulator import serve
    from wa_async.emulator._serve import describe
    asyncio.run(serve(port=0, rate_limit=None, ready=lambda emu: print(describe(emu), flush=True)))
""")


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


async def one_run(info: dict[str, str], n: int, start: int, journal: Path | None) -> float:
    await asyncio.to_thread(reset, info)
    msgs = (Template(str(4915100000000 + start + i), "hello_world") for i in range(n))
    async with Client.maton(info["phone_number_id"], api_key="bench", base_url=info["gateway_url"],
                            rate_limit=None) as client:
        report = await broadcast(client, msgs, journal=journal)
    assert report.sent == n, report
    return report.rate


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    proc, info = start_emulator()
    try:
        rates: dict[str, list[float]] = {"without journal": [], "with journal": []}
        with tempfile.TemporaryDirectory() as tmp:
            await one_run(info, 200, 0, None)  # warm up
            for i in range(args.repeat):  # interleaved, so drift hits both alike
                base = (i + 1) * 2 * args.messages
                rates["without journal"].append(await one_run(info, args.messages, base, None))
                journal = Path(tmp) / f"job{i}.sqlite"
                rates["with journal"].append(await one_run(info, args.messages, base + args.messages, journal))
        medians = {k: statistics.median(v) for k, v in rates.items()}
        for name, values in rates.items():
            print(f"{name:16} median {medians[name]:8.0f} msg/s   runs: {', '.join(f'{v:.0f}' for v in values)}")
        overhead = 1 - medians["with journal"] / medians["without journal"]
        print(f"journal overhead {overhead:.1%} (goal < 15%), {args.messages} messages x {args.repeat}")
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    asyncio.run(main())
