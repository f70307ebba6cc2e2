"""For sync tests that run their own event loops (a framework's test client, asyncio.Runner)."""

from __future__ import annotations

import asyncio

__all__ = ["close_idle_loop"]


def close_idle_loop() -> None:
    """Close the event loop a plugin may have set for this sync test (looptime asks the policy for one, which
    makes it): a test client or Runner replaces the current loop without closing it, and a loop left open is a
    ResourceWarning (an error here) when it is collected, in whatever test runs then."""
    policy = asyncio.get_event_loop_policy()
    try:
        loop = policy.get_event_loop()
    except RuntimeError:
        return
    if not loop.is_running():
        loop.close()
        policy.set_event_loop(None)
