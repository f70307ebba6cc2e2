"""Memory per queued message: ``n`` Text messages submitted to a client whose workers never get to send.

``python -m benchmarks.memory`` is the child: it reads ``{"n"}`` on stdin. The client's limiter never grants, so
every message stays queued; ``tracemalloc`` measures what building and queueing them allocated (the struct, its
strings, the encoded body, the queue item and its future). Then the client is closed with ``cancel=True``.
"""

from __future__ import annotations

import asyncio
import gc
import tracemalloc
from typing import Any

from benchmarks._proc import child_main
from benchmarks.contenders import API_VERSION, PNID
from benchmarks.fast_server import RECIPIENT

__all__ = ["NeverLimiter"]


class NeverLimiter:
    """A limiter that never grants: workers wait forever in ``acquire()`` (until cancelled)."""

    async def acquire(self) -> None:
        await asyncio.Event().wait()

    async def pause(self, seconds: float) -> None:
        return None


async def _run(cfg: dict[str, Any]) -> dict[str, Any]:
    import wa_async as wa

    n = cfg["n"]
    client = wa.Client.graph(
        PNID,
        access_token="bench",
        base_url="http://127.0.0.1:9",  # never reached
        api_version=API_VERSION,
        limiter=NeverLimiter(),
        queue_size=n + 1024,
    )
    await client.start()
    try:
        await asyncio.sleep(0)  # let the workers block in acquire()
        gc.collect()
        tracemalloc.start()
        before, _ = tracemalloc.get_traced_memory()
        futures = [client.submit_nowait(wa.Text(to=RECIPIENT, body=f"bench {i}")) for i in range(n)]
        gc.collect()
        after, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        queued = client.pending
    finally:
        await client.close(cancel=True)
    outcomes = await asyncio.gather(*futures, return_exceptions=True)
    cancelled = sum(1 for o in outcomes if isinstance(o, wa.ClientClosed))
    return {
        "messages": n,
        "queued": queued,
        "bytes_per_message": (after - before) / n,
        "peak_bytes_per_message": (peak - before) / n,
        "failed_with_client_closed": cancelled,
    }


if __name__ == "__main__":
    child_main(_run)
